from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET, require_http_methods

from common.audit import log_read
from common.forms import add_service_errors

from . import access, picker, selectors, services
from .forms import MoveStudentForm, StudentSearchForm
from .models import Guardianship, Placement
from .team import student_team


@login_required
@require_GET
def student_list_view(request):
    form = StudentSearchForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    today = timezone.localdate()
    students = selectors.student_list(
        request.user, query=filters.get("q", ""), include_left=filters.get("include_left", False)
    ).prefetch_related(
        Prefetch(
            "placements",
            queryset=Placement.objects.on(today).select_related("location"),
            to_attr="current_placements",
        ),
        Prefetch(
            "guardianships",
            queryset=Guardianship.objects.on(today).select_related("guardian"),
            to_attr="current_guardianships",
        ),
    )
    page = Paginator(students, 50).get_page(request.GET.get("page"))
    return render(request, "students/student_list.html", {"form": form, "page": page})


@login_required
@require_GET
def student_detail(request, student_id):
    student = selectors.student_for_user_or_404(request.user, student_id)
    log_read(student, page=gettext_noop("leerlingpagina"))
    context = {
        "student": student,
        "team": student_team(student),
        "placements": selectors.placement_history(student),
        "guardianships": selectors.guardianship_history(student),
        "can_move": access.can_move_students(request.user),
        "can_view_audit_trail": access.can_view_audit_trail(request.user, student),
    }
    return render(request, "students/student_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def student_move_view(request, student_id):
    student = selectors.student_for_user_or_404(request.user, student_id)
    access.require(access.can_move_students(request.user))
    form = MoveStudentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            placement = services.student_move(
                student=student,
                location=form.cleaned_data["location"],
                moved_on=form.cleaned_data["moved_on"],
                personal_worker=form.cleaned_data["personal_worker"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(student)s woont vanaf %(date)s op %(location)s.")
                % {
                    "student": student.full_name,
                    "date": date_format(placement.started_on),
                    "location": placement.location.name,
                },
            )
            # Moving a resident away ends a housing worker's relationship with them today: show the list then.
            if access.students_visible_to(request.user).filter(id=student.id).exists():
                return redirect("students:detail", student_id=student.id)
            return redirect("students:list")
    return render(request, "students/student_move.html", {"student": student, "form": form})


# -- the pupil picker of the sick-report and appointment forms (htmx; the forms work without it too) -----------


@login_required
@require_GET
def pupil_search_view(request):
    """The matching pupils as radio buttons, for the form's list; only the user's own reportable pupils."""
    access.require(access.can_report_absence(request.user))
    query = request.GET.get("zoek", "")[:100]
    return render(request, "students/_pupil_choices.html", picker.pupil_choices_context(request.user, query))


@login_required
@require_GET
def pupil_details_view(request):
    """The chosen pupil's details panel: shown before a sick report is saved. 404 for any other pupil."""
    access.require(access.can_report_absence(request.user))
    pupil = picker.reportable_pupil_or_404(request.user, request.GET.get("student"))
    return render(request, "students/_pupil_details.html", {"pupil": pupil})
