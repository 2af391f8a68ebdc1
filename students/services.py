"""Writes about students. Each function is one business operation, atomic, validated before it touches rows."""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from contacts.models import ContactPerson, Location

from .models import Placement, Student


@transaction.atomic
def student_move(
    *, student: Student, location: Location, moved_on: date, personal_worker: ContactPerson | None = None
) -> Placement:
    """Overplaatsing: close the student's open placement the day before `moved_on` and open one at `location`."""
    # Lock the student row so two moves of the same student queue up instead of both closing the same placement.
    Student.objects.select_for_update().filter(id=student.id).first()
    current = student.placements.open().first()
    later = student.placements.filter(started_on__gte=moved_on)
    if later.exists():
        raise ValidationError(
            {"moved_on": _("Er is al een plaatsing die op of na deze datum begint. Kies een latere datum.")}
        )
    if current is not None:
        if current.location_id == location.id:
            raise ValidationError({"location": _("De leerling woont al op deze locatie.")})
        current.ended_on = moved_on - timedelta(days=1)
        current.full_clean()
        current.save(update_fields=["ended_on"])
    placement = Placement(student=student, location=location, started_on=moved_on, personal_worker=personal_worker)
    placement.full_clean()
    placement.validate_against_stored()
    placement.save()
    return placement
