"""What a school decides once: reason categories and their default judgement, its policy and holidays."""

from datetime import time

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from contacts.models import Organisation


class Reason(models.TextChoices):
    """Why a student was away. A category only: never a diagnosis (AVG: health data as far as needed)."""

    SICK = "sick", _("Ziek")
    MEDICAL_APPOINTMENT = "medical", _("Medische afspraak")
    LEGAL = "legal", _("IND / advocaat / juridisch")
    GUARDIAN_APPOINTMENT = "guardian", _("Afspraak voogd / Nidos")
    MOVE = "move", _("Overplaatsing / verhuizing")
    FAMILY_RELIGIOUS = "family", _("Familie / religieus")
    UNKNOWN = "unknown", _("Onbekend (jongere niet op locatie / weigert)")
    OTHER = "other", _("Anders")


# Authorised unless a school configures otherwise. Unknown and other need the care coordinator's judgement.
DEFAULT_AUTHORISATION = {
    Reason.SICK: True,
    Reason.MEDICAL_APPOINTMENT: True,
    Reason.LEGAL: True,
    Reason.GUARDIAN_APPOINTMENT: True,
    Reason.MOVE: True,
    Reason.FAMILY_RELIGIOUS: False,
    Reason.UNKNOWN: False,
    Reason.OTHER: False,
}


class SchoolPolicy(models.Model):
    """A school's attendance rules and working calendar. Schools without a row get the defaults."""

    school = models.OneToOneField(
        Organisation,
        on_delete=models.CASCADE,
        related_name="attendance_policy",
        limit_choices_to={"kind": Organisation.Kind.SCHOOL},
        verbose_name=_("school"),
    )
    explanation_deadline = models.TimeField(
        _("uitleg uiterlijk om"),
        default=time(12, 0),
        help_text=_("Tot hoe laat op de schooldag de woonlocatie en voogd een afwezigheid kunnen toelichten."),
    )
    correction_window_days = models.PositiveSmallIntegerField(
        _("correcties toegestaan tot (dagen)"),
        default=7,
        validators=[MaxValueValidator(60)],
        help_text=_("Hoeveel kalenderdagen terug een mentor een registratie nog mag corrigeren."),
    )
    lesson_minutes = models.PositiveSmallIntegerField(
        _("lesduur (minuten)"),
        default=50,
        validators=[MinValueValidator(20), MaxValueValidator(60)],
        help_text=_(
            "Hoe lang één lesuur duurt. Lesuren volgen elkaar op vanaf de dagstart van de klas; zo telt een "
            "afspraak van anderhalf uur alleen de lesuren die erdoor vallen."
        ),
    )
    workday_starts_at = models.TimeField(_("werkdag begint"), default=time(8, 0))
    workday_ends_at = models.TimeField(_("werkdag eindigt"), default=time(17, 0))

    class Meta:
        verbose_name = _("verzuimbeleid van een school")
        verbose_name_plural = _("verzuimbeleid van scholen")
        constraints = [
            models.CheckConstraint(
                condition=Q(workday_ends_at__gt=F("workday_starts_at")),
                name="policy_workday_ends_after_start",
                violation_error_message=_("De werkdag moet eindigen na het begin."),
            ),
        ]

    def __str__(self):
        return str(self.school)


class AuthorisationRule(models.Model):
    """A school's own default for a reason category: authorised (geoorloofd) or not."""

    school = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="authorisation_rules",
        limit_choices_to={"kind": Organisation.Kind.SCHOOL},
        verbose_name=_("school"),
    )
    reason = models.CharField(_("reden"), max_length=20, choices=Reason.choices)
    authorised = models.BooleanField(_("geoorloofd"))

    class Meta:
        verbose_name = _("standaardbeoordeling")
        verbose_name_plural = _("standaardbeoordelingen")
        constraints = [
            models.UniqueConstraint(
                fields=["school", "reason"],
                name="authorisation_rule_unique_per_reason",
                violation_error_message=_("Voor deze reden is al een standaard ingesteld."),
            ),
        ]

    def __str__(self):
        return f"{self.school}: {self.get_reason_display()}"


class SchoolHoliday(models.Model):
    """A school holiday or study day: no school, no roster, no escalation clock."""

    school = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="holidays",
        limit_choices_to={"kind": Organisation.Kind.SCHOOL},
        verbose_name=_("school"),
    )
    name = models.CharField(_("naam"), max_length=100)
    first_day = models.DateField(_("eerste dag"))
    last_day = models.DateField(_("laatste dag"))

    class Meta:
        ordering = ["first_day"]
        verbose_name = _("schoolvakantie")
        verbose_name_plural = _("schoolvakanties")
        constraints = [
            models.CheckConstraint(
                condition=Q(last_day__gte=F("first_day")),
                name="holiday_ends_after_start",
                violation_error_message=_("De laatste dag ligt vóór de eerste dag."),
            ),
        ]
        indexes = [models.Index(fields=["school", "last_day"], name="holiday_school_idx")]

    def __str__(self):
        return f"{self.name} ({self.first_day:%d-%m}–{self.last_day:%d-%m-%Y})"
