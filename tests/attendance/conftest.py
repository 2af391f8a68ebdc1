"""Attendance tests run on a fixed clock: Tuesday 10 March 2026, 09:00 in Amsterdam, a plain school day.

The clock starts before the `world` fixture is built (autouse fixtures come first), so `world.today` is that
Tuesday too. A test moves on with `clock.move_to(...)`; nothing ever sleeps.
"""

import pytest

from .helpers import at


@pytest.fixture(autouse=True)
def clock(time_machine):
    time_machine.move_to(at(2026, 3, 10, 9, 0), tick=False)
    return time_machine
