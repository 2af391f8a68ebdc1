"""The import preview: per row create / update / unchanged / error in Dutch, nothing written, a constant query count."""

import io
from datetime import date

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from openpyxl import Workbook

from contacts.models import ContactPerson, Role
from students.imports.contact_preview import preview_contacts
from students.imports.preview import FieldChange, Outcome, preview_students
from students.imports.reader import read_table
from students.models import ImportMapping, Student
from tests.factories import (
    CoaFactory,
    ContactPersonFactory,
    HousingLocationFactory,
    NidosFactory,
    SchoolClassFactory,
    SchoolFactory,
    SchoolSiteFactory,
    StudentFactory,
)

TODAY = date(2026, 3, 2)
HEADER = "Leerlingnummer;Roepnaam;Tussenvoegsel;Achternaam;Geboortedatum;Klas;Datum inschrijving;Datum uitschrijving"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def school():
    return SchoolFactory(name="ISK Amersfoort")


@pytest.fixture
def classes(school):
    site = SchoolSiteFactory(organisation=school, name="Centrum")
    return {name: SchoolClassFactory(location=site, name=name) for name in ("1A", "1B", "2A")}


def csv_file(*lines, header=HEADER, encoding="utf-8-sig"):
    return read_table("\r\n".join([header, *lines, ""]).encode(encoding))


def students(school, *lines, full_export=False, **kwargs):
    return preview_students(school=school, table=csv_file(*lines, **kwargs), full_export=full_export)


def stored_pupil(classes, **overrides):
    """A pupil in 1A as stored before the import: Amir Idrissi, 1001, born 01-05-2010, enrolled 01-09-2025."""
    fields = {"school_class": classes["1A"], "student_number": "1001", "given_name": "Amir", "family_name": "Idrissi"}
    return StudentFactory(**{**fields, **overrides})


def errors_of(preview):
    return [error for row in preview.rows for error in row.errors]


def test_it_reads_a_windows_1252_file_into_typed_values(school, classes):
    preview = students(
        school,
        "1001;Zoë;;Café;01-05-2010;1A;01-09-2025;",
        "1002;Amir;el;Idrissi;3-7-2011;1b;2025-09-01;",
        encoding="cp1252",
    )
    assert not preview.has_errors
    assert preview.counts == {Outcome.CREATE: 2, Outcome.UPDATE: 0, Outcome.UNCHANGED: 0, Outcome.ERROR: 0}
    zoe, amir = (row.values for row in preview.rows)
    assert (zoe.given_name, zoe.family_name, zoe.date_of_birth) == ("Zoë", "Café", date(2010, 5, 1))
    assert (zoe.school_class_id, zoe.enrolled_on, zoe.left_on) == (classes["1A"].id, date(2025, 9, 1), None)
    assert (amir.tussenvoegsel, amir.date_of_birth, amir.school_class_id) == ("el", date(2011, 7, 3), classes["1B"].id)
    assert [row.line for row in preview.rows] == [2, 3]
    assert not Student.objects.exists()


def test_it_reads_an_xlsx_with_date_cells(school, classes):
    workbook = Workbook()
    workbook.active.append(
        ["Leerlingnummer", "Voornaam", "Voorvoegsel", "Achternaam", "Geboortedatum", "Stamgroep", "Datum inschrijving"]
    )
    workbook.active.append([1001, "Nour", None, "Khalil", date(2010, 5, 1), "2A", date(2025, 9, 1)])
    stream = io.BytesIO()
    workbook.save(stream)
    preview = preview_students(school=school, table=read_table(stream.getvalue()))
    values = preview.rows[0].values
    assert (values.student_number, values.date_of_birth, values.school_class_id) == (
        "1001",
        date(2010, 5, 1),
        classes["2A"].id,
    )


def test_an_impossible_date_names_the_row_and_the_value(school, classes):
    good = [f"{1000 + n};Amir;;Idrissi;01-05-2010;1A;01-09-2025;" for n in range(12)]
    preview = students(school, *good, "2000;Nour;;Khalil;31-02-2010;1A;01-09-2025;")
    assert preview.has_errors
    assert preview.errors == ["Rij 14: geboortedatum '31-02-2010' bestaat niet"]
    assert preview.rows[-1].outcome == Outcome.ERROR
    assert preview.rows[-1].values is None


