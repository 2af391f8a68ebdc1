"""Make is_active and inactive_since agree before 0004 adds the constraint that ties them.

Inactive people without a date get today: the retention period starts now rather than never. Active people
with a date (left over from before the admin form cleared it) lose it.
"""

from django.db import migrations
from django.utils import timezone


def make_inactive_since_agree(apps, schema_editor):
    ContactPerson = apps.get_model("contacts", "ContactPerson")
    ContactPerson.objects.filter(is_active=False, inactive_since__isnull=True).update(
        inactive_since=timezone.localdate()
    )
    ContactPerson.objects.filter(is_active=True, inactive_since__isnull=False).update(inactive_since=None)


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0002_contact_inactive_since"),
    ]

    operations = [
        migrations.RunPython(make_inactive_since_agree, migrations.RunPython.noop),
    ]
