"""The ports in memory: for unit tests of the handler and for benchmark baselines only."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from payments_tracker.domain.consent import ConsentChange, consent_in_force
from payments_tracker.domain.corrections import CORRECTION_LIMIT, Correction
from payments_tracker.domain.errors import CorrectionLimitReached, MonthlyLimitReached
from payments_tracker.domain.months import Month
from payments_tracker.domain.payment import MONTHLY_PAYMENT_LIMIT, Payment, PaymentStatus
from payments_tracker.service.ports import CustomerErased, Page, PageKey


class InMemoryPaymentRepository:
    """Keeps payments in a dict keyed like the table: (owner, payment id)."""

    def __init__(self, monthly_limit: int | None = MONTHLY_PAYMENT_LIMIT) -> None:
        """`monthly_limit=None` lifts the limit (handler benchmarks submit one user's payments
        by the thousand; the limit is exercised against DynamoDB Local)."""
        self.payments: dict[tuple[UUID, UUID], Payment] = {}
        self.erased: set[UUID] = set()
        self._limit = monthly_limit
        self._in_month: dict[tuple[UUID, Month], int] = {}

    def insert(self, payment: Payment) -> Payment | None:
        """Store unless the key is taken; return the holder of a taken key (same rules as the
        table: the erasure fence, then a replay, then the monthly limit)."""
        submission = payment.submission
        if submission.user_id in self.erased:
            raise CustomerErased
        key = (submission.user_id, submission.payment_id)
        existing = self.payments.get(key)
        if existing is not None:
            return existing
        slot = (submission.user_id, submission.month)
        if self._limit is not None and self._in_month.get(slot, 0) >= self._limit:
            raise MonthlyLimitReached(str(submission.month), self._limit)
        self._in_month[slot] = self._in_month.get(slot, 0) + 1
        self.payments[key] = payment
        return None

    def get(self, user_id: UUID, payment_id: UUID) -> Payment | None:
        """The owner's payment, or None."""
        return self.payments.get((user_id, payment_id))

    def replace_active(self, payment: Payment) -> bool:
        """Overwrite only a still-active payment."""
        if payment.submission.user_id in self.erased:
            raise CustomerErased
        key = (payment.submission.user_id, payment.submission.payment_id)
        current = self.payments.get(key)
        if current is None or current.status is not PaymentStatus.ACTIVE:
            return False
        self.payments[key] = payment
        return True

    def list_month(self, user_id: UUID, month: Month, limit: int, start: PageKey | None) -> Page:
        """Newest first by (UTC instant, payment id), like the byMonthTime index."""

        def position(payment: Payment) -> str:
            s = payment.submission
            return f"{s.timestamp.utc_instant()}#{s.payment_id}"

        mine = sorted(
            (
                p
                for (owner, _), p in self.payments.items()
                if owner == user_id and p.submission.month == month
            ),
            key=position,
            reverse=True,
        )
        if start is not None:
            mine = [p for p in mine if position(p) < start["position"]]
        page = mine[:limit]
        more = len(mine) > limit
        return Page(page, {"position": position(page[-1])} if more and page else None)

    def payments_between(self, user_id: UUID, first: Month, last: Month) -> list[Payment]:
        """The owner's payments dated in `first`..`last`, oldest first."""
        return sorted(
            (
                p
                for (owner, _), p in self.payments.items()
                if owner == user_id and first <= p.submission.month <= last
            ),
            key=lambda p: (p.submission.timestamp.utc_instant(), str(p.submission.payment_id)),
        )


class InMemoryCorrections:
    """Keeps each customer's corrections in a list, in the order recorded."""

    def __init__(self) -> None:
        self.changes: dict[UUID, list[Correction]] = {}
        self.erased: set[UUID] = set()

    def of_user(self, user_id: UUID) -> list[Correction]:
        """The customer's corrections."""
        return list(self.changes.get(user_id, []))

    def record(self, correction: Correction) -> None:
        """Keep it, under the same rules as the table: the erasure fence, then the limit."""
        if correction.user_id in self.erased:
            raise CustomerErased
        mine = self.changes.setdefault(correction.user_id, [])
        if len(mine) >= CORRECTION_LIMIT:
            raise CorrectionLimitReached(CORRECTION_LIMIT)
        mine.append(correction)


class InMemoryConsentRepository:
    """Keeps each owner's consent changes in a list, oldest first."""

    def __init__(self) -> None:
        self.changes: dict[UUID, list[ConsentChange]] = {}

    def history(self, user_id: UUID, limit: int) -> list[ConsentChange]:
        """The owner's latest `limit` changes, newest first."""
        return list(reversed(self.changes.get(user_id, [])))[:limit]

    def record(self, user_id: UUID, change: ConsentChange, replaces: ConsentChange | None) -> bool:
        """Append `change` if `replaces` is still the latest one."""
        changes = self.changes.setdefault(user_id, [])
        if (changes[-1] if changes else None) != replaces:
            return False
        changes.append(change)
        return True

    def consent_standing_at(self, user_id: UUID, cutoff: datetime) -> bool:
        """The domain's rule over the whole history."""
        return consent_in_force(self.changes.get(user_id, []), cutoff)


class InMemoryReportDocuments:
    """Report documents keyed like the table: (owner, month)."""

    def __init__(self) -> None:
        self.documents: dict[tuple[UUID, Month], str] = {}

    def month_report(self, user_id: UUID, month: Month) -> str | None:
        """The owner's report of `month`, or None."""
        return self.documents.get((user_id, month))
