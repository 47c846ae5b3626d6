"""Which payments are one commitment, and its stable id (domain/identity.py, ADR 0007)."""

from __future__ import annotations

import unicodedata
import uuid
from decimal import Decimal
from uuid import UUID, uuid5

import pytest
from cleanco.clean import prepare_default_terms  # type: ignore[import-untyped]
from hypothesis import given, settings
from hypothesis import strategies as st

from payments_tracker.domain.identity import (
    COMMITMENT_NAMESPACE,
    amount_bands,
    band_label,
    commitment_id,
    name_key,
)

ALICE = UUID("0b5a4e0e-7a43-4d4f-9b36-1c2a3d4e5f60")
PROPERTY = settings(max_examples=100, deadline=None)


# --- name keys --------------------------------------------------------------------------------


@pytest.mark.parametrize("description", ["PUREGYM LTD", "PureGym", "Pure Gym", "pure-gym limited"])
def test_name_variants_of_one_gym_share_a_key(description: str) -> None:
    assert name_key(description) == "puregym"


@pytest.mark.parametrize(
    "description",
    ["Acme", "ACME LTD", "Acme Limited", "Acme, Inc.", "Acme LLC", "Acme GmbH", "acme plc"],
)
def test_legal_suffixes_are_not_part_of_the_name(description: str) -> None:
    assert name_key(description) == "acme"


@pytest.mark.parametrize(
    "description",
    ["Netflix", "NETFLIX.COM", "www.netflix.com", "https://www.netflix.com", "Netflix.com 8844"],
)
def test_www_dot_com_and_reference_numbers_are_not_part_of_the_name(description: str) -> None:
    assert name_key(description) == "netflix"


def test_a_store_number_is_a_reference() -> None:
    assert name_key("TESCO STORE 2841") == name_key("Tesco Store 0017") == "tescostore"


def test_short_or_leading_numbers_are_part_of_the_name() -> None:
    assert name_key("24 Hour Fitness") == "24hourfitness"
    assert name_key("Flat 12") == "flat12"
    assert name_key("Gym 123") == "gym123"  # 3 digits: not a reference number


def test_a_number_alone_is_the_name_not_a_reference() -> None:
    assert name_key("8844") == "8844"
    assert name_key("#12345") == "12345"


def test_reference_digits_of_any_script_are_dropped() -> None:
    assert name_key("Gym \u0668\u0668\u0664\u0664") == "gym"  # Arabic-Indic 8844
    assert name_key("Gym \uff18\uff18\uff14\uff14") == "gym"  # full-width, NFKC'd


def test_punctuation_symbols_emoji_and_spaces_are_not_part_of_the_name() -> None:
    assert name_key("  Spotify\u2014Premium 🎵!! ") == "spotifypremium"
    full_width = "\uff33\uff30\uff2f\uff34\uff29\uff26\uff39"  # NFKC folds it to SPOTIFY
    assert name_key(full_width) == "spotify"
    assert name_key("Straße") == name_key("STRASSE")  # casefold


def test_descriptions_without_letters_or_digits_share_the_empty_key() -> None:
    assert name_key("🎵 !!") == ""
    assert name_key("---") == ""


def test_two_legal_suffixes_are_both_dropped() -> None:
    # "& Co" is a legal suffix too (cleanco's list): with or without "Ltd" it is one payee.
    assert name_key("Smith & Co Ltd") == name_key("Smith & Co") == name_key("Smith") == "smith"


def test_different_payees_keep_different_keys() -> None:
    assert name_key("Landlord J Smith") != name_key("Rent to Mr Smith")
    assert name_key("Apple") == name_key("APPLE.COM")  # one name: amounts keep them apart


# --- ids ----------------------------------------------------------------------------------------


def test_commitment_id_is_uuid5_of_user_currency_and_key_v2() -> None:
    expected = uuid5(COMMITMENT_NAMESPACE, f"{ALICE}|GBP|netflix|v2")
    assert commitment_id(ALICE, "GBP", "netflix") == expected
    assert expected.version == 5


