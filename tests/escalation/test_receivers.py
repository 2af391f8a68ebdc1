"""What the escalation app does when attendance or students announce something (escalation/receivers.py)."""

from datetime import date

import pytest

from attendance.models import ExplanationRequest, SickReport
from attendance.services import absence_decide
from attendance.signals import explanation_requests_closed, hospital_admission_reported
from escalation.models import Escalation, EscalationEvent, Notification, Trigger
from students.models import Student
from students.signals import student_left
from students.team import TeamRole

from .conftest import IN_APP, at, event_kinds, make_chain, notifications, record_absence, request_on, sweep, travel

pytestmark = pytest.mark.django_db

TUESDAY = date(2026, 3, 10)


def decide(world, record, moment, *, authorised=False):
    with travel(moment):
        return absence_decide(record=record, authorised=authorised, note="", actor=world.user("care_coordinator"))


def closing_event(escalation):
    return escalation.events.get(kind__in=[EscalationEvent.Kind.RESOLVED, EscalationEvent.Kind.CANCELLED])


# -- absence decided -------------------------------------------------------------------------------------------


def test_a_decision_stops_the_climb_and_cancels_the_unsent_email(world, chain):
    request = request_on(world, TUESDAY)
    sweep(at(2026, 3, 10, 12))
    assert Notification.objects.get(channel="email").status == Notification.Status.PENDING

    decide(world, request.record, at(2026, 3, 10, 13))

    escalation = Escalation.objects.get()
    assert escalation.status == Escalation.Status.RESOLVED
    assert escalation.closed_by == world.user("care_coordinator")
    assert closing_event(escalation).detail == "Beoordeeld door de zorgcoördinator."
    assert Notification.objects.get(channel="email").status == Notification.Status.CANCELLED
    # Step 2 (the guardian) was due at 14:00.
    sweep(at(2026, 3, 10, 14))
    assert not notifications(step=2)
    assert event_kinds(escalation) == ["started", "step_fired", "resolved"]


def test_an_absence_decided_before_the_deadline_starts_no_escalation(world, chain):
    request = request_on(world, TUESDAY)
    decide(world, request.record, at(2026, 3, 10, 11))

    assert sweep(at(2026, 3, 10, 12)).started == 0
    assert not Escalation.objects.exists()


def test_a_decision_about_another_pupil_leaves_the_escalation_climbing(world, chain):
    request_on(world, TUESDAY)
    other = record_on(world, date(2026, 3, 9))
    sweep(at(2026, 3, 10, 12))

    decide(world, other, at(2026, 3, 10, 13))

    assert Escalation.objects.get(explanation_request__record__day=TUESDAY).status == Escalation.Status.OPEN


def record_on(world, day):
    with travel(at(day.year, day.month, day.day, 9)):
        return record_absence(world, day)


@pytest.fixture
def absence_chain(world):
    return make_chain(world.school, [([TeamRole.CARE_COORDINATOR], 0, IN_APP)], trigger=Trigger.REPEATED_ABSENCE)


def test_a_decided_absence_no_longer_counts_for_repeated_absence(world, absence_chain):
    records = [record_on(world, day) for day in (date(2026, 3, 11), date(2026, 3, 12), date(2026, 3, 13))]
    sweep(at(2026, 3, 13, 15))
    escalation = Escalation.objects.get(trigger=Trigger.REPEATED_ABSENCE)

    decide(world, records[0], at(2026, 3, 16, 9))

    escalation.refresh_from_db()
    assert escalation.status == Escalation.Status.RESOLVED
    assert closing_event(escalation).detail == "Er zijn niet meer genoeg onverklaarde afwezigheden."


def test_one_decided_absence_of_four_leaves_repeated_absence_running(world, absence_chain):
    days = (date(2026, 3, 10), date(2026, 3, 11), date(2026, 3, 12), date(2026, 3, 13))
    records = [record_on(world, day) for day in days]
    sweep(at(2026, 3, 13, 15))

    decide(world, records[0], at(2026, 3, 16, 9))

    assert Escalation.objects.get(trigger=Trigger.REPEATED_ABSENCE).status == Escalation.Status.OPEN


