"""Demo and volume data: a realistic Dutch ISK with its housing and guardianship partners.

Everything is deterministic (seeded random) and idempotent: objects are looked up by natural keys first, so a
second run changes nothing and a half-finished run is completed.

- `names`: the fixed data (names by nationality, staff names, the demo logins);
- `builder`: `DemoBuilder`, which finds or creates rows by natural key and draws the seeded random numbers;
- `town`: the demo town, its people and pupils; `volume`: volume schools for benchmarks;
- `pupils`: a pupil's identity and the rows of pupils with their history.
"""

from .builder import DemoBuilder
from .names import DEMO_LOGINS, DEMO_PASSWORD, DEMO_SCHOOL, DemoLogin

__all__ = ["DEMO_LOGINS", "DEMO_PASSWORD", "DEMO_SCHOOL", "DemoBuilder", "DemoLogin"]
