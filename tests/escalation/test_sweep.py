"""The sweep: what starts an escalation, which step fires when, for whom, and what happens after the last step."""

from datetime import date, time

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from attendance.models import ExplanationRequest, Reason
from attendance.services import (
    RowInput,
    attendance_save,
    explanation_give,
    sick_report_admit_to_hospital,
    sick_report_create,
)
from contacts.models import ContactPerson
from escalation.models import Escalation, EscalationEvent, Notification, SweepRun, Trigger
from escalation.selectors import students_nobody_to_notify
from escalation.services import (
    chain_save_steps,
    escalation_acknowledge,
    escalation_resolve,
    notifications_mark_read,
)
from escalation.sweep import escalation_sweep
from students.team import TeamRole
from tests.factories import HousingLocationFactory

from .conftest import (
    BOTH,
    IN_APP,
    STANDARD_STEPS,
    add_student,
    at,
    event_kinds,
    make_chain,
    notifications,
    record_absence,
    request_on,
    sweep,
    travel,
)

pytestmark = pytest.mark.django_db

TUESDAY = date(2026, 3, 10)
FRIDAY = date(2026, 3, 13)
WENDY, VERA, DIRK = "Woon Wendy", "Voogd Vera", "Directeur Dirk"


# -- starting: request past its deadline ---------------------------------------------------------------------


def test_it_starts_nothing_before_the_deadline(world, chain):
    request_on(world, TUESDAY)

    result = sweep(at(2026, 3, 10, 11, 59))

    # Only the reminder before the deadline (test_reminder.py) has started.
    assert result.started == 1
    assert not Escalation.objects.exclude(trigger=Trigger.REQUEST_DUE_SOON).exists()


def test_it_starts_an_escalation_when_a_request_passes_its_deadline(world, chain):
    request = request_on(world, TUESDAY)

    result = sweep(at(2026, 3, 10, 12))

    escalation = Escalation.objects.get()
    assert (result.started, result.fired) == (1, 1)
    assert escalation.trigger == Trigger.REQUEST_OVERDUE
    assert escalation.trigger_key == f"request:{request.id}:{at(2026, 3, 10, 12).timestamp():.0f}"
    assert escalation.explanation_request == request
    assert escalation.location == world.location
    assert escalation.school_class == world.school_class
    assert escalation.status == Escalation.Status.OPEN
    assert (escalation.current_step, escalation.round) == (1, 0)
    assert escalation.next_action_at == at(2026, 3, 10, 14)
    assert escalation.chain["steps"][1] == {"roles": ["guardian"], "after_minutes": 120, "channels": BOTH}
    assert event_kinds(escalation) == ["started", "step_fired"]
    assert escalation.events.get(kind="step_fired").detail == WENDY
    assert notifications() == [
        (WENDY, "email", "escalation", 1, 0),
        (WENDY, "in_app", "escalation", 1, 0),
    ]
    # In-app is delivered by existing; e-mail waits in the outbox for the sender.
    assert set(Notification.objects.values_list("channel", "status")) == {("in_app", "sent"), ("email", "pending")}
    assert SweepRun.objects.get().fired_steps == 1


def test_it_leaves_schools_without_a_chain_and_inactive_chains_alone(world):
    make_chain(world.school, STANDARD_STEPS, is_active=False)
    request_on(world, TUESDAY)

    assert sweep(at(2026, 3, 10, 12)).started == 0
    assert not Escalation.objects.exists()


def test_it_starts_one_escalation_per_request_however_often_it_runs(world, chain):
    request_on(world, TUESDAY)

    sweep(at(2026, 3, 10, 12))
    sweep(at(2026, 3, 10, 12, 1))
    sweep(at(2026, 3, 10, 13))

    assert Escalation.objects.count() == 1


# -- steps fire in school working time ---------------------------------------------------------------------


