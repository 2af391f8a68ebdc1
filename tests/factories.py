"""factory_boy factories. Defaults build a consistent world: a school, a COA location, a Nidos guardian."""

from datetime import date

import factory
from django.utils import timezone

from contacts.models import ContactPerson, Location, Organisation, Role, User
from students.models import Guardianship, Placement, SchoolClass, Student


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisatie {n}")
    kind = Organisation.Kind.SCHOOL


class SchoolFactory(OrganisationFactory):
    name = factory.Sequence(lambda n: f"ISK {n}")
    kind = Organisation.Kind.SCHOOL


class CoaFactory(OrganisationFactory):
    name = factory.Sequence(lambda n: f"COA {n}")
    kind = Organisation.Kind.COA


class NidosFactory(OrganisationFactory):
    name = factory.Sequence(lambda n: f"Nidos {n}")
    kind = Organisation.Kind.NIDOS


class MunicipalityFactory(OrganisationFactory):
    name = factory.Sequence(lambda n: f"Gemeente {n}")
    kind = Organisation.Kind.MUNICIPALITY


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location

    organisation = factory.SubFactory(CoaFactory)
    name = factory.Sequence(lambda n: f"Locatie {n}")
    kind = Location.Kind.COA_PROCESS
    city = "Amersfoort"


class SchoolSiteFactory(LocationFactory):
    organisation = factory.SubFactory(SchoolFactory)
    kind = Location.Kind.SCHOOL_SITE


class HousingLocationFactory(LocationFactory):
    organisation = factory.SubFactory(CoaFactory)
    kind = Location.Kind.COA_PROCESS


class ContactPersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContactPerson
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Persoon {n}")
    organisation = factory.SubFactory(SchoolFactory)
    role = Role.MENTOR
    phone = "06-12345678"
    email = factory.Sequence(lambda n: f"persoon{n}@example.nl")
    verified_on = factory.LazyFunction(timezone.localdate)

    @factory.post_generation
    def locations(self, create, extracted, **kwargs):
        if create and extracted:
            self.locations.set(extracted)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    person = factory.SubFactory(ContactPersonFactory)
    password = factory.django.Password("amvcoord-test-password")


class SchoolClassFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SchoolClass
        skip_postgeneration_save = True

    location = factory.SubFactory(SchoolSiteFactory)
    name = factory.Sequence(lambda n: f"Klas {n}")

    @factory.post_generation
    def mentors(self, create, extracted, **kwargs):
        if create and extracted:
            self.mentors.set(extracted)


class StudentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Student

    school_class = factory.SubFactory(SchoolClassFactory)
    school = factory.LazyAttribute(lambda student: student.school_class.location.organisation)
    given_name = factory.Sequence(lambda n: f"Yonas{n}")
    family_name = "Tesfay"
    date_of_birth = date(2010, 5, 1)
    student_number = factory.Sequence(lambda n: f"{100000 + n}")
    enrolled_on = date(2025, 9, 1)


class PlacementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Placement

    student = factory.SubFactory(StudentFactory)
    location = factory.SubFactory(HousingLocationFactory)
    started_on = date(2025, 9, 1)


class GuardianshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Guardianship

    student = factory.SubFactory(StudentFactory)
    guardian = factory.SubFactory(
        ContactPersonFactory, organisation=factory.SubFactory(NidosFactory), role=Role.GUARDIAN
    )
    started_on = date(2025, 9, 1)
