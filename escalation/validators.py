"""What a chain step may hold: known team roles and channels only. A misspelt role ("mentr") stored in a step would
make every escalation that reaches it fail; `escalation.models` builds a validator for each (run wherever a step is
written: the model, so the admin; `services.chain_save_steps`, so the chain page)."""

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _


@deconstructible
class ChoiceListValidator:
    """A JSON list of at least one of `allowed`. Its error codes are its own: a field's (invalid, required,
    invalid_choice) would be replaced by the field's generic messages."""

    def __init__(self, allowed, *, empty, unknown):
        self.allowed, self.empty, self.unknown = list(allowed), empty, unknown

    def __call__(self, value):
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise ValidationError(_('Geef een lijst van namen, bijvoorbeeld ["mentor"].'), code="not_a_list")
        if not value:
            raise ValidationError(self.empty, code="empty_list")
        wrong = [item for item in value if item not in self.allowed]
        if wrong:
            raise ValidationError(
                self.unknown,
                code="unknown_choice",
                params={"unknown": ", ".join(f'"{item}"' for item in wrong), "allowed": ", ".join(self.allowed)},
            )

    def __eq__(self, other):
        return isinstance(other, ChoiceListValidator) and (self.allowed, self.empty, self.unknown) == (
            other.allowed,
            other.empty,
            other.unknown,
        )
