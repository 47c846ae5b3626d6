"""The rules of a payment submission (docs/design.md §4): identifiers, timestamps,
descriptions, money.

Pure domain: no I/O. Each rule is checked through `validate_submission`, the one entry point the use
cases call, so a broken rule is named the way the API names it: (field, rule).
"""

from __future__ import annotations

import unicodedata
import uuid
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from payments_tracker.domain.errors import ValidationFailed
from payments_tracker.domain.identifiers import parse_uuid4
from payments_tracker.domain.money import accepted_currencies, minor_units
from payments_tracker.domain.months import Month
from payments_tracker.domain.payment import (
    Payment,
    PaymentStatus,
    Submission,
    month_closes_at,
    validate_submission,
)
from payments_tracker.domain.sharding import SHARD_COUNT, shard_of
from payments_tracker.domain.timestamps import months_before

NOW = datetime(2026, 11, 15, 12, 0, tzinfo=UTC)
PAYMENT_ID = "0b7e6a0c-3a5c-4f2e-9a9b-1c2d3e4f5a6b"
USER_ID = "5f0c7a52-3a1e-4c1b-9a55-0c0d2f5e4a11"
VALID: dict[str, Any] = {
    "paymentId": PAYMENT_ID,
    "userId": USER_ID,
    "timestamp": "2026-11-03T09:30:00+01:00",
    "description": "Coffee with Sam",
    "currency": "GBP",
    "amount": "12.90",
}

PROPERTY = settings(max_examples=200, deadline=None)
EXPECTED_SHARD_OF_USER = 5  # sha256(USER_ID) mod 16, computed once and pinned
EXPECTED_SHARD_OF_PAYMENT_ID = 8


def submit(now: datetime = NOW, **changes: Any) -> Submission:
    """The canonical submission of VALID with `changes` applied."""
    return validate_submission({**VALID, **changes}, now)


def broken_rules(now: datetime = NOW, **changes: Any) -> list[tuple[str, str]]:
    """Every (field, rule) the submission of VALID with `changes` breaks; [] if it is accepted."""
    try:
        validate_submission({**VALID, **changes}, now)
    except ValidationFailed as failure:
        return [(error.field, error.rule) for error in failure.errors]
    return []


def test_the_reference_submission_is_valid() -> None:
    assert broken_rules() == []


# --- paymentId and userId: UUID version 4, canonical form only ---------------------------------


@pytest.mark.parametrize("field", ["paymentId", "userId"])
@pytest.mark.parametrize(
    "identifier",
    [
        pytest.param(PAYMENT_ID.upper(), id="uppercase"),
        pytest.param("{" + PAYMENT_ID + "}", id="braces"),
        pytest.param("urn:uuid:" + PAYMENT_ID, id="urn"),
        pytest.param(PAYMENT_ID.replace("-", ""), id="no-hyphens"),
        pytest.param(str(uuid.uuid1()), id="version-1"),
        pytest.param(str(uuid.uuid5(uuid.NAMESPACE_DNS, "example.com")), id="version-5"),
        pytest.param("0b7e6a0c-3a5c-4f2e-7a9b-1c2d3e4f5a6b", id="variant-ncs"),
        pytest.param("0b7e6a0c-3a5c-4f2e-ca9b-1c2d3e4f5a6b", id="variant-microsoft"),
        pytest.param("00000000-0000-0000-0000-000000000000", id="nil"),
        pytest.param(" " + PAYMENT_ID, id="leading-space"),
        pytest.param(PAYMENT_ID + "\n", id="trailing-newline"),
        pytest.param("", id="empty"),
        pytest.param("not-a-uuid", id="garbage"),
    ],
)
def test_identifiers_other_than_canonical_uuid4_are_rejected(field: str, identifier: str) -> None:
    assert broken_rules(**{field: identifier}) == [(field, "uuid-v4")]


@PROPERTY
@given(st.uuids(version=4))
def test_every_canonical_uuid4_is_accepted(identifier: uuid.UUID) -> None:
    assert parse_uuid4(str(identifier)) == identifier
    assert submit(paymentId=str(identifier)).payment_id == identifier


@PROPERTY
@given(st.uuids(version=4).filter(lambda u: any(c.isalpha() for c in str(u))))
def test_no_uppercase_uuid4_is_accepted(identifier: uuid.UUID) -> None:
    assert parse_uuid4(str(identifier).upper()) is None


@PROPERTY
@given(st.uuids().filter(lambda u: u.version != 4))
def test_no_uuid_of_another_version_is_accepted(identifier: uuid.UUID) -> None:
    assert parse_uuid4(str(identifier)) is None


@PROPERTY
@given(st.uuids(version=4), st.sampled_from("01234567cdef"))
def test_no_uuid4_with_another_variant_is_accepted(identifier: uuid.UUID, variant: str) -> None:
    text = str(identifier)
    assert parse_uuid4(text[:19] + variant + text[20:]) is None


# --- timestamp: RFC 3339 date-time, explicit offset, within the window --------------------------


@pytest.mark.parametrize(
    "timestamp",
    [
        "2026-11-03T09:30:00Z",
        "2026-11-03t09:30:00z",
        "2026-11-03T09:30:00z",
        "2026-11-03t09:30:00Z",
        "2026-11-03T09:30:00.1Z",
        "2026-11-03T09:30:00.123456Z",
        "2026-11-03T09:30:00+00:00",
        "2026-11-03T09:30:00-12:00",
        "2026-11-03T09:30:00+14:00",
        "2026-11-03T09:30:00+05:45",
        "2026-11-03T09:30:00-09:30",
    ],
)
def test_rfc3339_timestamps_with_an_explicit_offset_are_accepted(timestamp: str) -> None:
    assert submit(timestamp=timestamp).timestamp.text == timestamp


