"""Every date and time input is ISO whatever the language: `<input type="date">` accepts only YYYY-MM-DD, and a
Dutch `01-12-2026` leaves the field empty in the browser (issue 10, item 2)."""

import inspect
import re
from datetime import date, time

import pytest
from django import forms
from django.utils import translation

import attendance.forms
import contacts.forms
import escalation.forms
import students.forms
from attendance.forms import AppointmentForm, BetermeldingForm, RosterDayForm, SickReportForm
from students.forms import MoveStudentForm
from students.models import Student

FORM_MODULES = [attendance.forms, students.forms, escalation.forms, contacts.forms]
DECEMBER_FIRST = date(2026, 12, 1)


def project_form_classes():
    for module in FORM_MODULES:
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                yield cls


def date_and_time_fields():
    for cls in project_form_classes():
        for name, field in cls.base_fields.items():
            if isinstance(field, forms.DateField | forms.TimeField):
                yield pytest.param(field, id=f"{cls.__name__}.{name}")


def value_of(html, name):
    match = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    assert match, f"no input {name} in {html}"
    value = re.search(r'value="([^"]*)"', match.group(0))
    return value.group(1) if value else None


def test_the_project_has_date_and_time_fields_to_check():
    assert len(list(date_and_time_fields())) >= 8


@pytest.mark.parametrize("field", list(date_and_time_fields()))
def test_every_date_and_time_widget_renders_iso_in_dutch(field):
    with translation.override("nl"):
        if isinstance(field, forms.DateField):
            html = field.widget.render("x", DECEMBER_FIRST)
            assert value_of(html, "x") == "2026-12-01"
            assert 'type="date"' in html
        else:
            html = field.widget.render("x", time(9, 5))
            assert value_of(html, "x") == "09:05"
            assert 'type="time"' in html


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_sick_report_and_appointment_forms_render_iso_in_both_languages(language):
    students = Student.objects.none()
    with translation.override(language):
        sick = str(SickReportForm(students=students, initial={"first_day": DECEMBER_FIRST}))
        appointment = str(
            AppointmentForm(
                students=students, initial={"day": DECEMBER_FIRST, "starts_at": time(10), "ends_at": time(11, 30)}
            )
        )
        others = {
            "back_on": str(BetermeldingForm(initial={"back_on": DECEMBER_FIRST})),
            "datum": str(RosterDayForm(initial={"datum": DECEMBER_FIRST})),
            "moved_on": str(MoveStudentForm(initial={"moved_on": DECEMBER_FIRST})),
        }
    assert value_of(sick, "first_day") == "2026-12-01"
    assert value_of(appointment, "day") == "2026-12-01"
    assert (value_of(appointment, "starts_at"), value_of(appointment, "ends_at")) == ("10:00", "11:30")
    for name, html in others.items():
        assert value_of(html, name) == "2026-12-01"


def test_a_bound_dutch_form_keeps_what_was_typed():
    with translation.override("nl"):
        form = SickReportForm({"first_day": "2026-12-01"}, students=Student.objects.none())
        assert value_of(str(form["first_day"]), "first_day") == "2026-12-01"