def test_dates_in_another_shape_are_refused(school, classes):
    preview = students(school, "1001;Amir;;Idrissi;05/2010;1A;1-9-25;")
    assert errors_of(preview) == [
        "Rij 2: geboortedatum '05/2010' is geen datum (dd-mm-jjjj)",
        "Rij 2: datum inschrijving '1-9-25' is geen datum (dd-mm-jjjj)",
    ]


def test_duplicate_student_numbers_are_an_error_on_each_of_those_rows(school, classes):
    preview = students(
        school,
        "1001;Amir;;Idrissi;01-05-2010;1A;01-09-2025;",
        "1002;Nour;;Khalil;01-05-2010;1A;01-09-2025;",
        "1001;Yonas;;Tesfay;01-05-2010;1A;01-09-2025;",
    )
    assert [row.outcome for row in preview.rows] == [Outcome.ERROR, Outcome.CREATE, Outcome.ERROR]
    assert errors_of(preview) == [
        "Rij 2: leerlingnummer 1001 staat meer dan één keer in het bestand (rijen 2, 4)",
        "Rij 4: leerlingnummer 1001 staat meer dan één keer in het bestand (rijen 2, 4)",
    ]


def test_an_unknown_class_is_an_error_also_when_another_school_has_it(school, classes):
    SchoolClassFactory(name="3C")
    preview = students(school, "1001;Amir;;Idrissi;01-05-2010;3C;01-09-2025;")
    assert errors_of(preview) == ["Rij 2: klas '3C' bestaat niet op deze school"]


def test_a_class_name_on_two_sites_of_the_school_is_ambiguous(school, classes):
    SchoolClassFactory(location=SchoolSiteFactory(organisation=school, name="Noord"), name="1A")
    preview = students(school, "1001;Amir;;Idrissi;01-05-2010;1A;01-09-2025;")
    assert errors_of(preview) == [
        "Rij 2: klas '1A' bestaat op meer dan één locatie van deze school; geef de klassen een eigen naam"
    ]


def test_an_empty_class_is_a_pupil_without_a_class_for_now(school, classes):
    assert students(school, "1001;Amir;;Idrissi;01-05-2010;;01-09-2025;").rows[0].values.school_class_id is None


def test_required_cells_missing(school, classes):
    preview = students(school, ";;;;;1A;;")
    assert errors_of(preview) == [
        "Rij 2: leerlingnummer ontbreekt",
        "Rij 2: roepnaam ontbreekt",
        "Rij 2: achternaam ontbreekt",
        "Rij 2: geboortedatum ontbreekt",
        "Rij 2: datum inschrijving ontbreekt",
    ]


def test_a_missing_required_column_is_a_file_error_and_no_row_is_judged(school, classes):
    preview = students(school, "Amir;Idrissi", header="Roepnaam;Achternaam")
    assert preview.has_errors
    assert preview.rows == ()
    assert preview.file_errors == (
        "Het bestand heeft geen kolom voor leerlingnummer (bijvoorbeeld 'Leerlingnummer').",
        "Het bestand heeft geen kolom voor geboortedatum (bijvoorbeeld 'Geboortedatum').",
        "Het bestand heeft geen kolom voor datum inschrijving (bijvoorbeeld 'Datum inschrijving').",
    )


def test_dates_that_cannot_be_true(school, classes):
    preview = students(
        school,
        "1001;Amir;;Idrissi;01-05-2027;1A;01-09-2025;",
        "1002;Nour;;Khalil;01-03-2000;1A;01-09-2025;",
        "1003;Yonas;;Tesfay;03-03-2000;1A;01-09-2025;",
        "1004;Sara;;Haile;01-05-2010;1A;01-09-2025;31-08-2025",
        "1005;Aziz;;Rahimi;01-05-2010;1A;01-09-2025;03-03-2026",
    )
    assert [row.outcome for row in preview.rows] == [
        Outcome.ERROR,
        Outcome.ERROR,
        Outcome.CREATE,
        Outcome.ERROR,
        Outcome.ERROR,
    ]
    assert errors_of(preview) == [
        "Rij 2: geboortedatum 01-05-2027 ligt in de toekomst",
        "Rij 3: geboortedatum 01-03-2000: de leerling zou ouder zijn dan 25 jaar",
        "Rij 5: datum uitschrijving 31-08-2025 ligt vóór de datum inschrijving 01-09-2025",
        "Rij 6: datum uitschrijving 03-03-2026 ligt in de toekomst; schrijf de leerling uit op of na die dag",
    ]


