"""The caller of a use case: the Cognito `sub` the authorizer put in the request context."""

from __future__ import annotations

from uuid import UUID

from payments_tracker.domain.identifiers import parse_uuid4


class CallerNotAUser(RuntimeError):
    """The authorizer passed a `sub` that is no UUID v4: a deployment bug, never a client's."""


def caller_id(caller: str) -> UUID:
    """The caller's user id; CallerNotAUser (an internal error, answered 500) if it is none."""
    owner = parse_uuid4(caller)
    if owner is None:
        raise CallerNotAUser("the authorizer's sub is not a canonical UUID v4")
    return owner