def test_it_fires_each_step_at_its_working_time_moment(world, chain):
    """Deadline Friday 12:00; step 2 after 120 working minutes is Friday 14:00; step 3 after 480 more is Monday:
    3 hours on Friday (14–17) and 5 on Monday (08–13)."""
    request_on(world, FRIDAY)

    sweep(at(2026, 3, 13, 12))
    assert notifications() == [(WENDY, "email", "escalation", 1, 0), (WENDY, "in_app", "escalation", 1, 0)]

    sweep(at(2026, 3, 13, 13, 59))
    assert len(notifications()) == 2

    sweep(at(2026, 3, 13, 14))
    assert notifications(step=2) == [(VERA, "email", "escalation", 2, 0), (VERA, "in_app", "escalation", 2, 0)]
    escalation = Escalation.objects.get()
    assert escalation.next_action_at == at(2026, 3, 16, 13)

    for moment in [at(2026, 3, 13, 17), at(2026, 3, 14, 12), at(2026, 3, 15, 23), at(2026, 3, 16, 12, 59)]:
        sweep(moment)
        assert not notifications(step=3), moment

    sweep(at(2026, 3, 16, 13))
    assert notifications(step=3) == [(DIRK, "email", "escalation", 3, 0), (DIRK, "in_app", "escalation", 3, 0)]


def test_it_catches_up_after_a_missed_sweep_one_step_at_a_time(world, chain):
    """Beat was down all afternoon: the next sweep fires the step that is due, not every step at once."""
    request_on(world, TUESDAY)
    sweep(at(2026, 3, 10, 12))

    result = sweep(at(2026, 3, 10, 16, 30))

    escalation = Escalation.objects.get()
    assert result.overdue_before == 1
    assert escalation.current_step == 2
    # The next step counts from when this one actually fired.
    assert escalation.next_action_at == at(2026, 3, 11, 15, 30)


# -- repeat, exhaust ---------------------------------------------------------------------------------------


def test_it_repeats_the_last_step_then_exhausts_and_tells_the_care_coordinator(world):
    make_chain(
        world.school,
        [([TeamRole.HOUSING_WORKER], 0, BOTH), ([TeamRole.GUARDIAN], 60, BOTH)],
        repeat_last_step=2,
    )
    request_on(world, TUESDAY)

    for moment in [at(2026, 3, 10, 12), at(2026, 3, 10, 13), at(2026, 3, 10, 14), at(2026, 3, 10, 15)]:
        sweep(moment)
    escalation = Escalation.objects.get()
    assert (escalation.status, escalation.current_step, escalation.round) == ("open", 2, 2)
    assert [(step, rnd) for _name, channel, _kind, step, rnd in notifications(channel="in_app")] == [
        (1, 0),
        (2, 0),
        (2, 1),
        (2, 2),
    ]
    assert {name for name, *_rest in notifications(step=2)} == {VERA}

    result = sweep(at(2026, 3, 10, 16))

    escalation.refresh_from_db()
    assert result.exhausted == 1
    assert escalation.status == Escalation.Status.EXHAUSTED
    assert escalation.next_action_at is None
    assert escalation.closed_at == at(2026, 3, 10, 16)
    assert event_kinds(escalation)[-1] == "exhausted"
    exhausted = Notification.objects.get(kind=Notification.Kind.EXHAUSTED)
    assert exhausted.recipient == world.user("care_coordinator").person
    assert (exhausted.channel, exhausted.status, exhausted.escalation) == ("in_app", "sent", escalation)

    sweep(at(2026, 3, 11, 16))
    assert Notification.objects.filter(escalation=escalation).count() == 9


# -- snapshot and late-resolved recipients ----------------------------------------------------------------


def test_a_chain_edited_after_the_start_does_not_change_a_running_escalation(world, chain):
    request_on(world, TUESDAY)
    sweep(at(2026, 3, 10, 12))

    chain_save_steps(
        chain=chain,
        steps=[
            {"roles": [TeamRole.HOUSING_WORKER], "after_minutes": 0, "channels": BOTH},
            {"roles": [TeamRole.MENTOR], "after_minutes": 30, "channels": IN_APP},
        ],
    )
    sweep(at(2026, 3, 10, 12, 30))
    assert not notifications(step=2)

    sweep(at(2026, 3, 10, 14))
    assert {name for name, *_rest in notifications(step=2)} == {VERA}
    assert len(Escalation.objects.get().chain["steps"]) == 3


def test_a_new_escalation_follows_the_edited_chain(world, chain):
    chain_save_steps(chain=chain, steps=[{"roles": [TeamRole.MENTOR], "after_minutes": 30, "channels": IN_APP}])
    request_on(world, TUESDAY)

    sweep(at(2026, 3, 10, 12, 30))

    assert notifications() == [("Mentor Marieke", "in_app", "escalation", 1, 0)]


