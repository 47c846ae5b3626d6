"""Descriptions: NFC, 1-140 code points, not blank, no invisible or unassigned characters."""

from __future__ import annotations

import unicodedata

MAX_LENGTH = 140
ZERO_WIDTH_JOINERS = frozenset({"\u200c", "\u200d"})
_FORBIDDEN_CATEGORIES = frozenset({"Cc", "Cs", "Co", "Cn", "Cf"})


class DescriptionError(ValueError):
    """A description that breaks a rule; `rule` names it."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule


def normalise_description(text: str) -> str:
    """The description in NFC, or DescriptionError naming the broken rule."""
    normalised = unicodedata.normalize("NFC", text)
    for character in normalised:
        if character in ZERO_WIDTH_JOINERS:
            continue
        if unicodedata.category(character) in _FORBIDDEN_CATEGORIES:
            raise DescriptionError(
                "allowed-characters",
                f"must not contain control, format, private-use, surrogate or unassigned "
                f"characters (found U+{ord(character):04X})",
            )
    if not 1 <= len(normalised) <= MAX_LENGTH:
        raise DescriptionError("length", f"must be 1 to {MAX_LENGTH} characters after NFC")
    if not normalised.strip() or all(c in ZERO_WIDTH_JOINERS or c.isspace() for c in normalised):
        raise DescriptionError("not-blank", "must not be blank")
    return normalised
