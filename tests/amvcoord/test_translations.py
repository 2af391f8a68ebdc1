"""The English catalogue: complete, placeholders intact, and the key pages really speak English.

Dutch is the source language (every msgid is Dutch) and the default; `locale/en/LC_MESSAGES/django.po` is the
only catalogue. The .mo files are compiled by `make test`; the page tests compile a fresh one themselves when it
is missing or older than the .po, so a plain `pytest` run checks the current translations too.
"""

import ast
import html
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from django.utils.translation import trans_real

from tests.attendance.helpers import MONDAY, absent, at, mark
from tests.support import text_of

PO_FILE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO_FILE = PO_FILE.with_suffix(".mo")
SET_LANGUAGE = reverse("set_language")

# %(name)s, %(count)d, … and bare %s / %d; "%%" is a literal percent sign.
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdifr]|%[sdifr]|\{\{\s*[\w.]+\s*\}\}")


def parse_po(path: Path) -> list[dict]:
    """Entries of a .po file (without the header and without obsolete `#~` entries).

    Each entry: msgid, msgid_plural (or None), msgstr (list: one item, or one per plural form), flags (set).
    """
    entries, entry, field = [], None, None

    def finish():
        if entry is not None and entry["msgid"] is not None:
            entries.append(entry)

    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#~"):
            continue
        if line.startswith("#"):
            if entry is not None and entry["msgid"] is not None:
                finish()
                entry = None
            entry = entry or {"msgid": None, "msgid_plural": None, "msgstr": {}, "flags": set(), "msgctxt": None}
            if line.startswith("#,"):
                entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            value = ast.literal_eval(line)
            if isinstance(field, int):
                entry["msgstr"][field] += value
            else:
                entry[field] += value
            continue
        value = ast.literal_eval(rest)
        if keyword == "msgctxt" or (keyword == "msgid" and (entry is None or entry["msgid"] is not None)):
            finish()
            entry = {"msgid": None, "msgid_plural": None, "msgstr": {}, "flags": set(), "msgctxt": None}
        if keyword.startswith("msgstr["):
            field = int(keyword[len("msgstr[") : -1])
            entry["msgstr"][field] = value
        elif keyword == "msgstr":
            field = 0
            entry["msgstr"][0] = value
        else:
            field = keyword
            entry[keyword] = value
    finish()
    for item in entries:
        item["msgstr"] = [item["msgstr"][index] for index in sorted(item["msgstr"])]
    return [item for item in entries if item["msgid"] != ""]


def placeholders(text: str) -> list[str]:
    return sorted(match.group(0).replace(" ", "") for match in PLACEHOLDER.finditer(text.replace("%%", "")))


@pytest.fixture(scope="module")
def catalogue():
    assert PO_FILE.exists(), f"{PO_FILE} is missing: run makemessages --locale=en"
    return parse_po(PO_FILE)


def test_the_parser_reads_the_whole_catalogue(catalogue):
    assert len(catalogue) > 600
    assert any(entry["msgid_plural"] for entry in catalogue)
    assert {"Inloggen", "Privacyverklaring", "Leerlingen"} <= {entry["msgid"] for entry in catalogue}


def test_every_entry_is_translated_and_none_is_fuzzy(catalogue):
    untranslated = [entry["msgid"] for entry in catalogue if not all(entry["msgstr"])]
    fuzzy = [entry["msgid"] for entry in catalogue if "fuzzy" in entry["flags"]]
    assert untranslated == []
    assert fuzzy == []


def test_every_plural_entry_has_both_english_forms(catalogue):
    plurals = [entry for entry in catalogue if entry["msgid_plural"]]
    assert plurals
    assert [entry["msgid"] for entry in plurals if len(entry["msgstr"]) != 2] == []


def test_msgfmt_accepts_the_catalogue_and_counts_only_translated_messages(tmp_path):
    if shutil.which("msgfmt") is None:
        pytest.skip("GNU gettext (msgfmt) is not installed")
    result = subprocess.run(
        ["msgfmt", "--statistics", "--check", "-o", str(tmp_path / "django.mo"), str(PO_FILE)],
        capture_output=True,
        text=True,
        env={**os.environ, "LC_ALL": "C", "LANGUAGE": ""},
    )
    assert result.returncode == 0, result.stderr
    statistics = result.stderr.strip().splitlines()[-1]
    assert re.fullmatch(r"\d+ translated messages?\.", statistics), statistics
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr


def test_every_translation_keeps_the_placeholders_of_its_msgid(catalogue):
    wrong = []
    for entry in catalogue:
        sources = [entry["msgid"], entry["msgid_plural"]] if entry["msgid_plural"] else [entry["msgid"]]
        for index, translated in enumerate(entry["msgstr"]):
            source = sources[min(index, len(sources) - 1)]
            if placeholders(translated) != placeholders(source):
                wrong.append((source, translated))
    assert wrong == []


def test_every_entry_for_python_formatting_is_flagged_so_msgfmt_checks_it(catalogue):
    """makemessages flags %(name)s strings as python-format; a hand-edited entry without the flag escapes -c."""
    unflagged = [
        entry["msgid"]
        for entry in catalogue
        if re.search(r"%\(\w+\)[sd]", entry["msgid"]) and "python-format" not in entry["flags"]
    ]
    assert unflagged == []


