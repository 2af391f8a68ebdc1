"""Answering explanation requests: the housing location or guardian says why the pupil was away."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from students.access import can_answer_request
from students.services import lock_students

from ..models import AttendanceRecord, ExplanationRequest, Reason
from .requests import explain_and_close


@transaction.atomic
def explanation_give(*, request_ids: list[int], reason: str, remark: str, actor) -> list[ExplanationRequest]:
    """Answer one or more open requests (e.g. every day of a sick week) with one reason and remark."""
    if reason not in Reason.values:
        raise ValidationError({"reason": _("Kies een reden.")})
    if not request_ids:
        raise ValidationError(_("Kies minstens één dag om toe te lichten."))
    # Locks in the global order (pupil, then record and request; see students.services.lock_student), so that
    # this cannot deadlock with the roster or the sweep; the record lock keeps a decision in between from being
    # overwritten.
    lock_students(ExplanationRequest.objects.filter(id__in=request_ids).values_list("student_id", flat=True))
    requests = list(
        ExplanationRequest.objects.select_for_update(of=("self", "record"), no_key=True)
        .filter(id__in=request_ids)
        .select_related("record__student", "closed_by__person")
        .order_by("day")
    )
    _check_answerable(requests, request_ids, actor)
    now = timezone.now()
    for request in requests:
        explain_and_close(
            request.record,
            reason=reason,
            remark=remark.strip(),
            source=AttendanceRecord.Source.ANSWER,
            actor=actor,
            now=now,
            request=request,
        )
    return requests


def _check_answerable(requests, request_ids, actor) -> None:
    if len(requests) != len(set(request_ids)) or not all(can_answer_request(actor, request) for request in requests):
        raise ValidationError(_("U kunt alleen verzoeken beantwoorden voor jongeren van uw locatie of uw pupillen."))
    if len({request.student_id for request in requests}) > 1:
        raise ValidationError(_("Beantwoord de dagen van één leerling tegelijk."))
    answered = [request for request in requests if request.status != ExplanationRequest.Status.OPEN]
    if answered:
        raise ValidationError(
            _("Dit verzoek is al afgehandeld (%(date)s, door %(name)s). Er is niets gewijzigd.")
            % {"date": date_format(answered[0].day), "name": answered[0].closed_by or _("de school")}
        )
