"""What happens to a pupil, announced for the apps above (attendance, escalation) to act on.

Sent by the lifecycle services in `students.services`, inside their transaction: a receiver's writes commit or
roll back with the change that caused them.
"""

from django.dispatch import Signal

# A pupil left the school (uitgeschreven). Arguments: student, left_on (date), actor (User or None).
student_left = Signal()