# ---------------------------------------------------------------------------------------------------------------
# Pages in English


@pytest.fixture(scope="module", autouse=True)
def compiled_catalogue():
    """Compile the .mo when it is missing or stale (`make test` does this first anyway).

    Django caches each language's catalogue for the life of the process, so after compiling, the cache is dropped
    in case an earlier test already loaded the English catalogue without the new .mo.
    """
    if not MO_FILE.exists() or MO_FILE.stat().st_mtime < PO_FILE.stat().st_mtime:
        if shutil.which("msgfmt") is None:
            pytest.skip("no compiled English catalogue and no msgfmt to compile it")
        call_command("compilemessages", locale=["en"], ignore_patterns=[".venv"], verbosity=0)
        trans_real._translations = {}
        trans_real._default = None


@pytest.fixture(autouse=True)
def clock(time_machine):
    """A plain school day, Tuesday 10 March 2026, so the roster and inbox have a day to show."""
    time_machine.move_to(at(2026, 3, 10, 9, 0), tick=False)
    return time_machine


@pytest.fixture(scope="module")
def dutch_texts(catalogue):
    """Dutch msgids that would give themselves away on an English page: long, with a space, translated differently."""
    return [
        entry["msgid"]
        for entry in catalogue
        if not entry["msgid_plural"]
        and " " in entry["msgid"]
        and len(entry["msgid"]) >= 12
        and "%(" not in entry["msgid"]
        and entry["msgstr"][0] != entry["msgid"]
    ]


def english(client):
    response = client.post(SET_LANGUAGE, {"language": "en", "next": "/"})
    assert response.status_code == 302
    return client


def english_page(client, url, dutch_texts):
    response = client.get(url)
    assert response.status_code == 200, url
    page = html.unescape(text_of(response))
    assert '<html lang="en"' in page
    leaked = [text for text in dutch_texts if text in page]
    assert leaked == [], f"Dutch text on the English page {url}"
    return page


def test_the_login_page_in_english(db, client, dutch_texts):
    page = english_page(english(client), reverse("login"), dutch_texts)
    assert "Log in" in page
    assert "Username" in page and "Password" in page
    assert "Inloggen" not in page


def test_the_start_page_of_a_mentor_in_english(world, client, dutch_texts):
    client.force_login(world.user("mentor"))
    page = english_page(english(client), reverse("home"), dutch_texts)
    assert "Welcome, Mentor Marieke" in page
    assert "My classes" in page
    assert "1 student" in page
    assert "Form tutor · ISK Testschool" in page
    assert "Log out" in page and "Students" in page and "Contacts" in page


def test_the_student_list_in_english(world, client, dutch_texts):
    client.force_login(world.user("mentor"))
    page = english_page(english(client), reverse("students:list"), dutch_texts)
    assert "Yonas Tesfay" in page
    assert "Name or student number" in page
    assert "Include students who have left" in page
    assert ">Housing location<" in page and ">Guardian<" in page


def test_the_roster_in_english(world, client, dutch_texts):
    client.force_login(world.user("mentor"))
    page = english_page(english(client), reverse("attendance:roster", args=[world.school_class.id]), dutch_texts)
    assert "Attendance for 1A" in page
    assert "Save whole class" in page
    assert "Present" in page and "Absent" in page and "Late" in page
    assert "March 2026" in page  # dates follow the language too


def test_the_housing_inbox_in_english(world, client, dutch_texts):
    mark(world, world.ward, absent(lesson_hours_missed=4), day=MONDAY)
    client.force_login(world.user("housing_worker"))
    page = english_page(english(client), reverse("attendance:inbox"), dutch_texts)
    assert "To answer" in page
    assert "The school asks: why is the young person not there?" in page
    assert "Which days?" in page
    assert "4 lesson hours" in page
    assert "Choose a reason" in page and "Explain" in page
    assert "Open sick reports" in page and "Make a sick report" in page


def test_the_escalation_dashboard_of_a_care_coordinator_in_english(world, client, dutch_texts):
    client.force_login(world.user("care_coordinator"))
    page = english_page(english(client), reverse("escalation:dashboard"), dutch_texts)
    assert "Escalations" in page
    assert "Response times: housing locations, last 4 weeks" in page
    assert "Set up escalation chains" in page
    assert "No open escalations." in page
    assert "The escalation check has never run." in page


def test_the_privacy_statement_in_english(db, client, dutch_texts):
    page = english_page(english(client), reverse("privacy"), dutch_texts)
    assert "Privacy statement" in page
    assert "5 years" in page and "2 years" in page
    assert "GDPR" in page or "Compulsory Education Act" in page


def test_the_default_language_stays_dutch(world, client):
    client.force_login(world.user("mentor"))
    page = text_of(client.get(reverse("home")))
    assert '<html lang="nl"' in page
    assert "Mijn klassen" in page and "Welkom, Mentor Marieke" in page


def test_lazy_texts_follow_the_active_language(db):
    from contacts.models import Role

    with translation.override("en"):
        assert str(Role.MENTOR.label) == "Form tutor"
        assert str(Role.HOUSING_WORKER.label) == "Housing worker"
    with translation.override("nl"):
        assert str(Role.MENTOR.label) == "Mentor"
