"""Demo and volume data: a realistic Dutch ISK with its housing and guardianship partners.

Everything is deterministic (seeded random) and idempotent: objects are looked up by natural keys first, so a
second run changes nothing and a half-finished run is completed.
"""

import itertools
import random
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from contacts.models import ContactPerson, Location, Organisation, Role

from .models import Guardianship, Placement, SchoolClass, Student

DEMO_PASSWORD = "amvcoord-demo"
DEMO_SCHOOL = "ISK De Brug"

GIVEN_NAMES = {
    "Eritrese": [
        "Abel",
        "Aman",
        "Biniam",
        "Dawit",
        "Filmon",
        "Henok",
        "Merhawi",
        "Robel",
        "Senait",
        "Yonas",
        "Selam",
    ],
    "Syrische": ["Ahmad", "Bilal", "Omar", "Yousef", "Rami", "Karim", "Lina", "Hamza", "Tarek", "Nour"],
    "Afghaanse": ["Ali", "Hamid", "Jawad", "Mustafa", "Sajad", "Farid", "Nasir", "Reza", "Zahra", "Habib"],
    "Somalische": ["Abdi", "Abdirahman", "Hodan", "Mohamed", "Liban", "Farah", "Hamza", "Ayaan", "Idris"],
    "Jemenitische": ["Ammar", "Saleh", "Fahd", "Nabil", "Waleed", "Amal"],
    "Turkse": ["Emre", "Baran", "Deniz", "Kerem", "Mert"],
    "Oekraïense": ["Artem", "Danylo", "Maksym", "Sofiia", "Oleksandr"],
}
FAMILY_NAMES = {
    "Eritrese": ["Tesfay", "Gebremedhin", "Haile", "Kidane", "Tekle", "Berhane", "Mehari", "Ghebre", "Woldu"],
    "Syrische": ["Al-Hassan", "Haddad", "Kassem", "Darwish", "Mansour", "Khalil", "Sabbagh"],
    "Afghaanse": ["Ahmadi", "Rahimi", "Sultani", "Noori", "Hosseini", "Karimi", "Jafari"],
    "Somalische": ["Warsame", "Abdullahi", "Farah", "Hassan", "Osman", "Jama", "Nur"],
    "Jemenitische": ["Al-Sanani", "Saeed", "Qasim", "Al-Amri"],
    "Turkse": ["Yilmaz", "Demir", "Kaya", "Aydin"],
    "Oekraïense": ["Shevchenko", "Kovalenko", "Bondarenko", "Tkachenko"],
}
LANGUAGES = {
    "Eritrese": "Tigrinya",
    "Syrische": "Arabisch",
    "Afghaanse": "Dari, Pashto",
    "Somalische": "Somalisch",
    "Jemenitische": "Arabisch",
    "Turkse": "Turks, Koerdisch",
    "Oekraïense": "Oekraïens, Russisch",
}
NATIONALITY_WEIGHTS = {
    "Eritrese": 30,
    "Syrische": 25,
    "Afghaanse": 20,
    "Somalische": 12,
    "Jemenitische": 6,
    "Turkse": 4,
    "Oekraïense": 3,
}
STAFF_NAMES = [
    "Anouk de Vries",
    "Bram Jansen",
    "Charlotte Bakker",
    "Daan Visser",
    "Eline Smit",
    "Floor Meijer",
    "Gijs de Boer",
    "Hanna Mulder",
    "Ilse de Groot",
    "Jeroen Bos",
    "Karin Vos",
    "Lars Peters",
    "Marieke Hendriks",
    "Niels van Dijk",
    "Olga Dekker",
    "Pieter Brouwer",
    "Quinten de Wit",
    "Renate Dijkstra",
    "Sanne Smits",
    "Thijs de Graaf",
    "Ursula van der Meer",
    "Vincent van der Linden",
    "Wendy Kok",
    "Yasmina El Amrani",
    "Zeynep Kaya",
    "Ruben Willems",
    "Fatima Bouzid",
    "Khalid Ait Ouali",
    "Samira Haddou",
    "Tom Verbeek",
    "Lotte Kuipers",
    "Mohamed Yusuf",
    "Esther Vermeulen",
    "Joost Prins",
    "Naima Chaouch",
    "Sven Huisman",
]


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    description: str


