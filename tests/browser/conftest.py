"""Playwright journeys in Debian's Chromium against pytest-django's live_server.

`playwright install` cannot download browsers on our machines, so the tests drive /usr/bin/chromium (or
PLAYWRIGHT_CHROMIUM_EXECUTABLE). Without it they skip on a laptop and fail in CI (REQUIRE_SERVICES=1).
Screenshots land in artifacts/screenshots/ (gitignored) for a human to look at.
"""

import os
import re
from pathlib import Path

import pytest

from tests.conftest import require

# live_server runs in a thread while sync Playwright keeps an event loop on the main thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("PLAYWRIGHT_CHROMIUM_EXECUTABLE", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Every browser launch passes through here, so a missing Chromium skips (or fails in CI) before launching.
    require(Path(CHROMIUM).is_file(), f"Chromium not found at {CHROMIUM} (apt-get install -y chromium)")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 900}, "locale": "nl-NL"}


def log_in(page, base_url, username, password):
    """Log in through the real login form; the page ends on the start page."""
    page.goto(f"{base_url}/inloggen/")
    page.get_by_label(re.compile("gebruikersnaam|username", re.IGNORECASE)).fill(username)
    page.get_by_label(re.compile("wachtwoord|password", re.IGNORECASE)).fill(password)
    page.get_by_role("button", name=re.compile("^(inloggen|log in)$", re.IGNORECASE)).click()
    page.wait_for_url(f"{base_url}/")
    return page


@pytest.fixture
def login(page, live_server):
    """`login("mentor", "amvcoord-demo")` logs the test's page in and returns it on the start page."""
    return lambda username, password: log_in(page, live_server.url, username, password)


@pytest.fixture
def screenshot(request):
    """`screenshot(page, "student-list")` saves artifacts/screenshots/<test name>-student-list.png (the full page,
    or only what is in view with full_page=False)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    test_name = re.sub(r"[^\w.-]+", "-", request.node.name).strip("-")

    def save(page, name, *, full_page=True):
        path = SCREENSHOTS / f"{test_name}-{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return save


@pytest.fixture
def session(browser, browser_context_args, live_server):
    """`session("woonbegeleider", password)`: a separate browser (own cookies) logged in through the login form,
    so one test can follow several people working on the same case."""
    contexts = []

    def open_session(username, password):
        context = browser.new_context(**browser_context_args)
        contexts.append(context)
        return log_in(context.new_page(), live_server.url, username, password)

    yield open_session
    for context in contexts:
        context.close()