@pytest.mark.parametrize(
    ("timestamp", "rule"),
    [
        pytest.param("2026-11-03T09:30:00.1234567Z", "rfc3339-date-time", id="7-fraction-digits"),
        pytest.param("2026-11-03T09:30:00.Z", "rfc3339-date-time", id="empty-fraction"),
        pytest.param("2026-11-03T09:30:00", "rfc3339-date-time", id="naive"),
        pytest.param("2026-11-03T09:30:00.5", "rfc3339-date-time", id="naive-with-fraction"),
        pytest.param("2026-11-03 09:30:00Z", "rfc3339-date-time", id="space-separator"),
        pytest.param("2026-11-03T09:30Z", "rfc3339-date-time", id="no-seconds"),
        pytest.param("2026-11-03", "rfc3339-date-time", id="date-only"),
        pytest.param("2026-11-03T09:30:00+0100", "rfc3339-date-time", id="offset-without-colon"),
        pytest.param("2026-11-03T09:30:00+01", "rfc3339-date-time", id="offset-hours-only"),
        pytest.param("2026-11-03T09:30:00 Z", "rfc3339-date-time", id="space-before-offset"),
        pytest.param("2026-11-03T09:30:00Z\n", "rfc3339-date-time", id="trailing-newline"),
        pytest.param("20261103T093000Z", "rfc3339-date-time", id="basic-format"),
        pytest.param("2026-11-03T09:30:00+01:60", "rfc3339-date-time", id="offset-minute-60"),
        pytest.param("2026-02-30T09:30:00Z", "rfc3339-date-time", id="february-30"),
        pytest.param("2025-02-29T09:30:00Z", "rfc3339-date-time", id="february-29-common-year"),
        pytest.param("2026-13-03T09:30:00Z", "rfc3339-date-time", id="month-13"),
        pytest.param("2026-11-03T24:00:00Z", "rfc3339-date-time", id="hour-24"),
        pytest.param("2026-11-03T09:60:00Z", "rfc3339-date-time", id="minute-60"),
        pytest.param("2026-11-03T09:30:00\u0662Z", "rfc3339-date-time", id="non-ascii-digit"),
        pytest.param("2026-11-03T09:30:00-12:01", "offset-range", id="offset-below-minus-12"),
        pytest.param("2026-11-03T09:30:00+14:01", "offset-range", id="offset-above-plus-14"),
        pytest.param("2026-11-03T09:30:00+23:59", "offset-range", id="offset-23-59"),
        pytest.param("2026-11-03T09:30:00-00:00", "known-offset", id="unknown-offset"),
        pytest.param("2026-06-30T23:59:60Z", "no-leap-second", id="leap-second"),
    ],
)
def test_timestamps_breaking_the_format_rules_are_rejected(timestamp: str, rule: str) -> None:
    assert broken_rules(timestamp=timestamp) == [("timestamp", rule)]


def test_leap_second_on_a_non_leap_second_date_is_also_rejected_as_a_leap_second() -> None:
    assert broken_rules(timestamp="2026-11-03T09:30:60+01:00") == [("timestamp", "no-leap-second")]


def test_a_timestamp_is_kept_exactly_as_given_plus_its_utc_instant() -> None:
    submission = submit(timestamp="2026-11-03t09:30:00.5+01:00")

    assert submission.timestamp.text == "2026-11-03t09:30:00.5+01:00"
    assert submission.timestamp.utc_instant() == "2026-11-03T08:30:00.500000Z"


def test_a_timestamp_up_to_five_minutes_in_the_future_is_accepted() -> None:
    assert broken_rules(timestamp="2026-11-15T12:05:00Z") == []
    assert broken_rules(timestamp="2026-11-15T13:05:00+01:00") == []


def test_a_timestamp_more_than_five_minutes_in_the_future_is_rejected() -> None:
    assert broken_rules(timestamp="2026-11-15T12:05:00.000001Z") == [("timestamp", "not-in-future")]
    assert broken_rules(timestamp="2026-11-16T00:05:01+12:00") == [("timestamp", "not-in-future")]


def test_a_timestamp_exactly_24_calendar_months_back_is_accepted() -> None:
    assert broken_rules(timestamp="2024-11-15T12:00:00Z") == []
    assert broken_rules(timestamp="2024-11-15T02:00:00-10:00") == []


def test_a_timestamp_older_than_24_calendar_months_is_rejected() -> None:
    assert broken_rules(timestamp="2024-11-15T11:59:59.999999Z") == [
        ("timestamp", "within-24-months")
    ]
    assert broken_rules(timestamp="2024-11-15T13:59:59+02:00") == [
        ("timestamp", "within-24-months")
    ]


def test_the_24_month_window_clamps_to_the_end_of_a_shorter_month() -> None:
    leap_day = datetime(2028, 2, 29, 12, 0, tzinfo=UTC)

    assert months_before(leap_day, 24) == datetime(2026, 2, 28, 12, 0, tzinfo=UTC)
    assert broken_rules(now=leap_day, timestamp="2026-02-28T12:00:00Z") == []
    assert broken_rules(now=leap_day, timestamp="2026-02-28T11:59:59Z") == [
        ("timestamp", "within-24-months")
    ]


