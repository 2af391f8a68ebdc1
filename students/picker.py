"""The pupil picker of the sick-report and appointment forms: search the user's own reportable pupils by name or
student number, with what tells look-alikes apart (class, date of birth, student number, where they live).

Both answers take a fixed number of queries, however many pupils match: the class is joined, the current housing
location is a subquery.
"""

from datetime import date

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.http import MAX_ID

from . import access
from .models import Placement, Student

MAX_MATCHES = 15


def _with_details(students: QuerySet[Student], on: date) -> QuerySet[Student]:
    current = Placement.objects.on(on).filter(student=OuterRef("pk")).order_by("-started_on")
    return students.select_related("school_class").annotate(
        location_name=Subquery(current.values("location__name")[:1])
    )


def pupil_matches(user, query: str, *, on: date | None = None) -> list[Student]:
    """Up to MAX_MATCHES + 1 of the user's reportable pupils matching every word of `query` (one more than shown,
    so the page can say there are more); none for an empty query."""
    terms = query.split()[:5]
    if not terms:
        return []
    students = access.reportable_students(user)
    for term in terms:
        students = students.filter(
            Q(given_name__icontains=term) | Q(family_name__icontains=term) | Q(student_number__iexact=term)
        )
    students = _with_details(students, on or timezone.localdate()).order_by("family_name", "given_name", "id")
    return list(students[: MAX_MATCHES + 1])


def reportable_pupil_or_404(user, student_id, *, on: date | None = None) -> Student:
    """One of the user's reportable pupils with its details; 404 for anyone else, so ids cannot be probed."""
    students = _with_details(access.reportable_students(user), on or timezone.localdate())
    try:
        wanted = int(student_id)
        if not 0 < wanted <= MAX_ID:
            raise ValueError(student_id)
        return students.get(id=wanted)
    except (Student.DoesNotExist, ValueError, TypeError) as missing:
        raise Http404(_("Leerling niet gevonden.")) from missing


def pupil_choices_context(user, query: str, chosen=None) -> dict:
    """What `students/_pupil_choices.html` shows: the matches of `query`, and the chosen pupil among them."""
    matches = pupil_matches(user, query)
    if chosen is not None and all(match.id != chosen.id for match in matches):
        matches.insert(0, chosen)
    return {
        "query": query,
        "matches": matches[:MAX_MATCHES],
        "more": len(matches) > MAX_MATCHES,
        "chosen_id": chosen.id if chosen is not None else None,
    }