def test_it_finds_recipients_when_the_step_fires_not_when_the_escalation_started(world):
    """The guardian gets a team manager between two rounds of the guardian step: the next round reaches them too.
    (A new guardian does not: the request stays addressed to the guardian of the day, tests/escalation/
    test_recipients.py.)"""
    make_chain(
        world.school,
        [([TeamRole.HOUSING_WORKER], 0, BOTH), ([TeamRole.GUARDIAN, TeamRole.GUARDIAN_TEAM_MANAGER], 300, BOTH)],
        repeat_last_step=1,
    )
    ContactPerson.objects.filter(name=VERA).update(manager=None)
    request_on(world, TUESDAY)
    sweep(at(2026, 3, 10, 12))
    sweep(at(2026, 3, 10, 17))
    assert {name for name, *_rest in notifications(step=2, round=0)} == {VERA}

    ContactPerson.objects.filter(name=VERA).update(manager=world.user("guardian_team_manager").person)
    sweep(at(2026, 3, 11, 13))

    assert {name for name, *_rest in notifications(step=2, round=1)} == {VERA, "Team Tom"}


def test_a_step_with_nobody_to_notify_is_logged_and_the_next_step_fires_at_once(world, chain, caplog):
    request_on(world, TUESDAY)
    sweep(at(2026, 3, 10, 12))
    # The guardian the request is addressed to left Nidos (a new guardian would not hold this request).
    ContactPerson.objects.filter(name=VERA).update(is_active=False, inactive_since=date(2026, 3, 10))

    sweep(at(2026, 3, 10, 14))

    escalation = Escalation.objects.get()
    assert event_kinds(escalation) == ["started", "step_fired", "no_recipients", "step_fired"]
    skipped = escalation.events.get(kind=EscalationEvent.Kind.NO_RECIPIENTS)
    assert (skipped.step, skipped.detail) == (2, "Voogd")
    assert f"Escalation {escalation.id}, step 2: nobody to notify (Voogd)" in caplog.text
    assert escalation.current_step == 3
    assert notifications(step=3) == [(DIRK, "email", "escalation", 3, 0), (DIRK, "in_app", "escalation", 3, 0)]
    assert not notifications(step=2)
    assert list(students_nobody_to_notify(world.user("care_coordinator"), since=at(2026, 3, 1))) == [world.ward]


def test_a_recipient_without_login_gets_no_bell_and_without_address_no_email(world):
    make_chain(world.school, [([TeamRole.GUARDIAN], 0, BOTH)])
    guardian = world.user("guardian").person
    guardian.email = ""
    guardian.save(update_fields=["email"])
    world.user("guardian").delete()
    request_on(world, TUESDAY)

    sweep(at(2026, 3, 10, 12))

    escalation = Escalation.objects.get()
    assert not notifications(kind=Notification.Kind.ESCALATION)
    assert "no_recipients" in event_kinds(escalation)
    # Nobody at the only step: the chain is done at once, and the coordinator hears of it.
    assert escalation.status == Escalation.Status.EXHAUSTED
    assert Notification.objects.get(kind="exhausted").recipient == world.user("care_coordinator").person


def test_a_housing_kind_chain_is_chosen_over_the_default(world, chain):
    make_chain(world.school, [([TeamRole.LOCATION_MANAGER], 0, IN_APP)], housing_kind="coa_process")
    emergency = HousingLocationFactory(kind="emergency", organisation=world.location.organisation)
    elsewhere = add_student(world, "Samir", location=emergency)
    request_on(world, TUESDAY)
    request_on(world, TUESDAY, student=elsewhere)

    sweep(at(2026, 3, 10, 12))

    ward_escalation = Escalation.objects.get(student=world.ward)
    other_escalation = Escalation.objects.get(student=elsewhere)
    assert [step["roles"] for step in ward_escalation.chain["steps"]] == [["location_manager"]]
    assert len(other_escalation.chain["steps"]) == 3
    assert notifications(escalation=ward_escalation) == [("Manager Mo", "in_app", "escalation", 1, 0)]


# -- hospital admission not seen by school ----------------------------------------------------------------


@pytest.fixture
def hospital_chain(world):
    return make_chain(
        world.school,
        [([TeamRole.MENTOR, TeamRole.CARE_COORDINATOR], 30, BOTH), ([TeamRole.SCHOOL_MANAGEMENT], 60, BOTH)],
        trigger=Trigger.HOSPITAL_UNSEEN,
    )


def admit_to_hospital(world, moment):
    with travel(moment):
        return sick_report_create(
            student=world.ward,
            first_day=moment.date(),
            expected_back=None,
            hospital_admission=True,
            remark="Opgenomen met longontsteking",
            actor=world.user("housing_worker"),
        )


