"""Calendar months (`YYYY-MM`) and the arithmetic the report and retention rules need."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

# Year 0000 is no month (datetime starts at year 1): the published pattern says so too, so a
# schema-driven client never builds a month this API refuses.
MONTH_PATTERN = r"^([1-9][0-9]{3}|0[1-9][0-9]{2}|00[1-9][0-9]|000[1-9])-(0[1-9]|1[0-2])$"
_MONTH = re.compile(MONTH_PATTERN)


@dataclass(frozen=True, order=True)
class Month:
    """A calendar month, independent of any time zone."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month | None:
        """The month `YYYY-MM`, or None if malformed."""
        match = _MONTH.fullmatch(text)
        if match is None:
            return None
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def of(cls, moment: datetime) -> Month:
        """The month of `moment` in its own offset (the customer's, for a payment)."""
        return cls(moment.year, moment.month)

    def plus(self, months: int) -> Month:
        """This month moved by `months` (negative moves back)."""
        index = self.year * 12 + (self.month - 1) + months
        return Month(index // 12, index % 12 + 1)

    def start_utc(self) -> datetime:
        """Midnight UTC on the first day of the month."""
        return datetime(self.year, self.month, 1, tzinfo=UTC)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"
