from django.apps import apps
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from attendance.models import ExplanationRequest, SickReport
from contacts.models import ContactPerson, Location, Organisation
from students.models import SchoolClass, Student
from students.team import TeamRole

from .snapshots import ChainSnapshot, SnapshotEncoder, StepSnapshot
from .validators import ChoiceListValidator


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


class Escalation(models.Model):
    """One case climbing its chain. The database is the only timer: `next_action_at` says when to look again."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACKNOWLEDGED = "acknowledged", _("Opgepakt")
        RESOLVED = "resolved", _("Afgehandeld")
        EXHAUSTED = "exhausted", _("Keten doorlopen")
        CANCELLED = "cancelled", _("Vervallen")

    ACTIVE = (Status.OPEN, Status.ACKNOWLEDGED)

    trigger = models.CharField(_("start"), max_length=20, choices=Trigger.choices)
    # One escalation per cause, whichever sweep gets there first: "request:12:<deadline as a Unix time>",
    # "hospital:7", "repeat:5:2026-W11".
    trigger_key = models.CharField(max_length=60, unique=True)
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="escalations")
    school = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    location = models.ForeignKey(Location, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    school_class = models.ForeignKey(SchoolClass, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    explanation_request = models.ForeignKey(
        ExplanationRequest, on_delete=models.CASCADE, null=True, blank=True, related_name="escalations"
    )
    sick_report = models.ForeignKey(SickReport, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    # A ChainSnapshot as JSON; read it through `snapshot`.
    chain = models.JSONField(_("keten bij start"), encoder=SnapshotEncoder)
    status = models.CharField(_("status"), max_length=15, choices=Status.choices, default=Status.OPEN)
    current_step = models.PositiveSmallIntegerField(_("huidige stap"), default=0)
    round = models.PositiveSmallIntegerField(_("herhaling"), default=0)
    next_action_at = models.DateTimeField(_("volgende actie"), null=True, blank=True)
    started_at = models.DateTimeField(_("gestart op"))
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(_("opgepakt op"), null=True, blank=True)
    closed_at = models.DateTimeField(_("gesloten op"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    failures = models.PositiveSmallIntegerField(_("mislukte pogingen"), default=0)
    last_error = models.TextField(_("laatste fout"), blank=True)
    # Which sweep inserted the row: a sweep counts the escalations it started itself by it (an insert that a
    # concurrent sweep won is skipped without a word).
    sweep_token = models.UUIDField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["next_action_at", "id"]
        verbose_name = _("escalatie")
        verbose_name_plural = _("escalaties")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["open", "acknowledged"], next_action_at__isnull=False)
                | (~Q(status__in=["open", "acknowledged"]) & Q(next_action_at__isnull=True)),
                name="escalation_active_has_next_action",
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_action_at"], condition=Q(status__in=["open", "acknowledged"]), name="escalation_due_idx"
            ),
            models.Index(fields=["school", "status", "next_action_at"], name="escalation_school_idx"),
            models.Index(fields=["student", "status"], name="escalation_student_idx"),
            # The sweep's check for repeated absence already escalated this week.
            models.Index(fields=["trigger", "started_at"], name="escalation_trigger_started_idx"),
        ]

    def __str__(self):
        return f"{self.get_trigger_display()} – {self.student}"

    @property
    def is_active(self):
        return self.status in self.ACTIVE

    @property
    def snapshot(self) -> ChainSnapshot:
        if isinstance(self.chain, ChainSnapshot):  # assigned, not yet read back from the database
            return self.chain
        return ChainSnapshot.from_json(self.chain)

    @property
    def step_roles_label(self):
        if not self.current_step:
            return ""
        return roles_label(self.snapshot.step(self.current_step).roles)


class EscalationEvent(models.Model):
    """Append-only history of an escalation: what fired, who was notified, who acknowledged, what failed."""

    class Kind(models.TextChoices):
        STARTED = "started", _("Gestart")
        STEP_FIRED = "step_fired", _("Stap uitgevoerd")
        NO_RECIPIENTS = "no_recipients", _("Niemand om te waarschuwen")
        # A step of the escalation's copy of its chain names a role no chain may use (stored before roles were
        # validated): it is skipped, the care coordinators are told, and the escalation moves on.
        STEP_SKIPPED = "step_skipped", _("Stap overgeslagen: onbekende rol")
        ACKNOWLEDGED = "acknowledged", _("Opgepakt")
        ACK_EXPIRED = "ack_expired", _("Oppakken verlopen")
        RESOLVED = "resolved", _("Afgehandeld")
        EXHAUSTED = "exhausted", _("Keten doorlopen")
        CANCELLED = "cancelled", _("Vervallen")
        FAILED = "failed", _("Fout")
        EMAIL_RESENT = "email_resent", _("E-mail opnieuw verstuurd")

    escalation = models.ForeignKey(Escalation, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("tijdstip"))
    kind = models.CharField(_("soort"), max_length=20, choices=Kind.choices)
    step = models.PositiveSmallIntegerField(null=True, blank=True)
    round = models.PositiveSmallIntegerField(null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # A fixed phrase in Dutch (gettext_noop), translated when shown, or names, shown as they are.
    detail = models.CharField(_("toelichting"), max_length=500, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("escalatiegebeurtenis")
        verbose_name_plural = _("escalatiegebeurtenissen")
        indexes = [
            models.Index(fields=["escalation", "at"], name="event_escalation_idx"),
            models.Index(fields=["kind", "at"], name="event_kind_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.at:%d-%m %H:%M})"


class SweepRun(models.Model):
    """A heartbeat per sweep: the dashboard warns when the last one is too long ago (beat or worker down)."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    started_escalations = models.PositiveIntegerField(default=0)
    fired_steps = models.PositiveIntegerField(default=0)
    failures = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["-started_at"], name="sweeprun_started_idx")]

    def __str__(self):
        return f"{self.started_at:%Y-%m-%d %H:%M:%S}: {self.fired_steps} steps, {self.failures} failures"


