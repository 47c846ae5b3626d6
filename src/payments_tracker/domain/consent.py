"""Consent to credit-file sharing: versioned, its history kept (docs/design.md §5, §6, §8).

Every change is a `ConsentChange`; the consent in force at a moment is the latest change at or
before it, and before any change it is "no sharing". Changes of one customer are strictly ordered:
a change is never dated at or before the one it follows, whatever the clocks of two servers say.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from payments_tracker.domain.errors import FieldError, ValidationFailed

TERMS_VERSION_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
"""A terms version names a published document, e.g. `2026-11` or `v3.1`: 1-64 plain characters."""
_TERMS_VERSION = re.compile(TERMS_VERSION_PATTERN[1:-1])

FIELDS = ("creditFileSharing", "termsVersion")
_ONE_TICK = timedelta(microseconds=1)


@dataclass(frozen=True)
class ConsentRequest:
    """What a customer asks for: to share their kept commitments or not, under which terms."""

    credit_file_sharing: bool
    terms_version: str | None


@dataclass(frozen=True)
class ConsentChange:
    """One recorded decision of the customer, and when it took effect (UTC)."""

    credit_file_sharing: bool
    terms_version: str | None
    changed_at: datetime


def validate_consent_request(body: dict[str, Any]) -> ConsentRequest:
    """The request in `body`, or ValidationFailed naming every broken rule."""
    errors: list[FieldError] = [
        FieldError(name, "unknown-field", "is not a field of a consent")
        for name in sorted(set(body) - set(FIELDS))
    ]
    sharing = body.get("creditFileSharing")
    if "creditFileSharing" not in body:
        errors.append(FieldError("creditFileSharing", "required", "is required (true or false)"))
    elif not isinstance(sharing, bool):
        errors.append(FieldError("creditFileSharing", "boolean", "must be true or false"))
    terms = body.get("termsVersion")
    if terms is None:
        if sharing is True:
            errors.append(FieldError("termsVersion", "required", "is required to give consent"))
    elif not isinstance(terms, str):
        errors.append(FieldError("termsVersion", "string", "must be a string"))
    elif _TERMS_VERSION.fullmatch(terms) is None:
        errors.append(
            FieldError(
                "termsVersion",
                "terms-version-format",
                "must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit",
            )
        )
    if errors:
        raise ValidationFailed(errors)
    assert isinstance(sharing, bool)  # noqa: S101 - proven by the checks above, for mypy
    return ConsentRequest(credit_file_sharing=sharing, terms_version=terms)


def next_change(
    current: ConsentChange | None, request: ConsentRequest, now: datetime
) -> ConsentChange | None:
    """The change `request` makes to `current` at `now`, or None when it changes nothing.

    A withdrawal without a terms version refers to the terms of the consent it withdraws.
    The first decision is always recorded, even a refusal: it is the customer's explicit answer.
    """
    terms = request.terms_version
    if terms is None and current is not None:
        terms = current.terms_version
    if (
        current is not None
        and current.credit_file_sharing == request.credit_file_sharing
        and current.terms_version == terms
    ):
        return None
    changed_at = now.astimezone(UTC)
    if current is not None and changed_at <= current.changed_at:
        changed_at = current.changed_at + _ONE_TICK
    return ConsentChange(request.credit_file_sharing, terms, changed_at)


def consent_in_force(history: Iterable[ConsentChange], cutoff: datetime) -> bool:
    """Whether sharing is consented at `cutoff`: the latest change at or before it says so."""
    if cutoff.tzinfo is None:
        raise ValueError("the cut-off must be timezone-aware")
    standing: ConsentChange | None = None
    for change in history:
        if change.changed_at <= cutoff and (
            standing is None or change.changed_at > standing.changed_at
        ):
            standing = change
    return standing is not None and standing.credit_file_sharing