def test_the_24_month_window_keeps_the_day_when_the_month_has_it() -> None:
    end_of_march = datetime(2026, 3, 31, 8, 0, tzinfo=UTC)

    assert months_before(end_of_march, 24) == datetime(2024, 3, 31, 8, 0, tzinfo=UTC)
    assert months_before(end_of_march, 1) == datetime(2026, 2, 28, 8, 0, tzinfo=UTC)
    assert months_before(datetime(2026, 5, 31, tzinfo=UTC), 25) == datetime(2024, 4, 30, tzinfo=UTC)


def test_the_24_month_window_is_counted_in_utc_whatever_the_clock_offset() -> None:
    now_in_tokyo = NOW.astimezone(timezone(timedelta(hours=9)))

    assert broken_rules(now=now_in_tokyo, timestamp="2024-11-15T12:00:00Z") == []
    assert broken_rules(now=now_in_tokyo, timestamp="2024-11-15T11:59:59Z") == [
        ("timestamp", "within-24-months")
    ]


def test_the_month_is_taken_in_the_customers_offset_late_evening_west() -> None:
    submission = submit(
        timestamp="2026-11-30T23:30:00-05:00", now=datetime(2026, 12, 2, tzinfo=UTC)
    )

    assert submission.month == Month(2026, 11)
    assert submission.timestamp.utc_instant().startswith("2026-12-01T04:30")


def test_the_month_is_taken_in_the_customers_offset_early_morning_east() -> None:
    submission = submit(
        timestamp="2026-12-01T00:30:00+14:00", now=datetime(2026, 12, 2, tzinfo=UTC)
    )

    assert submission.month == Month(2026, 12)
    assert submission.timestamp.utc_instant().startswith("2026-11-30T10:30")


@st.composite
def rfc3339_timestamps(draw: st.DrawFn) -> tuple[str, datetime]:
    """A valid timestamp text inside the window of NOW, and the instant it denotes."""
    offset_minutes = draw(st.integers(min_value=-12 * 60, max_value=14 * 60))
    offset = timedelta(minutes=offset_minutes)
    earliest = months_before(NOW, 24)
    instant = draw(
        st.datetimes(
            min_value=earliest.replace(tzinfo=None),
            max_value=(NOW + timedelta(minutes=5)).replace(tzinfo=None),
        )
    ).replace(tzinfo=UTC)
    digits = draw(st.integers(min_value=0, max_value=6))
    instant = instant.replace(
        microsecond=instant.microsecond // 10 ** (6 - digits) * 10 ** (6 - digits)
    )
    local = instant.astimezone(timezone(offset))
    fraction = f".{local.microsecond:06d}"[: digits + 1] if digits else ""
    if offset_minutes == 0 and draw(st.booleans()):
        zone = draw(st.sampled_from(["Z", "z"]))
    else:
        sign = "-" if offset_minutes < 0 else "+"
        zone = f"{sign}{abs(offset_minutes) // 60:02d}:{abs(offset_minutes) % 60:02d}"
    separator = draw(st.sampled_from(["T", "t"]))
    text = local.strftime(f"%Y-%m-%d{separator}%H:%M:%S") + fraction + zone
    return text, instant


@PROPERTY
@given(rfc3339_timestamps())
def test_every_rfc3339_timestamp_in_the_window_is_accepted_with_its_instant(
    example: tuple[str, datetime],
) -> None:
    text, instant = example
    submission = submit(timestamp=text)

    assert submission.timestamp.text == text
    assert submission.timestamp.moment == instant
    assert submission.month == Month.of(submission.timestamp.moment)


@PROPERTY
@given(
    st.integers(min_value=1, max_value=99 * 60 + 59).filter(
        lambda minutes: minutes > 12 * 60 or minutes % 60 > 59
    )
)
def test_no_offset_west_of_minus_12_is_accepted(offset_minutes: int) -> None:
    zone = f"-{offset_minutes // 60:02d}:{offset_minutes % 60:02d}"
    assert broken_rules(timestamp="2026-11-03T09:30:00" + zone) == [("timestamp", "offset-range")]


@PROPERTY
@given(st.integers(min_value=14 * 60 + 1, max_value=99 * 60 + 59))
def test_no_offset_east_of_plus_14_is_accepted(offset_minutes: int) -> None:
    zone = f"+{offset_minutes // 60:02d}:{offset_minutes % 60:02d}"
    assert broken_rules(timestamp="2026-11-03T09:30:00" + zone) == [("timestamp", "offset-range")]


@PROPERTY
@given(st.integers(min_value=60, max_value=99), st.sampled_from("+-"))
def test_no_offset_with_60_or_more_minutes_is_accepted(minutes: int, sign: str) -> None:
    zone = f"{sign}01:{minutes:02d}"
    assert broken_rules(timestamp="2026-11-03T09:30:00" + zone) == [
        ("timestamp", "rfc3339-date-time")
    ]


@PROPERTY
@given(st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2026, 11, 15)))
def test_no_naive_timestamp_is_accepted(moment: datetime) -> None:
    assert broken_rules(timestamp=moment.strftime("%Y-%m-%dT%H:%M:%S")) == [
        ("timestamp", "rfc3339-date-time")
    ]


