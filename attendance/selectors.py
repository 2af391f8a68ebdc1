"""Reads of the daily attendance loop, scoped to the asking user's relationship with the students."""

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from auditlog.models import LogEntry
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from contacts.models import HOUSING_ROLES, Role
from contacts.selectors import location_ids_of
from students.models import SchoolClass, Student
from students.selectors import person_of, students_visible_to

from .calendar import SchoolCalendar
from .models import Appointment, AttendanceRecord, ExplanationRequest, SickReport

REPORTER_ROLES = (*HOUSING_ROLES, Role.GUARDIAN)


# -- who may do what --------------------------------------------------------------------------------------------


def roster_classes_for(user) -> QuerySet[SchoolClass]:
    """Classes whose roster the user keeps: a mentor their own; a care coordinator every class of the school."""
    person = person_of(user)
    if person is None:
        return SchoolClass.objects.none()
    mentored = Q(mentors=person)
    if person.role == Role.CARE_COORDINATOR:
        return SchoolClass.objects.filter(mentored | Q(location__organisation_id=person.organisation_id)).distinct()
    if person.role in (Role.MENTOR, Role.SCHOOL_MANAGEMENT):
        return SchoolClass.objects.filter(mentored)
    return SchoolClass.objects.none()


def school_class_for_roster_or_404(user, class_id) -> SchoolClass:
    try:
        return roster_classes_for(user).select_related("location").get(id=class_id)
    except (SchoolClass.DoesNotExist, ValueError) as missing:
        raise Http404(_("Klas niet gevonden.")) from missing


def can_report_for(user, student: Student) -> bool:
    """Sick reports and appointments come from the student's current housing location or guardian."""
    person = person_of(user)
    return (
        person is not None
        and person.role in REPORTER_ROLES
        and students_visible_to(user).filter(id=student.id).exists()
    )


def reportable_students(user) -> QuerySet[Student]:
    person = person_of(user)
    if person is None or person.role not in REPORTER_ROLES:
        return Student.objects.none()
    return students_visible_to(user).active().order_by("family_name", "given_name")


def _requests_addressed_to(person) -> Q | None:
    if person.role in HOUSING_ROLES:
        return Q(location_id__in=location_ids_of(person))
    if person.role == Role.GUARDIAN:
        return Q(guardian=person)
    return None


def can_answer_request(user, request: ExplanationRequest) -> bool:
    person = person_of(user)
    if person is None:
        return False
    if person.role in HOUSING_ROLES:
        return request.location_id in location_ids_of(person)
    return person.role == Role.GUARDIAN and request.guardian_id == person.id


def is_care_coordinator_of(user, school_id) -> bool:
    person = person_of(user)
    return person is not None and person.role == Role.CARE_COORDINATOR and person.organisation_id == school_id


# Who may see health details beyond the reason category (a hospital admission): the people who act on it.
HEALTH_DETAIL_ROLES = (Role.MENTOR, Role.CARE_COORDINATOR, *HOUSING_ROLES, Role.GUARDIAN)


def can_see_health_details(user) -> bool:
    person = person_of(user)
    return person is not None and person.role in HEALTH_DETAIL_ROLES


def can_read_remark(user, *, writer, school_id) -> bool:
    """Free text is for the writer's own organisation and the school's care coordinators, not the whole team."""
    person = person_of(user)
    if person is None or writer is None:
        return False
    writer_organisation = writer.person.organisation_id if writer.person_id else None
    return person.organisation_id == writer_organisation or is_care_coordinator_of(user, school_id)


# -- facts that explain an absence before anybody asks ---------------------------------------------------------


def open_sick_reports_on(student_ids, day: date) -> QuerySet[SickReport]:
    return SickReport.objects.filter(student_id__in=student_ids, first_day__lte=day).filter(
        Q(last_day__isnull=True) | Q(last_day__gte=day)
    )


