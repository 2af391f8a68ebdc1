from attendance.models import ExplanationRequest
from attendance.signals import explanation_requests_closed
from students.services import student_leave

from .factories import AttendanceRecordFactory, ExplanationRequestFactory
from .helpers import MONDAY, TUESDAY, at


def open_request(student, day):
    return ExplanationRequestFactory(record=AttendanceRecordFactory(student=student, day=day, absent=True))


def test_it_cancels_the_open_requests_of_a_pupil_who_leaves(world, clock):
    monday, tuesday = open_request(world.ward, MONDAY), open_request(world.ward, TUESDAY)
    admin = world.user("admin")
    clock.move_to(at(2026, 3, 10, 14, 30), tick=False)

    student_leave(student=world.ward, left_on=TUESDAY, actor=admin)

    rows = ExplanationRequest.objects.filter(id__in=[monday.id, tuesday.id]).values_list(
        "status", "closed_at", "closed_by"
    )
    assert list(rows) == [(ExplanationRequest.Status.CANCELLED, at(2026, 3, 10, 14, 30), admin.id)] * 2


def test_it_leaves_answered_requests_and_other_pupils_alone(world, clock):
    answered = open_request(world.ward, MONDAY)
    ExplanationRequest.objects.filter(id=answered.id).update(
        status=ExplanationRequest.Status.ANSWERED, closed_at=at(2026, 3, 9, 12, 0)
    )
    bystander = open_request(world.outsider_student, TUESDAY)

    student_leave(student=world.ward, left_on=TUESDAY, actor=None)

    answered.refresh_from_db()
    bystander.refresh_from_db()
    assert (answered.status, answered.closed_at) == (ExplanationRequest.Status.ANSWERED, at(2026, 3, 9, 12, 0))
    assert (bystander.status, bystander.closed_at) == (ExplanationRequest.Status.OPEN, None)


def test_it_does_not_announce_the_requests_as_closed(world):
    open_request(world.ward, TUESDAY)
    announced = []

    def receiver(sender, **kwargs):
        announced.append(kwargs)

    explanation_requests_closed.connect(receiver)
    try:
        student_leave(student=world.ward, left_on=TUESDAY, actor=None)
    finally:
        explanation_requests_closed.disconnect(receiver)

    assert announced == []
    assert not ExplanationRequest.objects.filter(status=ExplanationRequest.Status.OPEN).exists()
