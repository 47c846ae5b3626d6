"""Use cases of consent to credit-file sharing: read it, change it — each keyed by the caller."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from payments_tracker.domain.consent import (
    ConsentChange,
    next_change,
    validate_consent_request,
)
from payments_tracker.domain.errors import DomainError
from payments_tracker.service.callers import caller_id
from payments_tracker.service.ports import ConsentRepository

Clock = Callable[[], datetime]

HISTORY_LIMIT = 100
"""GET /consent shows at most this many changes, newest first; older ones stay stored."""
_ATTEMPTS = 3


class ConsentConflict(DomainError):
    """Other changes of the same consent kept winning the race (HTTP 409: retry)."""


@dataclass(frozen=True)
class ConsentState:
    """The consent in force now (None before any answer) and the latest changes, newest first."""

    current: ConsentChange | None
    history: list[ConsentChange]
    changed: bool = False
    """Whether this call recorded a change (False: a read, or a request that changed nothing)."""

    @property
    def credit_file_sharing(self) -> bool:
        """Sharing is consented only by an explicit, standing yes."""
        return self.current is not None and self.current.credit_file_sharing


def get_consent(consents: ConsentRepository, caller: str) -> ConsentState:
    """The caller's consent and its history; before any answer, no sharing."""
    history = consents.history(caller_id(caller), HISTORY_LIMIT)
    return ConsentState(history[0] if history else None, history)


def set_consent(
    consents: ConsentRepository, body: dict[str, Any], caller: str, clock: Clock
) -> ConsentState:
    """Give or withdraw the caller's consent; a request that changes nothing records nothing."""
    request = validate_consent_request(body)
    owner = caller_id(caller)
    for _ in range(_ATTEMPTS):
        history = consents.history(owner, HISTORY_LIMIT)
        current = history[0] if history else None
        change = next_change(current, request, clock())
        if change is None:
            return ConsentState(current, history)
        if consents.record(owner, change, current):
            return ConsentState(change, [change, *history][:HISTORY_LIMIT], changed=True)
    raise ConsentConflict("the consent changed concurrently; retry")
