from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from attendance import selectors as attendance_selectors
from common.audit import audit_trail_for_student
from contacts.models import HOUSING_ROLES, ContactPerson, Role
from escalation import selectors as escalation_selectors
from escalation.models import Escalation
from students import selectors as student_selectors
from students.models import Student


@login_required
@require_GET
def home(request):
    """The start page: what this person's role needs first thing in the morning."""
    person = student_selectors.person_of(request.user)
    role = request.user.role
    context = {"person": person, "role": role, "two_factor_active": request.user.is_verified()}
    if person is not None:
        today = timezone.localdate()
        students = student_selectors.students_visible_to(request.user).filter(status=Student.Status.ACTIVE)
        context["student_count"] = students.count()
        classes = list(student_selectors.mentor_classes(person))
        progress = attendance_selectors.roster_progress(classes, today) if classes else {}
        for school_class in classes:
            school_class.saved_today = progress.get(school_class.id, 0)
        context["classes"] = classes
        if role in (Role.CARE_COORDINATOR, Role.SCHOOL_MANAGEMENT):
            context["school_day"] = attendance_selectors.school_day_summary(person.organisation_id, today)
        if role == Role.CARE_COORDINATOR:
            context["open_escalations"] = (
                escalation_selectors.escalations_visible_to(request.user)
                .filter(school_id=person.organisation_id, status__in=Escalation.ACTIVE)
                .count()
            )
        if role in attendance_selectors.REPORTER_ROLES:
            context["open_sick_reports"] = attendance_selectors.open_sick_reports_for(request.user).count()
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


@require_GET
def privacy(request):
    """The privacy statement: public, so it can be read before logging in."""
    context = {
        "absence_years": settings.RETENTION_ABSENCE_YEARS,
        "care_notes_years": settings.RETENTION_CARE_NOTES_YEARS,
        "contact_years": settings.RETENTION_INACTIVE_CONTACT_YEARS,
        "idle_minutes": settings.SESSION_COOKIE_AGE // 60,
    }
    return render(request, "privacy.html", context)


@login_required
@require_GET
def student_audit_trail(request, student_id):
    """Inzage: who viewed or changed what about one student, for a data-subject access request.

    Care coordinators see it for their own school's students, admins for every student (they do not see the care
    details themselves, only that they were read or changed). The log cannot be edited from the app.
    """
    if request.user.role == Role.ADMIN:
        student = Student.objects.filter(id=student_id).select_related("school").first()
        if student is None:
            raise Http404(_("Leerling niet gevonden."))
    else:
        student = student_selectors.student_for_user_or_404(request.user, student_id)
        if request.user.role != Role.CARE_COORDINATOR:
            raise PermissionDenied
    page = Paginator(audit_trail_for_student(student), 100).get_page(request.GET.get("page"))
    # An admin answers the access request (who read or changed what, when) without seeing the care details.
    context = {"student": student, "page": page, "show_details": request.user.role != Role.ADMIN}
    return render(request, "audit_trail.html", context)