def test_an_unread_hospital_admission_escalates_and_reading_it_resolves(world, hospital_chain):
    report = admit_to_hospital(world, at(2026, 3, 10, 9))
    urgent = Notification.objects.filter(kind=Notification.Kind.URGENT_HOUSING_NEWS, sick_report=report)
    assert urgent.count() == 2

    sweep(at(2026, 3, 10, 9, 29))
    escalation = Escalation.objects.get()
    assert (escalation.trigger, escalation.sick_report, escalation.current_step) == ("hospital_unseen", report, 0)

    sweep(at(2026, 3, 10, 9, 30))
    escalation.refresh_from_db()
    assert escalation.current_step == 1
    assert {name for name, *_rest in notifications()} == {"Mentor Marieke", "Zorg Zeynep"}

    with travel(at(2026, 3, 10, 9, 45)):
        notifications_mark_read(
            person=world.user("mentor").person, notification_ids=list(urgent.values_list("id", flat=True))
        )

    escalation.refresh_from_db()
    assert escalation.status == Escalation.Status.RESOLVED
    assert escalation.next_action_at is None
    resolved = escalation.events.get(kind="resolved")
    assert resolved.actor == world.user("mentor")
    assert resolved.detail == "Gelezen door school."
    assert not Notification.objects.filter(escalation=escalation, status=Notification.Status.PENDING).exists()
    sweep(at(2026, 3, 10, 11))
    assert not notifications(step=2)


def test_a_hospital_admission_read_in_time_never_escalates(world, hospital_chain):
    admit_to_hospital(world, at(2026, 3, 10, 9))
    coordinator = world.user("care_coordinator").person
    urgent = Notification.objects.get(recipient=coordinator, kind=Notification.Kind.URGENT_HOUSING_NEWS)
    with travel(at(2026, 3, 10, 9, 10)):
        notifications_mark_read(person=coordinator, notification_ids=[urgent.id])

    sweep(at(2026, 3, 10, 10))

    assert not Escalation.objects.exists()


def test_marking_everything_read_does_not_count_as_seeing_a_hospital_admission(world, hospital_chain):
    admit_to_hospital(world, at(2026, 3, 10, 9))
    with travel(at(2026, 3, 10, 9, 10)):
        notifications_mark_read(person=world.user("care_coordinator").person)

    sweep(at(2026, 3, 10, 10))

    assert Escalation.objects.get().trigger == Trigger.HOSPITAL_UNSEEN
    assert Notification.objects.filter(kind=Notification.Kind.URGENT_HOUSING_NEWS, read_at__isnull=True).count() == 2


def test_a_hospital_escalation_ends_when_the_student_is_reported_better(world, hospital_chain):
    report = admit_to_hospital(world, at(2026, 3, 10, 9))
    sweep(at(2026, 3, 10, 9, 30))
    report.last_day = date(2026, 3, 10)
    report.save(update_fields=["last_day"])

    result = sweep(at(2026, 3, 10, 10, 30))

    assert result.closed == 1
    assert Escalation.objects.get().status == Escalation.Status.RESOLVED
    assert not notifications(step=2)


# -- repeated unexplained absence -----------------------------------------------------------------------------


@pytest.fixture
def absence_chain(world):
    return make_chain(
        world.school,
        [([TeamRole.CARE_COORDINATOR, TeamRole.GUARDIAN], 0, IN_APP), ([TeamRole.GUARDIAN_TEAM_MANAGER], 960, BOTH)],
        trigger=Trigger.REPEATED_ABSENCE,
        threshold=3,
    )


def absent_on(world, *days):
    for day in days:
        with travel(at(day.year, day.month, day.day, 9)):
            record_absence(world, day)


def test_the_third_unexplained_absence_in_a_week_escalates(world, absence_chain):
    absent_on(world, date(2026, 3, 11), date(2026, 3, 12))
    assert sweep(at(2026, 3, 12, 15)).started == 0

    absent_on(world, date(2026, 3, 13))
    sweep(at(2026, 3, 13, 15))

    escalation = Escalation.objects.get()
    assert escalation.trigger == Trigger.REPEATED_ABSENCE
    assert escalation.trigger_key == f"repeat:{world.ward.id}:2026-W11"
    assert escalation.location == world.location
    assert {name for name, *_rest in notifications()} == {"Zorg Zeynep", VERA}


