"""Use case of an operator erasing a customer (DESIGN §8): their login, payments, reports, consent.

The login goes first, so the customer cannot sign in to write new data while theirs is deleted
(an access token already issued stays valid for up to 16 minutes: `docs/reports.md` says to
repeat the erasure after that window). Every erasure leaves an audit record of who, when and how
many items — the user id is the only personal datum in it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from payments_tracker.domain.identifiers import parse_uuid4
from payments_tracker.service.ports import CustomerData, CustomerLogins, ErasedItems

Clock = Callable[[], datetime]


class NotACustomerId(ValueError):
    """The id given is not a canonical UUID v4, so it names no customer."""


@dataclass(frozen=True)
class ErasureReceipt:
    """What an erasure did, as its audit record holds it."""

    user_id: UUID
    erased_at: datetime
    operator: str
    erased: ErasedItems
    login_deleted: bool | None
    """True: deleted now; False: there was none; None: kept on purpose (`--keep-login`)."""
    audit_key: str


def erase_customer(
    data: CustomerData,
    logins: CustomerLogins | None,
    user_id: str,
    operator: str,
    clock: Clock,
) -> ErasureReceipt:
    """Delete the customer's login (unless `logins` is None) and every item, then audit it."""
    owner = parse_uuid4(user_id)
    if owner is None:
        raise NotACustomerId(user_id)
    login_deleted = logins.delete_login(owner) if logins is not None else None
    erased = data.delete_customer_items(owner)
    erased_at = clock()
    audit_key = data.record_erasure(owner, erased_at, operator, erased, login_deleted)
    return ErasureReceipt(owner, erased_at, operator, erased, login_deleted, audit_key)
