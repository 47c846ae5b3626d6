"""Which of a customer's payments are one commitment, and its stable id (docs/reports.md §1.2,
ADR 0007). Pure rules.

One commitment stays one through the ways a bank or a customer writes the same payee: case,
punctuation, spaces, reference and store numbers, `www.` and `.com`, legal suffixes (Ltd,
Limited, Inc, LLC, GmbH, plc… — cleanco's list), and through price changes and day drift. Two
streams from one payee stay apart when their amounts say so (Apple's 2.99 monthly and 99.00
annual). What no rule can see ("Landlord J Smith" and "Rent to Mr Smith") the customer merges.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from decimal import Decimal
from functools import lru_cache
from uuid import UUID, uuid5

from cleanco import basename

COMMITMENT_NAMESPACE = UUID("142866f2-2cba-4030-9e72-213a70e4f0c0")
"""Fixed for ever: changing it would give every commitment a new id."""
COMMITMENT_ID_VERSION = "v2"
"""v2: the name key of ADR 0007 (v1 kept spaces, `www.`/`.com` and legal suffixes)."""
REFERENCE_DIGITS = 4
"""A token with this many digits or more is a reference, store or card number, not the name."""
AMOUNT_SPLIT_RATIO = Decimal(3)
"""Amounts of one name more than this factor apart are different commitments (2.99 vs 99.00);
a price rise stays below it."""

_WEB = re.compile(r"^(?:https?://)?www\.|\.(?:com|co\.uk|co|net|org|io|uk|de|fr|eu)(?=$|[^a-z])")


def _is_letter_or_digit(character: str) -> bool:
    return unicodedata.category(character)[0] in "LN"


def _is_reference(token: str) -> bool:
    return sum(1 for c in token if unicodedata.category(c) == "Nd") >= REFERENCE_DIGITS


@lru_cache(maxsize=65536)
def name_key(description: str) -> str:
    """The key one payee's descriptions share: NFKC, casefold, no `www.`/`.com`, no reference
    numbers, no legal suffix, letters and digits only (no spaces: "Pure Gym" is "PureGym")."""
    folded = unicodedata.normalize("NFKC", description).casefold()
    folded = _WEB.sub(" ", folded)
    # Every run of characters that are not letters or digits separates two tokens.
    separated = "".join(c if _is_letter_or_digit(c) else " " for c in folded)
    tokens = [token for token in separated.split() if not _is_reference(token)]
    if not tokens:  # a description that is nothing but numbers keeps them
        tokens = separated.split()
    words = " ".join(tokens)
    cleaned = words
    # Every legal suffix, not only the last ("Smith & Co Ltd" is "Smith & Co" is "Smith"); a
    # name that is nothing but legal words ("Ltd") keeps what is left before it would vanish.
    while (stripped := basename(cleaned)) and stripped != cleaned:
        cleaned = stripped
    key = "".join(cleaned.split())
    return key or "".join(words.split())


def commitment_id(user_id: UUID, currency: str, key: str, band: str = "") -> UUID:
    """The stable id of a commitment: uuid5 over the user, the currency, the name key and, for a
    second stream of the same name, its amount band."""
    suffix = f"|{band}" if band else ""
    name = f"{user_id}|{currency}|{key}{suffix}|{COMMITMENT_ID_VERSION}"
    return uuid5(COMMITMENT_NAMESPACE, name)


def amount_bands(amounts: Sequence[Decimal]) -> list[tuple[Decimal, Decimal]]:
    """The amount ranges of one name's streams: sorted distinct amounts split wherever the next
    is more than AMOUNT_SPLIT_RATIO times the one before. Each band is (lowest, highest)."""
    ordered = sorted(set(amounts))
    bands: list[tuple[Decimal, Decimal]] = []
    low = high = ordered[0]
    for amount in ordered[1:]:
        if amount > high * AMOUNT_SPLIT_RATIO:
            bands.append((low, high))
            low = amount
        high = amount
    bands.append((low, high))
    return bands


def band_label(lowest: Decimal) -> str:
    """The id suffix of a band that is not a name's lowest: its lowest amount's order of
    magnitude (`~1e1` for 10.00..99.99), stable while its prices rise."""
    if lowest <= 0:
        return "~0"
    return f"~1e{math.floor(math.log10(lowest)) if lowest >= 1 else -1}"
