"""An explanation request still open at its deadline: nobody from the housing location or guardianship answered."""

from django.db.models import Exists, OuterRef, Q
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from attendance.models import ExplanationRequest
from students.team import Addressees

from ..models import Escalation, Trigger
from .base import Cause, EscalationTrigger


class RequestOverdue(EscalationTrigger):
    code = Trigger.REQUEST_OVERDUE
    related = ("explanation_request__record",)

    def causes(self, now, book):
        # A request answered or withdrawn and then opened again (the absence stands after all, a sick report ended
        # earlier) gets a new deadline: its earlier escalation, closed before that deadline, does not cover it. One
        # closed by hand or exhausted after the deadline does: nobody is chased twice for the same deadline.
        # (Only this trigger's escalations: the reminder before the deadline, `request_due_soon`, covers nothing.)
        covered = Escalation.objects.filter(explanation_request=OuterRef("pk"), trigger=self.code).filter(
            Q(closed_at__isnull=True) | Q(closed_at__gte=OuterRef("deadline"))
        )
        overdue = (
            ExplanationRequest.objects.filter(
                status=ExplanationRequest.Status.OPEN,
                deadline__lte=now,
                # The care coordinator's decision settles the absence, explained or not.
                record__decided_at__isnull=True,
                student__school_id__in=book.schools(self.code),
            )
            .exclude(Exists(covered))
            .select_related("student", "location", "record")
            .order_by("deadline", "id")
        )
        return [
            Cause(
                self,
                f"request:{request.id}:{request.deadline.timestamp():.0f}",
                request.student,
                request.record.school_class_id,
                request.deadline,
                location=request.location,
                request=request,
            )
            for request in overdue
        ]

    def addressees(self, escalation):
        """The request's addressees: the location and guardian of the absent day, not of today. After a move the
        old location's worker holds the request and can answer it; the new one cannot."""
        request = escalation.explanation_request
        if request is None:
            return None
        return Addressees(escalation.student, request.day, request.location_id, request.guardian_id)

    def notification_text(self, notification, student_name):
        return _("Afwezigheid van %(student)s op %(date)s is nog niet toegelicht.") % {
            "student": student_name,
            "date": date_format(notification.escalation.explanation_request.day),
        }

    def still_needed(self, escalation):
        """Until the request is answered or withdrawn, or the care coordinator decided the absence."""
        request = escalation.explanation_request
        return (
            request is not None
            and request.status == ExplanationRequest.Status.OPEN
            and request.record.decided_at is None
        )
