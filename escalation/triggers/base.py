"""The small interface every escalation trigger implements, and what the sweep hands it."""

from dataclasses import dataclass
from datetime import datetime

from attendance.models import ExplanationRequest, SickReport
from contacts.models import ContactPerson, Location
from students.models import Student
from students.team import Addressees, StudentTeam

from ..models import Escalation, EscalationChain, Notification, Trigger
from ..snapshots import ChainSnapshot, StepSnapshot


class ChainBook:
    """Active chains by (school, trigger, housing kind), loaded once per sweep."""

    def __init__(self):
        self.chains = {}
        for chain in EscalationChain.objects.filter(is_active=True).prefetch_related("steps"):
            if chain.steps.all():
                self.chains[(chain.school_id, chain.trigger, chain.housing_kind)] = chain

    def find(self, school_id, trigger, housing_kind) -> EscalationChain | None:
        return self.chains.get((school_id, trigger, housing_kind or "")) or self.chains.get((school_id, trigger, ""))

    def chains_of(self, trigger) -> list[EscalationChain]:
        return [chain for (_school, chain_trigger, _kind), chain in self.chains.items() if chain_trigger == trigger]

    def schools(self, trigger) -> set[int]:
        return {chain.school_id for chain in self.chains_of(trigger)}


@dataclass
class Cause:
    """Something that should be escalating and is not yet. `key` is unique per cause (`Escalation.trigger_key`):
    whichever sweep gets there first starts the one escalation for it."""

    trigger: "EscalationTrigger"
    key: str
    student: Student
    school_class_id: int | None
    since: datetime  # the chain's clock starts here: step 1 fires its `after_minutes` later
    location: Location | None = None  # None: where the pupil lives now
    request: ExplanationRequest | None = None
    sick_report: SickReport | None = None
    absences: int = 0


class EscalationTrigger:
    """One reason to escalate: a subclass per trigger, one module each, registered in `escalation.triggers`."""

    code: Trigger  # stored in chains and escalations
    # What `still_needed` and `notification_text` read of an escalation, loaded with the sweep's batch.
    related: tuple[str, ...] = ()
    # Whether its escalations ask the care coordinator's attention (the dashboard lists and counts them).
    on_dashboard: bool = True

    @property
    def label(self):
        return Trigger(self.code).label

    def causes(self, now: datetime, book: ChainBook) -> list[Cause]:
        """What should be escalating as of `now` and has no escalation yet, for the schools with a chain for it."""
        raise NotImplementedError

    def chain_covers(self, cause: Cause, chain: EscalationChain) -> bool:
        """Does the chain found for the cause (by school and housing kind) take it on?"""
        return True

    def snapshot_for(self, cause: Cause, book: ChainBook, housing_kind: str) -> ChainSnapshot | None:
        """The chain copy a new escalation of `cause` follows: the school's chain for this trigger (and the
        pupil's housing kind) if it covers the cause, else None (no escalation)."""
        chain = book.find(cause.student.school_id, self.code, housing_kind)
        if chain is None or not self.chain_covers(cause, chain):
            return None
        return chain.snapshot()

    def addressees(self, escalation: Escalation) -> Addressees | None:
        """Whom the cause was addressed to, if not the pupil's team of today: the sweep loads the team of these
        addressees with its batch (`students.team.addressed_teams`) and hands it to `recipients`."""
        return None

    def recipients(self, escalation: Escalation, step: StepSnapshot, team: StudentTeam) -> list[ContactPerson]:
        """Whom a firing step notifies: the people of its roles in `team` (the team of the `addressees`, else the
        pupil's team of today), each once; a manager role means each addressee's own manager, never all of them."""
        people = [person for role in step.roles for person in team.contacts(role)]
        return list({person.id: person for person in people}.values())

    def notification_text(self, notification: Notification, student_name: str) -> str:
        """What the bell and the e-mail subject say: who, and that something awaits; never why."""
        raise NotImplementedError

    def still_needed(self, escalation: Escalation) -> bool:
        """Is the cause still there? Asked before each step fires; False resolves the escalation."""
        raise NotImplementedError