def test_a_formula_makes_the_row_an_error(school, classes):
    preview = students(school, '1001;=HYPERLINK("http://x.example");;Idrissi;01-05-2010;1A;01-09-2025;')
    assert errors_of(preview) == [
        "Rij 2: kolom 'Roepnaam' bevat een formule; formules worden niet ingelezen.",
        "Rij 2: roepnaam ontbreekt",
    ]


def test_look_alike_pupils_stay_two_pupils(school, classes):
    stored_pupil(classes, given_name="Nour", family_name="Khalil")
    preview = students(
        school,
        "1001;Nour;;Khalil;01-05-2010;1A;01-09-2025;",
        "1002;Nour;;Khalil;14-11-2009;1B;01-09-2025;",
    )
    assert [row.outcome for row in preview.rows] == [Outcome.UNCHANGED, Outcome.CREATE]
    assert preview.rows[1].values.date_of_birth == date(2009, 11, 14)


def test_upsert_on_the_student_number_lists_the_changed_fields(school, classes):
    stored = stored_pupil(classes)
    preview = students(school, "1001;Amir;el;Idrissi;01-05-2010;2A;01-09-2025;")
    row = preview.rows[0]
    assert (row.outcome, row.existing_id) == (Outcome.UPDATE, stored.id)
    assert row.changes == (
        FieldChange("tussenvoegsel", "", "el", "–", "el"),
        FieldChange("school_class_id", classes["1A"].id, classes["2A"].id, "1A", "2A"),
    )
    assert preview.counts[Outcome.UPDATE] == 1


def test_a_second_import_of_the_same_file_changes_nothing(school, classes):
    line = "1001;Amir;el;Idrissi;01-05-2010;1A;01-09-2025;"
    values = students(school, line).rows[0].values
    Student.objects.create(school=school, **vars(values))
    preview = students(school, line)
    assert preview.counts == {Outcome.CREATE: 0, Outcome.UPDATE: 0, Outcome.UNCHANGED: 1, Outcome.ERROR: 0}
    assert preview.rows_to_apply == []


def test_a_column_the_file_lacks_keeps_the_stored_value(school, classes):
    stored_pupil(classes, tussenvoegsel="el", onderwijsnummer="123456789")
    header = "Leerlingnummer;Roepnaam;Achternaam;Geboortedatum;Datum inschrijving"
    row = students(school, "1001;Amir;Idrissi;01-05-2010;01-09-2025", header=header).rows[0]
    assert row.outcome == Outcome.UNCHANGED
    assert (row.values.tussenvoegsel, row.values.school_class_id, row.values.onderwijsnummer) == (
        "el",
        classes["1A"].id,
        "123456789",
    )


def test_a_pupil_leaving_with_the_file_keeps_their_class(school, classes):
    stored_pupil(classes)
    row = students(school, "1001;Amir;;Idrissi;01-05-2010;2A;01-09-2025;27-02-2026").rows[0]
    assert row.changes == (FieldChange("left_on", None, date(2026, 2, 27), "–", "27-02-2026"),)


def test_a_pupil_who_left_cannot_come_back_or_leave_again_through_an_import(school, classes):
    for number in ("1001", "1002", "1003"):
        stored_pupil(classes, student_number=number, status=Student.Status.LEFT, left_on=date(2026, 1, 9))
    preview = students(
        school,
        "1001;Amir;;Idrissi;01-05-2010;2A;01-09-2025;09-01-2026",
        "1002;Amir;;Idrissi;01-05-2010;1A;01-09-2025;",
        "1003;Amir;;Idrissi;01-05-2010;1A;01-09-2025;12-01-2026",
    )
    assert preview.rows[0].outcome == Outcome.UNCHANGED
    message = "al uitgeschreven op 09-01-2026; opnieuw inschrijven of de datum wijzigen kan niet via een import"
    assert errors_of(preview) == [f"Rij 3: leerling 1002 is {message}", f"Rij 4: leerling 1003 is {message}"]


