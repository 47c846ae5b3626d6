"""The composition root: every port of every entry point is built here, from settings.

- the api function asks `api()` (built once per process; tests install others with
  `override_api`);
- the authorizer asks `token_verifier()` (built once: its JWKS cache lives as long as the process);
- the report function asks `report()` (built once; `override_report` for tests), and the CLI's
  `report build` and `admin handover` build the same ports with `report_ports(settings, client)`;
- the CLI's `admin erase` asks `erasure_ports(...)`.

Adapters are imported inside the builders, each with its reason: a function loads only what it
uses (the authorizer never loads boto3, the api never loads the report engine), which is cold-start
time on Lambda.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import TYPE_CHECKING

from payments_tracker.composition.settings import Settings, get_settings

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient
    from mypy_boto3_dynamodb import DynamoDBClient

    from payments_tracker.adapters.dynamodb.retention import BackfillOutcome
    from payments_tracker.adapters.jwt.verifier import AccessTokenVerifier
    from payments_tracker.service.commitments import CorrectionStore
    from payments_tracker.service.cursor import CursorCodec
    from payments_tracker.service.ports import (
        ConsentRepository,
        CustomerData,
        CustomerLogins,
        MonthClosings,
        PaymentRepository,
        ReportDocuments,
    )
    from payments_tracker.service.report_ports import ReportPorts

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


def _dynamodb(settings: Settings) -> DynamoDBClient:
    from payments_tracker.adapters.dynamodb.client import make_client  # noqa: PLC0415 - boto3

    return make_client(settings.aws_region, settings.dynamodb_endpoint_url)


# --- SnapStart -----------------------------------------------------------------------------------


def prepare_for_snapshot(warm: Callable[[], object]) -> None:
    """On SnapStart (docs/adr/0006-cold-start.md): run `warm` before the snapshot, so the clients
    it builds are in it and no cold start builds them; reseed `random` after each restore, or every
    environment restored from one snapshot would share its state (botocore's retry jitter).

    Nothing happens where the runtime has no `snapshot_restore_py` (tests, the local stack).
    """
    try:
        from snapshot_restore_py import (  # type: ignore[import-not-found]  # noqa: PLC0415 - only the SnapStart runtime has it
            register_after_restore,
            register_before_snapshot,
        )
    except ImportError:
        return
    register_before_snapshot(warm)
    register_after_restore(random.seed)


# --- the api function ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ApiPorts:
    """What the api function's routes use."""

    payments: PaymentRepository
    cursors: CursorCodec
    consents: ConsentRepository
    reports: ReportDocuments
    corrections: CorrectionStore
    clock: Clock = utc_now
    closings: MonthClosings | None = None
    """When each month closed (its first run's cut-off); None: no run known (unit tests)."""


def api_ports(settings: Settings) -> ApiPorts:
    """The api's ports on the table of `settings`; a missing cursor key stops the function."""
    # Here, not at the top: the authorizer and pure tests of the handlers never load boto3.
    from payments_tracker.adapters.dynamodb.consent import (  # noqa: PLC0415
        DynamoDBConsentRepository,
    )
    from payments_tracker.adapters.dynamodb.corrections import (  # noqa: PLC0415
        DynamoDBCorrections,
    )
    from payments_tracker.adapters.dynamodb.month_closings import (  # noqa: PLC0415
        DynamoDBMonthClosings,
    )
    from payments_tracker.adapters.dynamodb.report_documents import (  # noqa: PLC0415
        DynamoDBReportDocuments,
    )
    from payments_tracker.adapters.dynamodb.repository import (  # noqa: PLC0415
        DynamoDBPaymentRepository,
    )
    from payments_tracker.service.cursor import CursorCodec  # noqa: PLC0415

    if settings.cursor_key is None:
        raise RuntimeError("PAYMENTS_CURSOR_KEY is not set: the api cannot seal listing cursors")
    client = _dynamodb(settings)
    table = settings.table_name
    return ApiPorts(
        payments=DynamoDBPaymentRepository(client, table),
        cursors=CursorCodec(
            settings.cursor_key.get_secret_value().encode("utf-8"), settings.cursor_ttl_seconds
        ),
        consents=DynamoDBConsentRepository(client, table),
        reports=DynamoDBReportDocuments(client, table),
        corrections=DynamoDBCorrections(client, table),
        closings=DynamoDBMonthClosings(client, table),
    )


_api_override: ApiPorts | None = None


@lru_cache(maxsize=1)
def _api_from_settings() -> ApiPorts:
    return api_ports(get_settings())


def api() -> ApiPorts:
    """The api's ports of this process: the override if a test set one, else from settings."""
    return _api_override if _api_override is not None else _api_from_settings()


def override_api(ports: ApiPorts | None) -> None:
    """Use `ports` instead of the real ones (None restores them)."""
    global _api_override  # noqa: PLW0603
    _api_override = ports


# --- the authorizer -----------------------------------------------------------------------------


def build_verifier(settings: Settings) -> AccessTokenVerifier:
    """A verifier for the user pool and app clients that `settings` name."""
    import time  # noqa: PLC0415 - with the verifier: only the authorizer builds one

    from payments_tracker.adapters.jwt import (  # noqa: PLC0415 - the api never loads PyJWT
        AccessTokenVerifier,
        HttpJwksFetcher,
        JwksKeyCache,
    )

    if not settings.issuer or not settings.allowed_client_ids:
        raise ValueError("PAYMENTS_ISSUER and PAYMENTS_ALLOWED_CLIENT_IDS are required")
    keys = JwksKeyCache(HttpJwksFetcher(settings.resolved_jwks_url()), clock=time.time)
    return AccessTokenVerifier(
        issuer=settings.issuer,
        allowed_client_ids=settings.allowed_client_ids,
        keys=keys,
        clock=time.time,
    )


@lru_cache(maxsize=1)
def token_verifier() -> AccessTokenVerifier:
    """This process's verifier, built on first use; its JWKS cache lives as long as the process."""
    return build_verifier(get_settings())


# --- the report engine: the report function and the CLI's operator commands ---------------------


def report_ports(settings: Settings, client: DynamoDBClient | None = None) -> ReportPorts:
    """The report engine's ports on the table of `settings` (through `client`, or one made from
    `settings`) and its export bucket (on AWS) or folder (locally)."""
    # Here, not at the top: the api and the authorizer never load the report engine.
    from pathlib import Path  # noqa: PLC0415

    from payments_tracker.adapters.dynamodb.consent import (  # noqa: PLC0415
        DynamoDBConsentRepository,
    )
    from payments_tracker.adapters.dynamodb.erasure import DynamoDBErasureLog  # noqa: PLC0415
    from payments_tracker.adapters.dynamodb.reports import (  # noqa: PLC0415
        DynamoDBReportRuns,
        DynamoDBReportStore,
        DynamoDBShardPayments,
    )
    from payments_tracker.adapters.exports.local import LocalExportSink  # noqa: PLC0415
    from payments_tracker.adapters.exports.s3 import s3_export_sink  # noqa: PLC0415
    from payments_tracker.service.report_ports import (  # noqa: PLC0415
        ExportSink,
        ReportPorts,
    )

    exports: ExportSink
    if settings.export_bucket:
        exports = s3_export_sink(settings.export_bucket, settings.aws_region)
    elif settings.export_dir:
        exports = LocalExportSink(Path(settings.export_dir))
    else:  # fail before any report item is written, not at the first part
        raise RuntimeError("set PAYMENTS_EXPORT_BUCKET (AWS) or PAYMENTS_EXPORT_DIR (local)")
    client = client or _dynamodb(settings)
    table = settings.table_name
    return ReportPorts(
        payments=DynamoDBShardPayments(client, table),
        reports=DynamoDBReportStore(client, table),
        consent=DynamoDBConsentRepository(client, table),
        runs=DynamoDBReportRuns(client, table),
        exports=exports,
        erasures=DynamoDBErasureLog(client, table),
    )


_report_override: ReportPorts | None = None
_report_clock: Clock = utc_now


@lru_cache(maxsize=1)
def _report_from_settings() -> ReportPorts:
    return report_ports(get_settings())


def report() -> tuple[ReportPorts, Clock]:
    """The report function's ports and clock: the override if a test set one, else from
    settings and the wall clock."""
    if _report_override is not None:
        return _report_override, _report_clock
    return _report_from_settings(), utc_now


def override_report(ports: ReportPorts | None, clock: Clock | None = None) -> None:
    """Use `ports` (and `clock`) instead of the real ones; None restores them (tests)."""
    global _report_override, _report_clock  # noqa: PLW0603
    _report_override = ports
    _report_clock = clock or utc_now


# --- erasure: an operator's command ------------------------------------------------------------


def erasure_ports(
    settings: Settings,
    *,
    client: DynamoDBClient | None = None,
    user_pool_id: str | None = None,
    cognito: CognitoIdentityProviderClient | None = None,
    global_sign_out: bool = True,
) -> tuple[CustomerData, CustomerLogins | None]:
    """The table of `settings` (through `client`, or one made from `settings`) and, unless
    `user_pool_id` is None (the login is kept), the user pool's accounts (through `cognito`, or
    a client of the region's pools with the caller's credentials)."""
    # Here, not at the top: only the CLI's `admin erase` erases.
    from payments_tracker.adapters.cognito.client import make_cognito_client  # noqa: PLC0415
    from payments_tracker.adapters.cognito.logins import CognitoLogins  # noqa: PLC0415
    from payments_tracker.adapters.dynamodb.erasure import DynamoDBCustomerData  # noqa: PLC0415

    data = DynamoDBCustomerData(client or _dynamodb(settings), settings.table_name)
    if user_pool_id is None:
        return data, None
    accounts = cognito or make_cognito_client(settings.aws_region)
    return data, CognitoLogins(accounts, user_pool_id, global_sign_out=global_sign_out)


def backfill_payment_retention(
    settings: Settings, client: DynamoDBClient | None = None, *, dry_run: bool = False
) -> BackfillOutcome:
    """`admin backfill-retention` on the table of `settings` (through `client`, or one made from
    the settings): stored payments' TTL raised to the current retention rule."""
    from payments_tracker.adapters.dynamodb.retention import backfill_retention  # noqa: PLC0415

    return backfill_retention(client or _dynamodb(settings), settings.table_name, dry_run=dry_run)
