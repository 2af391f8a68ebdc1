"""What attendance does when something happens to a pupil (events from `students.signals`)."""

from django.utils import timezone

from .models import ExplanationRequest


def cancel_open_requests_of_leaver(sender, *, student, left_on, actor, **kwargs):
    """A pupil who left is no longer expected at school: nobody has to explain their absences any more.

    No `explanation_requests_closed` follows: the escalation app cancels the pupil's escalations on
    `student_left` itself, with an event that says the pupil left.
    """
    ExplanationRequest.objects.filter(student_id=student.id, status=ExplanationRequest.Status.OPEN).update(
        status=ExplanationRequest.Status.CANCELLED, closed_at=timezone.now(), closed_by=actor
    )