def test_a_full_export_lists_enrolled_pupils_it_leaves_out_as_vertrokken(school, classes):
    kept = StudentFactory(school=school, school_class=classes["1A"], student_number="1001")
    gone = stored_pupil(classes, student_number="1002", tussenvoegsel="el")
    StudentFactory(school=school, student_number="1003", status=Student.Status.LEFT, left_on=date(2026, 1, 9))
    StudentFactory(student_number="1004")
    line = f"1001;{kept.given_name};;{kept.family_name};01-05-2010;1A;01-09-2025;"
    preview = students(school, line, full_export=True)
    assert [(m.id, m.student_number, m.full_name) for m in preview.missing] == [(gone.id, "1002", "Amir el Idrissi")]
    assert students(school, line).missing == ()


def test_the_onderwijsnummer_is_checked_and_never_repeated_in_full(school, classes):
    stored_pupil(classes)
    header = "Leerlingnummer;Roepnaam;Achternaam;Geboortedatum;Datum inschrijving;Onderwijsnummer"
    preview = students(
        school,
        "1001;Amir;Idrissi;01-05-2010;01-09-2025;123 456 789",
        "1002;Nour;Khalil;01-05-2010;01-09-2025;12345678X",
        header=header,
    )
    assert preview.rows[0].changes == (FieldChange("onderwijsnummer", "", "123456789", "–", "*****6789"),)
    assert errors_of(preview) == ["Rij 3: onderwijsnummer moet uit 9 cijfers bestaan"]


def test_a_saved_mapping_names_the_columns_of_this_schools_export(school, classes):
    mapping = ImportMapping.objects.create(
        organisation=school,
        kind=ImportMapping.Kind.STUDENTS,
        name="Magister",
        columns={
            "student_number": "Stamnr",
            "given_name": "Roepnaam leerling",
            "date_of_birth": "Geb. datum",
            "enrolled_on": "Begindatum",
            "school_class": "Klas (stam)",
        },
    )
    header = "Stamnr;Roepnaam leerling;Achternaam;Geb. datum;Klas (stam);Begindatum;Klas"
    table = csv_file("1001;Amir;Idrissi;01-05-2010;1A;01-09-2025;2A", header=header)
    values = preview_students(school=school, table=table, mapping=mapping).rows[0].values
    assert (values.student_number, values.given_name, values.family_name) == ("1001", "Amir", "Idrissi")
    assert values.school_class_id == classes["1A"].id
    other = csv_file("1001;Amir;Idrissi", header="Leerlingnummer;Roepnaam;Achternaam")
    assert preview_students(school=school, table=other, mapping=mapping).file_errors[:2] == (
        "De kolom 'Stamnr' (voor leerlingnummer) staat niet in het bestand.",
        "De kolom 'Roepnaam leerling' (voor roepnaam) staat niet in het bestand.",
    )


def test_a_mapping_of_another_organisation_or_kind_is_a_programming_error(school):
    table = csv_file("1001;Amir", header="Leerlingnummer;Roepnaam")
    for mapping in (
        ImportMapping.objects.create(organisation=SchoolFactory(), kind="students", name="Magister", columns={}),
        ImportMapping.objects.create(organisation=school, kind="contacts", name="Personeel", columns={}),
    ):
        with pytest.raises(ValueError, match="is not a students mapping"):
            preview_students(school=school, table=table, mapping=mapping)


def test_headers_are_recognised_whatever_their_case_and_spaces(school, classes):
    header = " LEERLINGNUMMER ;voornaam;achter naam;GeboorteDatum;stamgroep;datum-inschrijving"
    values = students(school, "1001;Amir;Idrissi;01-05-2010;1A;01-09-2025", header=header).rows[0].values
    assert (values.given_name, values.family_name, values.school_class_id) == ("Amir", "Idrissi", classes["1A"].id)


