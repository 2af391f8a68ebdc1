"""The escalation app's models: what a school configures (chains), what climbs (escalations), what is sent."""

from .chains import (
    Channel,
    EscalationChain,
    EscalationStep,
    StepRole,
    Trigger,
    roles_label,
    validate_step_channels,
    validate_step_roles,
)
from .escalations import Escalation, EscalationEvent, SweepRun
from .notifications import Notification

__all__ = [
    "Channel",
    "Escalation",
    "EscalationChain",
    "EscalationEvent",
    "EscalationStep",
    "Notification",
    "StepRole",
    "SweepRun",
    "Trigger",
    "roles_label",
    "validate_step_channels",
    "validate_step_roles",
]