def spell(moment: datetime, offset_minutes: int, style: tuple[str, int, str]) -> str:
    """`moment` (naive wall time) at `offset_minutes`, written one of the RFC 3339 ways: `T` or
    `t`, the fraction's digits padded with zeros up to `padding`, `Z`, `z` or `+00:00` for UTC."""
    t, padding, zero_offset = style
    fraction = f"{moment.microsecond:06d}"
    digits = max(len(fraction.rstrip("0")), padding)  # the digits it needs, padded with zeros
    fraction_text = "." + fraction[:digits] if digits else ""
    if offset_minutes == 0 and zero_offset != "+00:00":
        zone = zero_offset
    else:
        sign = "-" if offset_minutes < 0 else "+"
        zone = f"{sign}{abs(offset_minutes) // 60:02d}:{abs(offset_minutes) % 60:02d}"
    return moment.strftime(f"%Y-%m-%d{t}%H:%M:%S") + fraction_text + zone


SPELLING = st.tuples(
    st.sampled_from("Tt"),
    st.integers(min_value=0, max_value=6),
    st.sampled_from(["Z", "z", "+00:00"]),
)
WALL_TIME = st.datetimes(min_value=datetime(2025, 2, 1), max_value=datetime(2026, 11, 14))
OFFSET_MINUTES = st.sampled_from([0, 60, -300, 330, 345, 14 * 60, -12 * 60, -30])


@PROPERTY
@given(WALL_TIME, OFFSET_MINUTES, SPELLING, SPELLING)
def test_two_spellings_of_one_instant_in_one_offset_are_one_submission(
    moment: datetime,
    offset_minutes: int,
    first_style: tuple[str, int, str],
    second_style: tuple[str, int, str],
) -> None:
    first_text = spell(moment, offset_minutes, first_style)
    second_text = spell(moment, offset_minutes, second_style)

    first, second = submit(timestamp=first_text), submit(timestamp=second_text)

    assert first.replay_form() == second.replay_form()
    assert first.month == second.month
    assert first.canonical()["timestamp"] == first_text  # stored and answered as submitted
    assert second.canonical()["timestamp"] == second_text


@PROPERTY
@given(WALL_TIME, OFFSET_MINUTES, OFFSET_MINUTES, SPELLING)
def test_the_same_instant_in_another_offset_is_another_submission(
    moment: datetime, offset_minutes: int, other_minutes: int, style: tuple[str, int, str]
) -> None:
    assume(offset_minutes != other_minutes)
    instant = moment - timedelta(minutes=offset_minutes)  # the UTC wall time of `moment`
    other_wall_time = instant + timedelta(minutes=other_minutes)
    first = submit(timestamp=spell(moment, offset_minutes, style))
    second = submit(timestamp=spell(other_wall_time, other_minutes, style))

    assert first.timestamp.moment == second.timestamp.moment
    assert first.replay_form() != second.replay_form()


@pytest.mark.parametrize(
    ("first", "again"),
    [
        pytest.param("2026-11-03T09:30:00+01:00", "2026-11-03t09:30:00+01:00", id="lowercase-t"),
        pytest.param("2026-11-03T09:30:00+01:00", "2026-11-03T09:30:00.000+01:00", id="fraction"),
        pytest.param("2026-11-03T08:30:00Z", "2026-11-03T08:30:00+00:00", id="z-is-plus-zero"),
        pytest.param("2026-11-03T08:30:00z", "2026-11-03T08:30:00Z", id="lowercase-z"),
    ],
)
def test_a_timestamp_spelled_another_way_has_the_same_canonical_spelling(
    first: str, again: str
) -> None:
    assert submit(timestamp=first).timestamp.canonical() == (
        submit(timestamp=again).timestamp.canonical()
    )


def test_the_canonical_spelling_of_a_timestamp_is_its_wall_time_and_offset_to_the_microsecond() -> (
    None
):
    assert submit(timestamp="2026-11-03t09:30:00.5+01:00").timestamp.canonical() == (
        "2026-11-03T09:30:00.500000+01:00"
    )
    assert submit(timestamp="2026-11-03T08:30:00z").timestamp.canonical() == (
        "2026-11-03T08:30:00.000000+00:00"
    )


# --- description: NFC, 1-140 code points, not blank, no invisible characters ---------------------


def test_a_description_is_kept_in_nfc() -> None:
    decomposed = "Cafe\u0301 au lait"

    assert submit(description=decomposed).description == "Caf\u00e9 au lait"


def test_a_description_of_140_code_points_is_accepted() -> None:
    assert submit(description="x" * 140).description == "x" * 140


def test_a_description_of_141_code_points_is_rejected() -> None:
    assert broken_rules(description="x" * 141) == [("description", "length")]


def test_the_length_of_a_description_is_counted_after_nfc() -> None:
    decomposed = "e\u0301" * 140  # 280 code points before NFC, 140 after

    assert submit(description=decomposed).description == "\u00e9" * 140
    assert broken_rules(description=decomposed + "e\u0301") == [("description", "length")]


def test_a_description_counts_code_points_not_utf16_units() -> None:
    assert submit(description="\U0001f600" * 140).description == "\U0001f600" * 140


def test_an_empty_description_is_rejected() -> None:
    assert broken_rules(description="") == [("description", "length")]


@pytest.mark.parametrize(
    "blank",
    [" ", "   ", "\u00a0", "\u3000", " \u200d ", "\u200c\u200d"],
    ids=[
        "space",
        "spaces",
        "no-break-space",
        "ideographic-space",
        "zwj",
        "zwnj-zwj",
    ],
)
def test_a_blank_description_is_rejected(blank: str) -> None:
    assert broken_rules(description=blank) == [("description", "not-blank")]


