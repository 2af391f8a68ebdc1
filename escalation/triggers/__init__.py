"""The escalation triggers: what starts an escalation, whom its steps mean, what it says and what settles it.

One module per trigger, each a subclass of `EscalationTrigger` (base.py) with the same small interface:

- `code`: its member of `escalation.models.Trigger` (the value chains and escalations store; the label is the
  member's label);
- `causes(now, book)`: the causes that should be escalating as of `now` and are not yet, for the schools that have
  an active chain for it (`book`, a `ChainBook`), each with a unique `key`;
- `chain_covers(cause, chain)`: whether the chain found for a cause takes it on (default: yes);
- `snapshot_for(cause, book, housing_kind)`: the chain copy a new escalation follows (default: the school's chain
  for the trigger, if it covers the cause; `request_due_soon` has a built-in one);
- `recipients(escalation, step, team)`: whom a step's roles mean for this cause (default: those roles in the
  pupil's team of today, `StudentTeam.contacts`);
- `notification_text(notification, student_name)`: what the bell and the e-mail subject say;
- `still_needed(escalation)`: whether the cause is still there, asked before every step (False resolves it);
- `related`: the escalation's relations those two read, loaded with the sweep's batch.

The sweep (`escalation.sweep`) asks every trigger in `TRIGGERS` for causes and `trigger_for(escalation.trigger)`
for the rest; `Notification.text` asks it for the words.

To add a trigger:

1. Add its member to `escalation.models.Trigger` (value at most 20 characters, label in Dutch through gettext)
   and run `DEBUG=1 python manage.py makemigrations escalation` (the choices of `EscalationChain.trigger` and
   `Escalation.trigger` change; no data changes).
2. Write `escalation/triggers/<code>.py` with a subclass of `EscalationTrigger`: set `code`, implement `causes`,
   `notification_text` and `still_needed`; override `chain_covers`, `recipients` or `related` if the defaults do
   not fit. A cause's `key` must be unique across triggers and fit `Escalation.trigger_key` (60 characters):
   start it with the trigger's own prefix. Keep `causes` to a fixed number of queries.
3. Register an instance in `TRIGGERS` below. Start-up fails (ImproperlyConfigured) while a `Trigger` member has
   no registered trigger or a registered trigger has no member.
4. If an event elsewhere settles the cause at once (as an explanation settles an overdue request), close its
   escalations in a receiver (`escalation/receivers.py`) with `services.escalations_close`; otherwise the sweep
   resolves them at the next step through `still_needed`.
5. Translate its texts (`make messages`, then `locale/en/LC_MESSAGES/django.po`), write tests in
   `tests/escalation/` (starting, settling, the text), and give the schools a chain for it (the chain page, or
   `escalation/demo.py` for the demo school).
"""

from django.core.exceptions import ImproperlyConfigured

from ..models import Trigger
from .base import Cause, ChainBook, EscalationTrigger
from .hospital_unseen import HospitalUnseen
from .repeated_absence import RepeatedAbsence
from .request_due_soon import RequestDueSoon
from .request_overdue import RequestOverdue

TRIGGERS: tuple[EscalationTrigger, ...] = (RequestOverdue(), HospitalUnseen(), RepeatedAbsence(), RequestDueSoon())

_BY_CODE = {trigger.code: trigger for trigger in TRIGGERS}

if len(_BY_CODE) != len(TRIGGERS) or set(_BY_CODE) != set(Trigger.values):
    raise ImproperlyConfigured(
        f"Escalation triggers {sorted(_BY_CODE)} (registered {len(TRIGGERS)}) do not match "
        f"escalation.models.Trigger {sorted(Trigger.values)}: register exactly one per member."
    )


def trigger_for(code: str) -> EscalationTrigger:
    return _BY_CODE[code]


DASHBOARD_TRIGGERS = tuple(trigger.code for trigger in TRIGGERS if trigger.on_dashboard)


__all__ = ["TRIGGERS", "Cause", "ChainBook", "EscalationTrigger", "trigger_for"]
