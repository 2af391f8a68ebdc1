from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from common.audit import log_read, log_reads
from common.forms import add_service_errors, run_and_report
from common.http import ids_from, redirect_back
from students import access, picker
from students.selectors import student_for_user_or_404

from . import selectors, services
from .chronology import chronology
from .forms import (
    AppointmentForm,
    BetermeldingForm,
    DecisionForm,
    ExplanationForm,
    SickReportForm,
)
from .models import Reason
from .reports import AbsenceReport

# -- housing and guardians: explanations, sick reports, appointments -------------------------------------------


@login_required
@require_GET
def inbox_view(request):
    access.require(access.can_answer_requests(request.user))
    entries = selectors.inbox(request.user)
    for entry in entries:
        entry.pre_ticked = _pre_ticked(entry.requests)
        entry.form = ExplanationForm(
            request_choices=[(r.id, r.day) for r in entry.requests], initial={"requests": entry.pre_ticked}
        )
    context = {
        "entries": entries,
        "sick_reports": selectors.open_sick_reports_for(request.user).select_related("student__school_class"),
        "betermelding_form": BetermeldingForm(),
        "reasons": Reason.choices,
    }
    return render(request, "attendance/inbox.html", context)


def _pre_ticked(requests) -> list[int]:
    """Only the most recent open day is ticked in advance: that is the day school just asked about and the worker
    is answering. Older days stay unticked, so one click never explains a month-old absence by accident."""
    latest = max(requests, key=lambda request: (request.day, request.id), default=None)
    return [latest.id] if latest is not None else []


@login_required
@require_POST
def explain_view(request, student_id):
    access.require(access.can_answer_requests(request.user))
    selectors.student_with_requests_for_or_404(request.user, student_id)
    requested = request.POST.getlist("requests")
    addressed = selectors.requests_for_answer(request.user, ids_from(requested))
    addressed = [r for r in addressed if r.student_id == student_id]
    form = ExplanationForm(request.POST, request_choices=[(r.id, r.day) for r in addressed])
    if form.is_valid():
        run_and_report(
            request,
            lambda: services.explanation_give(
                request_ids=form.cleaned_data["requests"],
                reason=form.cleaned_data["reason"],
                remark=form.cleaned_data["remark"],
                actor=request.user,
            ),
            success=lambda answered: (
                _("Toelichting opgeslagen voor %(name)s (%(count)s dag(en)). De school ziet het direct.")
                % {"name": answered[0].record.student.full_name, "count": len(answered)}
            ),
        )
    else:
        problems = [message for errors in form.errors.values() for message in errors]
        messages.error(request, _("Niet opgeslagen: %(problems)s") % {"problems": " ".join(problems)})
    return redirect("attendance:inbox")


def _report_form_view(request, form_class, *, initial, create, success, template, confirm=False):
    """A sick report or appointment form: on a valid POST, `create` saves it and `success` describes the result.

    With `confirm`, nothing is saved until the page has shown the chosen pupil's details: the details panel
    (loaded by htmx when a pupil is chosen, or rendered by a first POST without JavaScript) carries `confirmed`."""
    access.require(access.can_report_absence(request.user))
    students = access.reportable_students(request.user)
    posted = request.method == "POST"
    form = form_class(request.POST if posted else None, students=students, initial=initial)
    pupil = _reportable_or_none(request.user, request.POST.get("student") if posted else initial.get("student"))
    if posted and form.is_valid():
        if not confirm or request.POST.get("confirmed") == str(pupil.id):
            try:
                created = create(actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, success(created))
                return redirect("attendance:inbox")
        else:
            form.needs_confirmation = True
    query = (request.POST if posted else request.GET).get("zoek", "")[:100]
    context = {"form": form, "pupil": pupil, **picker.pupil_choices_context(request.user, query, chosen=pupil)}
    return render(request, template, context)


def _reportable_or_none(user, student_id):
    if not student_id:
        return None
    try:
        return picker.reportable_pupil_or_404(user, student_id)
    except Http404:
        return None


