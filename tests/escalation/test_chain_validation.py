"""Chain steps hold known roles and channels only; a step already stored with an unknown role is skipped visibly."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from escalation.forms import StepForm
from escalation.models import EscalationChain, EscalationEvent, EscalationStep, Notification, Trigger
from escalation.services import chain_save_steps
from students.team import TeamRole

from .conftest import BOTH, IN_APP, at, event_kinds, make_chain, request_on, sweep, travel

pytestmark = pytest.mark.django_db

TUESDAY = date(2026, 3, 10)


@pytest.mark.parametrize(
    ("roles", "channels", "message"),
    [
        (["mentr"], BOTH, 'Onbekende rol in een stap: "mentr".'),
        ([TeamRole.MENTOR], ["sms"], 'Onbekend kanaal in een stap: "sms".'),
        ([], BOTH, ""),  # the model's blank check
        ("mentor", BOTH, "Geef een lijst van namen"),
    ],
)
def test_a_step_with_an_unknown_role_or_channel_is_invalid(world, roles, channels, message):
    chain = EscalationChain.objects.create(school=world.school, trigger=Trigger.REQUEST_OVERDUE)
    step = EscalationStep(chain=chain, position=1, roles=roles, after_minutes=0, channels=channels)

    with pytest.raises(ValidationError) as error:
        step.full_clean()

    field = "channels" if channels != BOTH else "roles"
    assert message in " ".join(error.value.message_dict[field])


def test_chain_save_steps_refuses_an_unknown_role_and_keeps_the_steps(world):
    chain = make_chain(world.school, [([TeamRole.MENTOR], 0, BOTH)])

    with pytest.raises(ValidationError, match="Onbekende rol in een stap"):
        chain_save_steps(chain=chain, steps=[{"roles": ["mentr"], "after_minutes": 0, "channels": BOTH}])

    assert list(chain.steps.values_list("roles", flat=True)) == [[TeamRole.MENTOR]]


def test_the_step_form_refuses_an_unknown_role():
    form = StepForm(data={"roles": ["mentr"], "after_minutes": 0, "channels": ["email"]})

    assert not form.is_valid()
    assert "roles" in form.errors


def test_the_admin_refuses_an_unknown_role_in_a_step(world, client):
    client.force_login(world.user("admin"))
    data = {
        "school": world.school.id,
        "trigger": Trigger.REQUEST_OVERDUE,
        "housing_kind": "",
        "repeat_last_step": 0,
        "acknowledgement_minutes": 240,
        "threshold": 3,
        "is_active": "on",
        "steps-TOTAL_FORMS": 1,
        "steps-INITIAL_FORMS": 0,
        "steps-MIN_NUM_FORMS": 0,
        "steps-MAX_NUM_FORMS": 1000,
        "steps-0-position": 1,
        "steps-0-roles": '["mentr"]',
        "steps-0-after_minutes": 0,
        "steps-0-channels": '["email"]',
    }

    response = client.post(reverse("admin:escalation_escalationchain_add"), data)

    assert response.status_code == 200
    assert "Onbekende rol in een stap" in response.content.decode()
    assert not EscalationChain.objects.exists()


def test_a_stored_unknown_role_is_skipped_told_and_the_chain_moves_on(world):
    """A chain saved before roles were validated: its escalations must not fail every hour."""
    make_chain(world.school, [(["mentr"], 0, BOTH), ([TeamRole.GUARDIAN], 0, BOTH)])
    request_on(world, TUESDAY)

    result = sweep(at(2026, 3, 10, 12))

    assert result.failures == 0
    escalation = world.ward.escalations.get()
    assert (escalation.current_step, escalation.failures) == (2, 0)
    skipped = escalation.events.get(kind=EscalationEvent.Kind.STEP_SKIPPED)
    assert (skipped.step, skipped.detail) == (1, "mentr")
    assert event_kinds(escalation) == ["started", "step_skipped", "no_recipients", "step_fired"]
    coordinator = world.user("care_coordinator").person
    alert = Notification.objects.get(kind=Notification.Kind.STEP_SKIPPED)
    assert (alert.recipient, alert.channel, alert.step) == (coordinator, Notification.Channel.IN_APP, 1)
    with travel(at(2026, 3, 10, 12)):
        assert str(alert.text) == (
            f"Een stap van de escalatie over {world.ward.full_name} is overgeslagen: controleer de keten."
        )
        assert alert.url == reverse("escalation:detail", args=[escalation.id])
    assert Notification.objects.filter(kind=Notification.Kind.ESCALATION, recipient=world.user("guardian").person)


def test_a_step_with_a_known_and_an_unknown_role_notifies_the_known_one(world):
    make_chain(world.school, [(["mentr", TeamRole.HOUSING_WORKER], 0, IN_APP)])
    request_on(world, TUESDAY)

    sweep(at(2026, 3, 10, 12))

    escalation = world.ward.escalations.get()
    assert event_kinds(escalation) == ["started", "step_skipped", "step_fired"]
    assert Notification.objects.filter(
        kind=Notification.Kind.ESCALATION, recipient=world.user("housing_worker").person
    ).exists()
