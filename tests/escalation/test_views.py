"""Every escalation URL: happy path, wrong method, anonymous, outsider (404) and wrong role (403)."""

from datetime import date

import pytest
from django.urls import reverse

from contacts.models import Role, User
from escalation.models import Escalation, EscalationChain, Notification
from students.team import TeamRole
from tests.factories import ContactPersonFactory, SchoolClassFactory, UserFactory
from tests.support import text_of

from .conftest import BOTH, IN_APP, add_student, at, make_chain, request_on, sweep, travel

pytestmark = pytest.mark.django_db

TUESDAY = date(2026, 3, 10)


@pytest.fixture(autouse=True)
def clock():
    """Tuesday 10 March 2026, 12:30 — half an hour after step 1 fired. Logins and requests share this clock."""
    with travel(at(2026, 3, 10, 12, 30)):
        yield


@pytest.fixture
def escalation(world, chain):
    """The ward's absence was not explained by noon: step 1 told the housing worker (in-app and e-mail)."""
    request_on(world, TUESDAY)
    sweep(at(2026, 3, 10, 12))
    return Escalation.objects.get(student=world.ward)


@pytest.fixture
def other_coordinator(world):
    person = ContactPersonFactory(
        role=Role.CARE_COORDINATOR, organisation=world.outsider_student.school, name="Zorg Elders"
    )
    return UserFactory(username="zorg-elders", person=person)


def logged_in(client, user):
    client.force_login(user)
    return client


def assert_login_redirect(response, url):
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


# -- notifications --------------------------------------------------------------------------------------------


def test_the_bell_list_shows_my_in_app_notifications(world, escalation, client):
    page = logged_in(client, world.user("housing_worker")).get(reverse("escalation:notifications"))

    assert page.status_code == 200
    assert text_of(page).count('data-testid="notification"') == 1
    assert "Afwezigheid van Yonas Tesfay op 10 maart 2026 is nog niet toegelicht." in text_of(page)
    assert 'data-testid="unread-count">1<' in text_of(page)


def test_the_bell_list_of_someone_else_is_empty(world, escalation, client):
    page = logged_in(client, world.user("mentor")).get(reverse("escalation:notifications"))

    assert page.status_code == 200
    assert 'data-testid="notification"' not in text_of(page)


def test_opening_a_notification_marks_it_read_and_goes_to_its_page(world, escalation, client):
    notification = Notification.objects.get(channel="in_app")
    url = reverse("escalation:notification_open", args=[notification.id])

    response = logged_in(client, world.user("housing_worker")).get(url)

    assert response.status_code == 302
    assert response["Location"] == reverse("escalation:mine")
    notification.refresh_from_db()
    assert notification.read_at == at(2026, 3, 10, 12, 30)


def test_opening_someone_elses_notification_is_404(world, escalation, client):
    notification = Notification.objects.get(channel="in_app")
    url = reverse("escalation:notification_open", args=[notification.id])

    assert logged_in(client, world.user("guardian")).get(url).status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_marking_all_read(world, escalation, client):
    response = logged_in(client, world.user("housing_worker")).post(reverse("escalation:notifications_read"))

    assert response.status_code == 302
    assert response["Location"] == reverse("escalation:notifications")
    assert not Notification.objects.filter(channel="in_app", read_at__isnull=True).exists()


@pytest.mark.parametrize(
    ("name", "method"),
    [("notifications", "post"), ("notifications_read", "get"), ("notification_open", "post")],
)
def test_notification_urls_refuse_the_wrong_method(world, escalation, client, name, method):
    args = [Notification.objects.get(channel="in_app").id] if name == "notification_open" else []
    client = logged_in(client, world.user("housing_worker"))

    assert getattr(client, method)(reverse(f"escalation:{name}", args=args)).status_code == 405


# -- anonymous and wrong method for every URL -----------------------------------------------------------------

