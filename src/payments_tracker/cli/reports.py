"""`report get` (a customer's own report, through the API) and `report build` (an operator's
build of a month on the local stack).

`report build` builds every shard in a pool of worker processes (as the Step Functions Map runs
one Lambda per shard on AWS), then writes the manifest last.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import time
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import click

from payments_tracker.adapters.exports.local import DEFAULT_EXPORT_DIR
from payments_tracker.cli.common import (
    ApiClient,
    CliError,
    api_options,
    config_option,
    local_config,
    print_json,
)
from payments_tracker.composition import root
from payments_tracker.composition.settings import Settings
from payments_tracker.domain.errors import DomainError
from payments_tracker.domain.report_run import (
    MonthNotBuildable,
    Run,
    RunIncomplete,
    ShardOutcome,
    parse_buildable_month,
)
from payments_tracker.domain.sharding import SHARD_COUNT
from payments_tracker.local.bootstrap import dynamodb_client
from payments_tracker.local.config import LocalConfig
from payments_tracker.service.report_ports import ReportPorts
from payments_tracker.service.reports import (
    MonthHandedOver,
    RunConflict,
    build_shard,
    start_or_join_run,
    write_manifest,
)


@click.group()
def report() -> None:
    """Monthly reports: build a month (operator), read your own (customer)."""


@report.command("get")
@click.argument("month")
@api_options
def get_report(month: str, api_url: str | None, token: str | None, config_path: Path) -> None:
    """Show your report of MONTH (YYYY-MM), once it is built (GET /reports/{month})."""
    api = ApiClient(api_url, token, config_path)
    print_json(api.request("GET", f"/reports/{quote(month, safe='')}"))


def local_ports(config: LocalConfig, export_dir: Path) -> ReportPorts:
    """The report engine's ports on the local table and an export folder (the composition
    root's, with DynamoDB Local's client)."""
    settings = Settings.model_validate(
        {
            "table_name": config.dynamodb.table_name,
            "AWS_REGION": config.region,
            "export_dir": str(export_dir),
        }
    )
    return root.report_ports(settings, dynamodb_client(config.dynamodb.endpoint, config.region))


def _build_one_shard(config_json: str, export_dir: str, run: Run, shard: int) -> ShardOutcome:
    """Worker process: build one shard with its own clients."""
    config = LocalConfig.model_validate_json(config_json)
    return build_shard(local_ports(config, Path(export_dir)), run, shard)


def _now() -> datetime:
    return datetime.now(UTC)


@report.command("build")
@click.option("--month", required=True, help="the month to build, YYYY-MM")
@click.option(
    "--shard",
    "shards",
    type=click.IntRange(0, SHARD_COUNT - 1),
    multiple=True,
    help="build only this shard (repeatable): re-run a failed shard alone",
)
@click.option(
    "--workers",
    type=click.IntRange(1, SHARD_COUNT),
    default=lambda: min(SHARD_COUNT, os.cpu_count() or 1),
    show_default="one per core",
    help="worker processes",
)
@click.option(
    "--export-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=DEFAULT_EXPORT_DIR,
    show_default=True,
    help="where the export's parts and manifest are written",
)
@config_option
def build(
    *, month: str, shards: tuple[int, ...], workers: int, export_dir: Path, config_path: Path
) -> None:
    """Build a month's reports and credit-file export from the local table (operator)."""
    # rich only for the operator's build: the customer commands start faster without it.
    from rich.console import Console  # noqa: PLC0415
    from rich.progress import Progress  # noqa: PLC0415

    try:  # a malformed or unfinished month is refused before anything is opened
        parse_buildable_month(month, _now())
    except MonthNotBuildable as error:
        raise CliError(str(error)) from None
    config = local_config(config_path)
    ports = local_ports(config, export_dir)
    started = time.monotonic()
    try:
        run = start_or_join_run(ports.runs, month, _now())
    except (DomainError, RunConflict) as error:
        raise CliError(str(error)) from None
    selected = sorted(set(shards)) if shards else list(range(SHARD_COUNT))
    outcomes: list[ShardOutcome] = []
    failures: dict[int, str] = {}
    context = multiprocessing.get_context("spawn")  # no fork of a process holding clients
    with (
        ProcessPoolExecutor(max_workers=min(workers, len(selected)), mp_context=context) as pool,
        Progress(console=Console(file=sys.stderr)) as progress,
    ):
        task = progress.add_task(f"{run.month} shards", total=len(selected))
        futures: dict[Future[ShardOutcome], int] = {
            pool.submit(
                _build_one_shard, config.model_dump_json(by_alias=True), str(export_dir), run, n
            ): n
            for n in selected
        }
        for future in as_completed(futures):
            shard = futures[future]
            try:
                outcomes.append(future.result())
            except Exception as error:  # reported per shard; the other shards go on
                failures[shard] = type(error).__name__
            progress.advance(task)
    if failures:
        listed = ", ".join(f"{shard:02d} ({name})" for shard, name in sorted(failures.items()))
        retry = " ".join(f"--shard {shard}" for shard in sorted(failures))
        raise CliError(
            f"{run.month}: shard(s) {listed} failed; re-run them alone: "
            f"payments-tracker report build --month {run.month} {retry}"
        )
    manifest_note = _write_manifest_if_complete(ports, run)
    seconds = time.monotonic() - started
    failed = sorted(user for o in outcomes for user in o.failed_users)
    failed_note = (
        f", {len(failed)} customer(s) FAILED and skipped (listed in the manifest and the run "
        "record)"
        if failed
        else ""
    )
    click.echo(
        f"{run.month}: {sum(o.users for o in outcomes)} users, "
        f"{sum(o.kept for o in outcomes)} commitments kept, "
        f"{sum(o.lapsed for o in outcomes)} lapsed, "
        f"{sum(o.rows for o in outcomes)} rows exported in {seconds:.1f} s{failed_note} "
        f"({len(outcomes)} shard(s), {run.kind.value} run {run.run_id}; {manifest_note})"
    )


def _write_manifest_if_complete(ports: ReportPorts, run: Run) -> str:
    try:
        manifest = write_manifest(ports, str(run.month), _now())
    except RunIncomplete as incomplete:
        return f"manifest waits for {len(incomplete.shards)} more shard(s)"
    except (DomainError, MonthHandedOver) as error:
        raise CliError(str(error)) from None
    return f"manifest {manifest.run.manifest_key}"
