"""Writes about students. Each function is one business operation, atomic, validated before it touches rows.

Every operation on an existing pupil first takes `lock_student`, so two writes about the same pupil (a move and
a guardian change, leaving twice, attendance being saved) queue up instead of both acting on what they read.
"""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from contacts.models import ContactPerson, Location, Organisation

from .models import Guardianship, Period, Placement, SchoolClass, Student
from .signals import student_left


def lock_student(student_id: int) -> Student:
    """Lock the pupil's row until the transaction ends and return it as stored now (callers re-check its state).

    The lock order, the same on every path, so that no two writers can wait for each other in a circle:

    1. pupils (`lock_student`, or `lock_students` for several: ascending id);
    2. what hangs off the pupil: sick reports and appointments, then attendance records, then their explanation
       requests (`attendance.services`);
    3. escalations, ascending id (`escalation.services.escalations_close`; the sweep claims its batch with
       SKIP LOCKED, so it never waits for an escalation);
    4. outbox rows (notifications), changed only by compare-and-set updates.

    Rows are locked FOR NO KEY UPDATE (the lock PostgreSQL's own UPDATE takes): it excludes every other writer of
    the pupil as FOR UPDATE would, but not the FOR KEY SHARE that a foreign key check takes on the referenced
    row. The sweep, holding its escalations, inserts events and notifications that reference pupils; under FOR
    UPDATE that insert waited for a pupil whose writer was itself waiting for one of the sweep's escalations: a
    deadlock (issue 9). Never lock a pupil FOR UPDATE: a pupil row is never deleted or re-keyed while in use.
    """
    return Student.objects.select_for_update(no_key=True).get(id=student_id)


def lock_students(student_ids) -> dict[int, Student]:
    """Lock several pupils' rows, in ascending id (see `lock_student` for the order); returns them by id.

    Ids without a pupil are left out: callers compare what they asked for with what they got.
    """
    students = Student.objects.select_for_update(no_key=True).filter(id__in=list(student_ids)).order_by("id")
    return {student.id: student for student in students}


@transaction.atomic
def student_enrol(
    *,
    school: Organisation,
    school_class: SchoolClass | None,
    given_name: str,
    family_name: str,
    date_of_birth: date,
    student_number: str,
    enrolled_on: date,
    actor,
    tussenvoegsel: str = "",
    arrival_date: date | None = None,
    nationality: str = "",
    languages: str = "",
    onderwijsnummer: str = "",
) -> Student:
    """Inschrijving: a new pupil at `school`. `actor` is who enrolled them (the audit log takes it from the request)."""
    student = Student(
        school=school,
        school_class=school_class,
        given_name=given_name.strip(),
        tussenvoegsel=tussenvoegsel.strip(),
        family_name=family_name.strip(),
        date_of_birth=date_of_birth,
        student_number=student_number.strip(),
        enrolled_on=enrolled_on,
        arrival_date=arrival_date,
        nationality=nationality.strip(),
        languages=languages.strip(),
        onderwijsnummer=onderwijsnummer.strip(),
    )
    student.full_clean()
    student.save()
    return student


@transaction.atomic
def student_change_class(*, student: Student, school_class: SchoolClass | None, actor) -> Student:
    """Put the pupil in another class of their own school (or in none, while a place is being found)."""
    stored = lock_student(student.id)
    check_class_change(stored, school_class)
    stored.school_class = school_class
    stored.full_clean()
    stored.save(update_fields=["school_class"])
    student.school_class = school_class
    return stored


@transaction.atomic
def student_leave(*, student: Student, left_on: date, actor) -> Student:
    """Uitschrijving: the pupil leaves the school on `left_on`; `students.signals.student_left` tells the apps above.

    Housing and guardianship stay as they are: where the pupil lives and who holds custody is not the school's to
    end, and the pupil's history must stay complete for the retention period.
    """
    stored = lock_student(student.id)
    check_leaving(stored, left_on)
    stored.status, stored.left_on = Student.Status.LEFT, left_on
    stored.full_clean()
    stored.save(update_fields=["status", "left_on"])
    student.status, student.left_on = stored.status, stored.left_on
    student_left.send(sender=Student, student=stored, left_on=left_on, actor=actor)
    return stored


@transaction.atomic
def student_move(
    *, student: Student, location: Location, moved_on: date, personal_worker: ContactPerson | None = None
) -> Placement:
    """Overplaatsing: close the student's open placement the day before `moved_on` and open one at `location`."""
    lock_student(student.id)
    placement = Placement(student=student, location=location, started_on=moved_on, personal_worker=personal_worker)
    return _start_next_period(
        placement,
        same_as_current="location",
        too_early={"moved_on": _("Er is al een plaatsing die op of na deze datum begint. Kies een latere datum.")},
        already_current={"location": _("De leerling woont al op deze locatie.")},
    )


@transaction.atomic
def guardianship_change(*, student: Student, guardian: ContactPerson, started_on: date, actor) -> Guardianship:
    """Wisseling van voogd: close the open guardianship the day before `started_on` and open one with `guardian`."""
    lock_student(student.id)
    check_new_guardian(guardian)
    guardianship = Guardianship(student=student, guardian=guardian, started_on=started_on)
    return _start_next_period(
        guardianship,
        same_as_current="guardian",
        too_early={"started_on": _("Er is al een voogdij die op of na deze datum begint. Kies een latere datum.")},
        already_current={"guardian": _("Deze voogd heeft de voogdij al.")},
    )


# The checks below are the services' preconditions, public so that a form (the admin's) can show them as form
# errors before anything is saved. The services run them again under the student lock.


def check_class_change(student: Student, school_class: SchoolClass | None):
    if student.status == Student.Status.LEFT:
        raise ValidationError({"school_class": _("Deze leerling is uitgeschreven en krijgt geen klas meer.")})
    if student.school_class_id == (school_class.id if school_class else None):
        raise ValidationError({"school_class": _("De leerling zit al in deze klas.")})


def check_leaving(student: Student, left_on: date):
    if student.status == Student.Status.LEFT:
        raise ValidationError(
            _("Deze leerling is al uitgeschreven op %(date)s. Er is niets gewijzigd.")
            % {"date": date_format(student.left_on)}
        )
    if left_on > timezone.localdate():
        raise ValidationError({"left_on": _("Een uitschrijfdatum kan niet in de toekomst liggen.")})


def check_new_guardian(guardian: ContactPerson):
    """Custody goes to someone who still works as a guardian; their old guardianships stay as history."""
    if not guardian.is_active:
        raise ValidationError({"guardian": _("Deze voogd is niet meer actief. Kies een actieve voogd.")})


def _start_next_period(new: Period, *, same_as_current: str, too_early: dict, already_current: dict) -> Period:
    """Close the pupil's open period of this kind the day before `new` starts, then save `new`.

    The caller holds the student lock. `same_as_current` names the field that must differ from the open period
    (moving to where one already lives is a mistake, not a move).
    """
    periods = type(new).objects.filter(student_id=new.student_id)
    if periods.filter(started_on__gte=new.started_on).exists():
        raise ValidationError(too_early)
    current = periods.open().first()
    if current is not None:
        if getattr(current, f"{same_as_current}_id") == getattr(new, f"{same_as_current}_id"):
            raise ValidationError(already_current)
        current.ended_on = new.started_on - timedelta(days=1)
        current.full_clean()
        current.save(update_fields=["ended_on"])
    new.full_clean()
    new.validate_against_stored()
    new.save()
    return new
