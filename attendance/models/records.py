"""What happens day by day: sick reports, appointments, attendance records and explanation requests."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from common.periods import covers
from contacts.models import ContactPerson, Location
from students.models import MAX_LESSON_HOURS_PER_DAY, SchoolClass, Student

from .school_rules import Reason


class SickReport(models.Model):
    """A ziekmelding from the housing side or the guardian; a betermelding closes it."""

    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="sick_reports")
    first_day = models.DateField(_("ziek vanaf"))
    expected_back = models.DateField(_("verwacht terug op"), null=True, blank=True)
    last_day = models.DateField(_("laatste ziektedag"), null=True, blank=True)
    hospital_admission = models.BooleanField(_("opgenomen in ziekenhuis"), default=False)
    hospital_reported_at = models.DateTimeField(_("ziekenhuisopname gemeld op"), null=True, blank=True)
    remark = models.CharField(_("opmerking"), max_length=300, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("gemeld door")
    )
    reported_at = models.DateTimeField(_("gemeld op"), default=timezone.now)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("beter gemeld door"),
    )
    closed_at = models.DateTimeField(_("beter gemeld op"), null=True, blank=True)

    class Meta:
        ordering = ["-first_day"]
        verbose_name = _("ziekmelding")
        verbose_name_plural = _("ziekmeldingen")
        constraints = [
            models.UniqueConstraint(
                fields=["student"],
                condition=Q(last_day__isnull=True),
                name="sick_report_one_open_per_student",
                violation_error_message=_("Deze leerling is al ziek gemeld."),
            ),
            models.CheckConstraint(
                condition=Q(last_day__isnull=True) | Q(last_day__gte=F("first_day")),
                name="sick_report_ends_after_start",
                violation_error_message=_("De betermelding ligt vóór de eerste ziektedag."),
            ),
            models.CheckConstraint(
                condition=Q(expected_back__isnull=True) | Q(expected_back__gt=F("first_day")),
                name="sick_report_back_after_start",
                violation_error_message=_("'Verwacht terug' moet na de eerste ziektedag liggen."),
            ),
        ]
        indexes = [models.Index(fields=["student", "first_day", "last_day"], name="sick_report_student_idx")]

    def __str__(self):
        day = f"{self.first_day:%d-%m-%Y}"
        return gettext("%(student)s ziek vanaf %(day)s") % {"student": self.student, "day": day}

    @property
    def is_open(self):
        return self.last_day is None

    def covers(self, day):
        return covers(self.first_day, self.last_day, day)


class Appointment(models.Model):
    """An appointment during school time, registered by a guardian or housing worker."""

    class Kind(models.TextChoices):
        MEDICAL = "medical", _("Medisch (huisarts, tandarts, ziekenhuis)")
        LEGAL = "legal", _("IND / advocaat / rechtbank")
        GUARDIAN = "guardian", _("Gesprek met voogd / Nidos")
        HOUSING = "housing", _("Gesprek met woonbegeleider / COA")
        OTHER = "other", _("Anders")

    REASON_FOR_KIND = {
        Kind.MEDICAL: Reason.MEDICAL_APPOINTMENT,
        Kind.LEGAL: Reason.LEGAL,
        Kind.GUARDIAN: Reason.GUARDIAN_APPOINTMENT,
        Kind.HOUSING: Reason.OTHER,
        Kind.OTHER: Reason.OTHER,
    }

    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="appointments")
    kind = models.CharField(_("soort afspraak"), max_length=20, choices=Kind.choices)
    day = models.DateField(_("datum"))
    starts_at = models.TimeField(_("van"))
    ends_at = models.TimeField(_("tot"))
    at_school = models.BooleanField(
        _("op school"),
        default=True,
        help_text=_("Een afspraak op school kost de leerling geen lesdag. Kan het op school? Dan graag daar."),
    )
    remark = models.CharField(_("opmerking"), max_length=300, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("geregistreerd door")
    )
    registered_at = models.DateTimeField(_("geregistreerd op"), default=timezone.now)

    class Meta:
        ordering = ["day", "starts_at"]
        verbose_name = _("afspraak")
        verbose_name_plural = _("afspraken")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="appointment_ends_after_start",
                violation_error_message=_("De afspraak moet eindigen na het begin."),
            ),
        ]
        indexes = [models.Index(fields=["student", "day"], name="appointment_student_day_idx")]

    def __str__(self):
        return f"{self.student} {self.get_kind_display()} {self.day:%d-%m-%Y}"

    @property
    def reason(self):
        return self.REASON_FOR_KIND[self.kind]


# The limits of one roster line, shared by the model, the form, the service and the page.
MAX_MINUTES_LATE = 480
REMARK_MAX_LENGTH = 200


class AttendanceRecord(models.Model):
    """What school saw of one student on one school day, and what is known about why."""

    class Status(models.TextChoices):
        PRESENT = "present", _("Aanwezig")
        ABSENT = "absent", _("Afwezig")
        LATE = "late", _("Te laat")
        REMOVED = "removed", _("Verwijderd")

    class Source(models.TextChoices):
        ANSWER = "answer", _("Toelichting woonlocatie / voogd")
        SICK_REPORT = "sick_report", _("Ziekmelding")
        APPOINTMENT = "appointment", _("Afspraak")

    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="attendance_records")
    day = models.DateField(_("datum"))
    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.SET_NULL, null=True, related_name="attendance_records", verbose_name=_("klas")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PRESENT)
    minutes_late = models.PositiveSmallIntegerField(
        _("minuten te laat"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_MINUTES_LATE)],
    )
    lesson_hours_missed = models.PositiveSmallIntegerField(
        _("gemiste lesuren"), default=0, validators=[MaxValueValidator(MAX_LESSON_HOURS_PER_DAY)]
    )
    remark = models.CharField(_("opmerking school"), max_length=REMARK_MAX_LENGTH, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("geregistreerd door")
    )
    recorded_at = models.DateTimeField(_("geregistreerd op"), default=timezone.now)
    # Last change to what school recorded (status, hours, remark); explanations and decisions have their own.
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("laatst gewijzigd door")
    )
    updated_at = models.DateTimeField(_("laatst gewijzigd op"), default=timezone.now)

    reason = models.CharField(_("reden"), max_length=20, choices=Reason.choices, blank=True)
    explanation_remark = models.CharField(_("toelichting"), max_length=300, blank=True)
    explanation_source = models.CharField(_("bron van de uitleg"), max_length=20, choices=Source.choices, blank=True)
    explained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uitgelegd door"),
    )
    explained_at = models.DateTimeField(_("uitgelegd op"), null=True, blank=True)
    sick_report = models.ForeignKey(
        SickReport, on_delete=models.SET_NULL, null=True, blank=True, related_name="attendance_records"
    )
    appointment = models.ForeignKey(
        Appointment, on_delete=models.SET_NULL, null=True, blank=True, related_name="attendance_records"
    )

    # Unexplained and undecided absences count as unauthorised (16-hours rule) until someone decides otherwise.
    authorised = models.BooleanField(_("geoorloofd"), default=False)
    authorisation_overridden = models.BooleanField(_("afwijkend beoordeeld"), default=False)
    authorisation_note = models.CharField(_("reden beoordeling"), max_length=300, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("beoordeeld door"),
    )
    decided_at = models.DateTimeField(_("beoordeeld op"), null=True, blank=True)

    class Meta:
        ordering = ["-day"]
        verbose_name = _("registratie")
        verbose_name_plural = _("registraties")
        constraints = [
            models.UniqueConstraint(
                fields=["student", "day"],
                name="attendance_one_record_per_student_per_day",
                violation_error_message=_("Voor deze leerling is deze dag al geregistreerd."),
            ),
            models.CheckConstraint(
                condition=Q(status="late", minutes_late__isnull=False)
                | (~Q(status="late") & Q(minutes_late__isnull=True)),
                name="attendance_minutes_late_only_when_late",
                violation_error_message=_("Vul het aantal minuten in bij 'te laat' (en alleen dan)."),
            ),
            models.CheckConstraint(
                condition=Q(reason="") | ~Q(status="present"),
                name="attendance_present_has_no_reason",
                violation_error_message=_("Een aanwezige leerling heeft geen verzuimreden."),
            ),
            models.CheckConstraint(
                condition=(Q(reason="") & Q(explained_at__isnull=True))
                | (~Q(reason="") & Q(explained_at__isnull=False)),
                name="attendance_reason_has_explanation_time",
                violation_error_message=_("Een reden hoort bij een tijdstip van uitleg."),
            ),
        ]
        indexes = [
            models.Index(fields=["school_class", "day"], name="attendance_class_day_idx"),
            models.Index(fields=["student", "day"], name="attendance_student_day_idx"),
            models.Index(
                fields=["student", "day"],
                condition=Q(status="absent", authorised=False),
                name="attendance_unauthorised_idx",
            ),
            # The escalation sweep looks for repeated unexplained absence every minute.
            models.Index(
                fields=["day", "student"],
                condition=Q(status="absent", reason=""),
                name="attendance_unexplained_idx",
            ),
        ]

    def __str__(self):
        return f"{self.student} {self.day:%d-%m-%Y} {self.get_status_display()}"


class ExplanationRequest(models.Model):
    """'Why is this student not at school?' — addressed to the housing location of that day and the guardian."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ANSWERED = "answered", _("Beantwoord")
        CANCELLED = "cancelled", _("Vervallen")

    record = models.OneToOneField(AttendanceRecord, on_delete=models.CASCADE, related_name="explanation_request")
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="explanation_requests")
    day = models.DateField(_("datum"))
    location = models.ForeignKey(
        Location,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="explanation_requests",
        verbose_name=_("woonlocatie"),
    )
    guardian = models.ForeignKey(
        ContactPerson,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="explanation_requests",
        verbose_name=_("voogd"),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    deadline = models.DateTimeField(_("uiterlijk beantwoorden om"))
    created_at = models.DateTimeField(_("aangemaakt op"), default=timezone.now)
    closed_at = models.DateTimeField(_("gesloten op"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["day", "id"]
        verbose_name = _("uitlegverzoek")
        verbose_name_plural = _("uitlegverzoeken")
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open", closed_at__isnull=True) | (~Q(status="open") & Q(closed_at__isnull=False)),
                name="request_closed_at_matches_status",
            ),
        ]
        indexes = [
            models.Index(fields=["location", "day"], condition=Q(status="open"), name="request_open_location_idx"),
            models.Index(fields=["guardian", "day"], condition=Q(status="open"), name="request_open_guardian_idx"),
            models.Index(fields=["deadline"], condition=Q(status="open"), name="request_open_deadline_idx"),
            models.Index(fields=["student", "day"], name="request_student_idx"),
        ]

    def __str__(self):
        return f"{self.student} {self.day:%d-%m-%Y} ({self.get_status_display()})"

    @property
    def is_overdue(self):
        return self.status == self.Status.OPEN and self.deadline < timezone.now()