URLS = [
    ("notifications", "get", False),
    ("notifications_read", "post", False),
    ("notification_open", "get", "notification"),
    ("dashboard", "get", False),
    ("mine", "get", False),
    ("detail", "get", "escalation"),
    ("acknowledge", "post", "escalation"),
    ("resolve", "post", "escalation"),
    ("chains", "get", False),
    ("chain_new", "get", False),
    ("chain_edit", "get", "chain"),
]


def url_for(name, needs, escalation):
    if needs == "notification":
        return reverse(f"escalation:{name}", args=[Notification.objects.get(channel="in_app").id])
    if needs == "escalation":
        return reverse(f"escalation:{name}", args=[escalation.id])
    if needs == "chain":
        return reverse(f"escalation:{name}", args=[EscalationChain.objects.get().id])
    return reverse(f"escalation:{name}")


@pytest.mark.parametrize(("name", "method", "needs"), URLS, ids=[name for name, *_ in URLS])
def test_anonymous_is_sent_to_the_login_page(escalation, client, name, method, needs):
    url = url_for(name, needs, escalation)

    assert_login_redirect(getattr(client, method)(url), url)


@pytest.mark.parametrize(
    ("name", "method", "needs"),
    [
        ("dashboard", "post", False),
        ("mine", "post", False),
        ("detail", "post", "escalation"),
        ("acknowledge", "get", "escalation"),
        ("resolve", "get", "escalation"),
        ("chains", "post", False),
        ("chain_new", "put", False),
        ("chain_edit", "delete", "chain"),
    ],
)
def test_the_wrong_method_is_405(world, escalation, client, name, method, needs):
    client = logged_in(client, world.user("care_coordinator"))

    assert getattr(client, method)(url_for(name, needs, escalation)).status_code == 405
    escalation.refresh_from_db()
    assert escalation.status == Escalation.Status.OPEN


# -- dashboard ------------------------------------------------------------------------------------------------


def test_the_dashboard_lists_open_escalations_with_actions(world, escalation, client):
    sweep(at(2026, 3, 10, 12, 30))

    page = logged_in(client, world.user("care_coordinator")).get(reverse("escalation:dashboard"))

    text = text_of(page)
    assert page.status_code == 200
    assert text.count('data-testid="escalation-row"') == 1
    assert 'data-student="Yonas Tesfay"' in text
    assert "1: Woonbegeleider (persoonlijk, anders de locatie)" in text
    assert reverse("escalation:acknowledge", args=[escalation.id]) in text
    assert reverse("escalation:resolve", args=[escalation.id]) in text
    assert "COA Wiekenweg" in text
    assert 'data-testid="sweep-warning"' not in text


@pytest.mark.parametrize("role_key", ["mentor", "housing_worker", "guardian", "school_management"])
def test_the_dashboard_is_for_care_coordinators_only(world, escalation, client, role_key):
    assert logged_in(client, world.user(role_key)).get(reverse("escalation:dashboard")).status_code == 403


def test_the_dashboard_shows_only_my_schools_escalations(world, escalation, other_coordinator, client):
    page = logged_in(client, other_coordinator).get(reverse("escalation:dashboard"))

    assert page.status_code == 200
    assert 'data-testid="escalation-row"' not in text_of(page)


