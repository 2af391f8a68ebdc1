"""Escalation chains for the demo school: the route upwards the workshop report asked for."""

from contacts.models import Location

from .models import Channel, EscalationChain, EscalationStep, StepRole, Trigger

BOTH = [Channel.IN_APP, Channel.EMAIL]

DEMO_CHAINS = [
    # Unanswered absence: housing first, then its manager and the guardian, then school care, then management.
    (
        Trigger.REQUEST_OVERDUE,
        "",
        {"repeat_last_step": 1, "acknowledgement_minutes": 240},
        [
            ([StepRole.HOUSING_WORKER], 0, BOTH),
            ([StepRole.LOCATION_MANAGER, StepRole.GUARDIAN], 120, BOTH),
            ([StepRole.CARE_COORDINATOR], 240, [Channel.IN_APP]),
            ([StepRole.SCHOOL_MANAGEMENT, StepRole.GUARDIAN_TEAM_MANAGER], 480, BOTH),
        ],
    ),
    # Emergency locations have no steady staff: go to the manager and guardian sooner.
    (
        Trigger.REQUEST_OVERDUE,
        Location.Kind.EMERGENCY,
        {"repeat_last_step": 1, "acknowledgement_minutes": 120},
        [
            ([StepRole.HOUSING_WORKER, StepRole.LOCATION_MANAGER], 0, BOTH),
            ([StepRole.GUARDIAN, StepRole.CARE_COORDINATOR], 60, BOTH),
            ([StepRole.SCHOOL_MANAGEMENT, StepRole.GUARDIAN_TEAM_MANAGER], 240, BOTH),
        ],
    ),
    (
        Trigger.HOSPITAL_UNSEEN,
        "",
        {"repeat_last_step": 0, "acknowledgement_minutes": 60},
        [
            ([StepRole.MENTOR, StepRole.CARE_COORDINATOR], 30, BOTH),
            ([StepRole.SCHOOL_MANAGEMENT], 60, BOTH),
        ],
    ),
    (
        Trigger.REPEATED_ABSENCE,
        "",
        {"repeat_last_step": 0, "acknowledgement_minutes": 480, "threshold": 3},
        [
            ([StepRole.CARE_COORDINATOR, StepRole.GUARDIAN], 0, BOTH),
            ([StepRole.GUARDIAN_TEAM_MANAGER], 960, BOTH),
        ],
    ),
]


def build_demo_chains(*, school_id: int) -> int:
    """Create the demo chains that do not exist yet; returns how many were created."""
    created = 0
    for trigger, housing_kind, options, steps in DEMO_CHAINS:
        chain, is_new = EscalationChain.objects.get_or_create(
            school_id=school_id, trigger=trigger, housing_kind=housing_kind, defaults=options
        )
        if is_new:
            EscalationStep.objects.bulk_create(
                EscalationStep(chain=chain, position=position, roles=roles, after_minutes=after, channels=channels)
                for position, (roles, after, channels) in enumerate(steps, start=1)
            )
            created += 1
    return created