@pytest.mark.parametrize(
    ("invisible", "named"),
    [
        pytest.param("\u3164", "U+3164 HANGUL FILLER", id="hangul-filler"),
        pytest.param("\uffa0\uffa0", "U+FFA0 HALFWIDTH HANGUL FILLER", id="halfwidth-filler"),
        pytest.param("\u115f\u1160", "U+115F HANGUL CHOSEONG FILLER", id="jamo-fillers"),
        pytest.param("\u2800" * 3, "U+2800 BRAILLE PATTERN BLANK", id="braille-blank"),
        pytest.param("\u0301\u0308", "U+0301 COMBINING ACUTE ACCENT", id="combining-marks"),
        pytest.param("\u20dd", "U+20DD COMBINING ENCLOSING CIRCLE", id="enclosing-mark"),
        pytest.param("\u093e", "U+093E DEVANAGARI VOWEL SIGN AA", id="spacing-mark-alone"),
        pytest.param("\ufe0f\u034f", "U+FE0F VARIATION SELECTOR-16", id="variation-selector"),
        pytest.param("\u17b4\u17b5", "U+17B4 KHMER VOWEL INHERENT AQ", id="khmer-inherent"),
        pytest.param(" \u3164\u200d\u2800 ", "U+3164 HANGUL FILLER", id="mixed"),
    ],
)
def test_a_description_with_nothing_visible_is_blank_and_the_message_names_what_it_holds(
    invisible: str, named: str
) -> None:
    assert broken_rules(description=invisible) == [("description", "not-blank")]
    with pytest.raises(ValidationFailed) as failure:
        submit(description=invisible)
    assert named in failure.value.errors[0].message


@pytest.mark.parametrize(
    "separator",
    [pytest.param("\u2028", id="line-separator"), pytest.param("\u2029", id="paragraph-separator")],
)
@pytest.mark.parametrize("where", ["alone", "inside", "at-the-end"])
def test_a_line_or_paragraph_separator_is_rejected_anywhere(separator: str, where: str) -> None:
    description = {
        "alone": separator,
        "inside": f"Rent{separator}x",
        "at-the-end": f"Rent{separator}",
    }
    assert broken_rules(description=description[where]) == [("description", "allowed-characters")]
    with pytest.raises(ValidationFailed) as failure:
        submit(description=description[where])
    assert f"U+{ord(separator):04X}" in failure.value.errors[0].message


@PROPERTY
@given(
    st.text(
        alphabet=st.characters(categories=("Zl", "Zp", "Zs", "Mn", "Mc", "Me")),
        max_size=20,
    ),
    st.sampled_from(["\u2028", "\u2029"]),
    st.text(max_size=20),
)
def test_any_description_holding_a_line_or_paragraph_separator_is_rejected(
    before: str, separator: str, after: str
) -> None:
    rules = broken_rules(description=before + separator + after)
    assert rules == [("description", "allowed-characters")]


INVISIBLE = st.one_of(
    st.characters(categories=("Zs", "Mn", "Mc", "Me")),
    st.sampled_from(["\u200c", "\u200d", "\u115f", "\u1160", "\u3164", "\uffa0", "\u2800"]),
)


@PROPERTY
@given(st.text(alphabet=INVISIBLE, min_size=1, max_size=140))
def test_any_description_of_only_invisible_characters_is_blank(description: str) -> None:
    rules = broken_rules(description=description)
    assert rules in ([("description", "not-blank")], [("description", "length")])
    if len(unicodedata.normalize("NFC", description)) <= 140:
        assert rules == [("description", "not-blank")]


@pytest.mark.parametrize(
    "description",
    [
        pytest.param(
            "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466", id="family-emoji"
        ),
        pytest.param("\U0001f3f3\ufe0f\u200d\U0001f308 Pride", id="flag-with-vs16-and-zwj"),
        pytest.param("1\ufe0f\u20e3", id="keycap-emoji"),
        pytest.param("\ud55c\uad6d\uc5b4 \uc218\uc5c5", id="hangul-syllables"),
        pytest.param("\u1112\u1161\u11ab", id="hangul-jamo-composed-by-nfc"),
        pytest.param("\u0915\u093f\u0930\u093e\u092f\u093e", id="devanagari-vowel-signs"),
        pytest.param(
            "\u0625\u064a\u062c\u0627\u0631 \u0627\u0644\u0634\u0651\u064e\u0642\u0629",
            id="arabic-with-harakat",
        ),
        pytest.param("\u0e04\u0e48\u0e32\u0e40\u0e0a\u0e48\u0e32", id="thai-tone-marks"),
        pytest.param("\u05e9\u05db\u05e8 \u05d3\u05d9\u05e8\u05d4", id="hebrew"),
        pytest.param("\u5bb6\u8cc3", id="cjk"),
        pytest.param("a\u3164", id="filler-next-to-a-letter"),
        pytest.param("\u2801", id="braille-dot"),
    ],
)
def test_ordinary_text_in_any_script_is_accepted(description: str) -> None:
    assert broken_rules(description=description) == []
    assert submit(description=description).description == unicodedata.normalize("NFC", description)


@PROPERTY
@given(
    st.text(alphabet=INVISIBLE, max_size=30),
    st.characters(categories=("L", "N", "P", "S")).filter(
        lambda c: c not in "\u115f\u1160\u3164\uffa0\u2800"
    ),
    st.text(alphabet=INVISIBLE, max_size=30),
)
def test_one_visible_character_among_invisible_ones_is_enough(
    before: str, visible: str, after: str
) -> None:
    description = before + visible + after
    assert broken_rules(description=description) == []