def test_the_same_absences_do_not_escalate_again_the_next_week(world, absence_chain):
    absent_on(world, date(2026, 3, 11), date(2026, 3, 12), date(2026, 3, 13))
    sweep(at(2026, 3, 13, 15))

    # Monday of week 12: Wednesday to Friday are still within the last 7 days.
    sweep(at(2026, 3, 16, 9))

    escalation = Escalation.objects.get()
    assert escalation.status == Escalation.Status.OPEN


def test_repeated_absence_does_not_resolve_itself_as_the_absences_age(world, absence_chain):
    absent_on(world, date(2026, 3, 11), date(2026, 3, 12), date(2026, 3, 13))
    sweep(at(2026, 3, 13, 15))
    # Step 2 is 960 working minutes later (Tuesday 13:00); the end of the chain 960 after that (Thursday 13:00),
    # when Wednesday the 11th and Thursday the 12th are more than a week ago.
    sweep(at(2026, 3, 17, 13))
    assert Escalation.objects.get().current_step == 2

    result = sweep(at(2026, 3, 19, 13))

    escalation = Escalation.objects.get()
    assert (result.closed, result.exhausted) == (0, 1)
    assert escalation.status == Escalation.Status.EXHAUSTED
    assert "resolved" not in event_kinds(escalation)


def test_explaining_one_of_the_absences_resolves_repeated_absence_at_once(world, absence_chain):
    absent_on(world, date(2026, 3, 11), date(2026, 3, 12), date(2026, 3, 13))
    sweep(at(2026, 3, 13, 15))
    first = ExplanationRequest.objects.get(day=date(2026, 3, 11))

    with travel(at(2026, 3, 16, 9)):
        explanation_give(request_ids=[first.id], reason=Reason.SICK, remark="", actor=world.user("guardian"))

    escalation = Escalation.objects.get()
    assert escalation.status == Escalation.Status.RESOLVED
    assert escalation.closed_by == world.user("guardian")
    sweep(at(2026, 3, 17, 13))
    assert not notifications(step=2)


def test_explaining_one_of_four_absences_leaves_repeated_absence_running(world, absence_chain):
    absent_on(world, date(2026, 3, 10), date(2026, 3, 11), date(2026, 3, 12), date(2026, 3, 13))
    sweep(at(2026, 3, 13, 15))
    first = ExplanationRequest.objects.get(day=date(2026, 3, 10))

    with travel(at(2026, 3, 16, 9)):
        explanation_give(request_ids=[first.id], reason=Reason.SICK, remark="", actor=world.user("guardian"))

    assert Escalation.objects.get().status == Escalation.Status.OPEN


def test_a_housing_kind_chain_with_a_higher_threshold_waits_for_it(world, absence_chain):
    make_chain(
        world.school,
        [([TeamRole.LOCATION_MANAGER], 0, IN_APP)],
        trigger=Trigger.REPEATED_ABSENCE,
        housing_kind="coa_process",
        threshold=4,
    )
    absent_on(world, date(2026, 3, 10), date(2026, 3, 11), date(2026, 3, 12))
    sweep(at(2026, 3, 12, 15))
    assert not Escalation.objects.exists()

    absent_on(world, date(2026, 3, 13))
    sweep(at(2026, 3, 13, 15))

    assert notifications() == [("Manager Mo", "in_app", "escalation", 1, 0)]


# -- explanation, acknowledgement -----------------------------------------------------------------------------


def test_an_explanation_resolves_the_escalation_and_cancels_unsent_mail(world, chain):
    request = request_on(world, TUESDAY)
    sweep(at(2026, 3, 10, 12))
    assert Notification.objects.filter(channel="email", status="pending").count() == 1

    with travel(at(2026, 3, 10, 12, 10)):
        explanation_give(
            request_ids=[request.id], reason=Reason.LEGAL, remark="Bij de IND", actor=world.user("housing_worker")
        )

    escalation = Escalation.objects.get()
    assert escalation.status == Escalation.Status.RESOLVED
    assert escalation.closed_at == at(2026, 3, 10, 12, 10)
    assert escalation.closed_by == world.user("housing_worker")
    assert event_kinds(escalation)[-1] == "resolved"
    assert Notification.objects.get(channel="email").status == Notification.Status.CANCELLED
    sweep(at(2026, 3, 10, 14))
    sweep(at(2026, 3, 11, 14))
    assert len(notifications()) == 2