class Notification(models.Model):
    """One message to one person over one channel. In-app rows are the bell; e-mail rows are an outbox.

    The text is rendered from `kind` when shown or sent, in the reader's language, and never carries a reason,
    a remark or health details: only that something awaits, about whom, and a link.
    """

    class Kind(models.TextChoices):
        URGENT_HOUSING_NEWS = "urgent_housing_news", _("Dringend bericht van de woonlocatie")
        ESCALATION = "escalation", _("Escalatie")
        EXHAUSTED = "exhausted", _("Escalatieketen doorlopen")
        DELIVERY_FAILED = "delivery_failed", _("E-mail niet bezorgd")
        STEP_SKIPPED = "step_skipped", _("Escalatiestap overgeslagen")

    Channel = Channel

    class Status(models.TextChoices):
        PENDING = "pending", _("Wacht op verzending")
        SENDING = "sending", _("Wordt verzonden")
        SENT = "sent", _("Verzonden")
        FAILED = "failed", _("Mislukt")
        CANCELLED = "cancelled", _("Vervallen")

    recipient = models.ForeignKey(
        ContactPerson, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("ontvanger")
    )
    channel = models.CharField(_("kanaal"), max_length=10, choices=Channel.choices)
    kind = models.CharField(_("soort"), max_length=30, choices=Kind.choices)
    student = models.ForeignKey(Student, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    sick_report = models.ForeignKey(SickReport, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    escalation = models.ForeignKey(
        Escalation, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    step = models.PositiveSmallIntegerField(null=True, blank=True)
    round = models.PositiveSmallIntegerField(null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("pogingen"), default=0)
    next_attempt_at = models.DateTimeField(_("volgende poging"), null=True, blank=True)
    last_error = models.TextField(_("laatste fout"), blank=True)
    created_at = models.DateTimeField(_("aangemaakt op"), auto_now_add=True)
    sent_at = models.DateTimeField(_("verzonden op"), null=True, blank=True)
    read_at = models.DateTimeField(_("gelezen op"), null=True, blank=True)
    # A care coordinator's alert about an e-mail that failed for good: which one, so its text can name the
    # addressee and each failed e-mail alerts each coordinator once.
    failed_delivery = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("niet bezorgd")
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("melding")
        verbose_name_plural = _("meldingen")
        constraints = [
            models.UniqueConstraint(
                fields=["sick_report", "recipient", "channel"],
                condition=Q(sick_report__isnull=False, escalation__isnull=True),
                name="notification_once_per_sick_report",
            ),
            models.UniqueConstraint(
                fields=["escalation", "step", "round", "recipient", "channel"],
                condition=Q(escalation__isnull=False),
                name="notification_once_per_escalation_step",
            ),
            models.UniqueConstraint(
                fields=["failed_delivery", "recipient"],
                condition=Q(failed_delivery__isnull=False),
                name="notification_once_per_failed_delivery",
            ),
        ]
        indexes = [
            models.Index(
                fields=["recipient", "created_at"],
                condition=Q(channel="in_app", read_at__isnull=True),
                name="notification_unread_idx",
            ),
            models.Index(
                fields=["next_attempt_at"], condition=Q(status__in=["pending", "sending"]), name="notification_due_idx"
            ),
            models.Index(fields=["recipient", "escalation"], name="notification_recipient_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} → {self.recipient}"

    @property
    def url(self):
        if self.kind == self.Kind.ESCALATION or self.kind == self.Kind.EXHAUSTED:
            return reverse("escalation:mine")
        if self.kind == self.Kind.DELIVERY_FAILED:
            return reverse("escalation:dashboard")
        if self.kind == self.Kind.STEP_SKIPPED:
            return reverse("escalation:detail", args=[self.escalation_id])
        return reverse("students:detail", args=[self.student_id]) if self.student_id else reverse("home")

    @property
    def text(self):
        """What the person reads in the app or the e-mail subject: who, that something awaits, never why."""
        name = self.student.full_name if self.student_id else ""
        if self.kind == self.Kind.URGENT_HOUSING_NEWS:
            return _("Dringend bericht van de woonlocatie over %(student)s. Bekijk de leerlingpagina.") % {
                "student": name
            }
        if self.kind == self.Kind.DELIVERY_FAILED:
            recipient = self.failed_delivery.recipient.name if self.failed_delivery_id else ""
            return _("E-mail aan %(recipient)s over %(student)s kon niet worden bezorgd.") % {
                "recipient": recipient,
                "student": name,
            }
        if self.kind == self.Kind.STEP_SKIPPED:
            return _("Een stap van de escalatie over %(student)s is overgeslagen: controleer de keten.") % {
                "student": name
            }
        if self.kind == self.Kind.EXHAUSTED:
            return _("Escalatie over %(student)s is de hele keten doorlopen zonder afhandeling.") % {"student": name}
        # Each trigger words its own escalations (escalation.triggers); they are reached through the app because
        # the trigger modules query these models.
        return apps.get_app_config("escalation").trigger_for(self.escalation.trigger).notification_text(self, name)
