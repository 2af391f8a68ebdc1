"""Escalations climbing their chain, their history, and the sweep's heartbeat."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from attendance.models import ExplanationRequest, SickReport
from contacts.models import Location, Organisation
from students.models import SchoolClass, Student

from ..snapshots import ChainSnapshot, SnapshotEncoder
from .chains import Trigger, roles_label


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