# -- pupil left ------------------------------------------------------------------------------------------------


def test_a_pupil_who_left_has_every_active_escalation_cancelled(world, chain, absence_chain):
    for day in (date(2026, 3, 9), TUESDAY):
        request_on(world, day)
    record_on(world, date(2026, 3, 11))
    sweep(at(2026, 3, 11, 12))
    active = list(Escalation.objects.filter(status__in=Escalation.ACTIVE))
    assert {escalation.trigger for escalation in active} == {Trigger.REQUEST_OVERDUE, Trigger.REPEATED_ABSENCE}
    assert Notification.objects.filter(channel="email", status=Notification.Status.PENDING).exists()

    with travel(at(2026, 3, 11, 13)):
        student_left.send(sender=Student, student=world.ward, left_on=date(2026, 3, 11), actor=world.user("admin"))

    for escalation in active:
        escalation.refresh_from_db()
        assert escalation.status == Escalation.Status.CANCELLED
        assert escalation.closed_by == world.user("admin")
        assert closing_event(escalation).detail == "Leerling uitgeschreven."
    assert not Notification.objects.filter(channel="email", status=Notification.Status.PENDING).exists()
    sweep(at(2026, 3, 12, 12))
    assert Escalation.objects.filter(status__in=Escalation.ACTIVE).count() == 0


def test_a_leaver_keeps_the_history_of_escalations_already_closed(world, chain):
    request_on(world, TUESDAY)
    sweep(at(2026, 3, 10, 12))
    escalation = Escalation.objects.get()
    Escalation.objects.filter(id=escalation.id).update(
        status=Escalation.Status.RESOLVED, next_action_at=None, closed_at=at(2026, 3, 10, 12, 30)
    )

    with travel(at(2026, 3, 10, 13)):
        student_left.send(sender=Student, student=world.ward, left_on=TUESDAY, actor=None)

    escalation.refresh_from_db()
    assert escalation.status == Escalation.Status.RESOLVED
    assert "cancelled" not in event_kinds(escalation)


def test_another_pupil_leaving_leaves_the_escalation_alone(world, chain):
    request_on(world, TUESDAY)
    sweep(at(2026, 3, 10, 12))

    student_left.send(sender=Student, student=world.outsider_student, left_on=TUESDAY, actor=None)

    assert Escalation.objects.get().status == Escalation.Status.OPEN


# -- requests closed and hospital admission reported --------------------------------------------------------------


def test_a_withdrawn_request_cancels_its_escalation(world, chain):
    request = request_on(world, TUESDAY)
    sweep(at(2026, 3, 10, 12))

    with travel(at(2026, 3, 10, 13)):
        explanation_requests_closed.send(
            sender=ExplanationRequest, request_ids=[request.id], answered=False, actor=world.user("mentor")
        )

    escalation = Escalation.objects.get()
    assert escalation.status == Escalation.Status.CANCELLED
    assert closing_event(escalation).detail == "Afwezigheid gecorrigeerd door school."


def test_a_reported_hospital_admission_reaches_mentor_and_care_coordinator_in_the_app(world):
    report = SickReport.objects.create(
        student=world.ward, first_day=world.today, hospital_admission=True, reported_by=world.user("housing_worker")
    )

    hospital_admission_reported.send(sender=SickReport, sick_report=report)
    hospital_admission_reported.send(sender=SickReport, sick_report=report)  # twice: still one each

    assert sorted(Notification.objects.values_list("recipient__name", "channel", "kind", "sick_report")) == [
        ("Mentor Marieke", "in_app", "urgent_housing_news", report.id),
        ("Zorg Zeynep", "in_app", "urgent_housing_news", report.id),
    ]
