"""The care coordinator's judgement of an absence: geoorloofd or ongeoorloofd."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from students.access import can_decide_absence
from students.services import lock_student

from .. import signals
from ..models import AttendanceRecord
from .requests import authorisation_defaults, lock_records


@transaction.atomic
def absence_decide(*, record: AttendanceRecord, authorised: bool, note: str, actor) -> AttendanceRecord:
    """The care coordinator's judgement: geoorloofd or ongeoorloofd, with a reason when it departs from the
    school's default for the reason category."""
    # The pupil first, as every write about them (see students.services.lock_student). Then judge the record as
    # it is now: the housing side may have explained it since the caller loaded it.
    lock_student(record.student_id)
    record = lock_records(AttendanceRecord.objects.select_related("student")).get(id=record.id)
    if not can_decide_absence(actor, record):
        raise ValidationError(_("Alleen de zorgcoördinator van de school beoordeelt verzuim."))
    if record.status != AttendanceRecord.Status.ABSENT:
        raise ValidationError(_("Alleen afwezigheid wordt beoordeeld."))
    default = authorisation_defaults(record.student.school_id)[record.reason] if record.reason else False
    note = note.strip()
    if authorised != default and not note:
        raise ValidationError({"note": _("Geef een reden als u afwijkt van de standaardbeoordeling.")})
    record.authorised = authorised
    record.authorisation_overridden = authorised != default
    record.authorisation_note = note
    record.decided_by = actor
    record.decided_at = timezone.now()
    record.save(
        update_fields=["authorised", "authorisation_overridden", "authorisation_note", "decided_by", "decided_at"]
    )
    signals.absence_decided.send(sender=AttendanceRecord, record=record, actor=actor)
    return record
