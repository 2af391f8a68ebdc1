from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from common.audit import audit_trail_for_student
from students import access
from students.models import Student
from students.selectors import student_for_user_or_404

from .start_page import start_page


@login_required
@require_GET
def home(request):
    """The start page: what this person's role needs first thing in the morning."""
    context = {**vars(start_page(request.user)), "two_factor_active": request.user.is_verified()}
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
    if access.can_view_any_audit_trail(request.user):
        student = Student.objects.filter(id=student_id).select_related("school").first()
        if student is None:
            raise Http404(_("Leerling niet gevonden."))
    else:
        student = student_for_user_or_404(request.user, student_id)
        access.require(access.can_view_audit_trail(request.user, student))
    page = Paginator(audit_trail_for_student(student), 100).get_page(request.GET.get("page"))
    context = {"student": student, "page": page, "show_details": access.audit_trail_shows_details(request.user)}
    return render(request, "audit_trail.html", context)
