"""The mentor's roster: the day's list of a class, saved whole or one line at a time (htmx)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from students import access

from . import selectors, services
from .forms import RosterDayForm, RosterRowForm
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


def _roster_url(school_class, day):
    return f"{reverse('attendance:roster', args=[school_class.id])}?datum={day.isoformat()}"


def _save_whole_roster(request, school_class, day, forms):
    """Save a whole-class submit. Returns what went wrong, or None when saved (with the messages set)."""
    if not all(form.is_valid() for _row, form in forms):
        return _("Niet opgeslagen: controleer de rijen met een foutmelding.")
    rows, overtaken = rows_to_save(_submitted(request, forms))
    try:
        services.attendance_save(school_class=school_class, day=day, rows=rows, actor=request.user)
    except ValidationError as error:
        return " ".join(error.messages)
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
    return None


@login_required
@require_http_methods(["GET", "POST"])
def roster_view(request, class_id):
    school_class = selectors.school_class_for_roster_or_404(request.user, class_id)
    today = timezone.localdate()
    calendar = roster_calendar(school_class)
    posted = request.POST if request.method == "POST" else None
    day_form = RosterDayForm(request.POST if posted is not None else request.GET)
    day = day_form.cleaned_data["datum"] if day_form.is_valid() else calendar.previous_school_day(today)
    roster = roster_of(school_class, day, calendar=calendar)
    problem = None
    try:
        services.validate_roster_day(roster.calendar, day, today=today)
    except ValidationError as error:
        problem = error.messages[0]
    # A day that cannot be saved (future, no school day, past the correction window) is shown read-only.
    read_only = problem is not None
    forms = [] if read_only else _row_forms(roster, posted)
    if posted is not None and not read_only:
        problem = _save_whole_roster(request, school_class, day, forms)
        if problem is None:
            return redirect(_roster_url(school_class, day))
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
    return render(request, "attendance/roster.html", context, status=400 if problem and posted is not None else 200)


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
        return redirect(_roster_url(school_class, day))
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
