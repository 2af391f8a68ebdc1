from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from contacts.models import HOUSING_ROLES, ContactPerson, Role
from students import selectors as student_selectors
from students.models import Student


@login_required
@require_GET
def home(request):
    """The start page: what this person's role needs first thing in the morning."""
    person = student_selectors.person_of(request.user)
    role = request.user.role
    context = {"person": person, "role": role}
    if person is not None:
        students = student_selectors.students_visible_to(request.user).filter(status=Student.Status.ACTIVE)
        context["student_count"] = students.count()
        context["classes"] = student_selectors.mentor_classes(person)
        if role in HOUSING_ROLES:
            context["locations"] = student_selectors.housing_locations_of(person)
        if role in (
            Role.CARE_COORDINATOR,
            Role.SCHOOL_MANAGEMENT,
            Role.LOCATION_MANAGER,
            Role.GUARDIAN_TEAM_MANAGER,
        ):
            context["incomplete_teams"] = student_selectors.students_without_placement_or_guardian(
                students
            ).select_related("school_class")[:20]
        if role in (Role.GUARDIAN, Role.GUARDIAN_TEAM_MANAGER):
            context["wards"] = students.select_related("school_class").order_by("family_name", "given_name")[:50]
    if role == Role.ADMIN:
        context["stale_contacts"] = ContactPerson.objects.active().stale().count()
        context["incomplete_students"] = student_selectors.students_without_placement_or_guardian(
            Student.objects.all()
        ).count()
    return render(request, "home.html", context)