@pytest.mark.parametrize(
    "character",
    [
        pytest.param("\u202e", id="right-to-left-override"),
        pytest.param("\u2066", id="left-to-right-isolate"),
        pytest.param("\u200b", id="zero-width-space"),
        pytest.param("\ufeff", id="byte-order-mark"),
        pytest.param("\u00ad", id="soft-hyphen"),
        pytest.param("\u2060", id="word-joiner"),
        pytest.param("\x00", id="nul"),
        pytest.param("\x07", id="bell"),
        pytest.param("\t", id="tab"),
        pytest.param("\n", id="line-feed"),
        pytest.param("\x7f", id="delete"),
        pytest.param("\x85", id="next-line"),
        pytest.param("\ud800", id="lone-high-surrogate"),
        pytest.param("\udfff", id="lone-low-surrogate"),
        pytest.param("\ue000", id="private-use"),
        pytest.param("\U000f0000", id="supplementary-private-use"),
        pytest.param("\ufdd0", id="noncharacter"),
        pytest.param("\uffff", id="noncharacter-ffff"),
        pytest.param("\U000e0001", id="language-tag"),
        pytest.param("\u0378", id="unassigned"),
    ],
)
def test_invisible_control_private_surrogate_and_unassigned_characters_are_rejected(
    character: str,
) -> None:
    assert broken_rules(description=f"Coffee{character}with Sam") == [
        ("description", "allowed-characters")
    ]


@pytest.mark.parametrize(
    "description",
    [
        pytest.param("\U0001f468\u200d\U0001f469\u200d\U0001f467", id="zwj-family-emoji"),
        pytest.param("Lunch \U0001f469\u200d\U0001f4bb", id="zwj-emoji-in-words"),
        pytest.param("\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645", id="zwnj-in-persian"),
        pytest.param("\u0915\u094d\u200d\u0937", id="zwj-in-devanagari"),
    ],
)
def test_zero_width_joiners_inside_emoji_and_words_are_accepted(description: str) -> None:
    assert submit(description=description).description == description


def test_a_description_of_only_forbidden_characters_reports_that_rule_alone() -> None:
    assert broken_rules(description="\u202e" * 200) == [("description", "allowed-characters")]


@PROPERTY
@given(
    st.text(
        alphabet=st.characters(
            exclude_categories=("Cc", "Cs", "Co", "Cn", "Cf", "Zl", "Zp"),
            include_characters="\u200c\u200d",
        ),
        min_size=1,
        max_size=140,
    ).filter(lambda text: not text.isspace() and text.strip("\u200c\u200d \t"))
)
def test_descriptions_of_allowed_characters_are_kept_in_nfc_or_rejected_only_for_length_or_blank(
    description: str,
) -> None:
    normalised = unicodedata.normalize("NFC", description)
    rules = broken_rules(description=description)
    if rules:
        assert rules in ([("description", "length")], [("description", "not-blank")])
    else:
        assert submit(description=description).description == normalised


# --- currency: legal tender from the ISO 4217 data, with minor units ----------------------------


@pytest.mark.parametrize(
    ("currency", "units"), [("GBP", 2), ("EUR", 2), ("USD", 2), ("JPY", 0), ("KWD", 3)]
)
def test_legal_tender_currencies_are_accepted_with_their_minor_units(
    currency: str, units: int
) -> None:
    assert minor_units(currency) == units
    amount = "1" if units == 0 else "1." + "0" * units
    assert submit(currency=currency, amount=amount).money.currency == currency


@pytest.mark.parametrize(
    "currency",
    [
        pytest.param("XTS", id="test-code"),
        pytest.param("XXX", id="no-currency"),
        pytest.param("XAU", id="gold"),
        pytest.param("XAG", id="silver"),
        pytest.param("XPT", id="platinum"),
        pytest.param("XPD", id="palladium"),
        pytest.param("XDR", id="special-drawing-right"),
        pytest.param("XSU", id="sucre"),
        pytest.param("XUA", id="adb-unit-of-account"),
        pytest.param("XBA", id="bond-market-unit"),
        pytest.param("BOV", id="fund-mvdol"),
        pytest.param("CLF", id="fund-unidad-de-fomento"),
        pytest.param("COU", id="fund-unidad-de-valor-real"),
        pytest.param("MXV", id="fund-unidad-de-inversion"),
        pytest.param("UYI", id="fund-uruguay-indexed"),
        pytest.param("UYW", id="index-unidad-previsional"),
        pytest.param("USN", id="fund-us-next-day"),
        pytest.param("CHE", id="fund-wir-euro"),
        pytest.param("CHW", id="fund-wir-franc"),
        pytest.param("XAD", id="arab-accounting-dinar"),
        pytest.param("gbp", id="lowercase"),
        pytest.param("Gbp", id="mixed-case"),
        pytest.param(" GBP", id="leading-space"),
        pytest.param("ABC", id="unknown"),
        pytest.param("GB", id="too-short"),
        pytest.param("", id="empty"),
        pytest.param("826", id="numeric-code"),
    ],
)
def test_codes_that_are_not_legal_tender_with_minor_units_are_rejected(currency: str) -> None:
    assert broken_rules(currency=currency) == [("currency", "iso-4217")]


def test_accepted_currencies_come_from_the_iso_4217_library_not_a_short_hand_typed_list() -> None:
    currencies = accepted_currencies()

    assert len(currencies) > 100
    assert set(currencies.values()) <= {0, 2, 3, 4}


@PROPERTY
@given(st.sampled_from(sorted(accepted_currencies())))
def test_every_accepted_currency_has_three_uppercase_letters_and_minor_units(
    currency: str,
) -> None:
    assert len(currency) == 3
    assert currency.isascii()
    assert currency.isupper()
    assert minor_units(currency) is not None