def test_the_dashboard_puts_overdue_first_and_filters(world, chain, client):
    other_class = SchoolClassFactory(location=world.site, name="2B")
    samir = add_student(world, "Samir")
    samir.school_class = other_class
    samir.save(update_fields=["school_class"])
    lina = add_student(world, "Lina", location=world.other_location)
    request_on(world, TUESDAY)
    request_on(world, TUESDAY, student=samir)
    request_on(world, TUESDAY, student=lina)
    sweep(at(2026, 3, 10, 12))
    sweep(at(2026, 3, 10, 14))  # all three at step 2
    # Lina's step 3 is overdue (the sweep missed it); Samir's is not due yet.
    Escalation.objects.filter(student=lina).update(next_action_at=at(2026, 3, 10, 15))
    Escalation.objects.filter(student=samir).update(next_action_at=at(2026, 3, 10, 16), current_step=1)
    url = reverse("escalation:dashboard")

    with travel(at(2026, 3, 10, 15, 30)):
        client = logged_in(client, world.user("care_coordinator"))
        text = text_of(client.get(url))
        by_location = text_of(client.get(url, {"location": world.other_location.id}))
        by_class = text_of(client.get(url, {"school_class": other_class.id}))
        by_step = text_of(client.get(url, {"step": 2}))

    rows = [part.split('"', 1)[0] for part in text.split('data-student="')[1:]]
    assert rows == ["Lina Test", "Samir Test", "Yonas Tesfay"]
    assert 'class="table-danger"' in text
    assert text.count("table-danger") == 1
    assert 'data-testid="sweep-warning"' in text
    assert "1 escalatie is over tijd." in text
    assert [part.split('"', 1)[0] for part in by_location.split('data-student="')[1:]] == ["Lina Test"]
    assert [part.split('"', 1)[0] for part in by_class.split('data-student="')[1:]] == ["Samir Test"]
    assert [part.split('"', 1)[0] for part in by_step.split('data-student="')[1:]] == ["Lina Test", "Yonas Tesfay"]


def test_acknowledge_from_the_dashboard_returns_to_it(world, escalation, client):
    url = reverse("escalation:acknowledge", args=[escalation.id])
    dashboard = reverse("escalation:dashboard") + "?step=1"

    response = logged_in(client, world.user("care_coordinator")).post(url, {"next": dashboard})

    assert response.status_code == 302
    assert response["Location"] == dashboard
    escalation.refresh_from_db()
    assert escalation.status == Escalation.Status.ACKNOWLEDGED
    assert escalation.acknowledged_by == world.user("care_coordinator")
    assert "Opgepakt" in text_of(client.get(dashboard))


def test_resolve_from_the_dashboard(world, escalation, client):
    url = reverse("escalation:resolve", args=[escalation.id])
    dashboard = reverse("escalation:dashboard")

    response = logged_in(client, world.user("care_coordinator")).post(url, {"next": dashboard})

    assert response["Location"] == dashboard
    escalation.refresh_from_db()
    assert escalation.status == Escalation.Status.RESOLVED
    assert escalation.closed_by == world.user("care_coordinator")
    assert escalation.events.get(kind="resolved").actor == world.user("care_coordinator")
    assert Notification.objects.get(channel="email").status == Notification.Status.CANCELLED
    page = text_of(client.get(dashboard))
    assert 'data-testid="escalation-row"' not in page
    # Resolving twice is a harmless no-op with a message.
    client.post(url, {"next": dashboard})
    assert "Deze escalatie was al gesloten." in text_of(client.get(dashboard))


def test_resolve_refuses_an_unsafe_next(world, escalation, client):
    url = reverse("escalation:resolve", args=[escalation.id])

    response = logged_in(client, world.user("care_coordinator")).post(url, {"next": "https://evil.example/"})

    assert response["Location"] == reverse("escalation:dashboard")


def test_the_dashboard_shows_location_figures_exhausted_and_nobody_to_notify(world, client):
    make_chain(world.school, [([TeamRole.GUARDIAN], 0, IN_APP)])
    lina = add_student(world, "Lina")
    # Lina's guardianship has ended: her request has no guardian, her only step finds nobody, the chain is done.
    lina.guardianships.update(ended_on=date(2026, 3, 9))
    request_on(world, TUESDAY)
    request_on(world, TUESDAY, student=lina)
    sweep(at(2026, 3, 10, 12))

    text = text_of(logged_in(client, world.user("care_coordinator")).get(reverse("escalation:dashboard")))

    figures = text.split('data-testid="location-figures"')[1].split("</table>")[0]
    assert "COA Wiekenweg" in figures
    assert '<td class="text-end">2</td>' in figures
    nobody = text.split('data-testid="nobody-to-notify"')[1].split("</ul>")[0]
    assert "Lina Test" in nobody
    assert "Yonas Tesfay" not in nobody
    assert "Keten doorlopen" in text


