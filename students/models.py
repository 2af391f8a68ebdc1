from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from common.periods import covering, covers
from contacts.models import SCHOOL_ROLES, ContactPerson, Location, Organisation, Role

# No school day has more lesson hours than this: bounds a class's timetable and the hours an absence can miss.
MAX_LESSON_HOURS_PER_DAY = 12


def _lesson_hours(label, *, default):
    return models.PositiveSmallIntegerField(
        label, default=default, validators=[MaxValueValidator(MAX_LESSON_HOURS_PER_DAY)]
    )


class SchoolClass(models.Model):
    class Kind(models.TextChoices):
        AMV_ONLY = "amv_only", _("Alleen AMV's")
        MIXED = "mixed", _("Gemengd")

    location = models.ForeignKey(
        Location,
        on_delete=models.PROTECT,
        related_name="school_classes",
        limit_choices_to={"kind": Location.Kind.SCHOOL_SITE},
        verbose_name=_("schoollocatie"),
    )
    name = models.CharField(_("naam"), max_length=60)
    mentors = models.ManyToManyField(ContactPerson, blank=True, related_name="mentor_of", verbose_name=_("mentor(en)"))
    kind = models.CharField(_("soort klas"), max_length=10, choices=Kind.choices, default=Kind.MIXED)
    day_starts_at = models.TimeField(_("dagstart"), default="08:30")
    hours_monday = _lesson_hours(_("lesuren maandag"), default=6)
    hours_tuesday = _lesson_hours(_("lesuren dinsdag"), default=6)
    hours_wednesday = _lesson_hours(_("lesuren woensdag"), default=4)
    hours_thursday = _lesson_hours(_("lesuren donderdag"), default=6)
    hours_friday = _lesson_hours(_("lesuren vrijdag"), default=5)

    class Meta:
        ordering = ["location__name", "name"]
        verbose_name = _("klas")
        verbose_name_plural = _("klassen")
        constraints = [
            models.UniqueConstraint(
                fields=["location", "name"],
                name="schoolclass_unique_name_per_location",
                violation_error_message=_("Op deze schoollocatie bestaat al een klas met deze naam."),
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def school_id(self):
        return self.location.organisation_id

    def validate_mentors(self, mentors):
        """Mentors are school staff of this class's own school. Called by forms: m2m is saved after the row."""
        outsiders = [
            mentor.name
            for mentor in mentors
            if mentor.organisation_id != self.location.organisation_id or mentor.role not in SCHOOL_ROLES
        ]
        if outsiders:
            raise ValidationError(
                _("Geen medewerker van deze school: %(names)s."), params={"names": ", ".join(outsiders)}
            )

    def lesson_hours_on(self, day):
        weekday_hours = [
            self.hours_monday,
            self.hours_tuesday,
            self.hours_wednesday,
            self.hours_thursday,
            self.hours_friday,
        ]
        return weekday_hours[day.weekday()] if day.weekday() < 5 else 0


ONDERWIJSNUMMER_VALIDATOR = RegexValidator(r"^\d{9}$", _("Een onderwijsnummer bestaat uit 9 cijfers."))


class StudentQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=Student.Status.ACTIVE)


class Student(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Ingeschreven")
        LEFT = "left", _("Uitgeschreven")

    school = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="students",
        limit_choices_to={"kind": Organisation.Kind.SCHOOL},
        verbose_name=_("school"),
    )
    school_class = models.ForeignKey(
        SchoolClass,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="students",
        verbose_name=_("klas"),
    )
    given_name = models.CharField(_("voornaam"), max_length=100)
    tussenvoegsel = models.CharField(
        _("tussenvoegsel"), max_length=30, blank=True, help_text=_("Bijv. 'el', 'van der'.")
    )
    family_name = models.CharField(_("achternaam"), max_length=100)
    date_of_birth = models.DateField(_("geboortedatum"))
    student_number = models.CharField(_("leerlingnummer"), max_length=20)
    onderwijsnummer = models.CharField(
        _("onderwijsnummer"),
        max_length=9,
        blank=True,
        validators=[ONDERWIJSNUMMER_VALIDATOR],
        help_text=_("Voor leerlingen zonder BSN; nodig voor een verzuimmelding."),
    )
    arrival_date = models.DateField(_("in Nederland sinds"), null=True, blank=True)
    enrolled_on = models.DateField(_("ingeschreven op"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    left_on = models.DateField(_("uitgeschreven op"), null=True, blank=True)
    nationality = models.CharField(_("nationaliteit"), max_length=60, blank=True)
    languages = models.CharField(_("talen"), max_length=200, blank=True, help_text=_("Bijv. 'Tigrinya, Arabisch'."))

    objects = StudentQuerySet.as_manager()

    class Meta:
        ordering = ["family_name", "given_name"]
        verbose_name = _("leerling")
        verbose_name_plural = _("leerlingen")
        constraints = [
            models.UniqueConstraint(
                fields=["school", "student_number"],
                name="student_number_unique_per_school",
                violation_error_message=_("Dit leerlingnummer is op deze school al in gebruik."),
            ),
            models.CheckConstraint(
                condition=Q(status="active", left_on__isnull=True) | Q(status="left", left_on__isnull=False),
                name="student_left_on_matches_status",
                violation_error_message=_(
                    "Een uitgeschreven leerling heeft een uitschrijfdatum, een ingeschreven niet."
                ),
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=F("enrolled_on")),
                name="student_left_after_enrolment",
                violation_error_message=_("De uitschrijfdatum ligt vóór de inschrijfdatum."),
            ),
        ]
        indexes = [
            models.Index(fields=["school", "status", "family_name"], name="student_school_status_idx"),
            models.Index(Lower("family_name"), Lower("given_name"), name="student_lower_name_idx"),
        ]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self):
        return " ".join(part for part in (self.given_name, self.tussenvoegsel, self.family_name) if part)

    @property
    def masked_onderwijsnummer(self):
        """The onderwijsnummer identifies the pupil nationally, like a BSN: pages show only its last four digits."""
        if not self.onderwijsnummer:
            return ""
        return "*" * (len(self.onderwijsnummer) - 4) + self.onderwijsnummer[-4:]

    def clean(self):
        super().clean()
        if self.school_class_id and self.school_id and self.school_class.location.organisation_id != self.school_id:
            raise ValidationError({"school_class": _("Deze klas hoort bij een andere school.")})


class PeriodQuerySet(models.QuerySet):
    def on(self, day):
        return self.filter(covering(day))

    def open(self):
        return self.filter(ended_on__isnull=True)


class Period(models.Model):
    """A stretch of days, both ends inclusive; an open period has no end yet.

    Per student the periods may not overlap and at most one may be open. The unique and check constraints below
    say so to every database; the overlap rule is added by the migrations as an exclusion constraint
    (PostgreSQL) or triggers (SQLite), see common.db.
    """

    started_on = models.DateField(_("van"))
    ended_on = models.DateField(_("tot en met"), null=True, blank=True)

    objects = PeriodQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-started_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["student"],
                condition=Q(ended_on__isnull=True),
                name="%(class)s_one_open_per_student",
                violation_error_message=_("Deze leerling heeft al een lopende periode zonder einddatum."),
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="%(class)s_ends_after_start",
                violation_error_message=_("De einddatum ligt vóór de begindatum."),
            ),
        ]

    def covers(self, day):
        return covers(self.started_on, self.ended_on, day)

    def overlaps(self, other):
        far_future = date.max
        return self.started_on <= (other.ended_on or far_future) and other.started_on <= (self.ended_on or far_future)

    def clean(self):
        super().clean()
        if self.started_on and self.ended_on and self.ended_on < self.started_on:
            raise ValidationError({"ended_on": _("De einddatum ligt vóór de begindatum.")})

    def validate_against_stored(self):
        """Compare with the student's stored periods. Services call this; the admin's inline formset instead
        compares the rows being saved with each other, because a stored row may be changing in the same save."""
        siblings = type(self).objects.filter(student_id=self.student_id).exclude(pk=self.pk)
        if any(self.overlaps(sibling) for sibling in siblings):
            raise ValidationError(self.overlap_message)


