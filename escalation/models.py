from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from attendance.models import SickReport
from contacts.models import ContactPerson
from students.models import Student


class Notification(models.Model):
    """One message to one person over one channel. In-app rows are the bell; e-mail rows are an outbox.

    The text is rendered from `kind` when shown or sent, in the reader's language, and never carries a reason,
    a remark or health details: only that something awaits, about whom, and a link.
    """

    class Kind(models.TextChoices):
        URGENT_HOUSING_NEWS = "urgent_housing_news", _("Dringend bericht van de woonlocatie")

    class Channel(models.TextChoices):
        IN_APP = "in_app", _("In de app")
        EMAIL = "email", _("E-mail")

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
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(_("aangemaakt op"), auto_now_add=True)
    sent_at = models.DateTimeField(_("verzonden op"), null=True, blank=True)
    read_at = models.DateTimeField(_("gelezen op"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("melding")
        verbose_name_plural = _("meldingen")
        constraints = [
            models.UniqueConstraint(
                fields=["sick_report", "recipient", "channel"],
                condition=Q(sick_report__isnull=False),
                name="notification_once_per_sick_report",
            ),
        ]
        indexes = [
            models.Index(
                fields=["recipient", "created_at"],
                condition=Q(channel="in_app", read_at__isnull=True),
                name="notification_unread_idx",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} → {self.recipient}"

    @property
    def url(self):
        return reverse("students:detail", args=[self.student_id]) if self.student_id else reverse("home")

    @property
    def text(self):
        if self.kind == self.Kind.URGENT_HOUSING_NEWS:
            return _("Dringend bericht van de woonlocatie over %(student)s. Bekijk de leerlingpagina.") % {
                "student": self.student.full_name
            }
        return self.get_kind_display()
