"""Repeated unexplained absence: at least the chain's threshold of unexplained absences within 7 days."""

from datetime import timedelta

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from attendance.models import AttendanceRecord
from students.models import Student

from ..models import Escalation, Trigger
from .base import Cause, EscalationTrigger

WINDOW = timedelta(days=7)


def unexplained_absences(today):
    """Absences in the 7 days up to and including `today` that nobody explained and the care coordinator has not
    decided (a decision settles an absence, explained or not)."""
    return AttendanceRecord.objects.filter(
        status=AttendanceRecord.Status.ABSENT,
        reason="",
        decided_at__isnull=True,
        day__gt=today - WINDOW,
        day__lte=today,
    )


class RepeatedAbsence(EscalationTrigger):
    code = Trigger.REPEATED_ABSENCE

    def causes(self, now, book):
        today = timezone.localdate(now)
        year, week, _weekday = today.isocalendar()
        # The absences of the last 7 days that started an escalation must not start another one next week.
        recently_escalated = Escalation.objects.filter(trigger=self.code, started_at__gt=now - WINDOW).values(
            "student_id"
        )
        # A school-wide query with the lowest threshold of the school's chains; `chain_covers` applies each
        # chain's own.
        thresholds = {}
        for chain in book.chains_of(self.code):
            thresholds[chain.school_id] = min(chain.threshold, thresholds.get(chain.school_id, chain.threshold))
        repeated = (
            unexplained_absences(today)
            .filter(student__school_id__in=thresholds)
            .exclude(student_id__in=recently_escalated)
            .values("student_id", "student__school_id")
            .annotate(absences=Count("id"))
            .filter(absences__gte=2)
        )
        counts = {
            f"repeat:{row['student_id']}:{year}-W{week:02d}": (row["student_id"], row["absences"])
            for row in repeated
            if row["absences"] >= thresholds[row["student__school_id"]]
        }
        if not counts:
            return []
        started = set(Escalation.objects.filter(trigger_key__in=counts).values_list("trigger_key", flat=True))
        students = Student.objects.in_bulk([sid for key, (sid, _count) in counts.items() if key not in started])
        return [
            Cause(self, key, students[sid], students[sid].school_class_id, now, absences=count)
            for key, (sid, count) in counts.items()
            if sid in students
        ]

    def chain_covers(self, cause, chain):
        return cause.absences >= chain.threshold

    def notification_text(self, notification, student_name):
        return _("Er is herhaald verzuim van %(student)s dat aandacht vraagt.") % {"student": student_name}

    def still_needed(self, escalation):
        """Are enough of the absences that started this escalation still unexplained?

        Counted in the week that started it, not in a window sliding with the clock: absences do not expire, they
        get explained (or corrected, or decided).
        """
        started_on = timezone.localdate(escalation.started_at)
        unexplained = unexplained_absences(started_on).filter(student_id=escalation.student_id).count()
        return unexplained >= escalation.snapshot.threshold
