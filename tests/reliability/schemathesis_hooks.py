"""Schemathesis hooks (loaded through SCHEMATHESIS_HOOKS): let schema-valid submissions be accepted.

A schema cannot say "`userId` is the caller" nor "`timestamp` is within the last 24 months", so
without help every generated submission is refused (403/422) and the stateful phase never reaches a
stored payment. For half of the *positive* cases we put in the caller's id and a recent timestamp;
negative cases are left alone, so `negative_data_rejection` still checks what it should.
"""

from __future__ import annotations

import hashlib
import os
from datetime import UTC, datetime, timedelta

import schemathesis
from schemathesis import GenerationMode

CALLER_SUB_VARIABLE = "PAYMENTS_FUZZ_CALLER_SUB"


@schemathesis.hook
def map_case(context: schemathesis.HookContext, case: schemathesis.Case) -> schemathesis.Case:
    """Make half of the positive `POST /payments` cases the caller's own, recent submission."""
    caller = os.environ.get(CALLER_SUB_VARIABLE)
    body = case.body
    meta = case.meta
    if (
        caller is None
        or case.method.upper() != "POST"
        or case.path != "/payments"
        or not isinstance(body, dict)
        or meta is None
        or meta.generation.mode != GenerationMode.POSITIVE
    ):
        return case
    digest = hashlib.sha256(repr(sorted(body.items(), key=str)).encode()).digest()
    if digest[0] % 2:
        return case
    minutes_ago = int.from_bytes(digest[1:4], "big") % (60 * 24 * 300)
    moment = datetime.now(UTC) - timedelta(minutes=minutes_ago)
    case.body = {
        **body,
        "userId": caller,
        "timestamp": moment.isoformat(timespec="seconds").replace("+00:00", "Z"),
    }
    return case
