from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
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
    RosterDayForm,
    RosterRowForm,
    SickReportForm,
)
from .models import Reason
from .reports import AbsenceReport
from .roster import SubmittedRow, roster_calendar, roster_row, rows_to_save
from .roster import roster as roster_of

# -- mentor: the roster -----------------------------------------------------------------------------------------


@login_required
@require_GET
def today_view(request):
    access.require(access.can_record_attendance(request.user))
    classes = list(access.roster_classes_for(request.user).select_related("location").order_by("name"))
    if len(classes) == 1:
        return redirect("attendance:roster", class_id=classes[0].id)
    return render(request, "attendance/today.html", {"classes": classes})


def _row_form(row, data=None):
    record = row.record
    initial = {
        "status": row.status,
        "minutes_late": record.minutes_late if record else None,
        "lesson_hours_missed": record.lesson_hours_missed if record and record.status != "present" else None,
        "remark": record.remark if record else "",
    }
    return RosterRowForm(data, prefix=f"s{row.student.id}", initial=initial)


def _submitted(request, forms) -> list[SubmittedRow]:
    return [
        SubmittedRow(
            row=row,
            seen=request.POST.get(f"{form.prefix}-seen", ""),
            changed=form.has_changed(),
            row_input=form.row_input(),
        )
        for row, form in forms
    ]


def _row_forms(roster, data=None):
    return [(row, _row_form(row, data)) for row in roster.rows]


@login_required
@require_http_methods(["GET", "POST"])
def roster_view(request, class_id):
    school_class = selectors.school_class_for_roster_or_404(request.user, class_id)
    today = timezone.localdate()
    calendar = roster_calendar(school_class)
    day_form = RosterDayForm(request.POST if request.method == "POST" else request.GET)
    day = day_form.cleaned_data["datum"] if day_form.is_valid() else calendar.previous_school_day(today)
    roster = roster_of(school_class, day, calendar=calendar)
    problem = None
    try:
        services.validate_roster_day(roster.calendar, day, today=today)
    except ValidationError as error:
        problem = error.messages[0]
    # A day that cannot be saved (future, no school day, past the correction window) is shown read-only.
    read_only = problem is not None
    forms = [] if read_only else _row_forms(roster, request.POST if request.method == "POST" else None)
    if request.method == "POST" and not read_only:
        if all(form.is_valid() for _row, form in forms):
            rows, overtaken = rows_to_save(_submitted(request, forms))
            try:
                services.attendance_save(school_class=school_class, day=day, rows=rows, actor=request.user)
            except ValidationError as error:
                problem = " ".join(error.messages)
            else:
                messages.success(
                    request,
                    _("Aanwezigheid van %(class)s op %(date)s opgeslagen.")
                    % {"class": school_class.name, "date": date_format(day)},
                )
                if overtaken:
                    messages.warning(
                        request,
                        _("Intussen door iemand anders gewijzigd, dus niet overschreven: %(names)s.")
                        % {"names": ", ".join(overtaken)},
                    )
                return redirect(f"{reverse('attendance:roster', args=[school_class.id])}?datum={day.isoformat()}")
        else:
            problem = _("Niet opgeslagen: controleer de rijen met een foutmelding.")
    context = {
        "school_class": school_class,
        "roster": roster,
        "forms": forms,
        "day": day,
        "default_hours": roster.default_hours,
        "problem": problem,
        "read_only": read_only,
        "previous_day": roster.calendar.previous_school_day(day, include_today=False),
        "next_day": roster.calendar.next_school_day(day) if day < today else None,
        "other_classes": access.roster_classes_for(request.user).exclude(id=school_class.id).order_by("name"),
    }
    return render(
        request, "attendance/roster.html", context, status=400 if problem and request.method == "POST" else 200
    )


@login_required
@require_POST
def roster_row_view(request, class_id, day, student_id):
    """Save one student's line: with htmx (on every change) the answer is the re-rendered line; without
    JavaScript it is the roster page again, with the outcome as a message."""
    school_class = selectors.school_class_for_roster_or_404(request.user, class_id)
    row = roster_row(school_class, day, student_id)
    form = _row_form(row, request.POST)
    error = None
    if form.is_valid():
        try:
            services.attendance_save(
                school_class=school_class, day=day, rows={row.student.id: form.row_input()}, actor=request.user
            )
        except ValidationError as problem:
            error = " ".join(problem.messages)
    else:
        field_errors = [message for errors in form.errors.values() for message in errors]
        error = " ".join([_("Niet opgeslagen: controleer deze rij."), *field_errors])
    if not request.htmx:
        if error:
            messages.error(request, f"{row.student.full_name}: {error}")
        else:
            messages.success(
                request,
                _("Aanwezigheid van %(name)s op %(date)s opgeslagen.")
                % {"name": row.student.full_name, "date": date_format(day)},
            )
        return redirect(f"{reverse('attendance:roster', args=[school_class.id])}?datum={day.isoformat()}")
    if error is None:
        row = roster_row(school_class, day, student_id)
        form = _row_form(row)
    context = {
        "row": row,
        "form": form,
        "school_class": school_class,
        "day": day,
        "default_hours": school_class.lesson_hours_on(day),
        "row_error": error,
        "just_saved": error is None,
    }
    # Always 200: htmx swaps no 4xx answer, and the mentor must see the row with its error message.
    return render(request, "attendance/_roster_row.html", context)


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