def test_a_sick_report_covering_the_day_also_resolves_it(world, chain):
    request_on(world, TUESDAY)
    sweep(at(2026, 3, 10, 12))

    with travel(at(2026, 3, 10, 12, 30)):
        sick_report_create(
            student=world.ward,
            first_day=TUESDAY,
            expected_back=None,
            hospital_admission=False,
            remark="",
            actor=world.user("guardian"),
        )

    assert Escalation.objects.get().status == Escalation.Status.RESOLVED


def test_a_request_opened_again_escalates_again_after_its_new_deadline(world, chain):
    """The mentor corrects the absence to present (the escalation is cancelled), then back to absent: the request
    opens again with tomorrow's deadline, and passing that deadline starts a new escalation."""
    request_on(world, TUESDAY)
    sweep(at(2026, 3, 10, 12))
    for moment, status in [(at(2026, 3, 10, 13), "present"), (at(2026, 3, 10, 14), "absent")]:
        with travel(moment):
            attendance_save(
                school_class=world.school_class,
                day=TUESDAY,
                rows={world.ward.id: RowInput(status=status)},
                actor=world.user("mentor"),
            )
    request = ExplanationRequest.objects.get()
    assert (request.status, request.deadline) == ("open", at(2026, 3, 11, 12))
    assert Escalation.objects.get().status == Escalation.Status.CANCELLED

    overdue = Escalation.objects.filter(trigger=Trigger.REQUEST_OVERDUE)
    sweep(at(2026, 3, 11, 11, 59))
    assert overdue.count() == 1
    sweep(at(2026, 3, 11, 12))

    again = overdue.exclude(status=Escalation.Status.CANCELLED).get()
    assert again.explanation_request == request
    assert (again.status, again.current_step) == ("open", 1)
    assert notifications(escalation=again) == [
        (WENDY, "email", "escalation", 1, 0),
        (WENDY, "in_app", "escalation", 1, 0),
    ]
    sweep(at(2026, 3, 11, 12, 1))
    assert overdue.count() == 2


def test_a_request_still_open_after_its_escalation_was_resolved_by_hand_does_not_restart(world, chain):
    request_on(world, TUESDAY)
    sweep(at(2026, 3, 10, 12))
    escalation_resolve(
        escalation=Escalation.objects.get(), actor=world.user("care_coordinator"), now=at(2026, 3, 10, 12, 30)
    )

    sweep(at(2026, 3, 10, 14))
    sweep(at(2026, 3, 11, 14))

    assert Escalation.objects.count() == 1
    assert len(notifications()) == 2


def test_a_request_answered_without_the_service_is_still_noticed_by_the_sweep(world, chain):
    request = request_on(world, TUESDAY)
    sweep(at(2026, 3, 10, 12))
    ExplanationRequest.objects.filter(id=request.id).update(status="answered", closed_at=at(2026, 3, 10, 13))

    result = sweep(at(2026, 3, 10, 14))

    assert result.closed == 1
    assert Escalation.objects.get().status == Escalation.Status.RESOLVED
    assert not notifications(step=2)


def test_acknowledging_pauses_until_the_acknowledgement_timeout(world):
    make_chain(
        world.school,
        [([TeamRole.HOUSING_WORKER], 0, BOTH), ([TeamRole.GUARDIAN], 60, BOTH)],
        acknowledgement_minutes=240,
    )
    request_on(world, TUESDAY)
    sweep(at(2026, 3, 10, 12))
    escalation = Escalation.objects.get()

    escalation_acknowledge(escalation=escalation, actor=world.user("housing_worker"), now=at(2026, 3, 10, 12, 30))

    escalation.refresh_from_db()
    assert escalation.status == Escalation.Status.ACKNOWLEDGED
    assert escalation.acknowledged_by == world.user("housing_worker")
    assert escalation.next_action_at == at(2026, 3, 10, 16, 30)
    assert Notification.objects.get(channel="email").status == Notification.Status.CANCELLED
    sweep(at(2026, 3, 10, 13))
    assert not notifications(step=2)

    sweep(at(2026, 3, 10, 16, 30))

    escalation.refresh_from_db()
    assert escalation.status == Escalation.Status.OPEN
    assert event_kinds(escalation) == ["started", "step_fired", "acknowledged", "ack_expired", "step_fired"]
    assert {name for name, *_rest in notifications(step=2)} == {VERA}


