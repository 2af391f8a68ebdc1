"""Reads about students, always scoped to what the asking user has a relationship with."""

from datetime import date

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contacts.models import ContactPerson

from .access import classes_mentored_by, students_visible_to
from .models import Guardianship, Placement, SchoolClass, Student


def student_list(user, *, query: str = "", include_left: bool = False) -> QuerySet[Student]:
    students = students_visible_to(user).select_related("school_class")
    if not include_left:
        students = students.filter(status=Student.Status.ACTIVE)
    query = query.strip()
    if query:
        for term in query.split()[:5]:
            students = students.filter(
                Q(given_name__icontains=term) | Q(family_name__icontains=term) | Q(student_number__iexact=term)
            )
    return students.order_by("family_name", "given_name", "id")


def student_for_user_or_404(user, student_id) -> Student:
    """The student if the user has a relationship with them; 404 otherwise, so outsiders cannot probe ids."""
    try:
        return students_visible_to(user).select_related("school", "school_class__location").get(id=student_id)
    except (Student.DoesNotExist, ValueError) as missing:
        raise Http404(_("Leerling niet gevonden.")) from missing


def students_without_placement_or_guardian(students: QuerySet[Student], *, on: date | None = None):
    """Active students whose team has a hole nobody can be asked about: no current housing or no guardian."""
    on = on or timezone.localdate()
    housed = Placement.objects.on(on).values("student_id")
    guarded = Guardianship.objects.on(on).values("student_id")
    return students.filter(status=Student.Status.ACTIVE).filter(~Q(id__in=housed) | ~Q(id__in=guarded))


def mentor_classes(person: ContactPerson) -> QuerySet[SchoolClass]:
    return (
        classes_mentored_by(person)
        .select_related("location")
        .annotate(active_students=Count("students", filter=Q(students__status=Student.Status.ACTIVE)))
        .order_by("name")
    )


def housing_locations_of(person: ContactPerson, *, on: date | None = None):
    on = on or timezone.localdate()
    current = Q(placements__started_on__lte=on) & (
        Q(placements__ended_on__isnull=True) | Q(placements__ended_on__gte=on)
    )
    return person.locations.annotate(residents=Count("placements", filter=current)).order_by("name")


def placement_history(student: Student) -> QuerySet[Placement]:
    return student.placements.select_related("location__organisation", "personal_worker").order_by("-started_on")


def guardianship_history(student: Student) -> QuerySet[Guardianship]:
    return student.guardianships.select_related("guardian__organisation").order_by("-started_on")
