"""Rule violations a client can cause: expected values of the domain, not crashes."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    """One broken rule: the field (a JSON pointer-like dotted name), the rule's id and a message."""

    field: str
    rule: str
    message: str


class DomainError(Exception):
    """Base of every error the domain raises on purpose."""


class ValidationFailed(DomainError):
    """A submission broke one or more rules of docs/design.md §4 (HTTP 422)."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__(f"{len(errors)} rule(s) broken")
        self.errors = errors


class ForbiddenUser(DomainError):
    """The submission's `userId` is not the caller (HTTP 403)."""


class PaymentConflict(DomainError):
    """A different submission already holds this `paymentId` (HTTP 409)."""


class PaymentNotFound(DomainError):
    """No payment of the caller's with this id (HTTP 404, also for another user's payment)."""


class InvalidCursor(DomainError):
    """A cursor that is tampered, foreign, stale or sent with another limit (HTTP 400)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class MonthlyLimitReached(DomainError):
    """The customer already stores the most payments one month may hold (HTTP 422)."""

    def __init__(self, month: str, limit: int) -> None:
        super().__init__(f"{month}: {limit} payments stored")
        self.month = month
        self.limit = limit


class CorrectionLimitReached(DomainError):
    """The customer has recorded as many corrections as one customer may."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"at most {limit} corrections per customer")
        self.limit = limit


class CommitmentNotFound(DomainError):
    """No commitment of the caller has this id (another customer's is the same: not found)."""

    def __init__(self, field: str) -> None:
        super().__init__(f"{field}: no such commitment")
        self.field = field
