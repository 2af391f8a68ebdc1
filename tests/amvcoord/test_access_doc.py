"""docs/access.md and the access policy (students/access.py) cannot disagree: the doc's tables are parsed and
compared with the policy's, and any difference fails."""

from pathlib import Path

import pytest
from django.conf import settings

from contacts.models import Role
from students.access import ROLE_CAPABILITIES, ROLE_STUDENTS, Capability

DOC = Path(settings.BASE_DIR) / "docs" / "access.md"
ABSENT = "–"


def table_under(heading: str) -> tuple[list[str], list[list[str]]]:
    """The header and the rows of the first Markdown table after `heading`."""
    lines = DOC.read_text(encoding="utf-8").splitlines()
    start = lines.index(heading)
    table = []
    for line in lines[start + 1 :]:
        if line.startswith("|"):
            table.append([cell.strip() for cell in line.strip().strip("|").split("|")])
        elif table:
            break
    header, _separator, *rows = table
    return header, rows


def code(cell: str) -> str:
    return cell.strip("`")


def test_it_lists_every_capability_of_every_role_as_the_policy_does():
    header, rows = table_under("### Capabilities (`ROLE_CAPABILITIES`)")
    roles = [Role(name) for name in header[1:]]
    assert sorted(roles) == sorted(Role), "one column per role"
    assert [code(row[0]) for row in rows] == [capability.value for capability in Capability]
    in_doc = {role: set() for role in roles}
    for row in rows:
        for role, cell in zip(roles, row[1:], strict=True):
            assert cell in ("✓", ABSENT), f"{row[0]} / {role}: write ✓ or {ABSENT}"
            if cell == "✓":
                in_doc[role].add(Capability(code(row[0])))
    assert in_doc == {role: set(capabilities) for role, capabilities in ROLE_CAPABILITIES.items()}


def test_it_lists_which_students_each_role_sees_as_the_policy_does():
    _header, rows = table_under("### Which students (`ROLE_STUDENTS`)")
    in_doc = {Role(code(role)): code(students) for role, students in rows if students != ABSENT}
    assert sorted(code(row[0]) for row in rows) == sorted(Role)
    assert in_doc == {role: relationship.value for role, relationship in ROLE_STUDENTS.items()}


# The prose table "What each role may see and do": its columns, and the rows that stand for capabilities (a role
# has the row's right when it has any of them). A cell starting with 403 or – means the role lacks it.
COLUMNS = {
    "Mentor": [Role.MENTOR],
    "Care coord.": [Role.CARE_COORDINATOR],
    "Management": [Role.SCHOOL_MANAGEMENT],
    "Housing worker / manager": [Role.HOUSING_WORKER, Role.LOCATION_MANAGER],
    "Guardian": [Role.GUARDIAN],
    "Team manager": [Role.GUARDIAN_TEAM_MANAGER],
    "Attendance officer": [Role.ATTENDANCE_OFFICER],
    "Admin": [Role.ADMIN],
}
ROWS = {
    "Student list, student page, team card": [Capability.VIEW_STUDENTS],
    "Register a move (overplaatsing)": [Capability.MOVE_STUDENTS],
    'Roster "Vandaag" (record attendance)': [Capability.RECORD_ATTENDANCE],
    '"Te beantwoorden": answer explanation requests': [Capability.ANSWER_REQUESTS],
    "Sick report, betermelding, appointment": [Capability.REPORT_ABSENCE],
    "Hospital admission (chronology, roster, inbox)": [Capability.SEE_HEALTH_DETAILS],
    "Decide geoorloofd / ongeoorloofd": [Capability.DECIDE_ABSENCES],
    "Export of absences (CSV)": [Capability.EXPORT_ABSENCES],
    "Escalation dashboard, chain settings": [Capability.VIEW_ESCALATION_DASHBOARD, Capability.MANAGE_CHAINS],
    "Resolve an escalation by hand": [Capability.RESOLVE_ESCALATIONS],
    "Inzage (audit trail of a student)": [Capability.VIEW_SCHOOL_AUDIT_TRAIL, Capability.VIEW_ANY_AUDIT_TRAIL],
}


def prose_rows():
    header, rows = table_under("## What each role may see and do")
    assert header[1:] == list(COLUMNS)
    return {row[0]: dict(zip(COLUMNS, row[1:], strict=True)) for row in rows}


@pytest.mark.parametrize("label", list(ROWS))
def test_the_prose_table_grants_what_the_policy_grants(label):
    cells = prose_rows()[label]
    for column, roles in COLUMNS.items():
        granted_in_doc = not cells[column].startswith(("403", ABSENT))
        for role in roles:
            granted = any(capability in ROLE_CAPABILITIES[role] for capability in ROWS[label])
            assert granted_in_doc == granted, f"{label!r}, {role}: the doc says {cells[column]!r}"
