"""Volume schools for benchmarks: each ISK with its own sites, housing, staff, classes and pupils, in bulk."""

from dataclasses import dataclass, field
from datetime import timedelta

from contacts.models import ContactPerson, Location, Organisation, Role

from ..models import Guardianship, Placement, SchoolClass, Student
from .pupils import PupilRows, student_identity


@dataclass
class VolumeStaff:
    """The people of one volume school, numbered in the order they are made, saved in one bulk insert."""

    builder: object
    school_name: str
    number: int
    people: list = field(default_factory=list)

    def add(self, organisation, role, function):
        position = len(self.people) + 1
        person = ContactPerson(
            name=f"{next(self.builder.staff_names)} ({self.school_name} {position})",
            organisation=organisation,
            role=role,
            function=function,
            phone=self.builder.phone(),
            email=f"staff{self.number:03d}.{position}@example.nl",
            verified_on=self.builder.today - timedelta(days=20),
        )
        self.people.append(person)
        return person


def build_volume_school(builder, name, number, count, *, coa, nidos):
    municipality = builder.organisation(f"Gemeente Volume {(number - 1) // 10 + 1:02d}", Organisation.Kind.MUNICIPALITY)
    school = Organisation.objects.create(name=name, kind=Organisation.Kind.SCHOOL)
    sites = Location.objects.bulk_create(
        [
            Location(organisation=school, name=f"{name} – locatie {site}", kind=Location.Kind.SCHOOL_SITE)
            for site in ("A", "B")
        ]
    )
    housing_count = max(1, count // 60)
    housing = Location.objects.bulk_create(
        [
            Location(
                organisation=coa,
                name=f"COA {name} woonlocatie {index + 1}",
                kind=builder.random.choice(
                    [Location.Kind.COA_PROCESS, Location.Kind.SMALL_SCALE, Location.Kind.EMERGENCY]
                ),
                municipality=municipality,
            )
            for index in range(housing_count)
        ]
    )
    class_count = max(1, count // 30)
    staff = VolumeStaff(builder=builder, school_name=name, number=number)
    mentors = [staff.add(school, Role.MENTOR, "Mentor") for _ in range(class_count)]
    staff.add(school, Role.CARE_COORDINATOR, "Zorgcoördinator")
    staff.add(school, Role.SCHOOL_MANAGEMENT, "Teamleider")
    workers = {
        location.id: [staff.add(coa, Role.HOUSING_WORKER, "COA-mentor") for _ in range(3)] for location in housing
    }
    managers = {location.id: staff.add(coa, Role.LOCATION_MANAGER, "Locatiemanager") for location in housing}
    # One shared Nidos region with a team manager per school: each guardian has their own, none is broadcast to.
    team_manager = staff.add(nidos, Role.GUARDIAN_TEAM_MANAGER, "Teammanager")
    guardians = [staff.add(nidos, Role.GUARDIAN, "Voogd") for _ in range(max(1, count // 15))]
    staff.add(municipality, Role.ATTENDANCE_OFFICER, "Leerplichtambtenaar")
    _save_staff(staff.people, housing, workers, managers)
    _set_managers(team_manager, guardians, workers, managers)
    classes = _classes(builder, sites, mentors)
    rows = _pupils(builder, school, number, count, classes=classes, housing=housing, workers=workers)
    rows.guardianships = [
        Guardianship(student=student, guardian=guardians[index % len(guardians)], started_on=student.arrival_date)
        for index, student in enumerate(rows.students)
    ]
    builder.created["students"] += rows.save(batch_size=2000)
    builder.created["people"] += len(staff.people)


def _save_staff(people, housing, workers, managers):
    ContactPerson.objects.bulk_create(people, batch_size=1000)
    links = ContactPerson.locations.through
    links.objects.bulk_create(
        [links(contactperson=person, location=location) for location in housing for person in workers[location.id]]
        + [links(contactperson=managers[location.id], location=location) for location in housing]
    )


def _set_managers(team_manager, guardians, workers, managers):
    """After the insert (a bulk insert cannot point at rows it is still inserting): own managers, in one update."""
    for guardian in guardians:
        guardian.manager = team_manager
    for location_id, location_workers in workers.items():
        for worker in location_workers:
            worker.manager = managers[location_id]
    people = [*guardians, *(worker for location_workers in workers.values() for worker in location_workers)]
    ContactPerson.objects.bulk_update(people, ["manager"], batch_size=1000)


def _classes(builder, sites, mentors):
    classes = SchoolClass.objects.bulk_create(
        [
            SchoolClass(
                location=sites[index % 2],
                name=f"K{index + 1:02d}",
                kind=builder.random.choice(list(SchoolClass.Kind.values)),
                day_starts_at=builder.random.choice(["08:30", "09:15"]),
            )
            for index in range(len(mentors))
        ]
    )
    SchoolClass.mentors.through.objects.bulk_create(
        [
            SchoolClass.mentors.through(schoolclass=school_class, contactperson=mentor)
            for school_class, mentor in zip(classes, mentors, strict=True)
        ]
    )
    return classes


def _pupils(builder, school, number, count, *, classes, housing, workers):
    rows = PupilRows()
    for index in range(count):
        student = Student(
            school=school,
            school_class=classes[index % len(classes)],
            student_number=f"{number:03d}{index + 1:05d}",
            **student_identity(builder.random, builder.today),
        )
        rows.students.append(student)
        location = housing[index % len(housing)]
        rows.placements.append(
            Placement(
                student=student,
                location=location,
                started_on=student.enrolled_on,
                personal_worker=builder.random.choice(workers[location.id]),
            )
        )
    return rows