def test_acknowledging_never_makes_the_next_step_come_sooner(world, chain):
    """Step 3 is 480 working minutes after step 2; an acknowledgement of 240 must not pull it forward."""
    request_on(world, TUESDAY)
    sweep(at(2026, 3, 10, 12))
    sweep(at(2026, 3, 10, 14))
    escalation = Escalation.objects.get()
    assert escalation.next_action_at == at(2026, 3, 11, 13)

    escalation_acknowledge(escalation=escalation, actor=world.user("guardian"), now=at(2026, 3, 10, 14, 5))

    escalation.refresh_from_db()
    assert escalation.next_action_at == at(2026, 3, 11, 13)
    sweep(at(2026, 3, 11, 10))
    assert not notifications(step=3)
    sweep(at(2026, 3, 11, 13))
    assert {name for name, *_rest in notifications(step=3)} == {DIRK}


def test_acknowledging_before_the_first_step_logs_the_start_once(world):
    make_chain(world.school, [([TeamRole.HOUSING_WORKER], 60, IN_APP)], acknowledgement_minutes=120)
    request_on(world, TUESDAY)
    sweep(at(2026, 3, 10, 12))
    escalation = Escalation.objects.get()
    escalation_acknowledge(escalation=escalation, actor=world.user("care_coordinator"), now=at(2026, 3, 10, 12, 5))

    sweep(at(2026, 3, 10, 14, 5))

    assert event_kinds(escalation) == ["started", "acknowledged", "ack_expired", "step_fired"]
    assert escalation.events.filter(kind="started").count() == 1


def test_a_second_acknowledgement_is_refused(world, chain):
    request_on(world, TUESDAY)
    sweep(at(2026, 3, 10, 12))
    escalation = Escalation.objects.get()
    escalation_acknowledge(escalation=escalation, actor=world.user("housing_worker"))

    with pytest.raises(ValidationError, match="al opgepakt"):
        escalation_acknowledge(escalation=escalation, actor=world.user("guardian"))


# -- reliability ----------------------------------------------------------------------------------------------


def test_running_the_sweep_twice_at_the_same_instant_notifies_once(world, chain):
    for given_name in ["Samir", "Lina", "Omar"]:
        request_on(world, TUESDAY, student=add_student(world, given_name))
    request_on(world, TUESDAY)

    first = sweep(at(2026, 3, 10, 12))
    second = sweep(at(2026, 3, 10, 12))

    assert (first.started, first.fired) == (4, 4)
    assert (second.started, second.fired) == (0, 0)
    assert Escalation.objects.count() == 4
    assert Notification.objects.count() == 8
    assert EscalationEvent.objects.filter(kind="step_fired").count() == 4
    assert EscalationEvent.objects.filter(kind="started").count() == 4


def test_an_exception_on_one_escalation_does_not_stop_the_others(world, chain, monkeypatch, caplog, client):
    from escalation.triggers import EscalationTrigger

    broken = add_student(world, "Kapot")
    others = [add_student(world, "Samir"), world.ward]
    for student in [broken, *others]:
        request_on(world, TUESDAY, student=student)
    real_recipients = EscalationTrigger.recipients

    def recipients(self, escalation, step, team):
        if team.student.id == broken.id:
            raise RuntimeError("team lookup exploded")
        return real_recipients(self, escalation, step, team)

    monkeypatch.setattr(EscalationTrigger, "recipients", recipients)

    result = sweep(at(2026, 3, 10, 12))

    assert (result.fired, result.failures) == (2, 1)
    for student in others:
        assert Escalation.objects.get(student=student).current_step == 1
    failed = Escalation.objects.get(student=broken)
    assert failed.current_step == 0
    assert failed.failures == 1
    assert failed.last_error == "RuntimeError: team lookup exploded"
    assert failed.next_action_at == at(2026, 3, 10, 13)
    assert list(failed.events.values_list("kind", "detail")) == [("failed", "RuntimeError: team lookup exploded")]
    assert not Notification.objects.filter(escalation=failed).exists()
    assert SweepRun.objects.get().failures == 1
    assert f"Escalation {failed.id} failed" in caplog.text
    with travel(at(2026, 3, 10, 12, 1)):
        client.force_login(world.user("care_coordinator"))
        dashboard = client.get(reverse("escalation:dashboard")).content.decode()
        detail = client.get(reverse("escalation:detail", args=[failed.id])).content.decode()
    assert "0 e-mail(s) konden niet worden verzonden; 1 escalatie(s) gaven een fout" in dashboard
    assert "RuntimeError: team lookup exploded" in detail

    # Fixed an hour later: the retry goes through and the warning clears.
    monkeypatch.setattr(EscalationTrigger, "recipients", real_recipients)
    sweep(at(2026, 3, 10, 12, 30))
    assert Escalation.objects.get(student=broken).current_step == 0
    sweep(at(2026, 3, 10, 13))
    failed.refresh_from_db()
    assert (failed.current_step, failed.failures, failed.last_error) == (1, 0, "")
    assert event_kinds(failed) == ["failed", "started", "step_fired"]


