"""Why a token was refused: one exception type carrying a reason code that is safe to log."""

from __future__ import annotations

from enum import StrEnum


class RejectionReason(StrEnum):
    """A short, loggable code for each way a token can fail verification."""

    MISSING = "missing"
    NOT_BEARER = "not_bearer"
    TOO_LARGE = "too_large"
    MALFORMED = "malformed"
    UNSUPPORTED_ALGORITHM = "unsupported_algorithm"
    UNKNOWN_KEY = "unknown_key"
    BAD_SIGNATURE = "bad_signature"
    WRONG_ISSUER = "wrong_issuer"
    MISSING_CLAIM = "missing_claim"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    WRONG_TOKEN_USE = "wrong_token_use"  # noqa: S105 - a reason code, not a secret
    CLIENT_NOT_ALLOWED = "client_not_allowed"


class TokenRejected(Exception):
    """Not a valid access token of our user pool; `reason` says why, never the token itself."""

    def __init__(self, reason: RejectionReason) -> None:
        super().__init__(reason.value)
        self.reason = reason
