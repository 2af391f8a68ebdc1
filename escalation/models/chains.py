"""What a school configures: the triggers, the chains and their steps."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from contacts.models import Location, Organisation
from students.team import TeamRole

from ..snapshots import ChainSnapshot, StepSnapshot
from ..validators import ChoiceListValidator


class Trigger(models.TextChoices):
    """What starts an escalation: one module per trigger in `escalation.triggers`, which checks at start-up that it
    has exactly one registered trigger for each of these (and none more)."""

    REQUEST_OVERDUE = "request_overdue", _("Uitlegverzoek na de deadline niet beantwoord")
    # Named without "ziekenhuis": everyone the chain notifies sees this label, not only those who may know why.
    HOSPITAL_UNSEEN = "hospital_unseen", _("Dringend bericht van de woonlocatie nog niet gezien door school")
    REPEATED_ABSENCE = "repeated_absence", _("Herhaald onverklaard verzuim in één week")
    REQUEST_DUE_SOON = "request_due_soon", _("Herinnering: uitlegverzoek bijna op de deadline")


class StepRole(models.TextChoices):
    """Whom a step notifies: the team roles (`students.team.TeamRole`, same values) a chain may use, resolved from
    the pupil's team when the step fires (never stored names)."""

    HOUSING_WORKER = TeamRole.HOUSING_WORKER.value, _("Woonbegeleider (persoonlijk, anders de locatie)")
    LOCATION_MANAGER = TeamRole.LOCATION_MANAGER.value, TeamRole.LOCATION_MANAGER.label
    GUARDIAN = TeamRole.GUARDIAN.value, TeamRole.GUARDIAN.label
    GUARDIAN_TEAM_MANAGER = TeamRole.GUARDIAN_TEAM_MANAGER.value, TeamRole.GUARDIAN_TEAM_MANAGER.label
    MENTOR = TeamRole.MENTOR.value, TeamRole.MENTOR.label
    CARE_COORDINATOR = TeamRole.CARE_COORDINATOR.value, TeamRole.CARE_COORDINATOR.label
    SCHOOL_MANAGEMENT = TeamRole.SCHOOL_MANAGEMENT.value, TeamRole.SCHOOL_MANAGEMENT.label


def roles_label(roles) -> str:
    """The step roles in words; a role no chain may use (any more) is left out."""
    return ", ".join(str(StepRole(role).label) for role in roles if role in StepRole.values)


class Channel(models.TextChoices):
    IN_APP = "in_app", _("In de app")
    EMAIL = "email", _("E-mail")


validate_step_roles = ChoiceListValidator(
    StepRole.values,
    empty=_("Elke stap waarschuwt minstens één rol."),
    unknown=_("Onbekende rol in een stap: %(unknown)s. Toegestaan: %(allowed)s."),
)
validate_step_channels = ChoiceListValidator(
    Channel.values,
    empty=_("Elke stap gebruikt minstens één kanaal."),
    unknown=_("Onbekend kanaal in een stap: %(unknown)s. Toegestaan: %(allowed)s."),
)


class EscalationChain(models.Model):
    """A school's route upwards for one kind of trigger, optionally only for one kind of housing."""

    school = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="escalation_chains",
        limit_choices_to={"kind": Organisation.Kind.SCHOOL},
        verbose_name=_("school"),
    )
    trigger = models.CharField(_("start bij"), max_length=20, choices=Trigger.choices)
    housing_kind = models.CharField(
        _("alleen voor woonvorm"),
        max_length=20,
        choices=[(kind.value, kind.label) for kind in Location.HOUSING_KINDS],
        blank=True,
        help_text=_("Leeg: geldt voor alle woonvormen zonder eigen keten."),
    )
    repeat_last_step = models.PositiveSmallIntegerField(
        _("laatste stap herhalen"), default=1, validators=[MaxValueValidator(10)]
    )
    acknowledgement_minutes = models.PositiveIntegerField(
        _("'ik pak dit op' geldig (werkminuten)"),
        default=240,
        validators=[MinValueValidator(15)],
        help_text=_("Na deze werktijd zonder afhandeling gaat de escalatie verder."),
    )
    threshold = models.PositiveSmallIntegerField(
        _("drempel"),
        default=3,
        validators=[MinValueValidator(2), MaxValueValidator(10)],
        help_text=_("Alleen bij herhaald verzuim: zoveel onverklaarde afwezigheden binnen 7 dagen."),
    )
    is_active = models.BooleanField(_("actief"), default=True)

    class Meta:
        ordering = ["school__name", "trigger", "housing_kind"]
        verbose_name = _("escalatieketen")
        verbose_name_plural = _("escalatieketens")
        constraints = [
            models.UniqueConstraint(
                fields=["school", "trigger", "housing_kind"],
                name="chain_unique_per_school_trigger_housing",
                violation_error_message=_("Deze school heeft al een keten voor deze start en woonvorm."),
            ),
        ]

    def __str__(self):
        housing = f" ({self.get_housing_kind_display()})" if self.housing_kind else ""
        return f"{self.school}: {self.get_trigger_display()}{housing}"

    def snapshot(self) -> ChainSnapshot:
        """The chain as it is now: an escalation follows this copy even if the chain is edited later."""
        return ChainSnapshot(
            chain_id=self.id,
            repeat_last_step=self.repeat_last_step,
            threshold=self.threshold,
            acknowledgement_minutes=self.acknowledgement_minutes,
            steps=tuple(
                StepSnapshot(roles=tuple(step.roles), after_minutes=step.after_minutes, channels=tuple(step.channels))
                for step in self.steps.all()
            ),
        )


class EscalationStep(models.Model):
    chain = models.ForeignKey(EscalationChain, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(_("stap"), validators=[MinValueValidator(1)])
    roles = models.JSONField(_("wie"), default=list, validators=[validate_step_roles])
    after_minutes = models.PositiveIntegerField(
        _("na (werkminuten)"),
        default=60,
        help_text=_("Werktijd na de vorige stap (stap 1: na de deadline) voordat deze stap volgt."),
    )
    channels = models.JSONField(_("kanalen"), default=list, validators=[validate_step_channels])

    class Meta:
        ordering = ["chain", "position"]
        verbose_name = _("escalatiestap")
        verbose_name_plural = _("escalatiestappen")
        constraints = [
            models.UniqueConstraint(
                fields=["chain", "position"],
                name="step_unique_position",
                violation_error_message=_("Twee stappen hebben hetzelfde nummer."),
            ),
        ]

    def __str__(self):
        return f"{self.position}: {self.roles_label}"

    @property
    def roles_label(self):
        return roles_label(self.roles)

    @property
    def channels_label(self):
        return ", ".join(str(Channel(channel).label) for channel in self.channels if channel in Channel.values)
