"""The report shard of a user: a stable hash, the same in every process and every month."""

from __future__ import annotations

import hashlib
from uuid import UUID

SHARD_COUNT = 16


def shard_of(user_id: UUID) -> int:
    """`sha256(userId) mod 16`: unlike Python's `hash`, not salted per process."""
    digest = hashlib.sha256(str(user_id).encode("ascii")).digest()
    return int.from_bytes(digest[:8], "big") % SHARD_COUNT