def test_a_band_is_part_of_the_id_of_a_second_stream() -> None:
    banded = uuid5(COMMITMENT_NAMESPACE, f"{ALICE}|GBP|apple|~1e1|v2")
    assert commitment_id(ALICE, "GBP", "apple", "~1e1") == banded
    assert banded != commitment_id(ALICE, "GBP", "apple")


def test_distinct_users_and_currencies_have_distinct_ids() -> None:
    other = uuid.uuid4()
    assert commitment_id(ALICE, "GBP", "gym") != commitment_id(other, "GBP", "gym")
    assert commitment_id(ALICE, "GBP", "gym") != commitment_id(ALICE, "EUR", "gym")


# --- amount bands ---------------------------------------------------------------------------


def test_a_price_rise_is_one_band() -> None:
    assert amount_bands([Decimal("19.99"), Decimal("24.99"), Decimal("19.99")]) == [
        (Decimal("19.99"), Decimal("24.99"))
    ]


def test_amounts_more_than_three_times_apart_are_two_bands() -> None:
    assert amount_bands([Decimal("99.00"), Decimal("2.99"), Decimal("2.99")]) == [
        (Decimal("2.99"), Decimal("2.99")),
        (Decimal("99.00"), Decimal("99.00")),
    ]


def test_exactly_three_times_is_still_one_band() -> None:
    assert amount_bands([Decimal(3), Decimal(9)]) == [(Decimal(3), Decimal(9))]
    assert len(amount_bands([Decimal(3), Decimal("9.01")])) == 2


def test_the_split_compares_each_amount_with_the_one_before() -> None:
    # 1 -> 3 -> 9: no step above 3x, so one band although 9 is 9x the lowest.
    assert amount_bands([Decimal(1), Decimal(3), Decimal(9)]) == [(Decimal(1), Decimal(9))]


@pytest.mark.parametrize(
    ("lowest", "label"),
    [("99.00", "~1e1"), ("10.00", "~1e1"), ("9.99", "~1e0"), ("1", "~1e0"), ("100", "~1e2")],
)
def test_band_label_is_the_order_of_magnitude(lowest: str, label: str) -> None:
    assert band_label(Decimal(lowest)) == label


def test_band_labels_below_one_and_of_zero() -> None:
    assert band_label(Decimal("0.50")) == "~1e-1"
    assert band_label(Decimal(0)) == "~0"


# --- properties -------------------------------------------------------------------------------

LEGAL_WORDS = frozenset(part for _, parts in prepare_default_terms() for part in parts)
"""Every word of cleanco's legal forms ("ltd", "co", "sa", "ag"…): a name made of other words."""
WEB_WORDS = frozenset({"www", "com", "co", "net", "org", "io", "uk", "de", "fr", "eu"})
"""What a web address adds ("aa.io" is "aa")."""
name_words = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=8).filter(
    lambda word: word not in LEGAL_WORDS | WEB_WORDS
)
names = st.lists(name_words, min_size=1, max_size=4)


@PROPERTY
@given(names, st.sampled_from([" ", " - ", ".", "  /  ", "🎵", "_", "\u2014"]))
def test_any_run_of_separators_gives_one_key(parts: list[str], separator: str) -> None:
    assert name_key(separator.join(parts)) == name_key(" ".join(parts)) == "".join(parts)


@PROPERTY
@given(names, st.integers(min_value=1000, max_value=10**12))
def test_a_trailing_reference_number_never_changes_the_key(parts: list[str], ref: int) -> None:
    description = " ".join(parts)
    assert name_key(f"{description} {ref}") == name_key(description)
    assert name_key(f"{description} #{ref}") == name_key(description)


@PROPERTY
@given(names, st.sampled_from([" Ltd", " Limited", " Inc", " LLC", " GmbH", " plc", ", Inc."]))
def test_a_legal_suffix_never_changes_the_key(parts: list[str], suffix: str) -> None:
    description = " ".join(parts)
    assert name_key(description + suffix) == name_key(description)
    assert name_key(description.upper() + suffix.upper()) == name_key(description)


@PROPERTY
@given(st.text(max_size=40))
def test_a_key_is_letters_and_digits_only(description: str) -> None:
    key = name_key(description)
    assert all(unicodedata.category(c)[0] in "LN" for c in key)
