"""A pupil who leaves stops being escalated about, end to end: through `student_leave` and through the admin."""

from datetime import date

import pytest
from django.urls import reverse

from attendance.models import ExplanationRequest
from escalation.models import Escalation, Notification
from students.models import Student
from students.services import student_leave
from tests.students.test_admin import ward_form_data

from .conftest import at, request_on, sweep, travel

pytestmark = pytest.mark.django_db

TUESDAY = date(2026, 3, 10)


def escalating_ward(world):
    """The ward's Tuesday absence is overdue: step 1 fired at noon, its e-mail not yet sent."""
    request_on(world, TUESDAY)
    sweep(at(2026, 3, 10, 12))
    assert Escalation.objects.filter(student=world.ward, status=Escalation.Status.OPEN).count() == 1
    pending = Notification.objects.filter(channel=Notification.Channel.EMAIL, status=Notification.Status.PENDING)
    assert pending.exists()
    return list(pending.values_list("id", flat=True))


def assert_nothing_left_to_escalate(world, pending_ids, mailoutbox):
    assert not ExplanationRequest.objects.filter(student=world.ward, status=ExplanationRequest.Status.OPEN).exists()
    assert not Escalation.objects.filter(student=world.ward, status__in=Escalation.ACTIVE).exists()
    assert set(Notification.objects.filter(id__in=pending_ids).values_list("status", flat=True)) == {
        Notification.Status.CANCELLED
    }
    notified = Notification.objects.count()
    # The rest of the chain's time passes: nothing starts, fires or is sent.
    for moment in (at(2026, 3, 10, 15), at(2026, 3, 11, 12), at(2026, 3, 13, 12)):
        result = sweep(moment)
        assert (result.started, result.fired, result.email_ids) == (0, 0, [])
    assert Notification.objects.count() == notified
    assert mailoutbox == []


def test_a_pupil_who_leaves_through_the_service_is_no_longer_escalated_about(world, chain, mailoutbox):
    pending_ids = escalating_ward(world)

    with travel(at(2026, 3, 10, 13)):
        student_leave(student=world.ward, left_on=TUESDAY, actor=world.user("admin"))

    assert_nothing_left_to_escalate(world, pending_ids, mailoutbox)


def test_a_pupil_who_leaves_through_the_admin_is_no_longer_escalated_about(world, chain, admin_client, mailoutbox):
    pending_ids = escalating_ward(world)

    with travel(at(2026, 3, 10, 13)):
        data = {**ward_form_data(world), "status": Student.Status.LEFT, "left_on": TUESDAY.isoformat()}
        response = admin_client.post(reverse("admin:students_student_change", args=[world.ward.pk]), data)

    assert response.status_code == 302
    assert Student.objects.get(id=world.ward.id).status == Student.Status.LEFT
    assert_nothing_left_to_escalate(world, pending_ids, mailoutbox)
