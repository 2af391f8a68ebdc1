from datetime import timedelta

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def optional_person(to, related_name, verbose_name, help_text):
    """A link to one contact person that may be empty and empties when that person is deleted."""
    return models.ForeignKey(
        to,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name=related_name,
        verbose_name=verbose_name,
        help_text=help_text,
    )


class Organisation(models.Model):
    class Kind(models.TextChoices):
        SCHOOL = "school", _("School (ISK)")
        COA = "coa", _("COA")
        NIDOS = "nidos", _("Nidos")
        HOUSING_OTHER = "housing_other", _("Andere woonaanbieder")
        MUNICIPALITY = "municipality", _("Gemeente / leerplicht")
        OTHER = "other", _("Anders")

    HOUSING_KINDS = (Kind.COA, Kind.NIDOS, Kind.HOUSING_OTHER)
    GUARDIANSHIP_KINDS = (Kind.NIDOS,)

    name = models.CharField(_("naam"), max_length=200, unique=True)
    kind = models.CharField(_("soort"), max_length=20, choices=Kind.choices)
    phone = models.CharField(_("telefoon"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    duty_contact = optional_person(
        "ContactPerson",
        "+",
        _("dienstdoende contactpersoon"),
        _(
            "Wie een escalatie krijgt over een medewerker van deze organisatie zonder eigen (team)manager. "
            "Eén persoon van deze organisatie; er wordt nooit naar alle managers tegelijk gemaild."
        ),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisatie")
        verbose_name_plural = _("organisaties")

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.duty_contact_id and self.duty_contact.organisation_id != self.pk:
            raise ValidationError({"duty_contact": _("De dienstdoende contactpersoon hoort bij deze organisatie.")})


class Location(models.Model):
    class Kind(models.TextChoices):
        SCHOOL_SITE = "school_site", _("Schoollocatie")
        COA_PROCESS = "coa_process", _("COA proces-opvanglocatie")
        SMALL_SCALE = "small_scale", _("Kleinschalige woonvoorziening (kwv)")
        NIDOS_GROUP_HOME = "nidos_group_home", _("Nidos-woongroep")
        FOSTER_FAMILY = "foster_family", _("Opvanggezin")
        EMERGENCY = "emergency", _("Nood- of tijdelijke opvang")

    HOUSING_KINDS = (
        Kind.COA_PROCESS,
        Kind.SMALL_SCALE,
        Kind.NIDOS_GROUP_HOME,
        Kind.FOSTER_FAMILY,
        Kind.EMERGENCY,
    )

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="locations", verbose_name=_("organisatie")
    )
    name = models.CharField(_("naam"), max_length=200)
    kind = models.CharField(_("soort"), max_length=20, choices=Kind.choices)
    address = models.CharField(_("adres"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    city = models.CharField(_("plaats"), max_length=100, blank=True)
    phone = models.CharField(_("telefoon"), max_length=40, blank=True)
    municipality = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="locations_in_municipality",
        limit_choices_to={"kind": Organisation.Kind.MUNICIPALITY},
        verbose_name=_("gemeente (leerplicht)"),
        help_text=_("De gemeente waarvan de leerplichtambtenaar bij deze woonlocatie hoort."),
    )

    class Meta:
        ordering = ["organisation__name", "name"]
        verbose_name = _("locatie")
        verbose_name_plural = _("locaties")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"],
                name="location_unique_name_per_organisation",
                violation_error_message=_("Deze organisatie heeft al een locatie met deze naam."),
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_housing(self):
        return self.kind in self.HOUSING_KINDS


class Role(models.TextChoices):
    MENTOR = "mentor", _("Mentor")
    CARE_COORDINATOR = "care_coordinator", _("Zorgcoördinator")
    SCHOOL_MANAGEMENT = "school_management", _("Schoolleiding")
    HOUSING_WORKER = "housing_worker", _("Woonbegeleider")
    LOCATION_MANAGER = "location_manager", _("Locatiemanager")
    GUARDIAN = "guardian", _("Voogd")
    GUARDIAN_TEAM_MANAGER = "guardian_team_manager", _("Teammanager voogdij")
    ATTENDANCE_OFFICER = "attendance_officer", _("Leerplichtambtenaar")
    ADMIN = "admin", _("Beheerder")


SCHOOL_ROLES = (Role.MENTOR, Role.CARE_COORDINATOR, Role.SCHOOL_MANAGEMENT)
HOUSING_ROLES = (Role.HOUSING_WORKER, Role.LOCATION_MANAGER)
GUARDIANSHIP_ROLES = (Role.GUARDIAN, Role.GUARDIAN_TEAM_MANAGER)

# Which kind of organisation a role can belong to; ADMIN may sit anywhere.
ROLE_ORGANISATION_KINDS = {
    **dict.fromkeys(SCHOOL_ROLES, (Organisation.Kind.SCHOOL,)),
    **dict.fromkeys(HOUSING_ROLES, Organisation.HOUSING_KINDS),
    **dict.fromkeys(GUARDIANSHIP_ROLES, Organisation.GUARDIANSHIP_KINDS),
    Role.ATTENDANCE_OFFICER: (Organisation.Kind.MUNICIPALITY,),
}

# Whose own manager is whom: a guardian has a team manager, a housing worker a location manager, of the same
# organisation. An escalation step for the manager notifies that one person, never every manager of the organisation.
MANAGER_ROLES = {
    Role.GUARDIAN: Role.GUARDIAN_TEAM_MANAGER,
    Role.HOUSING_WORKER: Role.LOCATION_MANAGER,
}


class ContactPersonQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def stale(self, today=None):
        today = today or timezone.localdate()
        cutoff = today - timedelta(days=settings.CONTACT_STALE_AFTER_DAYS)
        return self.filter(Q(verified_on__isnull=True) | Q(verified_on__lt=cutoff))


class ContactPerson(models.Model):
    """A professional around the students. Most have a login (User); some are only reachable by phone."""

    name = models.CharField(_("naam"), max_length=200)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="people", verbose_name=_("organisatie")
    )
    locations = models.ManyToManyField(Location, blank=True, related_name="people", verbose_name=_("locaties"))
    role = models.CharField(_("rol"), max_length=30, choices=Role.choices)
    function = models.CharField(_("functie"), max_length=120, blank=True, help_text=_("Bijv. 'COA-mentor'."))
    phone = models.CharField(_("telefoon"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    reachable_when = models.CharField(
        _("bereikbaar"), max_length=200, blank=True, help_text=_("Bijv. 'ma–do 9–17 uur, niet op vrijdag'.")
    )
    manager = optional_person(
        "self",
        "managed",
        _("eigen manager"),
        _(
            "Voor een voogd: zijn of haar teammanager; voor een woonbegeleider: de locatiemanager. "
            "Van dezelfde organisatie."
        ),
    )
    is_active = models.BooleanField(_("actief"), default=True)
    inactive_since = models.DateField(
        _("niet meer actief sinds"),
        null=True,
        blank=True,
        help_text=_("Wordt ingevuld bij het op inactief zetten; na de bewaartermijn wordt de persoon geanonimiseerd."),
    )
    verified_on = models.DateField(
        _("gecontroleerd op"),
        null=True,
        blank=True,
        help_text=_("Wanneer deze gegevens voor het laatst klopten."),
    )

    objects = ContactPersonQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("contactpersoon")
        verbose_name_plural = _("contactpersonen")
        indexes = [
            models.Index(fields=["organisation", "role"], name="contact_org_role_idx"),
            models.Index(Lower("name"), name="contact_lower_name_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_active=True, inactive_since__isnull=True)
                | Q(is_active=False, inactive_since__isnull=False),
                name="contact_inactive_since_matches_is_active",
                violation_error_message=_(
                    "Een niet-actieve contactpersoon heeft een datum 'niet meer actief sinds', een actieve niet."
                ),
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.manager_id is None:
            return
        manager_role = MANAGER_ROLES.get(self.role)
        if manager_role is None:
            raise ValidationError({"manager": _("Alleen een voogd of woonbegeleider heeft een eigen manager.")})
        if (
            self.manager_id == self.pk
            or self.manager.role != manager_role
            or self.manager.organisation_id != self.organisation_id
        ):
            raise ValidationError(
                {
                    "manager": _("De manager is een %(role)s van dezelfde organisatie.")
                    % {"role": Role(manager_role).label.lower()}
                }
            )

    def verified_days_ago(self, today=None):
        if self.verified_on is None:
            return None
        return ((today or timezone.localdate()) - self.verified_on).days

    def is_stale(self, today=None):
        days = self.verified_days_ago(today)
        return days is None or days > settings.CONTACT_STALE_AFTER_DAYS


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, username, password, **extra_fields):
        user = self.model(username=self.model.normalize_username(username), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, username, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(username, password, **extra_fields)

    def create_superuser(self, username, password=None, **extra_fields):
        extra_fields.update(is_staff=True, is_superuser=True)
        return self._create_user(username, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A login. Every login belongs to a contact person, except technical superusers."""

    username = models.CharField(
        _("gebruikersnaam"), max_length=150, unique=True, validators=[UnicodeUsernameValidator()]
    )
    person = models.OneToOneField(
        ContactPerson,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="user",
        verbose_name=_("contactpersoon"),
    )
    is_staff = models.BooleanField(_("toegang tot beheer"), default=False)
    is_active = models.BooleanField(_("actief"), default=True)
    date_joined = models.DateTimeField(_("aangemaakt op"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "username"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = _("gebruiker")
        verbose_name_plural = _("gebruikers")
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=False) | Q(is_superuser=True),
                name="user_belongs_to_contact_person",
                violation_error_message=_("Een login hoort bij een contactpersoon."),
            ),
        ]

    def __str__(self):
        return self.person.name if self.person_id else self.username

    @property
    def role(self):
        if self.person_id:
            return self.person.role
        return Role.ADMIN if self.is_superuser else None

    @property
    def display_name(self):
        return str(self)

    @property
    def email(self):
        return self.person.email if self.person_id else ""

    def get_full_name(self):
        return str(self)

    def get_short_name(self):
        return str(self)
