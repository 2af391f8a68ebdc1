"""The shape of the project code: modules split by concern before they grow long, functions short enough to read.

Declarative code is left out: migrations and settings. The limits are those of issue 8 and the house style
(`~400` lines a module, `~50` a function); a module or function that needs more is a sign to split it.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("common", "contacts", "students", "attendance", "escalation", "amvcoord")
DECLARATIVE = {Path("amvcoord/settings.py")}
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 50


def project_modules():
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT)
            if "migrations" not in relative.parts and relative not in DECLARATIVE:
                yield relative


@pytest.mark.parametrize("module", list(project_modules()), ids=str)
def test_it_keeps_modules_and_functions_short(module):
    source = (ROOT / module).read_text()
    assert len(source.splitlines()) <= MAX_MODULE_LINES, f"{module}: split it by concern"
    long_functions = [
        f"{node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert not long_functions, f"{module}: {', '.join(long_functions)}"
