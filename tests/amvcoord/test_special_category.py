"""Special-category data (issue 5, section 5): e-mails, notification texts and exports never carry a reason, a
remark or a health detail; health details in the app are shown only to the roles of docs/access.md."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.template.loader import render_to_string

from attendance.models import AttendanceRecord, ExplanationRequest, Reason, SickReport
from escalation.delivery import deliver_notification
from escalation.models import Escalation, Notification, Trigger

FORBIDDEN = [
    "ziekenhuis",
    "hospital",
    "koorts",
    "diagnose",
    "griep",
    "opmerking-geheim",
    *[str(label) for _value, label in Reason.choices],
]


@pytest.fixture
def sensitive(world):
    """An explained sick absence with remarks, a hospital admission, and escalations of every trigger."""
    recorder = world.user("mentor")
    record = AttendanceRecord.objects.create(
        student=world.ward,
        day=date(2026, 3, 9),
        school_class=world.school_class,
        status="absent",
        lesson_hours_missed=5,
        remark="opmerking-geheim",
        reason="sick",
        explanation_remark="koorts, griep",
        explained_at=datetime(2026, 3, 9, 10, tzinfo=ZoneInfo("Europe/Amsterdam")),
        recorded_by=recorder,
        updated_by=recorder,
    )
    request = ExplanationRequest.objects.create(
        record=record,
        student=world.ward,
        day=record.day,
        location=world.location,
        deadline=datetime.combine(record.day, time(12), tzinfo=ZoneInfo("Europe/Amsterdam")),
    )
    report = SickReport.objects.create(
        student=world.ward,
        first_day=record.day,
        hospital_admission=True,
        remark="ziekenhuis, diagnose",
        reported_by=world.user("housing_worker"),
    )
    escalations = []
    for trigger in Trigger.values:
        escalations.append(
            Escalation.objects.create(
                trigger=trigger,
                trigger_key=f"{trigger}:1",
                student=world.ward,
                school=world.school,
                explanation_request=request if trigger in (Trigger.REQUEST_OVERDUE, Trigger.REQUEST_DUE_SOON) else None,
                sick_report=report if trigger == Trigger.HOSPITAL_UNSEEN else None,
                chain={
                    "steps": [{"roles": ["guardian"], "after_minutes": 0, "channels": ["email"]}],
                    "repeat_last_step": 0,
                },
                next_action_at=datetime(2026, 3, 9, 12, tzinfo=ZoneInfo("UTC")),
                started_at=datetime(2026, 3, 9, 12, tzinfo=ZoneInfo("UTC")),
            )
        )
    return {"record": record, "report": report, "escalations": escalations}


def _all_notifications(world, sensitive):
    guardian = world.user("guardian").person
    notifications = [
        Notification(
            recipient=guardian,
            channel="email",
            kind="urgent_housing_news",
            student=world.ward,
            sick_report=sensitive["report"],
        ),
    ]
    for kind in (Notification.Kind.ESCALATION, Notification.Kind.EXHAUSTED):
        for escalation in sensitive["escalations"]:
            notifications.append(
                Notification(
                    recipient=guardian,
                    channel="email",
                    kind=kind,
                    student=world.ward,
                    escalation=escalation,
                    step=1,
                    round=0,
                )
            )
    return notifications


def assert_clean(text):
    lowered = text.lower()
    for word in FORBIDDEN:
        assert word.lower() not in lowered, f"{word!r} leaked into: {text}"


def test_every_notification_text_is_free_of_reasons_and_health_details(world, sensitive):
    for notification in _all_notifications(world, sensitive):
        assert_clean(str(notification.text))
        assert world.ward.full_name in str(notification.text)


def test_every_email_body_is_free_of_reasons_and_health_details(world, sensitive, settings):
    for notification in _all_notifications(world, sensitive):
        body = render_to_string(
            "escalation/email/notification.txt", {"notification": notification, "link": "https://x/y"}
        )
        assert_clean(body)
        assert "https://x/y" in body


def test_a_delivered_email_is_free_of_reasons_and_health_details(world, sensitive, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    notification = Notification.objects.create(
        recipient=world.user("guardian").person,
        channel="email",
        kind="escalation",
        student=world.ward,
        escalation=sensitive["escalations"][0],
        step=1,
        round=0,
        status="pending",
    )
    assert deliver_notification(notification.id) == "sent"
    message = mail.outbox[0]
    assert_clean(message.subject)
    assert_clean(message.body)
    assert world.ward.full_name in message.subject


@pytest.mark.parametrize(
    ("role", "sees_hospital"),
    [
        ("mentor", True),
        ("care_coordinator", True),
        ("housing_worker", True),
        ("guardian", True),
        ("school_management", False),
        ("guardian_team_manager", False),
    ],
)
def test_it_shows_a_hospital_admission_only_to_the_roles_of_the_matrix(client, world, sensitive, role, sees_hospital):
    client.force_login(world.user(role))
    html = client.get(f"/aanwezigheid/leerling/{world.ward.id}/tijdlijn/").content.decode()
    assert ("ziekenhuis" in html) is sees_hospital
    # The free-text remark is the writer's organisation's (COA) and the care coordinator's only.
    assert ("diagnose" in html) is (role in ("housing_worker", "care_coordinator"))
