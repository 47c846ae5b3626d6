"""The one cached factory of what the handlers need; tests hand in another with `override`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

from payments_tracker.service.cursor import CursorCodec
from payments_tracker.service.ports import (
    ConsentRepository,
    MonthClosings,
    PaymentRepository,
    ReportDocuments,
)
from payments_tracker.settings import get_settings


def utc_now() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class Dependencies:
    """The ports and helpers of the api function."""

    payments: PaymentRepository
    cursors: CursorCodec
    consents: ConsentRepository
    reports: ReportDocuments
    clock: Callable[[], datetime] = utc_now
    closings: MonthClosings | None = None
    """When each month closed (its first run's cut-off); None: no run known (tests)."""


_override: Dependencies | None = None


@lru_cache(maxsize=1)
def _from_settings() -> Dependencies:
    # Imported here so that pure tests of the handler never load boto3.
    from payments_tracker.adapters.dynamodb.client import make_client  # noqa: PLC0415
    from payments_tracker.adapters.dynamodb.consent import (  # noqa: PLC0415
        DynamoDBConsentRepository,
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

    settings = get_settings()
    if settings.cursor_key is None:
        raise RuntimeError("PAYMENTS_CURSOR_KEY is not set: the api cannot seal listing cursors")
    client = make_client(settings)
    repository = DynamoDBPaymentRepository(client, settings.table_name)
    codec = CursorCodec(
        settings.cursor_key.get_secret_value().encode("utf-8"), settings.cursor_ttl_seconds
    )
    return Dependencies(
        payments=repository,
        cursors=codec,
        consents=DynamoDBConsentRepository(client, settings.table_name),
        reports=DynamoDBReportDocuments(client, settings.table_name),
        closings=DynamoDBMonthClosings(client, settings.table_name),
    )


def dependencies() -> Dependencies:
    """The dependencies of this process: the override if a test set one, else from settings."""
    return _override if _override is not None else _from_settings()


def override(replacement: Dependencies | None) -> None:
    """Use `replacement` instead of the real dependencies (None restores them)."""
    global _override  # noqa: PLW0603
    _override = replacement