def test_a_mapping_is_unique_per_organisation_kind_and_name_and_checks_its_fields(school):
    ImportMapping.objects.create(organisation=school, kind="students", name="Magister", columns={})
    with pytest.raises(ValidationError, match="Onbekende velden: shoe_size"):
        ImportMapping(organisation=school, kind="students", name="Ander", columns={"shoe_size": "Maat"}).full_clean()
    with pytest.raises(IntegrityError):
        ImportMapping.objects.create(organisation=school, kind="students", name="Magister", columns={})


def test_full_name_has_the_tussenvoegsel_and_the_onderwijsnummer_shows_masked():
    student = Student(given_name="Amir", tussenvoegsel="el", family_name="Idrissi", onderwijsnummer="123456789")
    assert student.full_name == "Amir el Idrissi"
    assert student.masked_onderwijsnummer == "*****6789"
    assert Student(given_name="Nour", family_name="Khalil").full_name == "Nour Khalil"
    assert Student().masked_onderwijsnummer == ""


def test_the_onderwijsnummer_field_takes_nine_digits(school, classes):
    student = StudentFactory.build(school=school, school_class=classes["1A"], onderwijsnummer="12345678")
    with pytest.raises(ValidationError, match="9 cijfers"):
        student.full_clean()


def test_a_preview_of_250_pupils_takes_the_same_few_queries_as_one(school, classes, django_assert_max_num_queries):
    for number in range(100):
        StudentFactory(school=school, school_class=classes["1A"], student_number=f"{1000 + number}")
    lines = [f"{1000 + n};Naam{n};;Achter{n};01-05-2010;{'1A' if n % 2 else '2A'};01-09-2025;" for n in range(250)]
    table = csv_file(*lines)
    # The school's classes, the school's pupils.
    with django_assert_max_num_queries(2):
        preview = preview_students(school=school, table=table, full_export=True)
    assert preview.counts == {Outcome.CREATE: 150, Outcome.UPDATE: 100, Outcome.UNCHANGED: 0, Outcome.ERROR: 0}


# Contacts: a partner's staff list through the same reader and mapping.

CONTACT_HEADER = "Naam;Functie;Telefoon;E-mail;Locatie"


@pytest.fixture
def coa():
    return CoaFactory(name="COA")


@pytest.fixture
def wiekenweg(coa):
    return HousingLocationFactory(organisation=coa, name="COA Wiekenweg")


def contacts(organisation, *lines, header=CONTACT_HEADER):
    return preview_contacts(organisation=organisation, table=csv_file(*lines, header=header))


def test_a_coa_staff_list_maps_dutch_functions_to_roles(coa, wiekenweg):
    elders = HousingLocationFactory(organisation=coa, name="COA Elders")
    preview = contacts(
        coa,
        "Wendy de Vries;COA-mentor;+31 6 1234 5678;wendy@coa.example;COA Wiekenweg",
        "Mo Bakker;Locatiemanager;033-1234567;mo@coa.example;COA Wiekenweg, COA Elders",
        "Sanne Jansen;mentor;;sanne@coa.example;",
    )
    assert not preview.has_errors
    wendy, mo, sanne = (row.values for row in preview.rows)
    assert (wendy.role, wendy.function, wendy.phone) == (Role.HOUSING_WORKER, "COA-mentor", "+31 6 1234 5678")
    assert wendy.location_ids == (wiekenweg.id,)
    assert (mo.role, mo.location_ids) == (Role.LOCATION_MANAGER, tuple(sorted((wiekenweg.id, elders.id))))
    assert (sanne.role, sanne.location_ids) == (Role.HOUSING_WORKER, ())
    assert not ContactPerson.objects.exists()


def test_a_separate_role_column_and_a_school_mentor(classes, school):
    header = "Naam;Rol;Functie;E-mail"
    preview = contacts(
        school,
        "Marieke;Mentor;Docent Nederlands;marieke@isk.example",
        "Zeynep;Zorgcoordinator;;zeynep@isk.example",
        header=header,
    )
    assert [(row.values.role, row.values.function) for row in preview.rows] == [
        (Role.MENTOR, "Docent Nederlands"),
        (Role.CARE_COORDINATOR, ""),
    ]