class Placement(Period):
    """Where a student lives: a housing location, from a date, with a personal housing worker."""

    student = models.ForeignKey(
        Student, on_delete=models.CASCADE, related_name="placements", verbose_name=_("leerling")
    )
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="placements", verbose_name=_("woonlocatie")
    )
    personal_worker = models.ForeignKey(
        ContactPerson,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="personal_placements",
        verbose_name=_("persoonlijk woonbegeleider"),
    )

    class Meta(Period.Meta):
        verbose_name = _("plaatsing")
        verbose_name_plural = _("plaatsingen")
        indexes = [
            models.Index(fields=["student", "started_on"], name="placement_student_idx"),
            models.Index(fields=["location", "started_on", "ended_on"], name="placement_location_idx"),
        ]

    overlap_message = _("Deze plaatsing overlapt met een andere plaatsing van deze leerling.")

    def __str__(self):
        return f"{self.student} @ {self.location}"

    def clean(self):
        super().clean()
        if self.location_id and not self.location.is_housing:
            raise ValidationError({"location": _("Kies een woonlocatie, geen schoollocatie.")})
        worker = self.personal_worker
        if worker and self.location_id and not worker.locations.filter(id=self.location_id).exists():
            raise ValidationError({"personal_worker": _("Deze woonbegeleider werkt niet op de gekozen locatie.")})


