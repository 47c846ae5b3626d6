"""`submit`, `get`, `list` and `void`: a customer's payments, through the API."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any
from urllib.parse import quote

import click

from payments_tracker.cli.common import (
    ApiClient,
    api_options,
    now_with_local_offset,
    print_json,
    token_subject,
)


@click.command()
@click.option("--description", required=True, help="what the payment is for, e.g. Netflix")
@click.option(
    "--amount", required=True, help='decimal string in the currency\'s units, e.g. "12.99"'
)
@click.option("--currency", required=True, help="ISO 4217 code, e.g. GBP")
@click.option("--timestamp", help="RFC 3339 date-time [default: now, with the local UTC offset]")
@click.option("--payment-id", help="UUID v4 [default: a new one; reuse it to retry safely]")
@click.option("--user-id", help="your user id [default: the token's sub]")
@api_options
def submit(
    *,
    description: str,
    amount: str,
    currency: str,
    timestamp: str | None,
    payment_id: str | None,
    user_id: str | None,
    api_url: str | None,
    token: str | None,
    config_path: Path,
) -> None:
    """Submit one payment (POST /payments)."""
    api = ApiClient(api_url, token, config_path)
    submission = {
        "paymentId": payment_id or str(uuid.uuid4()),
        "userId": user_id or token_subject(api.token),
        "timestamp": timestamp or now_with_local_offset(),
        "description": description,
        "currency": currency,
        "amount": amount,
    }
    print_json(api.request("POST", "/payments", body=submission))


@click.command()
@click.argument("payment_id")
@api_options
def get(payment_id: str, api_url: str | None, token: str | None, config_path: Path) -> None:
    """Show one of your payments (GET /payments/{paymentId})."""
    api = ApiClient(api_url, token, config_path)
    print_json(api.request("GET", f"/payments/{quote(payment_id, safe='')}"))


@click.command(name="list")
@click.option("--month", required=True, help="YYYY-MM")
@click.option("--limit", type=click.IntRange(1, 100), help="page size (1-100) [API default: 50]")
@click.option("--cursor", help="nextCursor of the previous page")
@click.option("--all", "fetch_all", is_flag=True, help="follow nextCursor and print every page")
@api_options
def list_payments(
    *,
    month: str,
    limit: int | None,
    cursor: str | None,
    fetch_all: bool,
    api_url: str | None,
    token: str | None,
    config_path: Path,
) -> None:
    """List your payments of a month, newest first (GET /payments?month=)."""
    api = ApiClient(api_url, token, config_path)
    items: list[Any] = []
    while True:
        params: dict[str, Any] = {"month": month}
        if limit is not None:
            params["limit"] = limit  # a cursor is bound to the limit it was issued with
        if cursor:
            params["cursor"] = cursor
        page = api.request("GET", "/payments", params=params)
        if not fetch_all:
            print_json(page)
            return
        items.extend(page.get("items", []))
        cursor = page.get("nextCursor")
        if not cursor:
            print_json({"items": items, "nextCursor": None})
            return


@click.command()
@click.argument("payment_id")
@click.option("--reason", help="why, in up to 140 characters; kept with the voiding")
@api_options
def void(
    payment_id: str,
    reason: str | None,
    api_url: str | None,
    token: str | None,
    config_path: Path,
) -> None:
    """Void one of your payments (POST /payments/{paymentId}/void); it is kept, marked voided."""
    api = ApiClient(api_url, token, config_path)
    body = {"reason": reason} if reason is not None else None
    print_json(api.request("POST", f"/payments/{quote(payment_id, safe='')}/void", body=body))