DEMO_LOGINS = [
    DemoLogin("mentor", Role.MENTOR, "mentor of class 1A at ISK De Brug, locatie Centrum"),
    DemoLogin("zorgcoordinator", Role.CARE_COORDINATOR, "care coordinator of ISK De Brug"),
    DemoLogin("directie", Role.SCHOOL_MANAGEMENT, "school management of ISK De Brug"),
    DemoLogin("woonbegeleider", Role.HOUSING_WORKER, "housing worker at COA Amersfoort Wiekenweg"),
    DemoLogin("locatiemanager", Role.LOCATION_MANAGER, "location manager of COA Amersfoort Wiekenweg"),
    DemoLogin("voogd", Role.GUARDIAN, "Nidos guardian"),
    DemoLogin("teammanager", Role.GUARDIAN_TEAM_MANAGER, "Nidos guardian team manager"),
    DemoLogin("leerplicht", Role.ATTENDANCE_OFFICER, "attendance officer, gemeente Amersfoort"),
    DemoLogin("beheerder", Role.ADMIN, "admin (Django admin, organisations and contact lists)"),
]


class DemoBuilder:
    def __init__(self, *, today: date | None = None, seed: int = 2024):
        self.today = today or timezone.localdate()
        self.random = random.Random(seed)
        self.staff_names = itertools.cycle(STAFF_NAMES)
        self.created = {"students": 0, "people": 0}

    @cached_property
    def password_hash(self):
        return make_password(DEMO_PASSWORD)

    # -- helpers ------------------------------------------------------------------------------------------
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
                "phone": self._phone(),
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

    def _phone(self):
        return f"06-{self.random.randint(10000000, 99999999)}"

    def _email(self, name, organisation):
        local = name.lower().replace(" ", ".").replace("'", "")
        domain = {
            Organisation.Kind.SCHOOL: "isk-debrug.nl",
            Organisation.Kind.COA: "coa.nl",
            Organisation.Kind.NIDOS: "nidos.nl",
            Organisation.Kind.MUNICIPALITY: "amersfoort.nl",
        }.get(organisation.kind, "example.nl")
        return f"{local}@{domain}"

    def _student_identity(self):
        nationality = self.random.choices(list(NATIONALITY_WEIGHTS), weights=NATIONALITY_WEIGHTS.values())[0]
        age_days = self.random.randint(12 * 365, 18 * 365 - 30)
        arrival = self.today - timedelta(days=self.random.randint(30, 700))
        return {
            "given_name": self.random.choice(GIVEN_NAMES[nationality]),
            "family_name": self.random.choice(FAMILY_NAMES[nationality]),
            "date_of_birth": self.today - timedelta(days=age_days),
            "arrival_date": arrival,
            "nationality": nationality,
            "languages": LANGUAGES[nationality],
            "enrolled_on": min(self.today, arrival + timedelta(days=self.random.randint(14, 90))),
        }

    # -- the demo town --------------------------------------------------------------------------------------
    @transaction.atomic
    def build_demo(self, *, students: int = 200):
        municipality = self.organisation("Gemeente Amersfoort", Organisation.Kind.MUNICIPALITY, phone="14 033")
        school = self.organisation(
            DEMO_SCHOOL, Organisation.Kind.SCHOOL, phone="033-4561200", email="info@isk-debrug.nl"
        )
        centrum = self.location(
            school,
            "ISK De Brug – locatie Centrum",
            Location.Kind.SCHOOL_SITE,
            address="Stadsring 120",
            postcode="3811 HT",
            city="Amersfoort",
            phone="033-4561200",
        )
        noord = self.location(
            school,
            "ISK De Brug – locatie Noord",
            Location.Kind.SCHOOL_SITE,
            address="Noordewierweg 5",
            postcode="3812 DA",
            city="Amersfoort",
            phone="033-4561280",
        )
        coa = self.organisation("COA", Organisation.Kind.COA, phone="088-7157000", website="https://www.coa.nl")
        nidos = self.organisation("Nidos regio Midden", Organisation.Kind.NIDOS, phone="030-2391919")
        housing_common = {"city": "Amersfoort", "municipality": municipality}
        process = self.location(
            coa,
            "COA Amersfoort Wiekenweg",
            Location.Kind.COA_PROCESS,
            address="Wiekenweg 8",
            postcode="3815 KL",
            phone="033-2584400",
            **housing_common,
        )
        kwv = self.location(
            coa,
            "COA kwv De Hoef",
            Location.Kind.SMALL_SCALE,
            address="Hogeweg 210",
            postcode="3814 CE",
            phone="033-2584480",
            **housing_common,
        )
        hotel = self.location(
            coa,
            "Noodopvang Hotel Eemzicht",
            Location.Kind.EMERGENCY,
            address="Eemweg 2",
            postcode="3811 LA",
            phone="033-2584490",
            **housing_common,
        )
        group_homes = [
            self.location(
                nidos,
                "Nidos woongroep Zonnehof",
                Location.Kind.NIDOS_GROUP_HOME,
                address="Zonnehof 14",
                postcode="3811 ND",
                phone="033-2001010",
                **housing_common,
            ),
            self.location(
                nidos,
                "Nidos woongroep De Kei",
                Location.Kind.NIDOS_GROUP_HOME,
                address="Keistraat 3",
                postcode="3811 BA",
                phone="033-2001020",
                **housing_common,
            ),
        ]
        foster_families = [
            self.location(nidos, f"Opvanggezin {family}", Location.Kind.FOSTER_FAMILY, **housing_common)
            for family in ("familie Van Leeuwen", "familie Tesfamariam", "familie Koster")
        ]

        # School staff: the demo mentor teaches 1A; each class has its own mentor.
        care = self.person(
            "Renate Dijkstra",
            school,
            Role.CARE_COORDINATOR,
            locations=[centrum, noord],
            function="Zorgcoördinator / verzuimcoördinator",
            reachable_when="ma–vr 8:00–16:30",
        )
        management = self.person(
            "Joost Prins",
            school,
            Role.SCHOOL_MANAGEMENT,
            locations=[centrum, noord],
            function="Teamleider ISK",
            reachable_when="via secretariaat 033-4561200",
        )
        class_specs = [
            (centrum, "1A", SchoolClass.Kind.MIXED, "08:30"),
            (centrum, "1B", SchoolClass.Kind.MIXED, "08:30"),
            (centrum, "2A", SchoolClass.Kind.MIXED, "08:30"),
            (centrum, "2B", SchoolClass.Kind.MIXED, "09:15"),
            (noord, "AMV-1", SchoolClass.Kind.AMV_ONLY, "09:15"),
            (noord, "AMV-2", SchoolClass.Kind.AMV_ONLY, "09:15"),
            (noord, "3N", SchoolClass.Kind.MIXED, "08:30"),
            (noord, "Schakel", SchoolClass.Kind.MIXED, "09:15"),
        ]
        mentor_names = [
            "Anouk de Vries",
            "Bram Jansen",
            "Charlotte Bakker",
            "Daan Visser",
            "Eline Smit",
            "Floor Meijer",
            "Gijs de Boer",
            "Hanna Mulder",
        ]
        classes = []
        for (site, name, kind, starts), mentor_name in zip(class_specs, mentor_names, strict=True):
            school_class, _ = SchoolClass.objects.get_or_create(
                location=site, name=name, defaults={"kind": kind, "day_starts_at": starts}
            )
            mentor = self.person(
                mentor_name,
                school,
                Role.MENTOR,
                locations=[site],
                function="Mentor",
                reachable_when="ma–vr 8:15–15:30",
            )
            school_class.mentors.add(mentor)
            classes.append(school_class)

        # Housing staff.
        worker = self.person(
            "Khalid Ait Ouali",
            coa,
            Role.HOUSING_WORKER,
            locations=[process],
            function="COA-mentor",
            reachable_when="ma–vr 9:00–17:00, na 17:00 de locatie bellen",
        )
        process_workers = [worker] + [
            self.person(name, coa, Role.HOUSING_WORKER, locations=[process], function="COA-mentor")
            for name in ("Samira Haddou", "Tom Verbeek")
        ]
        manager = self.person(
            "Ilse de Groot",
            coa,
            Role.LOCATION_MANAGER,
            locations=[process, kwv, hotel],
            function="Locatiemanager",
            reachable_when="ma–do",
        )
        kwv_workers = [self.person("Lotte Kuipers", coa, Role.HOUSING_WORKER, locations=[kwv], function="COA-mentor")]
        # The emergency hotel: one worker, contact details not verified for months (a realistic gap).
        hotel_workers = [
            self.person(
                "Sven Huisman",
                coa,
                Role.HOUSING_WORKER,
                locations=[hotel],
                function="Begeleider noodopvang (zzp)",
                verified_days=200,
            )
        ]
        self.person(
            "Esther Vermeulen",
            nidos,
            Role.LOCATION_MANAGER,
            locations=group_homes,
            function="Manager woonvoorzieningen",
        )
        group_workers = {
            group_homes[0].id: [
                self.person(
                    "Mohamed Yusuf",
                    nidos,
                    Role.HOUSING_WORKER,
                    locations=[group_homes[0]],
                    function="Jongerencoach",
                )
            ],
            group_homes[1].id: [
                self.person(
                    "Naima Chaouch",
                    nidos,
                    Role.HOUSING_WORKER,
                    locations=[group_homes[1]],
                    function="Jongerencoach",
                )
            ],
        }
        foster_worker = self.person(
            "Wendy Kok", nidos, Role.HOUSING_WORKER, locations=foster_families, function="Pleegzorgbegeleider"
        )
        guardians = [
            self.person(
                "Pieter Brouwer",
                nidos,
                Role.GUARDIAN,
                function="Voogd / jeugdbeschermer",
                reachable_when="di en do, of via het teamnummer",
            )
        ] + [
            self.person(
                name,
                nidos,
                Role.GUARDIAN,
                function="Voogd / jeugdbeschermer",
                verified_days=self.random.choice([5, 30, 60, 120]),
            )
            for name in (
                "Marieke Hendriks",
                "Niels van Dijk",
                "Olga Dekker",
                "Quinten de Wit",
                "Sanne Smits",
                "Thijs de Graaf",
                "Ursula van der Meer",
                "Vincent van der Linden",
                "Yasmina El Amrani",
            )
        ]
        team_manager = self.person("Karin Vos", nidos, Role.GUARDIAN_TEAM_MANAGER, function="Teammanager voogdij")
        officer = self.person("Lars Peters", municipality, Role.ATTENDANCE_OFFICER, function="Leerplichtambtenaar")
        beheer = self.person("Wendy Beheer", school, Role.ADMIN, function="Applicatiebeheer", verified_days=1)

        logins = {
            "mentor": classes[0].mentors.first(),
            "zorgcoordinator": care,
            "directie": management,
            "woonbegeleider": worker,
            "locatiemanager": manager,
            "voogd": guardians[0],
            "teammanager": team_manager,
            "leerplicht": officer,
            "beheerder": beheer,
        }
        for username, person in logins.items():
            self.login(username, person, staff=username == "beheerder")
        # Every other colleague gets a login too (firstname.lastname), so the history names real people.
        for person in ContactPerson.objects.filter(user__isnull=True, organisation__in=[school, coa, nidos]):
            self.login(slugify(person.name).replace("-", "."), person)

        housing = [
            (process, process_workers, 70),
            (kwv, kwv_workers, 30),
            (hotel, hotel_workers, 40),
            (group_homes[0], group_workers[group_homes[0].id], 20),
            (group_homes[1], group_workers[group_homes[1].id], 20),
            *[(family, [foster_worker], 6) for family in foster_families],
        ]
        self._students(
            school,
            classes,
            housing,
            guardians,
            count=students,
            demo_class=classes[0],
            demo_location=process,
            demo_worker=worker,
            demo_guardian=guardians[0],
        )
        return self.created

    def _students(
        self,
        school,
        classes,
        housing,
        guardians,
        *,
        count,
        demo_class,
        demo_location,
        demo_worker,
        demo_guardian,
    ):
        """Students numbered 2024001…, spread over classes, housing and guardians.

        The first ten sit in the demo mentor's class, live at the demo worker's location and have the demo
        guardian, so every demo login sees the same children from its own side.
        """
        existing = set(Student.objects.filter(school=school).values_list("student_number", flat=True))
        slots = [location for location, _workers, weight in housing for _ in range(weight)]
        workers = {location.id: location_workers for location, location_workers, _weight in housing}
        new_students, placements, guardianships = [], [], []
        for index in range(count):
            number = f"{2024001 + index}"
            identity = self._student_identity()
            demo = index < 10
            school_class = demo_class if demo else classes[index % len(classes)]
            location = demo_location if demo else self.random.choice(slots)
            if number in existing:
                continue
            student = Student(school=school, school_class=school_class, student_number=number, **identity)
            new_students.append(student)
            start = student.enrolled_on - timedelta(days=self.random.randint(0, 20))
            moved = index % 9 == 4 and (self.today - start).days >= 10
            worker = demo_worker if demo else self.random.choice(workers[location.id])
            if moved:
                # Moved once: first at the emergency hotel, now here (the report's "many moves").
                earlier = housing[2][0] if location != housing[2][0] else housing[1][0]
                move_day = start + timedelta(days=(self.today - start).days // 2)
                placements.append(
                    Placement(
                        student=student,
                        location=earlier,
                        started_on=start,
                        ended_on=move_day - timedelta(days=1),
                    )
                )
                start = move_day
            placements.append(Placement(student=student, location=location, started_on=start, personal_worker=worker))
            # About one in twenty has no guardian on file yet: the data-quality list must show them.
            if demo or index % 20 != 7:
                guardian = demo_guardian if demo else guardians[index % len(guardians)]
                guardianships.append(Guardianship(student=student, guardian=guardian, started_on=student.arrival_date))
        Student.objects.bulk_create(new_students, batch_size=1000)
        Placement.objects.bulk_create(placements, batch_size=1000)
        Guardianship.objects.bulk_create(guardianships, batch_size=1000)
        self.created["students"] += len(new_students)

    # -- volume for benchmarks ------------------------------------------------------------------------------
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
                self._volume_school(name, number, per_school, coa=coa, nidos=nidos)
            if progress:
                progress(number, schools)
        return self.created

    def _volume_school(self, name, number, count, *, coa, nidos):
        municipality = self.organisation(
            f"Gemeente Volume {(number - 1) // 10 + 1:02d}", Organisation.Kind.MUNICIPALITY
        )
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
                    kind=self.random.choice(
                        [Location.Kind.COA_PROCESS, Location.Kind.SMALL_SCALE, Location.Kind.EMERGENCY]
                    ),
                    municipality=municipality,
                )
                for index in range(housing_count)
            ]
        )
        class_count = max(1, count // 30)
        verified = self.today - timedelta(days=20)
        people = []

        def staff(organisation, role, function):
            person = ContactPerson(
                name=f"{next(self.staff_names)} ({name} {len(people) + 1})",
                organisation=organisation,
                role=role,
                function=function,
                phone=self._phone(),
                email=f"staff{number:03d}.{len(people) + 1}@example.nl",
                verified_on=verified,
            )
            people.append(person)
            return person

        mentors = [staff(school, Role.MENTOR, "Mentor") for _ in range(class_count)]
        staff(school, Role.CARE_COORDINATOR, "Zorgcoördinator")
        staff(school, Role.SCHOOL_MANAGEMENT, "Teamleider")
        workers = {
            location.id: [staff(coa, Role.HOUSING_WORKER, "COA-mentor") for _ in range(3)] for location in housing
        }
        managers = {location.id: staff(coa, Role.LOCATION_MANAGER, "Locatiemanager") for location in housing}
        guardians = [staff(nidos, Role.GUARDIAN, "Voogd") for _ in range(max(1, count // 15))]
        staff(nidos, Role.GUARDIAN_TEAM_MANAGER, "Teammanager")
        staff(municipality, Role.ATTENDANCE_OFFICER, "Leerplichtambtenaar")
        ContactPerson.objects.bulk_create(people, batch_size=1000)
        links = ContactPerson.locations.through
        links.objects.bulk_create(
            [links(contactperson=person, location=location) for location in housing for person in workers[location.id]]
            + [links(contactperson=managers[location.id], location=location) for location in housing]
        )
        classes = SchoolClass.objects.bulk_create(
            [
                SchoolClass(
                    location=sites[index % 2],
                    name=f"K{index + 1:02d}",
                    kind=self.random.choice(list(SchoolClass.Kind.values)),
                    day_starts_at=self.random.choice(["08:30", "09:15"]),
                )
                for index in range(class_count)
            ]
        )
        SchoolClass.mentors.through.objects.bulk_create(
            [
                SchoolClass.mentors.through(schoolclass=school_class, contactperson=mentor)
                for school_class, mentor in zip(classes, mentors, strict=True)
            ]
        )
        new_students, placements, guardianships = [], [], []
        for index in range(count):
            student = Student(
                school=school,
                school_class=classes[index % class_count],
                student_number=f"{number:03d}{index + 1:05d}",
                **self._student_identity(),
            )
            new_students.append(student)
            location = housing[index % housing_count]
            placements.append(
                Placement(
                    student=student,
                    location=location,
                    started_on=student.enrolled_on,
                    personal_worker=self.random.choice(workers[location.id]),
                )
            )
            guardianships.append(
                Guardianship(
                    student=student,
                    guardian=guardians[index % len(guardians)],
                    started_on=student.arrival_date,
                )
            )
        Student.objects.bulk_create(new_students, batch_size=2000)
        Placement.objects.bulk_create(placements, batch_size=2000)
        Guardianship.objects.bulk_create(guardianships, batch_size=2000)
        self.created["students"] += len(new_students)
        self.created["people"] += len(people)
