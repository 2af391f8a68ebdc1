"""The trigger registry and the chain snapshot: one trigger per stored code, role values from the team's list,
and a snapshot that reads what earlier versions stored."""

from datetime import date

import pytest

from escalation.models import Escalation, StepRole, Trigger
from escalation.snapshots import ChainSnapshot, StepSnapshot
from escalation.triggers import TRIGGERS, EscalationTrigger, trigger_for
from students.team import TeamRole

from .conftest import BOTH, IN_APP, STANDARD_STEPS, at, make_chain, request_on, sweep

TUESDAY = date(2026, 3, 10)


def test_every_stored_trigger_has_exactly_one_registered_trigger_with_its_label():
    assert [trigger.code for trigger in TRIGGERS] == Trigger.values
    for trigger in TRIGGERS:
        assert isinstance(trigger, EscalationTrigger)
        assert trigger_for(trigger.code) is trigger
        assert trigger.label == Trigger(trigger.code).label


def test_step_roles_are_team_roles_with_their_labels_but_for_how_the_housing_worker_is_read():
    assert set(StepRole.values) <= set(TeamRole.values)
    for role in StepRole:
        if role != TeamRole.HOUSING_WORKER:
            assert str(role.label) == str(TeamRole(role).label)
    assert str(StepRole.HOUSING_WORKER.label) == "Woonbegeleider (persoonlijk, anders de locatie)"


@pytest.mark.django_db
def test_the_snapshot_is_stored_in_the_shape_it_always_had(world):
    chain = make_chain(world.school, STANDARD_STEPS, repeat_last_step=2, acknowledgement_minutes=120, threshold=4)

    snapshot = chain.snapshot()

    assert snapshot == ChainSnapshot(
        chain_id=chain.id,
        repeat_last_step=2,
        threshold=4,
        acknowledgement_minutes=120,
        steps=(
            StepSnapshot(roles=("housing_worker",), after_minutes=0, channels=tuple(BOTH)),
            StepSnapshot(roles=("guardian",), after_minutes=120, channels=tuple(BOTH)),
            StepSnapshot(roles=("school_management",), after_minutes=480, channels=tuple(BOTH)),
        ),
    )
    assert snapshot.to_json() == {
        "chain_id": chain.id,
        "repeat_last_step": 2,
        "threshold": 4,
        "acknowledgement_minutes": 120,
        "steps": [
            {"roles": ["housing_worker"], "after_minutes": 0, "channels": BOTH},
            {"roles": ["guardian"], "after_minutes": 120, "channels": BOTH},
            {"roles": ["school_management"], "after_minutes": 480, "channels": BOTH},
        ],
    }
    assert ChainSnapshot.from_json(snapshot.to_json()) == snapshot


@pytest.mark.django_db
def test_an_escalation_reads_its_stored_chain_as_a_snapshot(world):
    chain = make_chain(world.school, [([TeamRole.MENTOR], 30, IN_APP)])
    request_on(world, TUESDAY)
    sweep(at(2026, 3, 10, 13))

    escalation = Escalation.objects.get()

    assert escalation.snapshot == chain.snapshot()
    assert escalation.snapshot.step(1).roles == ("mentor",)
    assert escalation.step_roles_label == "Mentor"


def test_a_stored_chain_without_the_later_settings_still_loads():
    stored = {"steps": [{"roles": ["guardian"], "after_minutes": 0, "channels": ["email"]}]}

    snapshot = ChainSnapshot.from_json(stored)

    assert (snapshot.chain_id, snapshot.repeat_last_step, snapshot.threshold) == (None, 0, 3)
    assert snapshot.acknowledgement_minutes == 240
    assert snapshot.steps == (StepSnapshot(roles=("guardian",), after_minutes=0, channels=("email",)),)


@pytest.mark.django_db
def test_a_snapshot_can_be_assigned_to_an_escalation_as_it_is(world):
    chain = make_chain(world.school, STANDARD_STEPS)
    request = request_on(world, TUESDAY)

    escalation = Escalation.objects.create(
        trigger=Trigger.REQUEST_OVERDUE,
        trigger_key=f"request:{request.id}",
        student=world.ward,
        school=world.school,
        explanation_request=request,
        chain=chain.snapshot(),
        next_action_at=at(2026, 3, 10, 12),
        started_at=at(2026, 3, 10, 12),
    )

    assert escalation.snapshot == chain.snapshot()
    escalation.refresh_from_db()
    assert escalation.chain == chain.snapshot().to_json()
