"""A hospital admission the housing location reported that school has not opened yet (the urgent in-app news)."""

from datetime import timedelta

from django.db.models import Exists, OuterRef
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from attendance.models import SickReport

from ..models import Escalation, Notification, Trigger
from .base import Cause, EscalationTrigger

LOOKBACK = timedelta(days=14)


def _read_by_school(sick_report):
    """The urgent news about `sick_report` that someone at school opened."""
    return Notification.objects.filter(
        sick_report=sick_report, kind=Notification.Kind.URGENT_HOUSING_NEWS, read_at__isnull=False
    )


class HospitalUnseen(EscalationTrigger):
    code = Trigger.HOSPITAL_UNSEEN
    related = ("sick_report",)

    def causes(self, now, book):
        unseen_admissions = (
            SickReport.objects.filter(
                hospital_admission=True,
                last_day__isnull=True,
                student__school_id__in=book.schools(self.code),
            )
            # The clock starts when the admission was reported, which may be days after the sick report itself.
            .annotate(admission_reported_at=Coalesce("hospital_reported_at", "reported_at"))
            .filter(admission_reported_at__gte=now - LOOKBACK, admission_reported_at__lte=now)
            .exclude(Exists(_read_by_school(OuterRef("pk"))))
            .exclude(Exists(Escalation.objects.filter(sick_report=OuterRef("pk"))))
            .select_related("student")
        )
        return [
            Cause(
                self,
                f"hospital:{report.id}",
                report.student,
                report.student.school_class_id,
                report.admission_reported_at,
                sick_report=report,
            )
            for report in unseen_admissions
        ]

    def notification_text(self, notification, student_name):
        return _("Een dringend bericht over %(student)s is door school nog niet gelezen.") % {"student": student_name}

    def still_needed(self, escalation):
        """Until someone at school opens the news (see `notifications_mark_read`) or the pupil is better."""
        report = escalation.sick_report
        if report is None or report.last_day is not None:
            return False
        return not _read_by_school(report).exists()
