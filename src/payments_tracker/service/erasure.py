"""Use case of an operator erasing a customer (docs/design.md §8): their login,
payments, reports, consent.

In this order:
1. **the fence**: the customer is marked erased, and an erasure-in-progress marker is written.
   Every write of the customer's data checks the fence in the same transaction, so from this
   moment a token issued earlier writes nothing (401), at once, whatever any cache holds, and a
   running report build cannot write the customer's report back;
2. **sign-out everywhere** (every refresh token revoked), then the login is deleted, so no new
   token can be had;
3. every item of the customer is deleted (the fence excepted);
4. the audit record of who, when and how many items — the user id is the only personal datum in
   it — replaces the in-progress marker. A handover refuses while any erasure is in progress or
   completed after the month's files were built (`service/reports.hand_over`).
An interrupted erasure is run again: each step is idempotent.
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
    """Fence the customer, sign them out and delete their login (unless `logins` is None), delete
    every item, then audit it."""
    owner = parse_uuid4(user_id)
    if owner is None:
        raise NotACustomerId(user_id)
    data.fence(owner, clock())
    login_deleted = None
    if logins is not None:
        logins.sign_out_everywhere(owner)
        login_deleted = logins.delete_login(owner)
    erased = data.delete_customer_items(owner)
    erased_at = clock()
    audit_key = data.record_erasure(owner, erased_at, operator, erased, login_deleted)
    return ErasureReceipt(owner, erased_at, operator, erased, login_deleted, audit_key)
