"""Messages to people: the bell (in-app) and the e-mail outbox."""

from django.apps import apps
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from attendance.models import SickReport
from contacts.models import ContactPerson
from students.models import Student

from .chains import Channel
from .escalations import Escalation


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
