"""RFC 3339 §5.6 `date-time` with the stricter rules of docs/design.md §4."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

_DATE_TIME = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt]([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]{1,6})?"
    r"([Zz]|[+-][0-9]{2}:[0-9]{2})"
)

TIMESTAMP_PATTERN = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?"
    r"([Zz]|[+-][0-9]{2}:[0-9]{2})$"
)
"""The syntax, for the OpenAPI document; the ranges below are checked in code."""

MIN_OFFSET = timedelta(hours=-12)
MAX_OFFSET = timedelta(hours=14)
FUTURE_TOLERANCE = timedelta(minutes=5)
HISTORY_MONTHS = 24
_UTC_TEXT = "%Y-%m-%dT%H:%M:%S.%fZ"


class TimestampError(ValueError):
    """A timestamp that breaks a rule; `rule` names it."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule


def parse_timestamp(text: str) -> datetime:
    """The aware datetime of an RFC 3339 date-time in its own offset; TimestampError otherwise."""
    match = _DATE_TIME.fullmatch(text)
    if match is None:
        raise TimestampError(
            "rfc3339-date-time",
            "must be an RFC 3339 date-time with an explicit offset, e.g. 2026-11-03T09:30:00+01:00",
        )
    year, month, day, hour, minute, second = (int(match.group(i)) for i in range(1, 7))
    fraction, offset_text = match.group(7), match.group(8)
    if second == 60:
        raise TimestampError("no-leap-second", "second 60 (a leap second) is not accepted")
    if offset_text == "-00:00":
        raise TimestampError("known-offset", "offset -00:00 (unknown local offset) is not accepted")
    if offset_text in ("Z", "z"):
        offset = timedelta(0)
    else:
        sign = -1 if offset_text[0] == "-" else 1
        offset_hours, offset_minutes = int(offset_text[1:3]), int(offset_text[4:6])
        if offset_minutes > 59:
            raise TimestampError("rfc3339-date-time", "the offset's minutes must be 00-59")
        offset = sign * timedelta(hours=offset_hours, minutes=offset_minutes)
        if not MIN_OFFSET <= offset <= MAX_OFFSET:
            raise TimestampError("offset-range", "the offset must be between -12:00 and +14:00")
    microsecond = int((fraction[1:] + "000000")[:6]) if fraction else 0
    try:
        return datetime(
            year, month, day, hour, minute, second, microsecond, tzinfo=timezone(offset)
        )
    except ValueError:
        raise TimestampError(
            "rfc3339-date-time", "the date or time is out of range (no such day or hour)"
        ) from None


def utc_text(moment: datetime) -> str:
    """A UTC instant as fixed-width text with microseconds, sortable as a string.

    `2026-11-03T08:30:00.000000Z`: the form of every instant the store keeps (and of the report
    documents); `parse_utc_text` reads it back.
    """
    return moment.astimezone(UTC).strftime(_UTC_TEXT)


def parse_utc_text(text: str) -> datetime:
    """The UTC datetime of an instant written by `utc_text` (any RFC 3339 date-time is read)."""
    return parse_timestamp(text).astimezone(UTC)


def rfc3339_text(moment: datetime) -> str:
    """The API's form of an instant: `isoformat` with `Z` for `+00:00`, so no zero microseconds.

    Unlike `utc_text` it keeps the moment's own offset and drops a zero fraction
    (`2026-11-03T08:30:00Z`); the API's `receivedAt`, `voidedAt` and `changedAt` are in this form.
    """
    return moment.isoformat().replace("+00:00", "Z")


def months_before(moment: datetime, months: int) -> datetime:
    """The same wall time `months` calendar months earlier, the day clamped to the month's end."""
    index = moment.year * 12 + (moment.month - 1) - months
    year, month = index // 12, index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def check_window(paid_at: datetime, now: datetime) -> None:
    """Raise TimestampError unless `paid_at` is within [now - 24 months (UTC), now + 5 minutes]."""
    if paid_at > now + FUTURE_TOLERANCE:
        raise TimestampError("not-in-future", "must not be more than 5 minutes in the future")
    if paid_at < months_before(now.astimezone(UTC), HISTORY_MONTHS):
        raise TimestampError("within-24-months", "must not be more than 24 months in the past")


@dataclass(frozen=True)
class Timestamp:
    """A timestamp exactly as the customer gave it, with its parsed value."""

    text: str
    moment: datetime

    def utc_instant(self) -> str:
        """The UTC instant with microseconds, sortable as a string: 2026-11-03T08:30:00.000000Z."""
        return utc_text(self.moment)

    def canonical(self) -> str:
        """One spelling of the same instant in the same offset: what a replay is compared by.

        `2026-11-03T09:30:00.000000+01:00`: upper-case `T`, six fraction digits (none, `.0` and
        `.000000` are the same second), and the offset as `±HH:MM`. `Z`, `z` and `+00:00` are one
        offset: RFC 3339 §4.3 gives them the same meaning (UTC), and only `-00:00` (an unknown
        local offset) differs, which `parse_timestamp` refuses. Another offset at the same instant
        stays another timestamp: it can put the payment in another month. The text as submitted
        (`text`) is what is stored and answered.
        """
        return self.moment.isoformat(timespec="microseconds")