def test_the_auditor_logs_escalations_overdue_by_more_than_two_intervals(world, chain, caplog, settings):
    settings.ESCALATION_SWEEP_SECONDS = 60
    request_on(world, TUESDAY)
    sweep(at(2026, 3, 10, 12))

    # Step 2 was due at 14:00: two intervals late is still in time.
    assert sweep(at(2026, 3, 10, 14, 2)).overdue_before == 0
    assert "overdue" not in caplog.text
    assert Escalation.objects.get().next_action_at == at(2026, 3, 11, 13, 2)

    result = sweep(at(2026, 3, 11, 13, 5))

    assert result.overdue_before == 1
    assert "1 escalations were overdue by more than two intervals" in caplog.text


def test_a_dry_run_changes_nothing(world, chain):
    request_on(world, TUESDAY)

    result = escalation_sweep(now=at(2026, 3, 10, 12), dry_run=True)

    assert (result.started, result.due) == (1, 0)
    assert not Escalation.objects.exists()
    assert not SweepRun.objects.exists()


def test_a_dry_run_counts_only_causes_a_chain_covers(world):
    make_chain(world.school, [([TeamRole.LOCATION_MANAGER], 0, IN_APP)], housing_kind="emergency")
    request_on(world, TUESDAY)

    assert escalation_sweep(now=at(2026, 3, 10, 12), dry_run=True).started == 0
    assert sweep(at(2026, 3, 10, 12)).started == 0


def test_hours_are_counted_from_the_school_policy_and_holidays(world, chain):
    from attendance.models import SchoolHoliday, SchoolPolicy

    SchoolPolicy.objects.create(school=world.school, workday_starts_at=time(9), workday_ends_at=time(15))
    SchoolHoliday.objects.create(
        school=world.school, name="Studiedag", first_day=date(2026, 3, 11), last_day=date(2026, 3, 11)
    )
    request_on(world, TUESDAY)
    sweep(at(2026, 3, 10, 12))
    sweep(at(2026, 3, 10, 14))

    # 480 minutes from Tuesday 14:00: 1 hour on Tuesday, none on the study day, 6 on Thursday, 1 on Friday.
    assert Escalation.objects.get().next_action_at == at(2026, 3, 13, 10)


def test_a_last_step_at_zero_minutes_still_leaves_time_before_repeating_and_exhausting(world):
    make_chain(world.school, [([TeamRole.HOUSING_WORKER], 0, IN_APP)], repeat_last_step=1, acknowledgement_minutes=60)
    request_on(world, TUESDAY)

    sweep(at(2026, 3, 10, 12))
    escalation = Escalation.objects.get()
    assert (escalation.status, escalation.round) == ("open", 0)
    assert escalation.next_action_at == at(2026, 3, 10, 13)

    sweep(at(2026, 3, 10, 13))
    escalation.refresh_from_db()
    assert (escalation.status, escalation.round) == ("open", 1)

    sweep(at(2026, 3, 10, 14))
    escalation.refresh_from_db()
    assert escalation.status == Escalation.Status.EXHAUSTED
    assert [rnd for *_rest, rnd in notifications(kind="escalation")] == [0, 1]


def test_it_counts_a_later_hospital_admission_from_when_it_was_reported(world):
    """Sick on Monday, admitted on Friday: the chain's grace period starts on Friday, not Monday."""
    make_chain(world.school, [(["mentor"], 30, IN_APP)], trigger=Trigger.HOSPITAL_UNSEEN)
    with travel(at(2026, 3, 9, 9, 0)):
        report = sick_report_create(
            student=world.ward,
            first_day=date(2026, 3, 9),
            expected_back=None,
            hospital_admission=False,
            remark="",
            actor=world.user("housing_worker"),
        )
    with travel(at(2026, 3, 13, 10, 0)):
        sick_report_admit_to_hospital(report=report, actor=world.user("housing_worker"))
        sweep(at(2026, 3, 13, 10, 5))
    escalation = Escalation.objects.get(sick_report=report)
    assert escalation.current_step == 0
    assert escalation.next_action_at == at(2026, 3, 13, 10, 30)