def appointments_on(student_ids, day: date) -> QuerySet[Appointment]:
    return Appointment.objects.filter(student_id__in=student_ids, day=day).order_by("starts_at")


def appointments_explaining(student_ids, day: date) -> dict[int, Appointment]:
    """Per student, the first appointment away from school on `day` (one at school explains no absence)."""
    explaining = {}
    for appointment in appointments_on(student_ids, day).filter(at_school=False):
        explaining.setdefault(appointment.student_id, appointment)
    return explaining


# -- the roster -------------------------------------------------------------------------------------------------


@dataclass
class RosterRow:
    student: Student
    record: AttendanceRecord | None
    sick_report: SickReport | None
    appointments: list[Appointment]
    request: ExplanationRequest | None = None

    @property
    def explained_in_advance(self):
        return self.sick_report is not None or any(not a.at_school for a in self.appointments)

    @property
    def version(self) -> str:
        """A fingerprint of the record as the page saw it: a later save can tell whether it is stale."""
        if self.record is None:
            return ""
        record = self.record
        state = (
            record.updated_at.isoformat(),
            record.updated_by_id,
            record.status,
            record.minutes_late,
            record.lesson_hours_missed,
            record.remark,
        )
        return hashlib.sha256(repr(state).encode()).hexdigest()[:16]

    @property
    def status(self):
        if self.record:
            return self.record.status
        return AttendanceRecord.Status.ABSENT if self.explained_in_advance else AttendanceRecord.Status.PRESENT


@dataclass
class Roster:
    school_class: SchoolClass
    day: date
    calendar: SchoolCalendar
    rows: list[RosterRow] = field(default_factory=list)

    @property
    def default_hours(self):
        return self.school_class.lesson_hours_on(self.day)

    @property
    def closed_because(self):
        return self.calendar.closed_because(self.day)

    @property
    def last_saved(self) -> AttendanceRecord | None:
        records = [row.record for row in self.rows if row.record]
        return max(records, key=lambda record: record.updated_at) if records else None

    @property
    def saved_count(self):
        return sum(1 for row in self.rows if row.record)


def roster_calendar(school_class: SchoolClass) -> SchoolCalendar:
    return SchoolCalendar(school_class.location.organisation_id)


def roster(school_class: SchoolClass, day: date, *, calendar: SchoolCalendar | None = None) -> Roster:
    """Everything a mentor needs for one class on one day, in a fixed number of queries."""
    calendar = calendar or roster_calendar(school_class)
    students = list(Student.objects.active().filter(school_class=school_class).order_by("family_name", "given_name"))
    ids = [student.id for student in students]
    records = {
        record.student_id: record
        for record in AttendanceRecord.objects.filter(student_id__in=ids, day=day).select_related(
            "updated_by__person", "explanation_request"
        )
    }
    sick_reports = {report.student_id: report for report in open_sick_reports_on(ids, day)}
    appointments = defaultdict(list)
    for appointment in appointments_on(ids, day):
        appointments[appointment.student_id].append(appointment)
    result = Roster(school_class=school_class, day=day, calendar=calendar)
    for student in students:
        record = records.get(student.id)
        result.rows.append(
            RosterRow(
                student=student,
                record=record,
                sick_report=sick_reports.get(student.id),
                appointments=appointments[student.id],
                request=getattr(record, "explanation_request", None) if record else None,
            )
        )
    return result


def roster_row(school_class: SchoolClass, day: date, student_id) -> RosterRow:
    try:
        student = Student.objects.active().get(school_class=school_class, id=student_id)
    except (Student.DoesNotExist, ValueError) as missing:
        raise Http404(_("Leerling niet gevonden in deze klas.")) from missing
    record = (
        AttendanceRecord.objects.filter(student=student, day=day)
        .select_related("updated_by__person", "explanation_request")
        .first()
    )
    return RosterRow(
        student=student,
        record=record,
        sick_report=open_sick_reports_on([student.id], day).first(),
        appointments=list(appointments_on([student.id], day)),
        request=getattr(record, "explanation_request", None) if record else None,
    )