# -- my escalations -------------------------------------------------------------------------------------------


def test_my_escalations_lists_what_i_was_notified_about(world, escalation, client):
    page = logged_in(client, world.user("housing_worker")).get(reverse("escalation:mine"))

    text = text_of(page)
    assert page.status_code == 200
    assert text.count('data-testid="my-escalation"') == 1
    assert reverse("escalation:acknowledge", args=[escalation.id]) in text
    # Resolving is for the care coordinator.
    assert reverse("escalation:resolve", args=[escalation.id]) not in text


@pytest.mark.parametrize("role_key", ["mentor", "guardian", "school_management", "care_coordinator"])
def test_my_escalations_is_empty_for_who_was_not_notified(world, escalation, client, role_key):
    page = logged_in(client, world.user(role_key)).get(reverse("escalation:mine"))

    assert page.status_code == 200
    assert 'data-testid="my-escalation"' not in text_of(page)


def test_each_recipient_role_finds_its_escalations(world, chain, client):
    request_on(world, TUESDAY)
    for moment in [at(2026, 3, 10, 12), at(2026, 3, 10, 14), at(2026, 3, 11, 13)]:
        sweep(moment)

    with travel(at(2026, 3, 11, 13, 30)):
        for role_key in ["housing_worker", "guardian", "school_management"]:
            client.force_login(world.user(role_key))
            assert 'data-student="Yonas Tesfay"' in text_of(client.get(reverse("escalation:mine"))), role_key


def test_my_escalations_needs_a_contact_person(world, client):
    root = User.objects.create_superuser(username="root", password="x" * 16)

    assert logged_in(client, root).get(reverse("escalation:mine")).status_code == 403


# -- detail, acknowledge, resolve -----------------------------------------------------------------------------


@pytest.mark.parametrize("role_key", ["housing_worker", "care_coordinator"])
def test_the_detail_page_shows_the_history(world, escalation, client, role_key):
    page = logged_in(client, world.user(role_key)).get(reverse("escalation:detail", args=[escalation.id]))

    text = text_of(page)
    assert page.status_code == 200
    assert 'data-kind="started"' in text
    assert 'data-kind="step_fired"' in text
    assert "Stap 1 van 3" in text


@pytest.mark.parametrize("role_key", ["mentor", "guardian", "school_management", "location_manager"])
def test_the_detail_page_is_404_for_who_was_not_notified(world, escalation, client, role_key):
    url = reverse("escalation:detail", args=[escalation.id])

    assert logged_in(client, world.user(role_key)).get(url).status_code == 404


def test_the_detail_page_is_404_for_another_schools_coordinator(world, escalation, other_coordinator, client):
    url = reverse("escalation:detail", args=[escalation.id])

    assert logged_in(client, other_coordinator).get(url).status_code == 404


def test_the_detail_page_shows_the_last_error(world, escalation, client):
    Escalation.objects.filter(id=escalation.id).update(failures=2, last_error="RuntimeError: kapot")

    text = text_of(
        logged_in(client, world.user("care_coordinator")).get(reverse("escalation:detail", args=[escalation.id]))
    )

    assert "RuntimeError: kapot" in text


def test_acknowledge_from_my_escalations(world, escalation, client):
    url = reverse("escalation:acknowledge", args=[escalation.id])

    response = logged_in(client, world.user("housing_worker")).post(url)

    assert response["Location"] == reverse("escalation:mine")
    escalation.refresh_from_db()
    assert escalation.status == Escalation.Status.ACKNOWLEDGED
    assert "U pakt de escalatie over Yonas Tesfay op." in text_of(client.get(reverse("escalation:mine")))


