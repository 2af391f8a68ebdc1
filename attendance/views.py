import csv
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from common.audit import log_read, log_reads
from common.forms import add_service_errors
from common.http import ids_from, redirect_back
from contacts.models import SCHOOL_ROLES
from students.selectors import person_of, student_for_user_or_404

from . import selectors, services
from .forms import (
    AppointmentForm,
    BetermeldingForm,
    DecisionFilterForm,
    DecisionForm,
    ExplanationForm,
    RosterDayForm,
    RosterRowForm,
    SickReportForm,
)
from .models import Reason


def _require_role(user, roles):
    person = person_of(user)
    if person is None or person.role not in roles:
        raise PermissionDenied


# -- mentor: the roster -----------------------------------------------------------------------------------------


@login_required
@require_GET
def today_view(request):
    _require_role(request.user, SCHOOL_ROLES)
    classes = list(selectors.roster_classes_for(request.user).select_related("location").order_by("name"))
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


def _rows_to_save(request, forms):
    """The rows to save from a whole-class submit: new ones, and changed ones nobody else changed meanwhile.

    A row whose record changed after this page was loaded (another mentor, the care coordinator, a second tab) is
    not overwritten; if the mentor changed it too, their name is returned so the page can say so.
    """
    rows, overtaken = {}, []
    for row, form in forms:
        seen = request.POST.get(f"{form.prefix}-seen", "")
        if row.record is not None and seen != row.version:
            if form.has_changed():
                overtaken.append(row.student.full_name)
        elif row.record is None or form.has_changed():
            rows[row.student.id] = form.row_input()
    return rows, overtaken


def _row_forms(roster, data=None):
    return [(row, _row_form(row, data)) for row in roster.rows]


@login_required
@require_http_methods(["GET", "POST"])
def roster_view(request, class_id):
    school_class = selectors.school_class_for_roster_or_404(request.user, class_id)
    today = timezone.localdate()
    calendar = selectors.roster_calendar(school_class)
    day_form = RosterDayForm(request.POST if request.method == "POST" else request.GET)
    day = day_form.cleaned_data["datum"] if day_form.is_valid() else calendar.previous_school_day(today)
    roster = selectors.roster(school_class, day, calendar=calendar)
    problem = None
    try:
        services.validate_roster_day(roster.calendar, day, today=today)
    except ValidationError as error:
        problem = error.messages[0]
    forms = _row_forms(roster, request.POST if request.method == "POST" else None)
    if request.method == "POST" and problem is None:
        if all(form.is_valid() for _row, form in forms):
            rows, overtaken = _rows_to_save(request, forms)
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
        "previous_day": roster.calendar.previous_school_day(day, include_today=False),
        "next_day": roster.calendar.next_school_day(day) if day < today else None,
        "other_classes": selectors.roster_classes_for(request.user).exclude(id=school_class.id).order_by("name"),
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
    row = selectors.roster_row(school_class, day, student_id)
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
        row = selectors.roster_row(school_class, day, student_id)
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
    _require_role(request.user, selectors.REPORTER_ROLES)
    entries = selectors.inbox(request.user)
    for entry in entries:
        entry.form = ExplanationForm(
            request_choices=[(r.id, r.day) for r in entry.requests],
            initial={"requests": [r.id for r in entry.requests]},
        )
    context = {
        "entries": entries,
        "sick_reports": selectors.open_sick_reports_for(request.user),
        "betermelding_form": BetermeldingForm(),
        "reasons": Reason.choices,
    }
    return render(request, "attendance/inbox.html", context)


@login_required
@require_POST
def explain_view(request, student_id):
    _require_role(request.user, selectors.REPORTER_ROLES)
    selectors.student_with_requests_for_or_404(request.user, student_id)
    requested = request.POST.getlist("requests")
    addressed = selectors.requests_for_answer(request.user, ids_from(requested))
    addressed = [r for r in addressed if r.student_id == student_id]
    form = ExplanationForm(request.POST, request_choices=[(r.id, r.day) for r in addressed])
    if form.is_valid():
        try:
            answered = services.explanation_give(
                request_ids=form.cleaned_data["requests"],
                reason=form.cleaned_data["reason"],
                remark=form.cleaned_data["remark"],
                actor=request.user,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("Toelichting opgeslagen voor %(name)s (%(count)s dag(en)). De school ziet het direct.")
                % {"name": answered[0].record.student.full_name, "count": len(answered)},
            )
    else:
        problems = [message for errors in form.errors.values() for message in errors]
        messages.error(request, _("Niet opgeslagen: %(problems)s") % {"problems": " ".join(problems)})
    return redirect("attendance:inbox")


@login_required
@require_http_methods(["GET", "POST"])
def sick_report_new_view(request):
    _require_role(request.user, selectors.REPORTER_ROLES)
    students = selectors.reportable_students(request.user)
    form = SickReportForm(request.POST or None, students=students, initial={"student": request.GET.get("leerling")})
    if request.method == "POST" and form.is_valid():
        try:
            report = services.sick_report_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(name)s is ziek gemeld vanaf %(date)s. De mentor ziet dit bij de aanwezigheid.")
                % {"name": report.student.full_name, "date": date_format(report.first_day)},
            )
            return redirect("attendance:inbox")
    return render(request, "attendance/sick_report_form.html", {"form": form})