class Guardianship(Period):
    """Who holds custody (gezag) of a student: a guardian of a guardianship organisation (Nidos)."""

    student = models.ForeignKey(
        Student, on_delete=models.CASCADE, related_name="guardianships", verbose_name=_("leerling")
    )
    guardian = models.ForeignKey(
        ContactPerson, on_delete=models.PROTECT, related_name="guardianships", verbose_name=_("voogd")
    )

    class Meta(Period.Meta):
        verbose_name = _("voogdij")
        verbose_name_plural = _("voogdijen")
        indexes = [
            models.Index(fields=["student", "started_on"], name="guardianship_student_idx"),
            models.Index(fields=["guardian", "started_on", "ended_on"], name="guardianship_guardian_idx"),
        ]

    overlap_message = _("Deze voogdij overlapt met een andere voogdij van deze leerling.")

    def __str__(self):
        return f"{self.student} – {self.guardian}"

    def clean(self):
        super().clean()
        if self.guardian_id and (
            self.guardian.role != Role.GUARDIAN
            or self.guardian.organisation.kind not in Organisation.GUARDIANSHIP_KINDS
        ):
            raise ValidationError({"guardian": _("Een voogd moet een voogd zijn bij een voogdij-instelling (Nidos).")})


class StudentImportField(models.TextChoices):
    """The pupil fields an import file can fill; the values are the Student fields they land in."""

    STUDENT_NUMBER = "student_number", _("leerlingnummer")
    GIVEN_NAME = "given_name", _("roepnaam")
    TUSSENVOEGSEL = "tussenvoegsel", _("tussenvoegsel")
    FAMILY_NAME = "family_name", _("achternaam")
    DATE_OF_BIRTH = "date_of_birth", _("geboortedatum")
    SCHOOL_CLASS = "school_class", _("klas")
    ENROLLED_ON = "enrolled_on", _("datum inschrijving")
    LEFT_ON = "left_on", _("datum uitschrijving")
    ONDERWIJSNUMMER = "onderwijsnummer", _("onderwijsnummer")


class ContactImportField(models.TextChoices):
    """The contact person fields a partner's staff list can fill."""

    NAME = "name", _("naam")
    ROLE = "role", _("rol")
    FUNCTION = "function", _("functie")
    PHONE = "phone", _("telefoon")
    EMAIL = "email", _("e-mail")
    LOCATIONS = "locations", _("locatie")


class ImportMapping(models.Model):
    """Which column of an organisation's export holds which field, saved once so the next import needs no choosing.

    The organisation is the one whose export it describes: a school for its pupils, a partner for its staff list.
    """

    class Kind(models.TextChoices):
        STUDENTS = "students", _("Leerlingen")
        CONTACTS = "contacts", _("Contactpersonen")

    FIELDS = {Kind.STUDENTS: StudentImportField, Kind.CONTACTS: ContactImportField}

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="import_mappings", verbose_name=_("organisatie")
    )
    name = models.CharField(_("naam"), max_length=100, help_text=_("Bijv. 'Magister leerlingenlijst'."))
    kind = models.CharField(_("soort"), max_length=10, choices=Kind.choices)
    columns = models.JSONField(
        _("kolommen"),
        default=dict,
        help_text=_('Per veld de kolomkop in het bestand, bijv. {"given_name": "Roepnaam"}.'),
    )

    class Meta:
        ordering = ["organisation__name", "kind", "name"]
        verbose_name = _("kolomindeling")
        verbose_name_plural = _("kolomindelingen")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "kind", "name"],
                name="importmapping_unique_name_per_organisation_kind",
                violation_error_message=_("Deze organisatie heeft al een kolomindeling met deze naam."),
            ),
            models.CheckConstraint(condition=Q(kind__in=["students", "contacts"]), name="importmapping_kind_known"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        fields = self.FIELDS.get(self.kind)
        if fields is None:
            return
        if not isinstance(self.columns, dict):
            raise ValidationError({"columns": _("Geef per veld een kolomkop.")})
        unknown = sorted(set(self.columns) - set(fields.values))
        if unknown:
            raise ValidationError(
                {"columns": _("Onbekende velden: %(fields)s.") % {"fields": ", ".join(map(str, unknown))}}
            )
        if not all(isinstance(header, str) and header.strip() for header in self.columns.values()):
            raise ValidationError({"columns": _("Elke kolomkop is tekst en niet leeg.")})
