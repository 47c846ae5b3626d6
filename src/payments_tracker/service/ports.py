"""The ports the use cases need; adapters implement them (DynamoDB, or memory in tests)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID

from payments_tracker.domain.consent import ConsentChange
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


class CustomerErased(Exception):
    """The customer was erased: nothing of theirs may be written again (HTTP 401 on the API)."""


class PaymentRepository(Protocol):
    """Where payments are kept. Every read is keyed by the owner's id."""

    def insert(self, payment: Payment) -> Payment | None:
        """Store a new payment atomically with its slot in the month; the existing one if taken.

        Raises MonthlyLimitReached when the month already holds `MONTHLY_PAYMENT_LIMIT` payments
        of the owner's, and CustomerErased once the owner was erased (both checked in the same
        atomic write as the payment, never before it).
        """

    def get(self, user_id: UUID, payment_id: UUID) -> Payment | None:
        """The owner's payment with this id (strongly consistent), or None."""

    def replace_active(self, payment: Payment) -> bool:
        """Overwrite the stored payment only if it is still active; False if it no longer is.

        Raises CustomerErased once the owner was erased.
        """

    def list_month(self, user_id: UUID, month: Month, limit: int, start: PageKey | None) -> Page:
        """The owner's payments of `month` (customer's offset), newest first, at most `limit`."""

    def payments_between(self, user_id: UUID, first: Month, last: Month) -> list[Payment]:
        """Every payment of the customer dated in `first`..`last` (their own offset)."""


class ConsentRepository(Protocol):
    """Where each customer's consent changes are kept: the current one and the whole history."""

    def history(self, user_id: UUID, limit: int) -> list[ConsentChange]:
        """The owner's latest `limit` changes, newest first (strongly consistent)."""

    def record(self, user_id: UUID, change: ConsentChange, replaces: ConsentChange | None) -> bool:
        """Store `change` atomically as current and in the history; False if `replaces` is stale.

        Raises CustomerErased once the owner was erased.
        """

    def consent_standing_at(self, user_id: UUID, cutoff: datetime) -> bool:
        """Whether the consent in force at `cutoff` (the latest change at or before it) shares."""


class MonthClosings(Protocol):
    """When each month closed: the cut-off of its first report run."""

    def month_closed_at(self, month: Month) -> datetime | None:
        """The cut-off of `month`'s first run, or None while it has none."""


class ReportDocuments(Protocol):
    """Where the monthly report engine leaves each customer's report, as a JSON document."""

    def month_report(self, user_id: UUID, month: Month) -> str | None:
        """The owner's report of `month` as stored (JSON text), or None before it is built."""


@dataclass(frozen=True)
class ErasedItems:
    """How many items of each kind an erasure deleted (counts only: no personal data)."""

    payments: int = 0
    reports: int = 0
    consent: int = 0
    other: int = 0


class CustomerData(Protocol):
    """Everything stored under one customer, for erasure (an operator's use case,
    docs/design.md §8)."""

    def fence(self, user_id: UUID, at: datetime) -> None:
        """Mark the customer erased (no write of theirs commits from now on) and the erasure in
        progress (a handover refuses meanwhile). Idempotent: a repeated erasure keeps the first."""

    def delete_customer_items(self, user_id: UUID) -> ErasedItems:
        """Delete every item of the customer (payments, reports, consent) but the fence; count
        them by kind."""

    def record_erasure(
        self,
        user_id: UUID,
        erased_at: datetime,
        operator: str,
        erased: ErasedItems,
        login_deleted: bool | None,
    ) -> str:
        """Write the audit record of an erasure, ending its in-progress marker; return its key."""


class CustomerLogins(Protocol):
    """The identity provider's accounts (the Cognito user pool)."""

    def sign_out_everywhere(self, user_id: UUID) -> bool:
        """Revoke every refresh token of the account (global sign-out); False if there is none."""

    def delete_login(self, user_id: UUID) -> bool:
        """Delete the account whose `sub` is `user_id`; False if there is none (already gone)."""
