"""Commitments: which of a customer's payments are the same recurring commitment
(docs/design.md §6)."""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from uuid import UUID, uuid5

COMMITMENT_NAMESPACE = UUID("142866f2-2cba-4030-9e72-213a70e4f0c0")
"""Fixed for ever: changing it would give every commitment a new id."""
COMMITMENT_ID_VERSION = "v1"
MIN_REFERENCE_DIGITS = 4
"""A trailing all-digit token this long is a reference number ("8844"), not part of the name."""


def _is_letter_or_digit(character: str) -> bool:
    return unicodedata.category(character)[0] in "LN"


@lru_cache(maxsize=65536)
def commitment_key(description: str) -> str:
    """The grouping key of a description: NFKC, casefold, words only, reference number dropped."""
    folded = unicodedata.normalize("NFKC", description).casefold()
    # Every run of characters that are not letters or digits (punctuation, symbols, emoji,
    # spaces, marks) separates two tokens.
    separated = "".join(c if _is_letter_or_digit(c) else " " for c in folded)
    tokens = separated.split()
    if len(tokens) > 1 and _is_reference_number(tokens[-1]):
        tokens.pop()
    return " ".join(tokens)


def _is_reference_number(token: str) -> bool:
    return len(token) >= MIN_REFERENCE_DIGITS and all(
        unicodedata.category(c) == "Nd" for c in token
    )


def commitment_id(user_id: UUID, currency: str, key: str) -> UUID:
    """The stable id of a commitment: uuid5 over the user, the currency and the key."""
    return uuid5(COMMITMENT_NAMESPACE, f"{user_id}|{currency}|{key}|{COMMITMENT_ID_VERSION}")