# -- the housing inbox ------------------------------------------------------------------------------------------


@dataclass
class InboxEntry:
    student: Student
    requests: list[ExplanationRequest]
    # False for a former resident: the request is still this location's to answer, the student page is not.
    is_current: bool = True


def inbox(user) -> list[InboxEntry]:
    """Open explanation requests addressed to the user's locations (or to them as guardian), oldest first,
    grouped per student so several days can be answered at once."""
    person = person_of(user)
    addressed = _requests_addressed_to(person) if person else None
    if addressed is None:
        return []
    requests = (
        ExplanationRequest.objects.filter(addressed, status=ExplanationRequest.Status.OPEN)
        .select_related("student__school_class", "record__recorded_by__person", "location")
        .order_by("day", "id")
    )
    entries = {}
    for request in requests:
        entries.setdefault(request.student_id, InboxEntry(request.student, [])).requests.append(request)
    if entries:
        current = set(students_visible_to(user).filter(id__in=list(entries)).values_list("id", flat=True))
        for student_id, entry in entries.items():
            entry.is_current = student_id in current
    return list(entries.values())


def inbox_count(user) -> int:
    person = person_of(user)
    addressed = _requests_addressed_to(person) if person else None
    if addressed is None:
        return 0
    return ExplanationRequest.objects.filter(addressed, status=ExplanationRequest.Status.OPEN).count()


def open_sick_reports_for(user) -> QuerySet[SickReport]:
    """Open sick reports of the students this user may report for (to send a betermelding)."""
    return (
        SickReport.objects.filter(last_day__isnull=True, student__in=reportable_students(user))
        .select_related("student")
        .order_by("first_day")
    )


def sick_report_for_user_or_404(user, report_id) -> SickReport:
    try:
        return open_sick_reports_for(user).get(id=report_id)
    except (SickReport.DoesNotExist, ValueError) as missing:
        raise Http404(_("Ziekmelding niet gevonden.")) from missing


def student_with_requests_for_or_404(user, student_id) -> Student:
    """A student about whom requests were addressed to this user (their location, or them as guardian)."""
    person = person_of(user)
    addressed = _requests_addressed_to(person) if person else None
    student = None
    if addressed is not None:
        student = Student.objects.filter(
            id__in=ExplanationRequest.objects.filter(addressed, student_id=student_id).values("student_id")
        ).first()
    if student is None:
        raise Http404(_("Leerling niet gevonden."))
    return student


def requests_for_answer(user, request_ids) -> list[ExplanationRequest]:
    person = person_of(user)
    addressed = _requests_addressed_to(person) if person else None
    if addressed is None:
        return []
    return list(ExplanationRequest.objects.filter(addressed, id__in=request_ids))


# -- the care coordinator's decisions ---------------------------------------------------------------------------


def absences_for_decision(user, *, since: date, only: str = "") -> QuerySet[AttendanceRecord]:
    """Absences at the care coordinator's school since a date, newest first."""
    person = person_of(user)
    if person is None or person.role != Role.CARE_COORDINATOR:
        return AttendanceRecord.objects.none()
    absences = AttendanceRecord.objects.filter(
        student__school_id=person.organisation_id, status=AttendanceRecord.Status.ABSENT, day__gte=since
    )
    if only == "unexplained":
        absences = absences.filter(reason="")
    elif only == "unauthorised":
        absences = absences.filter(authorised=False)
    elif only == "overridden":
        absences = absences.filter(authorisation_overridden=True)
    return absences.select_related("student", "school_class", "explained_by__person", "decided_by__person").order_by(
        "-day", "student__family_name", "id"
    )


def absence_for_user_or_404(user, record_id) -> AttendanceRecord:
    try:
        return (
            AttendanceRecord.objects.select_related("student")
            .filter(student__in=students_visible_to(user))
            .get(id=record_id, status=AttendanceRecord.Status.ABSENT)
        )
    except (AttendanceRecord.DoesNotExist, ValueError) as missing:
        raise Http404(_("Registratie niet gevonden.")) from missing