# --- amount: a decimal string with at most the currency's minor units, > 0 ----------------------


@pytest.mark.parametrize(
    ("currency", "amount", "canonical"),
    [
        ("JPY", "7980", "7980"),
        ("GBP", "12.9", "12.90"),
        ("GBP", "12", "12.00"),
        ("GBP", "0.01", "0.01"),
        ("GBP", "0.1", "0.10"),
        ("KWD", "5.5", "5.500"),
        ("KWD", "0.001", "0.001"),
        ("USD", "9999999999999.99", "9999999999999.99"),
        ("JPY", "1" + "0" * 12, "1" + "0" * 12),
    ],
)
def test_amounts_are_kept_at_exactly_the_currencys_minor_units(
    currency: str, amount: str, canonical: str
) -> None:
    money = submit(currency=currency, amount=amount).money

    assert money.canonical() == canonical
    assert money.amount == Decimal(canonical)
    assert isinstance(money.amount, Decimal)


def test_an_amount_of_13_integer_digits_is_accepted() -> None:
    assert submit(amount="1234567890123.45").money.canonical() == "1234567890123.45"


def test_an_amount_of_14_integer_digits_is_rejected() -> None:
    assert broken_rules(amount="12345678901234") == [("amount", "decimal-string")]


@pytest.mark.parametrize("amount", ["0", "0.00", "0.0"])
def test_a_zero_amount_is_rejected_as_not_positive(amount: str) -> None:
    assert broken_rules(amount=amount) == [("amount", "positive")]


def test_a_jpy_amount_with_a_decimal_point_is_rejected() -> None:
    assert broken_rules(currency="JPY", amount="7980.0") == [("amount", "decimal-string")]


def test_an_amount_with_more_decimals_than_the_currency_has_is_rejected() -> None:
    assert broken_rules(currency="GBP", amount="12.999") == [("amount", "decimal-string")]
    assert broken_rules(currency="KWD", amount="1.0000") == [("amount", "decimal-string")]


@pytest.mark.parametrize(
    "amount",
    [
        pytest.param("01", id="leading-zero"),
        pytest.param("00.5", id="leading-zeros-fraction"),
        pytest.param("+1", id="plus-sign"),
        pytest.param("-1", id="minus-sign"),
        pytest.param("1e3", id="exponent"),
        pytest.param("1E3", id="exponent-uppercase"),
        pytest.param(".5", id="no-integer-part"),
        pytest.param("5.", id="no-fraction-digits"),
        pytest.param(" 5", id="leading-space"),
        pytest.param("5 ", id="trailing-space"),
        pytest.param("5\n", id="trailing-newline"),
        pytest.param("1,50", id="decimal-comma"),
        pytest.param("1_000", id="underscore"),
        pytest.param("\u0661", id="arabic-indic-digit"),
        pytest.param("NaN", id="nan"),
        pytest.param("Infinity", id="infinity"),
        pytest.param("", id="empty"),
        pytest.param("0x10", id="hexadecimal"),
        pytest.param("\u00a312.90", id="currency-symbol"),
    ],
)
def test_amounts_not_in_the_plain_decimal_form_are_rejected(amount: str) -> None:
    assert broken_rules(amount=amount) == [("amount", "decimal-string")]


@st.composite
def amounts_in(draw: st.DrawFn, units: int) -> str:
    """A positive decimal string matching the amount pattern for `units` minor units."""
    integer = draw(st.integers(min_value=0, max_value=10**13 - 1))
    fraction_digits = draw(st.integers(min_value=0, max_value=units))
    fraction = draw(st.integers(min_value=0, max_value=10**fraction_digits - 1))
    assume(integer > 0 or fraction > 0)
    text = str(integer)
    if fraction_digits:
        text += "." + str(fraction).zfill(fraction_digits)
    return text


@PROPERTY
@given(
    st.sampled_from(sorted(accepted_currencies())).flatmap(
        lambda currency: st.tuples(st.just(currency), amounts_in(accepted_currencies()[currency]))
    )
)
def test_every_amount_in_the_pattern_round_trips_to_canonical_with_exactly_the_minor_units(
    example: tuple[str, str],
) -> None:
    currency, amount = example
    units = accepted_currencies()[currency]
    canonical = submit(currency=currency, amount=amount).money.canonical()

    assert Decimal(canonical) == Decimal(amount)
    integer, _, fraction = canonical.partition(".")
    assert len(fraction) == units
    assert integer == str(int(Decimal(amount)))
    assert submit(currency=currency, amount=canonical).money.canonical() == canonical


@PROPERTY
@given(
    st.sampled_from(sorted(accepted_currencies())),
    st.integers(min_value=1, max_value=10**6),
    st.integers(min_value=1, max_value=3),
)
def test_no_amount_with_more_decimals_than_the_currency_has_is_accepted(
    currency: str, integer: int, extra: int
) -> None:
    units = accepted_currencies()[currency]
    amount = f"{integer}." + "5" * (units + extra)
    assert broken_rules(currency=currency, amount=amount) == [("amount", "decimal-string")]


@PROPERTY
@given(st.decimals(allow_nan=False, allow_infinity=False).map(str))
def test_any_decimal_text_is_either_accepted_as_canonical_or_rejected_by_a_named_rule(
    amount: str,
) -> None:
    rules = broken_rules(amount=amount)
    if rules:
        assert rules in ([("amount", "decimal-string")], [("amount", "positive")])
    else:
        money = submit(amount=amount).money
        assert money.amount == Decimal(amount)
        assert money.amount > 0


