"""The ports the use cases need; adapters implement them (DynamoDB, or memory in tests)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol
from uuid import UUID

from payments_tracker.domain.months import Month
from payments_tracker.domain.payment import Payment

PageKey = dict[str, str]
"""An opaque position in a listing, as the store reports it (string values only)."""


@dataclass(frozen=True)
class Page:
    """A page of payments, newest first, and where the next page starts (None at the end)."""

    payments: list[Payment]
    next_key: PageKey | None


class StorageUnavailable(Exception):
    """The store could not be reached or kept refusing after bounded retries (HTTP 503)."""


class PaymentRepository(Protocol):
    """Where payments are kept. Every read is keyed by the owner's id."""

    def insert(self, payment: Payment) -> Payment | None:
        """Store a new payment in one conditional write; return the existing one if taken."""

    def get(self, user_id: UUID, payment_id: UUID) -> Payment | None:
        """The owner's payment with this id (strongly consistent), or None."""

    def replace_active(self, payment: Payment) -> bool:
        """Overwrite the stored payment only if it is still active; False if it no longer is."""

    def list_month(self, user_id: UUID, month: Month, limit: int, start: PageKey | None) -> Page:
        """The owner's payments of `month` (customer's offset), newest first, at most `limit`."""
