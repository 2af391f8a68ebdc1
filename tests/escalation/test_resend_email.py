"""The dashboard's list of e-mails that failed for good, and sending one again (issue 9, item 6)."""

from datetime import date

import pytest
from django.urls import reverse

from escalation.models import Escalation, EscalationEvent, Notification
from tests.factories import ContactPersonFactory, UserFactory

from .conftest import BOTH, at, make_chain, request_on, sweep, travel
from .test_queries import assert_same_count, queries

pytestmark = pytest.mark.django_db

TUESDAY = date(2026, 3, 10)


@pytest.fixture(autouse=True)
def clock():
    with travel(at(2026, 3, 10, 14)):
        yield


@pytest.fixture
def failed_email(world):
    """Step 1 e-mailed the housing worker at noon; every attempt failed."""
    make_chain(world.school, [(["housing_worker"], 0, BOTH)])
    request_on(world, TUESDAY)
    sweep(at(2026, 3, 10, 12))
    email = Notification.objects.get(channel=Notification.Channel.EMAIL)
    Notification.objects.filter(id=email.id).update(
        status=Notification.Status.FAILED, attempts=5, last_error="SMTPServerDisconnected", next_attempt_at=None
    )
    return email


def resend_url(notification):
    return reverse("escalation:resend_email", args=[notification.id])


def test_the_dashboard_lists_a_failed_email_with_a_resend_button(world, failed_email, client):
    client.force_login(world.user("care_coordinator"))

    page = client.get(reverse("escalation:dashboard")).content.decode()

    failed = page.split('data-testid="failed-emails"')[1].split("</ul>")[0]
    assert world.user("housing_worker").person.name in failed and world.ward.full_name in failed
    assert resend_url(failed_email) in failed


def test_resending_puts_the_email_back_in_the_outbox_and_delivers_it(
    world, failed_email, client, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(world.user("care_coordinator"))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(resend_url(failed_email))

    assert response.status_code == 302 and response["Location"] == reverse("escalation:dashboard")
    failed_email.refresh_from_db()
    assert failed_email.status == Notification.Status.SENT
    assert [message.to for message in mailoutbox] == [[world.user("housing_worker").person.email]]
    event = EscalationEvent.objects.get(kind=EscalationEvent.Kind.EMAIL_RESENT)
    assert event.actor == world.user("care_coordinator")
    page = client.get(reverse("escalation:dashboard")).content.decode()
    assert "wordt opnieuw verstuurd" in page
    assert resend_url(failed_email) not in page


def test_an_email_already_sent_again_is_no_longer_offered(world, failed_email, client):
    client.force_login(world.user("care_coordinator"))
    client.post(resend_url(failed_email))

    response = client.post(resend_url(failed_email))

    assert response.status_code == 404  # no longer a failed e-mail: nothing to send again
    assert Notification.objects.get(id=failed_email.id).status in (
        Notification.Status.PENDING,
        Notification.Status.SENT,
    )


def test_resend_is_post_only(world, failed_email, client):
    client.force_login(world.user("care_coordinator"))

    assert client.get(resend_url(failed_email)).status_code == 405
    failed_email.refresh_from_db()
    assert failed_email.status == Notification.Status.FAILED


def test_resend_sends_an_anonymous_visitor_to_the_login_page(failed_email, client):
    url = resend_url(failed_email)

    response = client.post(url)

    assert response.status_code == 302 and response["Location"] == f"{reverse('login')}?next={url}"


@pytest.mark.parametrize("role_key", ["mentor", "housing_worker", "school_management", "guardian"])
def test_resend_is_404_for_roles_without_the_dashboard(world, failed_email, client, role_key):
    client.force_login(world.user(role_key))

    assert client.post(resend_url(failed_email)).status_code == 404
    failed_email.refresh_from_db()
    assert failed_email.status == Notification.Status.FAILED


def test_resend_is_404_for_another_schools_care_coordinator(world, failed_email, client):
    person = ContactPersonFactory(role="care_coordinator", organisation=world.outsider_student.school)
    client.force_login(UserFactory(username="zorg-elders", person=person))

    assert client.post(resend_url(failed_email)).status_code == 404
    assert client.get(reverse("escalation:dashboard")).content.decode().count(resend_url(failed_email)) == 0


def test_the_failed_list_does_not_query_per_row(world, failed_email, client):
    client.force_login(world.user("care_coordinator"))
    url = reverse("escalation:dashboard")
    _page, few = queries(client, url)

    template = Notification.objects.get(id=failed_email.id)
    escalation = Escalation.objects.get()
    for number in range(12):
        recipient = ContactPersonFactory(organisation=world.location.organisation, name=f"Onbereikbaar {number}")
        Notification.objects.create(
            recipient=recipient,
            channel=template.channel,
            kind=template.kind,
            student=template.student,
            escalation=escalation,
            step=template.step,
            round=template.round,
            status=Notification.Status.FAILED,
            attempts=5,
        )
    many_page, many = queries(client, url)

    section = many_page.content.decode().split('data-testid="failed-emails"')[1].split("</ul>")[0]
    assert section.count("Opnieuw versturen") == 13
    assert_same_count(few, many)
