"""How hard the reliability suite pushes: `fast` in `make test`, `long` under `make fuzz`.

Chosen by `PAYMENTS_RELIABILITY_PROFILE`; each figure in docs/reliability.md names its profile.
"""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Profile:
    """Sizes of the generated workloads."""

    name: str
    schemathesis_examples: int
    """`--max-examples` per operation and phase; the test also asserts at least this many cases."""
    load_submissions: int
    load_clients: int
    outage_submissions: int
    parser_fuzz_examples: int


PROFILES = {
    "fast": Profile("fast", 500, 2000, 16, 240, 1500),
    "long": Profile("long", 3000, 20000, 16, 1200, 50000),
}


def current_profile() -> Profile:
    """The profile named by PAYMENTS_RELIABILITY_PROFILE (default `fast`)."""
    return PROFILES[os.environ.get("PAYMENTS_RELIABILITY_PROFILE", "fast")]
