"""DemoBuilder: finds or creates organisations, locations, people and logins by natural key, with seeded random."""

import itertools
import random
from datetime import date, timedelta
from functools import cached_property

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from contacts.models import ContactPerson, Location, Organisation

from . import town, volume
from .names import DEMO_PASSWORD, STAFF_NAMES

EMAIL_DOMAINS = {
    Organisation.Kind.SCHOOL: "isk-debrug.nl",
    Organisation.Kind.COA: "coa.nl",
    Organisation.Kind.NIDOS: "nidos.nl",
    Organisation.Kind.MUNICIPALITY: "amersfoort.nl",
}


class DemoBuilder:
    def __init__(self, *, today: date | None = None, seed: int = 2024):
        self.today = today or timezone.localdate()
        self.random = random.Random(seed)
        self.staff_names = itertools.cycle(STAFF_NAMES)
        self.created = {"students": 0, "people": 0}

    @cached_property
    def password_hash(self):
        return make_password(DEMO_PASSWORD)

    @transaction.atomic
    def build_demo(self, *, students: int = 200):
        """The demo town (ISK De Brug and its partners) with `students` pupils."""
        town.build_town(self, students=students)
        return self.created

    def build_volume(self, *, schools: int, students: int, progress=None):
        """`schools` ISKs sharing `students` pupils, each with its own housing locations, guardians and staff.

        Bulk inserts throughout; a school that already exists is skipped, so reruns only add what is missing.
        """
        per_school = max(1, students // schools)
        nidos = self.organisation("Nidos volumeregio", Organisation.Kind.NIDOS)
        coa = self.organisation("COA", Organisation.Kind.COA)
        for number in range(1, schools + 1):
            name = f"ISK Volume {number:03d}"
            if Organisation.objects.filter(name=name).exists():
                continue
            with transaction.atomic():
                volume.build_volume_school(self, name, number, per_school, coa=coa, nidos=nidos)
            if progress:
                progress(number, schools)
        return self.created

    # -- finding or creating by natural key --------------------------------------------------------------------
    def organisation(self, name, kind, **extra):
        organisation, _ = Organisation.objects.get_or_create(name=name, defaults={"kind": kind, **extra})
        return organisation

    def location(self, organisation, name, kind, **extra):
        location, _ = Location.objects.get_or_create(
            organisation=organisation, name=name, defaults={"kind": kind, **extra}
        )
        return location

    def person(self, name, organisation, role, *, locations=(), function="", reachable_when="", verified_days=10):
        person, created = ContactPerson.objects.get_or_create(
            name=name,
            organisation=organisation,
            defaults={
                "role": role,
                "function": function,
                "phone": self.phone(),
                "email": self._email(name, organisation),
                "reachable_when": reachable_when,
                "verified_on": self.today - timedelta(days=verified_days) if verified_days is not None else None,
            },
        )
        if created:
            self.created["people"] += 1
            person.locations.set(locations)
        return person

    def login(self, username, person, *, staff=False):
        users = get_user_model().objects
        user = users.filter(username=username).first()
        if user is None:
            # One hash for every demo login: hashing is deliberately slow and these share a password anyway.
            user = users.create(username=username, password=self.password_hash, person=person)
        if staff and not (user.is_staff and user.is_superuser):
            user.is_staff = user.is_superuser = True
            user.save(update_fields=["is_staff", "is_superuser"])
        return user

    def phone(self):
        return f"06-{self.random.randint(10000000, 99999999)}"

    def _email(self, name, organisation):
        local = name.lower().replace(" ", ".").replace("'", "")
        return f"{local}@{EMAIL_DOMAINS.get(organisation.kind, 'example.nl')}"
