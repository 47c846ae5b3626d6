"""`commitments` (list), `commitments rename|exclude|include|merge`: your commitments as they stand
now and your corrections to them, through the API; `commitments months ID`: why each month counts.

Like every command, a result is the API's JSON on stdout; `commitments --table` lists them as a
table for reading instead. `commitments months` is read as a table first (`--json` for the JSON).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

import click

from payments_tracker.cli.common import ApiClient, api_options, print_json

_TABLE_COLUMNS = (
    "ID",
    "NAME",
    "CADENCE",
    "STATUS",
    "AMOUNT",
    "PREVIOUS",
    "NEXT DUE",
    "ESTABLISHED",
    "CONFIDENCE",
    "EXCLUDED",
    "HISTORY (oldest → now)",
)


def _path(commitment_id: str) -> str:
    return f"/commitments/{quote(commitment_id, safe='')}"


def _row(commitment: dict[str, Any]) -> tuple[str, ...]:
    currency = commitment.get("currency", "")
    previous = commitment.get("previousAmount")
    return (
        str(commitment.get("commitmentId", "")),
        str(commitment.get("name", "")),
        str(commitment.get("cadence", "")),
        str(commitment.get("status", "")),
        f"{commitment.get('currentAmount', '')} {currency}",
        "-" if previous is None else f"{previous} {currency}",
        commitment.get("nextDue") or "-",
        "yes" if commitment.get("established") else "no",
        f"{float(commitment.get('confidence', 0)):.2f}",
        "yes" if commitment.get("excluded") else "no",
        # history24 is newest first; the table reads left to right, as the web page's strip.
        str(commitment.get("history24", ""))[::-1],
    )


def _table(commitments: list[dict[str, Any]]) -> str:
    """The commitments as fixed-width columns, one line each (the header alone when none)."""
    return _columns(_TABLE_COLUMNS, [_row(commitment) for commitment in commitments])


def _columns(header: tuple[str, ...], body: list[tuple[str, ...]]) -> str:
    rows = [header, *body]
    widths = [max(len(row[column]) for row in rows) for column in range(len(header))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in rows
    ]
    return "\n".join(line.rstrip() for line in lines)


@click.group(invoke_without_command=True)
@click.option(
    "--table",
    "as_table",
    is_flag=True,
    help="print a table for reading instead of the JSON",
)
@api_options
@click.pass_context
def commitments(
    context: click.Context,
    *,
    as_table: bool,
    api_url: str | None,
    token: str | None,
    config_path: Path,
) -> None:
    """Your commitments as they stand now (GET /commitments), and your corrections to them.

    Alone, `commitments` lists them; `commitments rename|exclude|include|merge` corrects one.
    """
    if context.invoked_subcommand is None:
        _list(as_table=as_table, api_url=api_url, token=token, config_path=config_path)


def _list(*, as_table: bool, api_url: str | None, token: str | None, config_path: Path) -> None:
    api = ApiClient(api_url, token, config_path)
    answer = api.request("GET", "/commitments")
    if as_table:
        click.echo(_table(answer.get("commitments", [])))
    else:
        print_json(answer)


@commitments.command("list")
@click.option(
    "--table", "as_table", is_flag=True, help="print a table for reading instead of the JSON"
)
@api_options
def list_commitments(
    *, as_table: bool, api_url: str | None, token: str | None, config_path: Path
) -> None:
    """List your commitments now, kept first (GET /commitments); as `commitments` alone."""
    _list(as_table=as_table, api_url=api_url, token=token, config_path=config_path)


@commitments.command("rename")
@click.argument("commitment_id")
@click.argument("name")
@api_options
def rename(
    commitment_id: str, name: str, api_url: str | None, token: str | None, config_path: Path
) -> None:
    """Rename COMMITMENT_ID to NAME (PATCH /commitments/{commitmentId})."""
    _patch(commitment_id, {"name": name}, ApiClient(api_url, token, config_path))


@commitments.command("exclude")
@click.argument("commitment_id")
@api_options
def exclude(commitment_id: str, api_url: str | None, token: str | None, config_path: Path) -> None:
    """Keep COMMITMENT_ID out of the export from the next cut-off (PATCH, excluded: true)."""
    _patch(commitment_id, {"excluded": True}, ApiClient(api_url, token, config_path))


@commitments.command("include")
@click.argument("commitment_id")
@api_options
def include(commitment_id: str, api_url: str | None, token: str | None, config_path: Path) -> None:
    """Put COMMITMENT_ID back into the export (PATCH, excluded: false)."""
    _patch(commitment_id, {"excluded": False}, ApiClient(api_url, token, config_path))


def _patch(commitment_id: str, body: dict[str, Any], api: ApiClient) -> None:
    print_json(api.request("PATCH", _path(commitment_id), body=body))


@commitments.command("merge")
@click.argument("commitment_id")
@click.option(
    "--into",
    "into",
    required=True,
    metavar="COMMITMENT_ID",
    help="the commitment to merge into (same currency)",
)
@api_options
def merge(
    commitment_id: str, into: str, api_url: str | None, token: str | None, config_path: Path
) -> None:
    """Merge COMMITMENT_ID into another, same currency: one history, one streak (POST …/merge)."""
    api = ApiClient(api_url, token, config_path)
    print_json(api.request("POST", f"{_path(commitment_id)}/merge", body={"into": into}))


_MONTH_COLUMNS = ("MONTH", "CODE", "STATUS", "DUE", "OUTCOME", "PAID", "WHY")


def _month_rows(month: dict[str, Any]) -> list[tuple[str, ...]]:
    """One line per due date of the month (one line when it has none)."""
    head = (str(month.get("month", "")), str(month.get("code", "")), str(month.get("status", "")))
    dues = month.get("dueDates") or []
    if not dues:
        paid = _paid(month.get("payments") or [])
        return [(*head, "-", "-", paid, str(month.get("why", "")))]
    rows: list[tuple[str, ...]] = []
    for index, due in enumerate(dues):
        shown = head if index == 0 else ("", "", "")
        why = f"Due {due.get('dueDate', '')}: {due.get('why', '')}"
        if index == 0:
            why = f"{month.get('why', '')} {why}"
        rows.append(
            (
                *shown,
                str(due.get("dueDate", "")),
                str(due.get("outcome", "")),
                _paid(due.get("payments") or []),
                why,
            )
        )
    return rows


def _paid(payments: list[dict[str, Any]]) -> str:
    if not payments:
        return "-"
    return ", ".join(
        f"{str(p.get('timestamp', ''))[:10]} {p.get('amount', '')} {p.get('currency', '')}"
        for p in payments
    )


@commitments.command("months")
@click.argument("commitment_id")
@click.option("--json", "as_json", is_flag=True, help="print the API's JSON instead of the table")
@api_options
def months(
    commitment_id: str, *, as_json: bool, api_url: str | None, token: str | None, config_path: Path
) -> None:
    """Why each month of COMMITMENT_ID counts, newest first (GET /commitments/{id}/months): its
    due dates, how each ended, the payments that count for it, and why."""
    api = ApiClient(api_url, token, config_path)
    answer = api.request("GET", f"{_path(commitment_id)}/months")
    if as_json:
        print_json(answer)
        return
    click.echo(f"Commitment {answer.get('commitmentId', '')}, newest month first:")
    rows = [row for month in answer.get("months", []) for row in _month_rows(month)]
    click.echo(_columns(_MONTH_COLUMNS, rows))
