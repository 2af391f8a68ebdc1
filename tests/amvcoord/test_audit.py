"""Audit (issue 5, section 2): changes and reads are logged with the actor; the inzage page shows them."""

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from auditlog.models import LogEntry
from django.urls import reverse

from attendance.models import AttendanceRecord, ExplanationRequest

NOW = datetime(2026, 3, 10, 10, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))


@pytest.fixture
def absence(world, client):
    """An absence recorded by the mentor and explained by the housing worker, both through the app."""
    with time_machine.travel(NOW, tick=False):
        client.force_login(world.user("mentor"))
        client.post(
            reverse("attendance:roster_row", args=[world.school_class.id, NOW.date(), world.ward.id]),
            {f"s{world.ward.id}-status": "absent", f"s{world.ward.id}-remark": "kwam niet opdagen"},
        )
        request = ExplanationRequest.objects.get(student=world.ward)
        client.force_login(world.user("housing_worker"))
        client.post(
            reverse("attendance:explain", args=[world.ward.id]),
            {"requests": [request.id], "reason": "sick", "remark": "koorts en hoofdpijn"},
        )
    client.logout()
    return AttendanceRecord.objects.get(student=world.ward)


def test_it_logs_changes_with_the_actor_and_masks_remarks(client, world, absence):
    client.force_login(world.user("mentor"))
    with time_machine.travel(NOW, tick=False):
        client.post(
            reverse("attendance:roster_row", args=[world.school_class.id, NOW.date(), world.ward.id]),
            {f"s{world.ward.id}-status": "late", f"s{world.ward.id}-minutes_late": "10"},
        )
    entry = LogEntry.objects.get_for_object(absence).filter(action=LogEntry.Action.UPDATE).order_by("-id").first()
    assert entry.actor == world.user("mentor")
    assert entry.changes_dict["status"] == ["absent", "late"]
    explained = LogEntry.objects.get_for_object(absence).filter(actor=world.user("housing_worker")).get()
    assert "reason" in explained.changes_dict
    every_change = " ".join(str(change) for e in LogEntry.objects.all() for change in e.changes_dict.values())
    assert "koorts" not in every_change
    assert "kwam niet opdagen" not in every_change


@pytest.mark.parametrize(
    ("page", "label"), [("students:detail", "leerlingpagina"), ("attendance:chronology", "tijdlijn")]
)
def test_it_logs_who_read_the_student_page_and_the_chronology(client, world, page, label):
    client.force_login(world.user("guardian"))
    client.get(reverse(page, args=[world.ward.id]))
    entry = LogEntry.objects.get_for_object(world.ward).get(action=LogEntry.Action.ACCESS)
    assert entry.actor == world.user("guardian")
    assert entry.additional_data == {"page": label}


def test_it_logs_no_read_for_an_outsider(client, world):
    client.force_login(world.user("mentor"))
    assert client.get(reverse("students:detail", args=[world.outsider_student.id])).status_code == 404
    assert not LogEntry.objects.filter(action=LogEntry.Action.ACCESS).exists()


def test_it_shows_reads_and_changes_on_the_inzage_page(client, world, absence):
    client.force_login(world.user("guardian"))
    client.get(reverse("students:detail", args=[world.ward.id]))
    client.force_login(world.user("care_coordinator"))
    html = client.get(reverse("student_audit_trail", args=[world.ward.id])).content.decode()
    assert "Voogd Vera" in html  # the read
    assert "Mentor Marieke" in html and "Woon Wendy" in html  # the changes
    assert "bekeken" in html and "gewijzigd" in html
    assert "koorts" not in html


def test_it_lets_an_admin_answer_an_access_request_for_any_student(client, world):
    client.force_login(world.user("admin"))
    assert client.get(reverse("student_audit_trail", args=[world.outsider_student.id])).status_code == 200


def test_it_offers_no_way_to_edit_the_log(client, world):
    client.force_login(world.user("care_coordinator"))
    url = reverse("student_audit_trail", args=[world.ward.id])
    assert client.post(url).status_code == 405
    assert client.delete(url).status_code == 405


def test_it_counts_inzage_queries_independent_of_history(client, world, absence, django_assert_max_num_queries):
    client.force_login(world.user("care_coordinator"))
    with django_assert_max_num_queries(12):
        client.get(reverse("student_audit_trail", args=[world.ward.id]))


def test_it_exports_reason_categories_but_no_remarks_and_logs_the_read(client, world, absence):
    client.force_login(world.user("care_coordinator"))
    with time_machine.travel(NOW, tick=False):
        response = client.get(reverse("attendance:decisions_export"))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode()), delimiter=";"))
    assert rows[0][0] == "datum"
    assert rows[1][1] == world.ward.student_number
    assert rows[1][6] == "Ziek"
    body = response.content.decode()
    assert "koorts" not in body and "kwam niet opdagen" not in body and "ziekenhuis" not in body
    entry = LogEntry.objects.get_for_object(world.ward).get(action=LogEntry.Action.ACCESS)
    assert entry.actor == world.user("care_coordinator")
    assert entry.additional_data == {"page": "export verzuim"}


def test_it_neutralises_spreadsheet_formulas_in_the_export(client, world, absence):
    world.ward.family_name = '=HYPERLINK("http://evil")'
    world.ward.save()
    client.force_login(world.user("care_coordinator"))
    with time_machine.travel(NOW, tick=False):
        rows = list(
            csv.reader(io.StringIO(client.get(reverse("attendance:decisions_export")).content.decode()), delimiter=";")
        )
    assert rows[1][3].startswith("'=")