# -- the chronology ---------------------------------------------------------------------------------------------


@dataclass
class TimelineEntry:
    at: datetime
    day: date
    kind: str
    title: str
    actor: object = None
    detail: str = ""
    remark: str = ""
    badge: str = "secondary"


def chronology(user, student: Student, *, limit_days: int = 365) -> list[TimelineEntry]:
    """Everything that happened around one student, newest first, with who and when.

    Reason categories are shown to the whole team; free-text remarks only where `can_read_remark` allows.
    """
    since = timezone.localdate() - timedelta(days=limit_days)
    entries: list[TimelineEntry] = []

    def remark(text, writer):
        return text if text and can_read_remark(user, writer=writer, school_id=student.school_id) else ""

    records = (
        AttendanceRecord.objects.filter(student=student, day__gte=since)
        .exclude(status=AttendanceRecord.Status.PRESENT)
        .select_related("recorded_by__person", "explained_by__person", "decided_by__person", "school_class")
    )
    for record in records:
        detail = _("%(hours)s lesuren gemist") % {"hours": record.lesson_hours_missed}
        if record.status == AttendanceRecord.Status.LATE:
            detail = _("%(minutes)s minuten te laat") % {"minutes": record.minutes_late}
        entries.append(
            TimelineEntry(
                at=record.recorded_at,
                day=record.day,
                kind="attendance",
                title=record.get_status_display(),
                actor=record.recorded_by,
                detail=detail,
                remark=remark(record.remark, record.recorded_by),
                badge="danger" if record.status == AttendanceRecord.Status.ABSENT else "warning",
            )
        )
        if record.reason:
            entries.append(
                TimelineEntry(
                    at=record.explained_at,
                    day=record.day,
                    kind="explanation",
                    title=_("Toelichting: %(reason)s") % {"reason": record.get_reason_display()},
                    actor=record.explained_by,
                    detail=record.get_explanation_source_display(),
                    remark=remark(record.explanation_remark, record.explained_by),
                    badge="info",
                )
            )
        if record.decided_at:
            entries.append(
                TimelineEntry(
                    at=record.decided_at,
                    day=record.day,
                    kind="decision",
                    title=_("Beoordeeld: geoorloofd") if record.authorised else _("Beoordeeld: ongeoorloofd"),
                    actor=record.decided_by,
                    remark=remark(record.authorisation_note, record.decided_by),
                    badge="success" if record.authorised else "dark",
                )
            )
    for report in (
        SickReport.objects.filter(student=student)
        .filter(Q(last_day__isnull=True) | Q(last_day__gte=since))
        .select_related("reported_by__person", "closed_by__person")
    ):
        title = _("Ziek gemeld")
        if report.hospital_admission and can_see_health_details(user):
            title = _("Ziek gemeld – opgenomen in ziekenhuis")
        detail = (
            _("verwacht terug %(date)s") % {"date": date_format(report.expected_back)} if report.expected_back else ""
        )
        entries.append(
            TimelineEntry(
                at=report.reported_at,
                day=report.first_day,
                kind="sick_report",
                title=title,
                actor=report.reported_by,
                detail=detail,
                remark=remark(report.remark, report.reported_by),
                badge="info",
            )
        )
        if report.closed_at:
            entries.append(
                TimelineEntry(
                    at=report.closed_at,
                    day=report.last_day + timedelta(days=1),
                    kind="sick_report_closed",
                    title=_("Beter gemeld"),
                    actor=report.closed_by,
                    badge="success",
                )
            )
    for appointment in Appointment.objects.filter(student=student, day__gte=since).select_related(
        "registered_by__person"
    ):
        where = _("op school") if appointment.at_school else _("buiten school")
        entries.append(
            TimelineEntry(
                at=appointment.registered_at,
                day=appointment.day,
                kind="appointment",
                title=_("Afspraak: %(kind)s") % {"kind": appointment.get_kind_display()},
                actor=appointment.registered_by,
                detail=f"{appointment.starts_at:%H:%M}–{appointment.ends_at:%H:%M}, {where}",
                remark=remark(appointment.remark, appointment.registered_by),
                badge="primary",
            )
        )
    current = Q(ended_on__isnull=True) | Q(ended_on__gte=since)
    placements = list(student.placements.filter(current).select_related("location"))
    guardianships = list(student.guardianships.filter(current).select_related("guardian"))
    registered = _registrations(placement=placements, guardianship=guardianships)
    for placement in placements:
        registration = registered.get(("placement", placement.id))
        entries.append(
            TimelineEntry(
                at=registration.timestamp if registration else _start_of(placement.started_on),
                day=placement.started_on,
                kind="placement",
                title=_("Woont op %(location)s") % {"location": placement.location.name},
                actor=registration.actor if registration else None,
                badge="light",
            )
        )
    for guardianship in guardianships:
        registration = registered.get(("guardianship", guardianship.id))
        entries.append(
            TimelineEntry(
                at=registration.timestamp if registration else _start_of(guardianship.started_on),
                day=guardianship.started_on,
                kind="guardianship",
                title=_("Voogd: %(name)s") % {"name": guardianship.guardian.name},
                actor=registration.actor if registration else None,
                badge="light",
            )
        )
    entries.sort(key=lambda entry: (entry.day, entry.at), reverse=True)
    return entries


