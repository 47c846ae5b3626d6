"""The user pool's signing keys: fetched over HTTP, cached per process, refetched sparingly."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from jwt import PyJWK
from jwt.exceptions import PyJWTError

from .errors import RejectionReason, TokenRejected

Clock = Callable[[], float]
"""Seconds since the epoch (`time.time`); injected so tests control time."""

JwksFetcher = Callable[[], Mapping[str, Any]]
"""Returns the JWKS document (`{"keys": [...]}`) or raises `JwksUnavailable`."""

MIN_RSA_KEY_BITS = 2048
MAX_JWKS_BYTES = 64 * 1024
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


class JwksUnavailable(Exception):
    """The JWKS could not be fetched or parsed."""


class HttpJwksFetcher:
    """Fetches a JWKS document over HTTP(S) with a short timeout, so a dead IdP never hangs us."""

    def __init__(self, url: str, *, timeout_seconds: float = 2.0) -> None:
        parts = urlsplit(url)
        if parts.scheme not in {"https", "http"}:
            raise ValueError("the JWKS URL must be http(s)")
        self._url = url
        self._timeout_seconds = timeout_seconds
        # A developer's HTTP(S)_PROXY must not capture the local identity provider on loopback.
        loopback = parts.hostname in LOOPBACK_HOSTS
        self._opener = urllib.request.build_opener(
            *([urllib.request.ProxyHandler({})] if loopback else [])
        )

    def __call__(self) -> Mapping[str, Any]:
        """Download and parse the JWKS document."""
        request = urllib.request.Request(self._url, headers={"Accept": "application/json"})  # noqa: S310 - scheme checked in __init__
        try:
            with self._opener.open(request, timeout=self._timeout_seconds) as response:
                body = response.read(MAX_JWKS_BYTES + 1)
        except (OSError, ValueError) as error:  # URLError, HTTPError and timeouts are OSErrors
            raise JwksUnavailable(type(error).__name__) from error
        if len(body) > MAX_JWKS_BYTES:
            raise JwksUnavailable("JWKS document too large")
        try:
            document = json.loads(body)
        except ValueError as error:
            raise JwksUnavailable("JWKS document is not JSON") from error
        if not isinstance(document, dict):
            raise JwksUnavailable("JWKS document is not an object")
        return document


def parse_rsa_signing_keys(document: Mapping[str, Any]) -> dict[str, PyJWK]:
    """The RS256 signing keys of a JWKS document by `kid`; any other key is ignored."""
    entries = document.get("keys")
    if not isinstance(entries, list):
        raise JwksUnavailable("JWKS document has no key list")
    keys: dict[str, PyJWK] = {}
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        kid = entry.get("kid")
        usable = (
            isinstance(kid, str)
            and entry.get("kty") == "RSA"
            and entry.get("use", "sig") == "sig"
            and entry.get("alg", "RS256") == "RS256"
            and "d" not in entry  # a private key has no place in a JWKS: refuse to use it
        )
        if not usable:
            continue
        try:
            key = PyJWK(entry, algorithm="RS256")
        except PyJWTError:
            continue
        if getattr(key.key, "key_size", 0) < MIN_RSA_KEY_BITS:
            continue
        keys[str(kid)] = key
    return keys


FAILED_FETCH_FIRST_RETRY_SECONDS = 1.0
FAILED_FETCH_MAX_RETRY_SECONDS = 5.0
"""After a failed fetch a missing key is retried after 1 s, then 2 s, 4 s, then every 5 s."""


class JwksKeyCache:
    """Signing keys by `kid`, cached for the life of the process.

    While the last fetch succeeded, an unknown `kid` triggers a refetch at most once per
    `refetch_interval_seconds`, so a caller spraying random kids cannot make us hammer the IdP.
    After a failed fetch a key that is needed and not cached is retried sooner: after
    `first_retry_seconds`, doubling up to `max_retry_seconds` (still one fetch per delay, whatever
    the kids), so one failed fetch does not lock the process out of its keys for a minute.
    Keys older than `max_age_seconds` are refreshed on next use (so a key the pool withdrew stops
    working); if that fetch fails the cached keys keep working, and the stale refresh is retried
    once per `refetch_interval_seconds`.

    A key that is not cached while the last fetch failed raises `JwksUnavailable` rather than
    `TokenRejected`: the token may well be valid, we only cannot tell (the authorizer fails, and
    the gateway answers 503, never 401).
    """

    def __init__(
        self,
        fetch: JwksFetcher,
        *,
        clock: Clock,
        refetch_interval_seconds: float = 60.0,
        max_age_seconds: float = 3600.0,
        first_retry_seconds: float = FAILED_FETCH_FIRST_RETRY_SECONDS,
        max_retry_seconds: float = FAILED_FETCH_MAX_RETRY_SECONDS,
    ) -> None:
        if not 0 < first_retry_seconds <= max_retry_seconds <= refetch_interval_seconds:
            raise ValueError("need 0 < first retry <= max retry <= refetch interval")
        self._fetch = fetch
        self._clock = clock
        self._refetch_interval_seconds = refetch_interval_seconds
        self._max_age_seconds = max_age_seconds
        self._first_retry_seconds = first_retry_seconds
        self._max_retry_seconds = max_retry_seconds
        self._keys: dict[str, PyJWK] = {}
        self._fetched_at: float | None = None
        self._attempted_at: float | None = None
        self._consecutive_failures = 0
        self._lock = threading.Lock()

    def signing_key(self, kid: str) -> PyJWK:
        """The key for `kid`, fetching the JWKS if allowed.

        `TokenRejected` if the JWKS, as last fetched, has no such key; `JwksUnavailable` if the key
        is not cached and the last fetch failed (nothing is known about this kid).
        """
        with self._lock:
            now = self._clock()
            missing = kid not in self._keys
            if (missing or self._is_stale(now)) and self._may_fetch(now, missing=missing):
                self._refresh(now)
            key = self._keys.get(kid)
            last_attempt_failed = self._consecutive_failures > 0
        if key is not None:
            return key
        if last_attempt_failed:
            raise JwksUnavailable("no signing key: the last JWKS fetch failed")
        raise TokenRejected(RejectionReason.UNKNOWN_KEY)

    def _is_stale(self, now: float) -> bool:
        return self._fetched_at is None or now - self._fetched_at >= self._max_age_seconds

    def _retry_delay(self) -> float:
        """The wait after the last failed fetch before a missing key may be fetched again."""
        doublings = min(self._consecutive_failures - 1, 32)
        return min(self._first_retry_seconds * 2.0**doublings, self._max_retry_seconds)

    def _may_fetch(self, now: float, *, missing: bool) -> bool:
        if self._attempted_at is None:
            return True
        elapsed = now - self._attempted_at
        # A clock that went backwards must not block refetches until it catches up.
        if elapsed < 0:
            return True
        # A key we need and do not have, after a failed fetch: retry soon (bounded back-off).
        # Otherwise (an unknown kid after a good fetch, or a stale refresh of keys that still
        # work): at most once per refetch interval.
        if missing and self._consecutive_failures:
            return elapsed >= self._retry_delay()
        return elapsed >= self._refetch_interval_seconds

    def _refresh(self, now: float) -> None:
        self._attempted_at = now
        try:
            keys = parse_rsa_signing_keys(self._fetch())
        except (JwksUnavailable, OSError, ValueError):
            self._consecutive_failures += 1
            return
        self._keys = keys
        self._fetched_at = now
        self._consecutive_failures = 0