@login_required
@require_POST
def sick_report_close_view(request, report_id):
    _require_role(request.user, selectors.REPORTER_ROLES)
    report = selectors.sick_report_for_user_or_404(request.user, report_id)
    form = BetermeldingForm(request.POST)
    if form.is_valid():
        try:
            services.sick_report_close(report=report, back_on=form.cleaned_data["back_on"], actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("%(name)s is beter gemeld.") % {"name": report.student.full_name})
    else:
        messages.error(request, _("Vul een geldige datum in."))
    return redirect("attendance:inbox")


@login_required
@require_POST
def sick_report_hospital_view(request, report_id):
    _require_role(request.user, selectors.REPORTER_ROLES)
    report = selectors.sick_report_for_user_or_404(request.user, report_id)
    try:
        services.sick_report_admit_to_hospital(report=report, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("De mentor en zorgcoördinator van %(name)s krijgen direct bericht.") % {"name": report.student.full_name},
        )
    return redirect("attendance:inbox")


@login_required
@require_http_methods(["GET", "POST"])
def appointment_new_view(request):
    _require_role(request.user, selectors.REPORTER_ROLES)
    students = selectors.reportable_students(request.user)
    initial = {"student": request.GET.get("leerling"), "day": timezone.localdate()}
    form = AppointmentForm(request.POST or None, students=students, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            appointment = services.appointment_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Afspraak voor %(name)s op %(date)s geregistreerd.")
                % {"name": appointment.student.full_name, "date": date_format(appointment.day)},
            )
            return redirect("attendance:inbox")
    return render(request, "attendance/appointment_form.html", {"form": form})


# -- the care coordinator: decisions ----------------------------------------------------------------------------


def _filtered_absences(request):
    """The decisions page's filter form and the absences it selects; only for the school's care coordinator."""
    person = person_of(request.user)
    if person is None or not selectors.is_care_coordinator_of(request.user, person.organisation_id):
        raise PermissionDenied
    filters = DecisionFilterForm(request.GET or None)
    cleaned = filters.cleaned_data if filters.is_valid() else {}
    since = timezone.localdate() - timedelta(weeks=cleaned.get("weeks") or 4)
    return filters, selectors.absences_for_decision(request.user, since=since, only=cleaned.get("only", ""))


@login_required
@require_GET
def decisions_view(request):
    filters, absences = _filtered_absences(request)
    page = Paginator(absences, 50).get_page(request.GET.get("page"))
    return render(request, "attendance/decisions.html", {"filters": filters, "page": page})


# Lazy: the header is translated when a file is written, in that person's language, not at import.
EXPORT_COLUMNS = [
    gettext_lazy("datum"),
    gettext_lazy("leerlingnummer"),
    gettext_lazy("voornaam"),
    gettext_lazy("achternaam"),
    gettext_lazy("klas"),
    gettext_lazy("lesuren gemist"),
    gettext_lazy("reden"),
    gettext_lazy("geoorloofd"),
    gettext_lazy("afwijkend beoordeeld"),
]


@login_required
@require_GET
def decisions_export_view(request):
    """The absences of the decisions page as CSV, for the school's own records and the leerplicht overleg.

    Reason categories only: remarks and health details never leave the app. Every exported student is logged
    as read."""
    _filters, absences = _filtered_absences(request)
    absences = list(absences)
    students = {record.student_id: record.student for record in absences}
    log_reads(students.values(), page=gettext_noop("export verzuim"), actor=request.user)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="verzuim-{timezone.localdate().isoformat()}.csv"'
    writer = csv.writer(response, delimiter=";")
    writer.writerow([str(column) for column in EXPORT_COLUMNS])
    for record in absences:
        writer.writerow(
            [
                record.day.isoformat(),
                _csv_safe(record.student.student_number),
                _csv_safe(record.student.given_name),
                _csv_safe(record.student.family_name),
                _csv_safe(record.school_class.name if record.school_class else ""),
                record.lesson_hours_missed,
                record.get_reason_display() if record.reason else _("niet toegelicht"),
                _("ja") if record.authorised else _("nee"),
                _("ja") if record.authorisation_overridden else _("nee"),
            ]
        )
    return response


def _csv_safe(value: str) -> str:
    """Spreadsheets execute cells that start with = + - @: prefix them so a name can never be a formula."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


@login_required
@require_POST
def decide_view(request, record_id):
    record = selectors.absence_for_user_or_404(request.user, record_id)
    if not selectors.is_care_coordinator_of(request.user, record.student.school_id):
        raise PermissionDenied
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            services.absence_decide(
                record=record,
                authorised=form.cleaned_data["authorised"],
                note=form.cleaned_data["note"],
                actor=request.user,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("Beoordeling van %(name)s op %(date)s opgeslagen.")
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
    context = {"student": student, "entries": selectors.chronology(request.user, student)}
    return render(request, "attendance/chronology.html", context)