def _registrations(**rows_by_model) -> dict[tuple[str, int], LogEntry]:
    """Who registered each row, and when, from the audit log: placements and guardianships keep no author."""
    condition = Q()
    for model, rows in rows_by_model.items():
        ids = [row.id for row in rows]
        condition |= Q(content_type__app_label="students", content_type__model=model, object_id__in=ids)
    entries = LogEntry.objects.filter(condition, action=LogEntry.Action.CREATE).select_related(
        "content_type", "actor__person"
    )
    return {(entry.content_type.model, entry.object_id): entry for entry in entries}


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


# -- start page -------------------------------------------------------------------------------------------------


@dataclass
class SchoolDay:
    day: date
    is_school_day: bool
    absent: int = 0
    unexplained: int = 0


def school_day_summary(school_id, day: date) -> SchoolDay:
    """How the school's day is going: absences so far and how many nobody has explained yet."""
    calendar = SchoolCalendar(school_id)
    counts = AttendanceRecord.objects.filter(
        student__school_id=school_id, day=day, status=AttendanceRecord.Status.ABSENT
    ).aggregate(absent=Count("id"), unexplained=Count("id", filter=Q(reason="")))
    return SchoolDay(day=day, is_school_day=calendar.is_school_day(day), **counts)


def roster_progress(classes, day: date) -> dict[int, int]:
    """Per class: how many pupils already have a record for `day`."""
    return dict(
        AttendanceRecord.objects.filter(school_class__in=classes, day=day)
        .values("school_class")
        .annotate(saved=Count("id"))
        .values_list("school_class", "saved")
    )


@dataclass
class CurrentSituation:
    sick_report: SickReport | None
    hospital: bool
    appointments: list[Appointment]


def current_situation(user, student: Student) -> CurrentSituation:
    """What the team should know today: an open sick report (the hospital admission only for the roles that
    act on it) and appointments today and tomorrow."""
    today = timezone.localdate()
    sick_report = SickReport.objects.filter(student=student, last_day__isnull=True).first()
    appointments = list(
        Appointment.objects.filter(student=student, day__gte=today, day__lte=today + timedelta(days=1)).order_by(
            "day", "starts_at"
        )
    )
    hospital = bool(sick_report and sick_report.hospital_admission and can_see_health_details(user))
    return CurrentSituation(sick_report=sick_report, hospital=hospital, appointments=appointments)