def test_acknowledging_twice_says_so(world, escalation, client):
    url = reverse("escalation:acknowledge", args=[escalation.id])
    logged_in(client, world.user("care_coordinator")).post(url)

    client.force_login(world.user("housing_worker"))
    client.post(url)

    assert "Deze escalatie is al opgepakt of afgehandeld." in text_of(client.get(reverse("escalation:mine")))
    escalation.refresh_from_db()
    assert escalation.acknowledged_by == world.user("care_coordinator")


@pytest.mark.parametrize("name", ["acknowledge", "resolve"])
def test_acting_on_an_escalation_i_was_not_told_about_is_404(world, escalation, other_coordinator, client, name):
    url = reverse(f"escalation:{name}", args=[escalation.id])

    assert logged_in(client, world.user("mentor")).post(url).status_code == 404
    assert logged_in(client, other_coordinator).post(url).status_code == 404
    escalation.refresh_from_db()
    assert escalation.status == Escalation.Status.OPEN


def test_resolving_is_for_the_care_coordinator(world, escalation, client):
    url = reverse("escalation:resolve", args=[escalation.id])

    assert logged_in(client, world.user("housing_worker")).post(url).status_code == 403
    escalation.refresh_from_db()
    assert escalation.status == Escalation.Status.OPEN


# -- chains ---------------------------------------------------------------------------------------------------


def chain_data(*, trigger="request_overdue", housing_kind="", steps=(), initial=0, **fields):
    data = {
        "trigger": trigger,
        "housing_kind": housing_kind,
        "repeat_last_step": "1",
        "acknowledgement_minutes": "240",
        "threshold": "3",
        "is_active": "on",
        "steps-TOTAL_FORMS": str(len(steps)),
        "steps-INITIAL_FORMS": str(initial),
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "1000",
        **fields,
    }
    for index, (roles, after, channels) in enumerate(steps):
        data[f"steps-{index}-roles"] = roles
        data[f"steps-{index}-after_minutes"] = str(after)
        data[f"steps-{index}-channels"] = channels
    return data


def test_the_chain_list_shows_my_schools_chains(world, chain, client):
    make_chain(world.outsider_student.school, [([TeamRole.MENTOR], 0, IN_APP)])

    page = logged_in(client, world.user("care_coordinator")).get(reverse("escalation:chains"))

    assert page.status_code == 200
    assert text_of(page).count('data-testid="chain"') == 1
    assert "na 120 werkminuten: Voogd" in text_of(page)


@pytest.mark.parametrize("name", ["chains", "chain_new", "chain_edit"])
def test_chain_settings_are_for_care_coordinators_only(world, chain, client, name):
    args = [chain.id] if name == "chain_edit" else []

    assert logged_in(client, world.user("mentor")).get(reverse(f"escalation:{name}", args=args)).status_code == 403
    expected = 405 if name == "chains" else 403
    assert client.post(reverse(f"escalation:{name}", args=args), chain_data()).status_code == expected


def test_another_schools_chain_is_404(world, chain, other_coordinator, client):
    url = reverse("escalation:chain_edit", args=[chain.id])

    assert logged_in(client, other_coordinator).get(url).status_code == 404
    assert client.post(url, chain_data(steps=[(["mentor"], 0, ["in_app"])])).status_code == 404
    assert chain.steps.count() == 3


def test_creating_a_chain(world, client):
    data = chain_data(
        housing_kind="emergency",
        steps=[(["housing_worker", "location_manager"], 0, BOTH), (["guardian"], 60, ["email"])],
    )

    response = logged_in(client, world.user("care_coordinator")).post(reverse("escalation:chain_new"), data)

    assert response.status_code == 302
    assert response["Location"] == reverse("escalation:chains")
    chain = EscalationChain.objects.get()
    assert (chain.school, chain.trigger, chain.housing_kind) == (world.school, "request_overdue", "emergency")
    assert [(step.position, step.roles, step.after_minutes, step.channels) for step in chain.steps.all()] == [
        (1, ["housing_worker", "location_manager"], 0, BOTH),
        (2, ["guardian"], 60, ["email"]),
    ]


