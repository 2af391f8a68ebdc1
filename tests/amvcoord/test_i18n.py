from django.conf import settings
from django.urls import reverse

from tests.support import text_of

LOGIN = reverse("login")
SET_LANGUAGE = reverse("set_language")


def test_it_speaks_dutch_by_default(db, client):
    response = client.get(LOGIN)
    assert response.status_code == 200
    html = text_of(response)
    assert '<html lang="nl"' in html
    assert "Inloggen" in html
    assert "Wachtwoord" in html


def test_it_speaks_dutch_to_a_browser_asking_for_a_language_it_does_not_have(db, client):
    html = text_of(client.get(LOGIN, headers={"accept-language": "de-DE,de;q=0.9"}))
    assert '<html lang="nl"' in html


def test_it_switches_to_english(db, client):
    response = client.post(SET_LANGUAGE, {"language": "en", "next": LOGIN})
    assert response.status_code == 302
    assert response.url == LOGIN
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert '<html lang="en"' in text_of(client.get(LOGIN))


def test_it_switches_back_to_dutch(db, client):
    client.post(SET_LANGUAGE, {"language": "en", "next": LOGIN})
    client.post(SET_LANGUAGE, {"language": "nl", "next": LOGIN})
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "nl"
    assert '<html lang="nl"' in text_of(client.get(LOGIN))


def test_it_ignores_a_language_it_does_not_offer(db, client):
    response = client.post(SET_LANGUAGE, {"language": "xx", "next": LOGIN})
    assert response.status_code == 302
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    assert '<html lang="nl"' in text_of(client.get(LOGIN))


def test_it_keeps_the_chosen_language_after_login(world, client):
    client.post(SET_LANGUAGE, {"language": "en", "next": LOGIN})
    client.force_login(world.user("mentor"))
    assert '<html lang="en"' in text_of(client.get(reverse("students:list")))


def test_it_offers_both_languages_on_every_page(db, client):
    html = text_of(client.get(LOGIN))
    assert f'action="{SET_LANGUAGE}"' in html
    assert 'name="language" value="nl"' in html
    assert 'name="language" value="en"' in html


def test_it_stays_dutch_for_an_english_browser_until_english_is_chosen(client, db):
    english_browser = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}
    assert '<html lang="nl"' in client.get("/inloggen/", **english_browser).content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/inloggen/"})
    assert '<html lang="en"' in client.get("/inloggen/", **english_browser).content.decode()
