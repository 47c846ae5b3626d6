"""Money: ISO 4217 currencies with their minor units, and amounts as exact decimal strings."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from iso4217 import Currency, raw_xml

# Codes the ISO 4217 data does not mark as funds or unit-less, yet are not legal tender:
# UYW (Unidad Previsional) is an index unit; XAD (Arab Accounting Dinar) is a unit of account.
NOT_LEGAL_TENDER: frozenset[str] = frozenset({"UYW", "XAD"})

MAX_INTEGER_DIGITS = 13


def _fund_codes() -> frozenset[str]:
    """Codes whose name carries the ISO table's `IsFund` mark (BOV, CLF, USN, ...)."""
    funds = set()
    for entry in raw_xml.findall("CcyTbl/CcyNtry"):
        name, code = entry.find("CcyNm"), entry.find("Ccy")
        if name is not None and code is not None and code.text and name.get("IsFund"):
            funds.add(code.text.strip())
    return frozenset(funds)


@cache
def accepted_currencies() -> dict[str, int]:
    """Every accepted currency code with its minor units: legal tender with defined minor units."""
    excluded = _fund_codes() | NOT_LEGAL_TENDER
    return {
        currency.code: currency.exponent
        for currency in Currency
        if currency.exponent is not None and currency.code not in excluded
    }


def minor_units(currency: str) -> int | None:
    """The currency's minor units (JPY 0, GBP 2, KWD 3), or None if the code is not accepted."""
    return accepted_currencies().get(currency)


@cache
def _amount_pattern(units: int) -> re.Pattern[str]:
    fraction = rf"(\.[0-9]{{1,{units}}})?" if units else ""
    return re.compile(rf"(0|[1-9][0-9]{{0,{MAX_INTEGER_DIGITS - 1}}}){fraction}")


AMOUNT_PATTERN = rf"^(0|[1-9][0-9]{{0,{MAX_INTEGER_DIGITS - 1}}})(\.[0-9]{{1,3}})?$"
"""The loosest amount pattern (3 minor units), for the OpenAPI document."""


def parse_amount(text: str, units: int) -> Decimal | None:
    """The amount as a Decimal if `text` matches the pattern for `units` minor units, else None."""
    if _amount_pattern(units).fullmatch(text) is None:
        return None
    return Decimal(text)


@dataclass(frozen=True)
class Money:
    """An exact amount in a currency, quantised to the currency's minor units."""

    amount: Decimal
    currency: str

    @classmethod
    def of(cls, amount: Decimal, currency: str) -> Money:
        """Money quantised to the currency's minor units (the currency must be accepted)."""
        units = minor_units(currency)
        if units is None:
            raise ValueError("currency not accepted")
        return cls(amount.quantize(Decimal(1).scaleb(-units)), currency)

    def canonical(self) -> str:
        """The amount with exactly the currency's minor units: "12.90", "7980", "5.500"."""
        return f"{self.amount:f}"