# --- the object as a whole ----------------------------------------------------------------------


def test_several_broken_rules_are_all_listed() -> None:
    rules = broken_rules(
        paymentId="not-a-uuid",
        userId=USER_ID.upper(),
        timestamp="2026-11-03T09:30:00",
        description="\u200b",
        currency="XTS",
        extra="x",
    )

    assert sorted(rules) == sorted(
        [
            ("extra", "unknown-field"),
            ("paymentId", "uuid-v4"),
            ("userId", "uuid-v4"),
            ("timestamp", "rfc3339-date-time"),
            ("description", "allowed-characters"),
            ("currency", "iso-4217"),
        ]
    )


def test_a_bad_amount_is_listed_next_to_other_broken_rules() -> None:
    assert sorted(broken_rules(amount="-1", description=" ")) == [
        ("amount", "decimal-string"),
        ("description", "not-blank"),
    ]


def test_an_unknown_field_is_rejected() -> None:
    assert broken_rules(note="hello") == [("note", "unknown-field")]


def test_a_field_name_differing_only_in_case_is_unknown_and_the_real_one_missing() -> None:
    body = {**VALID, "PaymentId": VALID["paymentId"]}
    del body["paymentId"]
    with pytest.raises(ValidationFailed) as failure:
        validate_submission(body, NOW)

    assert sorted((e.field, e.rule) for e in failure.value.errors) == [
        ("PaymentId", "unknown-field"),
        ("paymentId", "required"),
    ]


@pytest.mark.parametrize("field", list(VALID))
def test_a_missing_field_is_rejected_as_required(field: str) -> None:
    body = {name: value for name, value in VALID.items() if name != field}
    with pytest.raises(ValidationFailed) as failure:
        validate_submission(body, NOW)

    assert [(e.field, e.rule) for e in failure.value.errors] == [(field, "required")]


def test_an_empty_object_lists_every_field_as_required() -> None:
    with pytest.raises(ValidationFailed) as failure:
        validate_submission({}, NOW)

    assert sorted(e.field for e in failure.value.errors) == sorted(VALID)
    assert {e.rule for e in failure.value.errors} == {"required"}


@pytest.mark.parametrize("field", list(VALID))
@pytest.mark.parametrize(
    "value",
    [12.9, 7980, Decimal("12.90"), None, True, ["12.90"], {"value": "12.90"}],
    ids=["float", "integer", "decimal", "null", "boolean", "array", "object"],
)
def test_a_value_that_is_not_a_json_string_breaks_the_type_rule(field: str, value: Any) -> None:
    assert broken_rules(**{field: value}) == [(field, "type")]


def test_every_field_error_carries_a_message() -> None:
    with pytest.raises(ValidationFailed) as failure:
        validate_submission({"amount": 1, "x": 1}, NOW)

    assert all(error.message for error in failure.value.errors)


# --- the record kept of a payment ---------------------------------------------------------------


def test_a_payment_expires_27_months_after_the_start_of_its_month() -> None:
    payment = Payment(
        submit(timestamp="2026-11-30T23:30:00-05:00", now=datetime(2026, 12, 2, tzinfo=UTC)), NOW
    )

    # The report of M reads M-25 at its cut-off early in M+1 (the due dates' tolerance, and
    # what the report of M-1 counted).
    assert payment.expires_at == datetime(2029, 2, 1, tzinfo=UTC)


def test_a_month_closes_on_the_5th_of_the_next_month_at_0200_utc() -> None:
    assert month_closes_at(Month(2026, 11)) == datetime(2026, 12, 5, 2, 0, tzinfo=UTC)
    assert month_closes_at(Month(2026, 12)) == datetime(2027, 1, 5, 2, 0, tzinfo=UTC)


def test_voiding_records_who_and_when_and_keeps_the_submission() -> None:
    payment = Payment(submit(), NOW)
    voided_at = NOW + timedelta(hours=1)

    voided = payment.voided(by=USER_ID, at=voided_at)

    assert voided.status is PaymentStatus.VOIDED
    assert voided.submission == payment.submission
    assert voided.voiding is not None
    assert (voided.voiding.voided_by, voided.voiding.voided_at) == (USER_ID, voided_at)
    assert voided.voiding.after_month_closed is False


def test_the_shard_of_a_user_is_pinned_across_processes_and_releases() -> None:
    # Pinned values: a change here would move users between shards of already-built months.
    assert shard_of(uuid.UUID(USER_ID)) == EXPECTED_SHARD_OF_USER
    assert shard_of(uuid.UUID(PAYMENT_ID)) == EXPECTED_SHARD_OF_PAYMENT_ID


@PROPERTY
@given(st.uuids(version=4))
def test_every_user_has_one_of_16_shards(user_id: uuid.UUID) -> None:
    assert 0 <= shard_of(user_id) < SHARD_COUNT == 16
    assert shard_of(user_id) == shard_of(uuid.UUID(str(user_id)))


def test_users_spread_over_every_shard() -> None:
    shards = {shard_of(uuid.UUID(int=number, version=4)) for number in range(1000)}

    assert shards == set(range(SHARD_COUNT))


def test_month_arithmetic_crosses_years() -> None:
    assert Month(2026, 1).plus(-1) == Month(2025, 12)
    assert Month(2026, 12).plus(1) == Month(2027, 1)
    assert Month(2026, 11).plus(-24) == Month(2024, 11)
    assert str(Month(2026, 3)) == "2026-03"
