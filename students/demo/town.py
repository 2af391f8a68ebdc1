"""The demo town: ISK De Brug in Amersfoort, its COA and Nidos partners, the municipality, staff and pupils.

Declared as tables; `build_town` walks them in a fixed order, because the seeded random numbers (phone numbers,
pupils) are drawn in that order and the demo must come out the same every time.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.utils.text import slugify

from contacts.models import ContactPerson, Location, Organisation, Role

from ..models import Guardianship, Placement, SchoolClass, Student
from .names import DEMO_LOGINS, DEMO_SCHOOL
from .pupils import PupilRows, student_identity

CITY = "Amersfoort"
PROCESS = "COA Amersfoort Wiekenweg"
KWV = "COA kwv De Hoef"
HOTEL = "Noodopvang Hotel Eemzicht"
ZONNEHOF = "Nidos woongroep Zonnehof"
DE_KEI = "Nidos woongroep De Kei"
FOSTER_FAMILIES = ["Opvanggezin familie Van Leeuwen", "Opvanggezin familie Tesfamariam", "Opvanggezin familie Koster"]
CENTRUM = "ISK De Brug – locatie Centrum"
NOORD = "ISK De Brug – locatie Noord"

# name, address, postcode, phone
SCHOOL_SITES = [
    (CENTRUM, "Stadsring 120", "3811 HT", "033-4561200"),
    (NOORD, "Noordewierweg 5", "3812 DA", "033-4561280"),
]
# organisation, name, kind, address, postcode, phone
HOUSING_LOCATIONS = [
    ("coa", PROCESS, Location.Kind.COA_PROCESS, "Wiekenweg 8", "3815 KL", "033-2584400"),
    ("coa", KWV, Location.Kind.SMALL_SCALE, "Hogeweg 210", "3814 CE", "033-2584480"),
    ("coa", HOTEL, Location.Kind.EMERGENCY, "Eemweg 2", "3811 LA", "033-2584490"),
    ("nidos", ZONNEHOF, Location.Kind.NIDOS_GROUP_HOME, "Zonnehof 14", "3811 ND", "033-2001010"),
    ("nidos", DE_KEI, Location.Kind.NIDOS_GROUP_HOME, "Keistraat 3", "3811 BA", "033-2001020"),
]
# How many of every hundred or so pupils live where: the COA process location houses most.
HOUSING_WEIGHTS = [(PROCESS, 70), (KWV, 30), (HOTEL, 40), (ZONNEHOF, 20), (DE_KEI, 20)] + [
    (family, 6) for family in FOSTER_FAMILIES
]
# site, class, kind, day starts at, mentor: the demo mentor teaches 1A; each class has its own mentor.
CLASSES = [
    (CENTRUM, "1A", SchoolClass.Kind.MIXED, "08:30", "Anouk de Vries"),
    (CENTRUM, "1B", SchoolClass.Kind.MIXED, "08:30", "Bram Jansen"),
    (CENTRUM, "2A", SchoolClass.Kind.MIXED, "08:30", "Charlotte Bakker"),
    (CENTRUM, "2B", SchoolClass.Kind.MIXED, "09:15", "Daan Visser"),
    (NOORD, "AMV-1", SchoolClass.Kind.AMV_ONLY, "09:15", "Eline Smit"),
    (NOORD, "AMV-2", SchoolClass.Kind.AMV_ONLY, "09:15", "Floor Meijer"),
    (NOORD, "3N", SchoolClass.Kind.MIXED, "08:30", "Gijs de Boer"),
    (NOORD, "Schakel", SchoolClass.Kind.MIXED, "09:15", "Hanna Mulder"),
]


@dataclass(frozen=True)
class Staff:
    name: str
    organisation: str
    role: str
    locations: tuple = ()
    function: str = ""
    reachable_when: str = ""
    verified_days: int = 10
    login: str = ""
    manager: str = ""  # the name of their own (team or location) manager


SCHOOL_STAFF = [
    Staff(
        "Renate Dijkstra",
        "school",
        Role.CARE_COORDINATOR,
        (CENTRUM, NOORD),
        "Zorgcoördinator / verzuimcoördinator",
        "ma–vr 8:00–16:30",
        login="zorgcoordinator",
    ),
    Staff(
        "Joost Prins",
        "school",
        Role.SCHOOL_MANAGEMENT,
        (CENTRUM, NOORD),
        "Teamleider ISK",
        "via secretariaat 033-4561200",
        login="directie",
    ),
]
HOUSING_STAFF = [
    Staff(
        "Khalid Ait Ouali",
        "coa",
        Role.HOUSING_WORKER,
        (PROCESS,),
        "COA-mentor",
        "ma–vr 9:00–17:00, na 17:00 de locatie bellen",
        login="woonbegeleider",
        manager="Ilse de Groot",
    ),
    Staff("Samira Haddou", "coa", Role.HOUSING_WORKER, (PROCESS,), "COA-mentor", manager="Ilse de Groot"),
    Staff("Tom Verbeek", "coa", Role.HOUSING_WORKER, (PROCESS,), "COA-mentor", manager="Ilse de Groot"),
    Staff(
        "Ilse de Groot",
        "coa",
        Role.LOCATION_MANAGER,
        (PROCESS, KWV, HOTEL),
        "Locatiemanager",
        "ma–do",
        login="locatiemanager",
    ),
    Staff("Lotte Kuipers", "coa", Role.HOUSING_WORKER, (KWV,), "COA-mentor"),
    # The emergency hotel: one worker, contact details not verified for months (a realistic gap).
    Staff("Sven Huisman", "coa", Role.HOUSING_WORKER, (HOTEL,), "Begeleider noodopvang (zzp)", verified_days=200),
    Staff("Esther Vermeulen", "nidos", Role.LOCATION_MANAGER, (ZONNEHOF, DE_KEI), "Manager woonvoorzieningen"),
    Staff("Mohamed Yusuf", "nidos", Role.HOUSING_WORKER, (ZONNEHOF,), "Jongerencoach", manager="Esther Vermeulen"),
    Staff("Naima Chaouch", "nidos", Role.HOUSING_WORKER, (DE_KEI,), "Jongerencoach", manager="Esther Vermeulen"),
    Staff("Wendy Kok", "nidos", Role.HOUSING_WORKER, tuple(FOSTER_FAMILIES), "Pleegzorgbegeleider"),
]
DEMO_GUARDIAN = Staff(
    "Pieter Brouwer",
    "nidos",
    Role.GUARDIAN,
    function="Voogd / jeugdbeschermer",
    reachable_when="di en do, of via het teamnummer",
    login="voogd",
    manager="Karin Vos",
)
# Their contact details were checked a random number of days ago (5, 30, 60 or 120).
OTHER_GUARDIANS = [
    "Marieke Hendriks",
    "Niels van Dijk",
    "Olga Dekker",
    "Quinten de Wit",
    "Sanne Smits",
    "Thijs de Graaf",
    "Ursula van der Meer",
    "Vincent van der Linden",
    "Yasmina El Amrani",
]
# Nidos regio Midden has many guardian teams, each with its own team manager: an escalation reaches the guardian's
# own one, never all of them. The last guardian has no team manager on file: the duty contact is used (and the
# data-quality list says so).
TEAM_MANAGERS = ["Karin Vos", "Bas Jansen", "Femke Mulder", "Gerrit Bos", "Hanneke Visser", "Jeroen Meijer"]
GUARDIAN_WITHOUT_MANAGER = OTHER_GUARDIANS[-1]
NIDOS_DUTY_CONTACT = "Anouk Bakker"
COA_DUTY_CONTACT = "Ilse de Groot"
OTHER_STAFF = [
    Staff("Karin Vos", "nidos", Role.GUARDIAN_TEAM_MANAGER, function="Teammanager voogdij", login="teammanager"),
    *(Staff(name, "nidos", Role.GUARDIAN_TEAM_MANAGER, function="Teammanager voogdij") for name in TEAM_MANAGERS[1:]),
    Staff(NIDOS_DUTY_CONTACT, "nidos", Role.GUARDIAN_TEAM_MANAGER, function="Teammanager voogdij, dienstdoend"),
    Staff("Lars Peters", "municipality", Role.ATTENDANCE_OFFICER, function="Leerplichtambtenaar", login="leerplicht"),
    Staff("Wendy Beheer", "school", Role.ADMIN, function="Applicatiebeheer", verified_days=1, login="beheerder"),
]


@dataclass
class Town:
    organisations: dict
    locations: dict
    classes: list = field(default_factory=list)
    people: dict = field(default_factory=dict)
    guardians: list = field(default_factory=list)
    logins: dict = field(default_factory=dict)

    @property
    def school(self):
        return self.organisations["school"]


def build_town(builder, *, students):
    town = _places(builder)
    _people(builder, town, SCHOOL_STAFF)
    _classes(builder, town)
    _people(builder, town, HOUSING_STAFF)
    _guardians(builder, town)
    _people(builder, town, OTHER_STAFF)
    _managers(builder, town)
    _logins(builder, town)
    _pupils(builder, town, count=students)


def _places(builder):
    municipality = builder.organisation("Gemeente Amersfoort", Organisation.Kind.MUNICIPALITY, phone="14 033")
    school = builder.organisation(
        DEMO_SCHOOL, Organisation.Kind.SCHOOL, phone="033-4561200", email="info@isk-debrug.nl"
    )
    locations = {
        name: builder.location(
            school, name, Location.Kind.SCHOOL_SITE, address=address, postcode=postcode, city=CITY, phone=phone
        )
        for name, address, postcode, phone in SCHOOL_SITES
    }
    organisations = {
        "municipality": municipality,
        "school": school,
        "coa": builder.organisation("COA", Organisation.Kind.COA, phone="088-7157000", website="https://www.coa.nl"),
        "nidos": builder.organisation("Nidos regio Midden", Organisation.Kind.NIDOS, phone="030-2391919"),
    }
    housing = {"city": CITY, "municipality": municipality}
    for organisation, name, kind, address, postcode, phone in HOUSING_LOCATIONS:
        locations[name] = builder.location(
            organisations[organisation], name, kind, address=address, postcode=postcode, phone=phone, **housing
        )
    for name in FOSTER_FAMILIES:
        locations[name] = builder.location(organisations["nidos"], name, Location.Kind.FOSTER_FAMILY, **housing)
    return Town(organisations=organisations, locations=locations)


def _people(builder, town, staff):
    for spec in staff:
        _person(builder, town, spec)


def _person(builder, town, spec):
    person = builder.person(
        spec.name,
        town.organisations[spec.organisation],
        spec.role,
        locations=[town.locations[name] for name in spec.locations],
        function=spec.function,
        reachable_when=spec.reachable_when,
        verified_days=spec.verified_days,
    )
    town.people[spec.name] = person
    if spec.login:
        town.logins[spec.login] = person
    return person


def _classes(builder, town):
    for site, name, kind, starts, mentor_name in CLASSES:
        school_class, _ = SchoolClass.objects.get_or_create(
            location=town.locations[site], name=name, defaults={"kind": kind, "day_starts_at": starts}
        )
        mentor = Staff(mentor_name, "school", Role.MENTOR, (site,), "Mentor", "ma–vr 8:15–15:30")
        school_class.mentors.add(_person(builder, town, mentor))
        town.classes.append(school_class)
    town.logins["mentor"] = town.classes[0].mentors.first()


def _guardians(builder, town):
    town.guardians.append(_person(builder, town, DEMO_GUARDIAN))
    for name in OTHER_GUARDIANS:
        verified_days = builder.random.choice([5, 30, 60, 120])
        spec = Staff(name, "nidos", Role.GUARDIAN, function="Voogd / jeugdbeschermer", verified_days=verified_days)
        town.guardians.append(_person(builder, town, spec))


def _managers(builder, town):
    """Each guardian's own team manager and each housing worker's location manager; the duty contacts."""
    managers = {spec.name: spec.manager for spec in [*HOUSING_STAFF, DEMO_GUARDIAN] if spec.manager}
    for index, name in enumerate(name for name in OTHER_GUARDIANS if name != GUARDIAN_WITHOUT_MANAGER):
        managers[name] = TEAM_MANAGERS[index % len(TEAM_MANAGERS)]
    for name, manager in managers.items():
        person = town.people[name]
        if person.manager_id is None:
            person.manager = town.people[manager]
            person.save(update_fields=["manager"])
    for key, name in (("nidos", NIDOS_DUTY_CONTACT), ("coa", COA_DUTY_CONTACT)):
        organisation = town.organisations[key]
        if organisation.duty_contact_id is None:
            organisation.duty_contact = town.people[name]
            organisation.save(update_fields=["duty_contact"])


def _logins(builder, town):
    for login in DEMO_LOGINS:
        builder.login(login.username, town.logins[login.username], staff=login.role == Role.ADMIN)
    # Every other colleague gets a login too (firstname.lastname), so the history names real people.
    colleagues = [town.organisations[key] for key in ("school", "coa", "nidos")]
    for person in ContactPerson.objects.filter(user__isnull=True, organisation__in=colleagues):
        builder.login(slugify(person.name).replace("-", "."), person)


def _pupils(builder, town, *, count):
    """Students numbered 2024001…, spread over classes, housing and guardians.

    The first ten sit in the demo mentor's class, live at the demo worker's location and have the demo
    guardian, so every demo login sees the same children from its own side.
    """
    existing = set(Student.objects.filter(school=town.school).values_list("student_number", flat=True))
    slots = [town.locations[name] for name, weight in HOUSING_WEIGHTS for _ in range(weight)]
    rows = PupilRows()
    for index in range(count):
        number = f"{2024001 + index}"
        identity = student_identity(builder.random, builder.today)
        demo = index < 10
        school_class = town.classes[0] if demo else town.classes[index % len(town.classes)]
        location = town.locations[PROCESS] if demo else builder.random.choice(slots)
        if number in existing:
            continue
        student = Student(school=town.school, school_class=school_class, student_number=number, **identity)
        rows.students.append(student)
        _house(builder, town, rows, student, location, index=index, demo=demo)
        # About one in twenty has no guardian on file yet: the data-quality list must show them.
        if demo or index % 20 != 7:
            guardian = town.guardians[0] if demo else town.guardians[index % len(town.guardians)]
            rows.guardianships.append(Guardianship(student=student, guardian=guardian, started_on=student.arrival_date))
    builder.created["students"] += rows.save(batch_size=1000)


def _house(builder, town, rows, student, location, *, index, demo):
    start = student.enrolled_on - timedelta(days=builder.random.randint(0, 20))
    moved = index % 9 == 4 and (builder.today - start).days >= 10
    if demo:
        worker = town.logins["woonbegeleider"]
    else:
        workers = [town.people[spec.name] for spec in HOUSING_STAFF if _works_at(spec, location)]
        worker = builder.random.choice(workers)
    if moved:
        # Moved once: first at the emergency hotel, now here (the report's "many moves").
        earlier = town.locations[HOTEL if location.name != HOTEL else KWV]
        move_day = start + timedelta(days=(builder.today - start).days // 2)
        rows.placements.append(
            Placement(student=student, location=earlier, started_on=start, ended_on=move_day - timedelta(days=1))
        )
        start = move_day
    rows.placements.append(Placement(student=student, location=location, started_on=start, personal_worker=worker))


def _works_at(spec, location):
    return spec.role == Role.HOUSING_WORKER and location.name in spec.locations
