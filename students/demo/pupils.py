"""Pupils of the demo and volume schools: who they are, and the rows that make them and their history."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from random import Random

from ..models import Guardianship, Placement, Student
from .names import FAMILY_NAMES, GIVEN_NAMES, LANGUAGES, NATIONALITY_WEIGHTS


def student_identity(rng: Random, today: date) -> dict:
    """A plausible unaccompanied minor: 12 to 18 years old, in the Netherlands for up to two years."""
    nationality = rng.choices(list(NATIONALITY_WEIGHTS), weights=NATIONALITY_WEIGHTS.values())[0]
    age_days = rng.randint(12 * 365, 18 * 365 - 30)
    arrival = today - timedelta(days=rng.randint(30, 700))
    return {
        "given_name": rng.choice(GIVEN_NAMES[nationality]),
        "family_name": rng.choice(FAMILY_NAMES[nationality]),
        "date_of_birth": today - timedelta(days=age_days),
        "arrival_date": arrival,
        "nationality": nationality,
        "languages": LANGUAGES[nationality],
        "enrolled_on": min(today, arrival + timedelta(days=rng.randint(14, 90))),
    }


@dataclass
class PupilRows:
    """New pupils with their placements and guardianships, inserted in bulk by `save`."""

    students: list[Student] = field(default_factory=list)
    placements: list[Placement] = field(default_factory=list)
    guardianships: list[Guardianship] = field(default_factory=list)

    def save(self, *, batch_size: int) -> int:
        Student.objects.bulk_create(self.students, batch_size=batch_size)
        Placement.objects.bulk_create(self.placements, batch_size=batch_size)
        Guardianship.objects.bulk_create(self.guardianships, batch_size=batch_size)
        return len(self.students)