def test_contact_rows_that_cannot_be_imported(coa, wiekenweg):
    preview = contacts(
        coa,
        "Wendy;Woonbegeleider;;wendy@coa;COA Wiekenweg",
        "Mo;Kok;;mo@coa.example;",
        "Sanne;Woonbegeleider;;sanne@coa.example;COA Nergens",
        "Vera;Voogd;;vera@coa.example;",
        "Bea;Beheerder;;bea@coa.example;",
        "Tom;Woonbegeleider;;;",
    )
    assert errors_of(preview) == [
        "Rij 2: e-mailadres 'wendy@coa' is ongeldig",
        "Rij 3: rol 'Kok' is onbekend (bijvoorbeeld: mentor, zorgcoördinator, woonbegeleider, locatiemanager, voogd, "
        "teammanager)",
        "Rij 4: locatie 'COA Nergens' bestaat niet bij COA",
        "Rij 5: de rol 'Voogd' hoort niet bij een organisatie van de soort COA",
        "Rij 6: de rol 'Beheerder' wordt niet via een import gegeven",
        "Rij 7: e-mail ontbreekt",
    ]


def test_contacts_upsert_on_lower_email_and_a_returning_person_is_reactivated(coa, wiekenweg):
    wendy = ContactPersonFactory(
        organisation=coa,
        role=Role.HOUSING_WORKER,
        name="Wendy de Vries",
        function="COA-mentor",
        phone="",
        email="Wendy@COA.example",
        locations=[wiekenweg],
    )
    mo = ContactPersonFactory(
        organisation=coa,
        role=Role.LOCATION_MANAGER,
        name="Mo",
        function="Locatiemanager",
        phone="",
        email="mo@coa.example",
        is_active=False,
        inactive_since=date(2026, 1, 1),
    )
    preview = contacts(
        coa,
        "Wendy de Vries;COA-mentor;;wendy@coa.example;COA Wiekenweg",
        "Mo;Locatiemanager;;MO@coa.example;",
        "Wendy B;Woonbegeleider;;wendy@coa.example;",
    )
    assert [row.outcome for row in preview.rows] == [Outcome.ERROR, Outcome.UPDATE, Outcome.ERROR]
    assert errors_of(preview)[0] == (
        "Rij 2: e-mail wendy@coa.example staat meer dan één keer in het bestand (rijen 2, 4)"
    )
    assert preview.rows[1].existing_id == mo.id
    assert preview.rows[1].changes == (
        FieldChange("email", "mo@coa.example", "MO@coa.example", "mo@coa.example", "MO@coa.example"),
        FieldChange("is_active", False, True, "niet actief", "actief"),
    )
    unchanged = contacts(coa, "Wendy de Vries;COA-mentor;;Wendy@COA.example;COA Wiekenweg").rows[0]
    assert (unchanged.outcome, unchanged.existing_id) == (Outcome.UNCHANGED, wendy.id)


def test_a_guardian_list_of_nidos():
    nidos = NidosFactory(name="Nidos Midden")
    preview = contacts(nidos, "Vera;Jeugdbeschermer;;vera@nidos.example;", "Tom;Teammanager;;tom@nidos.example;")
    assert [row.values.role for row in preview.rows] == [Role.GUARDIAN, Role.GUARDIAN_TEAM_MANAGER]


def test_a_preview_of_250_contacts_takes_the_same_few_queries(coa, wiekenweg, django_assert_max_num_queries):
    for number in range(30):
        ContactPersonFactory(
            organisation=coa, role=Role.HOUSING_WORKER, email=f"p{number}@coa.example", locations=[wiekenweg]
        )
    table = csv_file(
        *(f"Persoon {n};Woonbegeleider;;p{n}@coa.example;COA Wiekenweg" for n in range(250)), header=CONTACT_HEADER
    )
    # The organisation's locations, its contact persons, their locations.
    with django_assert_max_num_queries(3):
        preview = preview_contacts(organisation=coa, table=table)
    assert preview.counts[Outcome.CREATE] == 220
