"""The chain as it was when an escalation started: an escalation follows this copy even if the chain is edited later.

Stored in `Escalation.chain` as JSON (the shape below has not changed since the first escalation); read back
through `Escalation.snapshot`.
"""

from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder

# What an escalation assumes when its stored copy lacks a setting (rows written by hand or by an old version).
DEFAULT_REPEAT_LAST_STEP = 0
DEFAULT_THRESHOLD = 3
DEFAULT_ACKNOWLEDGEMENT_MINUTES = 240


@dataclass(frozen=True)
class StepSnapshot:
    """One step: whom (team role values, see `escalation.models.StepRole`), how long after the previous step
    (working minutes; step 1: after the cause), and over which channels."""

    roles: tuple[str, ...]
    after_minutes: int
    channels: tuple[str, ...]

    def to_json(self) -> dict:
        return {"roles": list(self.roles), "after_minutes": self.after_minutes, "channels": list(self.channels)}

    @classmethod
    def from_json(cls, data: dict) -> "StepSnapshot":
        return cls(roles=tuple(data["roles"]), after_minutes=data["after_minutes"], channels=tuple(data["channels"]))


@dataclass(frozen=True)
class ChainSnapshot:
    chain_id: int | None
    repeat_last_step: int
    threshold: int
    acknowledgement_minutes: int
    steps: tuple[StepSnapshot, ...]

    def to_json(self) -> dict:
        return {
            "chain_id": self.chain_id,
            "repeat_last_step": self.repeat_last_step,
            "threshold": self.threshold,
            "acknowledgement_minutes": self.acknowledgement_minutes,
            "steps": [step.to_json() for step in self.steps],
        }

    @classmethod
    def from_json(cls, data: dict) -> "ChainSnapshot":
        return cls(
            chain_id=data.get("chain_id"),
            repeat_last_step=data.get("repeat_last_step", DEFAULT_REPEAT_LAST_STEP),
            threshold=data.get("threshold", DEFAULT_THRESHOLD),
            acknowledgement_minutes=data.get("acknowledgement_minutes", DEFAULT_ACKNOWLEDGEMENT_MINUTES),
            steps=tuple(StepSnapshot.from_json(step) for step in data["steps"]),
        )

    def step(self, number: int) -> StepSnapshot:
        """Step `number`, counted from 1 as `Escalation.current_step` counts."""
        return self.steps[number - 1]


class SnapshotEncoder(DjangoJSONEncoder):
    """Lets a `ChainSnapshot` be assigned to `Escalation.chain` as it is: it is stored as its JSON."""

    def default(self, o):
        if isinstance(o, ChainSnapshot):
            return o.to_json()
        return super().default(o)
