"""The customer's own corrections to their commitments: rename, exclude from the export, include
again, merge two into one (docs/reports.md §1.3, ADR 0007). Pure rules.

Every correction is a `Correction`, kept for ever (the audit); the corrections in force at a
moment are those recorded at or before it, applied in the order recorded. A report run applies
the corrections in force at its cut-off (like consent); the live view applies all of them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from payments_tracker.domain.description import DescriptionError, normalise_description
from payments_tracker.domain.errors import FieldError, ValidationFailed

PATCH_FIELDS = ("name", "excluded")
MERGE_FIELDS = ("into",)
CORRECTION_LIMIT = 500
"""The most corrections one customer may record (each is kept): a bound on what one customer can
make the monthly build read. A household renames or merges a few dozen commitments at most."""


@dataclass(frozen=True)
class Correction:
    """One correction a customer made to one of their commitments, when (UTC)."""

    user_id: UUID
    commitment_id: UUID
    at: datetime
    name: str | None = None
    excluded: bool | None = None
    into: UUID | None = None
    """The commitment this one was merged into."""
    amount: Decimal | None = None
    """The commitment's latest amount when the correction was made: where one payee's streams
    are told apart by amount, the correction follows the stream it was made on
    (`standing.in_force`)."""
    into_amount: Decimal | None = None
    """The latest amount of the commitment merged into, when the merge was made: the merge
    follows that stream the same way."""

    def document(self) -> dict[str, Any]:
        """The correction as the audit shows it: only the fields it changed."""
        shown: dict[str, Any] = {"commitmentId": str(self.commitment_id), "at": self.at}
        if self.name is not None:
            shown["name"] = self.name
        if self.excluded is not None:
            shown["excluded"] = self.excluded
        if self.into is not None:
            shown["into"] = str(self.into)
        return shown


@dataclass
class Corrections:
    """The corrections in force: names, exclusions and merges, by commitment id."""

    names: dict[UUID, str] = field(default_factory=dict)
    excluded: set[UUID] = field(default_factory=set)
    merged: dict[UUID, UUID] = field(default_factory=dict)
    """Each merged commitment id and the id it was merged into (possibly merged on in turn)."""

    @classmethod
    def of(cls, changes: Iterable[Correction], at: datetime | None = None) -> Corrections:
        """The corrections in force at `at` (every one when None), applied in time order."""
        state = cls()
        for change in sorted(changes, key=lambda c: (c.at, str(c.commitment_id))):
            if at is not None and change.at > at:
                continue
            if change.name is not None:
                state.names[change.commitment_id] = change.name
            if change.excluded is True:
                state.excluded.add(change.commitment_id)
            elif change.excluded is False:
                state.excluded.discard(change.commitment_id)
            if change.into is not None and state.target(change.into) != change.commitment_id:
                state.merged[change.commitment_id] = change.into
                if change.commitment_id in state.excluded:
                    # What the customer kept out of the export stays out when it joins another
                    # commitment (they can include the merged one again).
                    state.excluded.add(state.target(change.into))
        return state

    def target(self, commitment_id: UUID) -> UUID:
        """The commitment `commitment_id` now stands for: itself, or where its merges lead."""
        seen = {commitment_id}
        while commitment_id in self.merged:
            commitment_id = self.merged[commitment_id]
            if commitment_id in seen:  # never recorded (a merge into itself is refused)
                break
            seen.add(commitment_id)
        return commitment_id


@dataclass(frozen=True)
class CommitmentPatch:
    """What `PATCH /commitments/{id}` asks for."""

    name: str | None
    excluded: bool | None


def validate_patch(body: dict[str, Any]) -> CommitmentPatch:
    """The patch in `body`, or ValidationFailed naming every broken rule."""
    errors: list[FieldError] = [
        FieldError(name, "unknown-field", "is not a field of a commitment's correction")
        for name in sorted(set(body) - set(PATCH_FIELDS))
    ]
    name = body.get("name")
    excluded = body.get("excluded")
    if not errors and not set(body) & set(PATCH_FIELDS):
        errors.append(FieldError("name", "required", "give a new name, excluded, or both"))
    normalised: str | None = None
    if "name" in body:
        if not isinstance(name, str):
            errors.append(FieldError("name", "string", "must be a string"))
        else:
            try:
                normalised = normalise_description(name)
            except DescriptionError as error:
                errors.append(FieldError("name", error.rule, str(error)))
    if "excluded" in body and not isinstance(excluded, bool):
        errors.append(FieldError("excluded", "boolean", "must be true or false"))
    if errors:
        raise ValidationFailed(errors)
    return CommitmentPatch(normalised, excluded if isinstance(excluded, bool) else None)


def validate_merge(body: dict[str, Any]) -> UUID:
    """The commitment to merge into, from `body`, or ValidationFailed."""
    errors: list[FieldError] = [
        FieldError(name, "unknown-field", "is not a field of a merge")
        for name in sorted(set(body) - set(MERGE_FIELDS))
    ]
    into = body.get("into")
    target: UUID | None = None
    if "into" not in body:
        errors.append(FieldError("into", "required", "is required: the commitment to merge into"))
    elif not isinstance(into, str) or (target := parse_commitment_id(into)) is None:
        errors.append(FieldError("into", "commitment-id", "must be a commitment id (a UUID)"))
    if errors:
        raise ValidationFailed(errors)
    assert target is not None  # noqa: S101 - proven above, for mypy
    return target


COMMITMENT_ID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"
"""An RFC 9562 UUID in canonical lowercase (a commitment id is a UUID v5)."""
_COMMITMENT_ID = re.compile(COMMITMENT_ID_PATTERN)


def parse_commitment_id(text: str) -> UUID | None:
    """A commitment id as the API writes it, or None (the nil UUID and other forms are none)."""
    if _COMMITMENT_ID.fullmatch(text) is None:
        return None
    return UUID(text)