def test_the_new_chain_form_renders(world, client):
    page = logged_in(client, world.user("care_coordinator")).get(reverse("escalation:chain_new"))

    assert page.status_code == 200
    assert text_of(page).count('data-testid="step-form"') == 1


def test_a_step_without_roles_is_a_form_error(world, client):
    data = chain_data(steps=[([], 30, ["in_app"])])

    page = logged_in(client, world.user("care_coordinator")).post(reverse("escalation:chain_new"), data)

    assert page.status_code == 200
    assert "Kies minstens één rol." in text_of(page)
    assert not EscalationChain.objects.exists()


def test_a_step_without_channels_is_a_form_error(world, client):
    data = chain_data(steps=[(["mentor"], 30, [])])

    page = logged_in(client, world.user("care_coordinator")).post(reverse("escalation:chain_new"), data)

    assert page.status_code == 200
    assert "Kies minstens één kanaal." in text_of(page)
    assert not EscalationChain.objects.exists()


def test_a_chain_without_steps_is_a_form_error(world, client):
    page = logged_in(client, world.user("care_coordinator")).post(reverse("escalation:chain_new"), chain_data())

    assert page.status_code == 200
    assert "Een keten heeft minstens één stap." in text_of(page)
    assert not EscalationChain.objects.exists()


def test_a_duplicate_trigger_and_housing_kind_is_a_form_error_not_a_500(world, chain, client):
    data = chain_data(steps=[(["mentor"], 30, ["in_app"])])

    page = logged_in(client, world.user("care_coordinator")).post(reverse("escalation:chain_new"), data)

    assert page.status_code == 200
    assert "Deze school heeft al een keten voor deze start en woonvorm." in text_of(page)
    assert EscalationChain.objects.count() == 1
    assert chain.steps.count() == 3


def test_another_school_may_have_the_same_trigger(world, chain, other_coordinator, client):
    data = chain_data(steps=[(["mentor"], 30, ["in_app"])])

    response = logged_in(client, other_coordinator).post(reverse("escalation:chain_new"), data)

    assert response.status_code == 302
    assert EscalationChain.objects.filter(school=world.outsider_student.school).count() == 1


def test_editing_a_chain_keeps_running_escalations_on_their_copy(world, escalation, chain, client):
    url = reverse("escalation:chain_edit", args=[chain.id])
    client = logged_in(client, world.user("care_coordinator"))
    form = client.get(url)
    assert text_of(form).count('data-testid="step-form"') == 4  # three steps and an empty one

    data = chain_data(
        steps=[(["housing_worker"], 0, BOTH), (["mentor"], 15, ["in_app"]), ([], 60, BOTH)],
        initial=3,
        **{"steps-2-DELETE": "on"},
    )
    response = client.post(url, data)

    assert response.status_code == 302
    assert [(step.roles, step.after_minutes) for step in chain.steps.all()] == [
        (["housing_worker"], 0),
        (["mentor"], 15),
    ]
    escalation.refresh_from_db()
    assert len(escalation.chain["steps"]) == 3
    assert escalation.chain["steps"][1]["roles"] == ["guardian"]


def test_editing_a_chain_into_a_duplicate_is_a_form_error(world, chain, client):
    emergency = make_chain(world.school, [([TeamRole.MENTOR], 0, IN_APP)], housing_kind="emergency")
    url = reverse("escalation:chain_edit", args=[emergency.id])

    page = logged_in(client, world.user("care_coordinator")).post(
        url, chain_data(steps=[(["mentor"], 0, ["in_app"])], initial=1)
    )

    assert page.status_code == 200
    assert "Deze school heeft al een keten voor deze start en woonvorm." in text_of(page)
    emergency.refresh_from_db()
    assert emergency.housing_kind == "emergency"
