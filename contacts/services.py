"""Writes about contact persons. Each function is one business operation, atomic, validated before it writes."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .models import ContactPerson, User


@transaction.atomic
def contact_deactivate(*, person: ContactPerson, on: date | None = None, actor=None) -> ContactPerson:
    """The person no longer works with our pupils (left the job, another caseload) from `on` (default today).

    Their login is switched off with them: an inactive contact must not keep reading children's data, and open
    sessions end at the next request. Retention anonymises them once `inactive_since` is long enough ago.
    """
    on = on or timezone.localdate()
    stored = ContactPerson.objects.select_for_update(no_key=True).get(id=person.id)
    if not stored.is_active:
        raise ValidationError(
            _("Deze contactpersoon is al niet meer actief (sinds %(date)s). Er is niets gewijzigd.")
            % {"date": date_format(stored.inactive_since)}
        )
    if on > timezone.localdate():
        raise ValidationError(
            {"inactive_since": _("De datum 'niet meer actief sinds' kan niet in de toekomst liggen.")}
        )
    _set_active(stored, False, inactive_since=on)
    person.is_active, person.inactive_since = stored.is_active, stored.inactive_since
    return stored


@transaction.atomic
def contact_reactivate(*, person: ContactPerson, actor=None) -> ContactPerson:
    """The person works with our pupils again; the login that deactivation switched off works again too."""
    stored = ContactPerson.objects.select_for_update(no_key=True).get(id=person.id)
    if stored.is_active:
        raise ValidationError(_("Deze contactpersoon is al actief. Er is niets gewijzigd."))
    _set_active(stored, True, inactive_since=None)
    person.is_active, person.inactive_since = stored.is_active, stored.inactive_since
    return stored


def _set_active(person: ContactPerson, active: bool, *, inactive_since: date | None):
    person.is_active, person.inactive_since = active, inactive_since
    person.full_clean()
    person.save(update_fields=["is_active", "inactive_since"])
    User.objects.filter(person=person).update(is_active=active)
