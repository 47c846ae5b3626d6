"""Descriptions: NFC, 1-140 code points, one line, something visible, no invisible characters."""

from __future__ import annotations

import unicodedata

MAX_LENGTH = 140
ZERO_WIDTH_JOINERS = frozenset({"\u200c", "\u200d"})
_FORBIDDEN_CATEGORIES = frozenset({"Cc", "Cs", "Co", "Cn", "Cf", "Zl", "Zp"})
"""Never allowed anywhere (rule `allowed-characters`): controls (among them LF, CR, VT, FF, NEL),
format characters but ZWJ/ZWNJ, private use, surrogates, unassigned code points, and the line and
paragraph separators U+2028/U+2029, which many readers of JSON Lines and CSV take for a new line."""
_MARK_CATEGORIES = frozenset({"Mn", "Mc", "Me"})
FILLERS = frozenset({"\u115f", "\u1160", "\u3164", "\uffa0", "\u2800"})
"""Letters and symbols that show nothing: the Hangul fillers (choseong, jungseong, compatibility,
halfwidth; all Default_Ignorable_Code_Point) and U+2800 BRAILLE PATTERN BLANK. Every other
default-ignorable code point is a format character, a mark or unassigned: refused or invisible by
category."""
_NAMED_AT_MOST = 3


class DescriptionError(ValueError):
    """A description that breaks a rule; `rule` names it."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule


def shows_nothing(character: str) -> bool:
    """Whether a character alone leaves nothing to read: whitespace, a combining mark, a joiner
    or a filler."""
    return (
        character.isspace()
        or character in ZERO_WIDTH_JOINERS
        or character in FILLERS
        or unicodedata.category(character) in _MARK_CATEGORIES
    )


def normalise_description(text: str) -> str:
    """The description in NFC, or DescriptionError naming the broken rule.

    Rules, in the order checked: `allowed-characters` (see _FORBIDDEN_CATEGORIES), `length`
    (1-140 code points after NFC), `not-blank` (at least one character that shows something: not
    only whitespace, combining marks, ZWJ/ZWNJ or fillers such as U+3164 HANGUL FILLER).
    """
    normalised = unicodedata.normalize("NFC", text)
    for character in normalised:
        if character in ZERO_WIDTH_JOINERS:
            continue
        if unicodedata.category(character) in _FORBIDDEN_CATEGORIES:
            raise DescriptionError(
                "allowed-characters",
                "must not contain control, format, line or paragraph separator, private-use, "
                f"surrogate or unassigned characters (found {_code_point(character)})",
            )
    if not 1 <= len(normalised) <= MAX_LENGTH:
        raise DescriptionError("length", f"must be 1 to {MAX_LENGTH} characters after NFC")
    if all(shows_nothing(c) for c in normalised):
        found = list(dict.fromkeys(normalised))
        named = ", ".join(_code_point(c) for c in found[:_NAMED_AT_MOST])
        more = f" and {len(found) - _NAMED_AT_MOST} more" if len(found) > _NAMED_AT_MOST else ""
        raise DescriptionError(
            "not-blank",
            "must not be blank: it holds only whitespace, combining marks or invisible fillers "
            f"({named}{more})",
        )
    return normalised


def _code_point(character: str) -> str:
    name = unicodedata.name(character, "")
    return f"U+{ord(character):04X} {name}" if name else f"U+{ord(character):04X}"
