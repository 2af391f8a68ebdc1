"""What happens in the attendance loop, announced for the escalation app to act on.

Sent by `attendance.services` inside their transaction, so whatever a receiver writes (closing an escalation,
an in-app notification) commits or rolls back with the change itself.
"""

from django.dispatch import Signal

# Explanation requests were closed. Arguments: request_ids (list[int]), answered (bool: True when explained,
# False when withdrawn because the absence was corrected or the pupil left), actor (User or None).
explanation_requests_closed = Signal()

# A hospital admission was reported (with a new sick report or later). Arguments: sick_report.
hospital_admission_reported = Signal()

# The care coordinator decided an absence (geoorloofd or ongeoorloofd). Arguments: record, actor.
absence_decided = Signal()
