"""Identifiers: UUID version 4 in canonical form only (docs/design.md §4)."""

from __future__ import annotations

from uuid import UUID


def parse_uuid4(value: str) -> UUID | None:
    """The UUID if `value` is a canonical (lowercase, hyphenated) version 4 UUID, else None."""
    if len(value) != 36:
        return None
    try:
        parsed = UUID(value)
    except ValueError:
        return None
    if str(parsed) != value or parsed.version != 4:
        return None
    return parsed


UUID4_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"
"""The same rule as a regular expression, for the OpenAPI document."""