def _sick_reported(report) -> str:
    return _("%(name)s is ziek gemeld vanaf %(date)s. De mentor ziet dit bij de aanwezigheid.") % {
        "name": report.student.full_name,
        "date": date_format(report.first_day),
    }


@login_required
@require_http_methods(["GET", "POST"])
def sick_report_new_view(request):
    initial = {"student": request.GET.get("leerling")}
    return _report_form_view(
        request,
        SickReportForm,
        initial=initial,
        create=services.sick_report_create,
        success=_sick_reported,
        template="attendance/sick_report_form.html",
        confirm=True,
    )


@login_required
@require_POST
def sick_report_close_view(request, report_id):
    access.require(access.can_report_absence(request.user))
    report = selectors.sick_report_for_user_or_404(request.user, report_id)
    form = BetermeldingForm(request.POST)
    if form.is_valid():
        run_and_report(
            request,
            lambda: services.sick_report_close(report=report, back_on=form.cleaned_data["back_on"], actor=request.user),
            success=_("%(name)s is beter gemeld.") % {"name": report.student.full_name},
        )
    else:
        messages.error(request, _("Vul een geldige datum in."))
    return redirect("attendance:inbox")


@login_required
@require_POST
def sick_report_hospital_view(request, report_id):
    access.require(access.can_report_absence(request.user))
    report = selectors.sick_report_for_user_or_404(request.user, report_id)
    run_and_report(
        request,
        lambda: services.sick_report_admit_to_hospital(report=report, actor=request.user),
        success=_("De mentor en zorgcoördinator van %(name)s krijgen direct bericht.")
        % {"name": report.student.full_name},
    )
    return redirect("attendance:inbox")


def _appointment_registered(appointment) -> str:
    return _("Afspraak voor %(name)s op %(date)s geregistreerd.") % {
        "name": appointment.student.full_name,
        "date": date_format(appointment.day),
    }


@login_required
@require_http_methods(["GET", "POST"])
def appointment_new_view(request):
    initial = {"student": request.GET.get("leerling"), "day": timezone.localdate()}
    return _report_form_view(
        request,
        AppointmentForm,
        initial=initial,
        create=services.appointment_create,
        success=_appointment_registered,
        template="attendance/appointment_form.html",
    )


# -- the care coordinator: decisions ----------------------------------------------------------------------------


@login_required
@require_GET
def decisions_view(request):
    access.require(access.can_decide_absences(request.user))
    report = AbsenceReport.for_user(request.user, request.GET)
    page = Paginator(report.absences, 50).get_page(request.GET.get("page"))
    return render(request, "attendance/decisions.html", {"filters": report.filters, "page": page})


@login_required
@require_GET
def decisions_export_view(request):
    """The absences of the decisions page as CSV, for the school's own records and the leerplicht overleg.

    Every exported student is logged as read."""
    access.require(AbsenceReport.is_available_to(request.user))
    report = AbsenceReport.for_user(request.user, request.GET)
    content = report.as_csv()
    log_reads(report.students(), page=gettext_noop("export verzuim"), actor=request.user)
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{report.filename()}"'
    return response


@login_required
@require_POST
def decide_view(request, record_id):
    record = selectors.absence_for_user_or_404(request.user, record_id)
    access.require(access.can_decide_absence(request.user, record))
    form = DecisionForm(request.POST)
    if form.is_valid():
        run_and_report(
            request,
            lambda: services.absence_decide(
                record=record,
                authorised=form.cleaned_data["authorised"],
                note=form.cleaned_data["note"],
                actor=request.user,
            ),
            success=_("Beoordeling van %(name)s op %(date)s opgeslagen.")
            % {"name": record.student.full_name, "date": date_format(record.day)},
        )
    else:
        messages.error(request, _("Kies geoorloofd of ongeoorloofd."))
    return redirect_back(request, "attendance:decisions")


# -- everyone on the team: the chronology -----------------------------------------------------------------------


@login_required
@require_GET
def chronology_view(request, student_id):
    student = student_for_user_or_404(request.user, student_id)
    log_read(student, page=gettext_noop("tijdlijn"))
    context = {"student": student, "entries": chronology(request.user, student)}
    return render(request, "attendance/chronology.html", context)
