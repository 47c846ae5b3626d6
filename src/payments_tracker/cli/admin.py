"""`admin erase`, `admin handover`, `admin backfill-retention`: operator commands on the local
stack (or, for `erase` and `backfill-retention`, a deployed one with `--deployed` and AWS
credentials).

`admin erase` talks to the table and the user pool directly: the local stack's (from
`.local/config.json`) by default, or a deployed stack's with `--deployed` (the table from
`PAYMENTS_TABLE_NAME` and `AWS_REGION`, the pool from `--user-pool-id`, AWS credentials from the
usual chain).
"""

from __future__ import annotations

import getpass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from payments_tracker.adapters.exports.local import DEFAULT_EXPORT_DIR
from payments_tracker.cli.common import CliError, config_option, local_config, print_json
from payments_tracker.cli.reports import local_ports
from payments_tracker.composition import root
from payments_tracker.composition.settings import Settings, get_settings
from payments_tracker.domain.errors import DomainError
from payments_tracker.local.bootstrap import cognito_client, dynamodb_client
from payments_tracker.local.config import LocalConfig
from payments_tracker.service.erasure import (
    NotACustomerId,
    erase_customer,
)
from payments_tracker.service.ports import StorageUnavailable
from payments_tracker.service.reports import RunConflict, hand_over

if TYPE_CHECKING:
    from payments_tracker.service.erasure import ErasureReceipt
    from payments_tracker.service.ports import CustomerData, CustomerLogins


@click.group()
def admin() -> None:
    """Operator commands on the local stack (or a deployed one, with AWS credentials)."""


@admin.command("erase")
@click.option("--user", "user_id", required=True, help="the customer's user id (token `sub`)")
@click.option(
    "--keep-login",
    is_flag=True,
    help="do not delete the account from the user pool (done separately by its owner)",
)
@click.option(
    "--deployed",
    is_flag=True,
    help="erase on the deployed table (PAYMENTS_TABLE_NAME, AWS_REGION), not the local stack",
)
@click.option(
    "--user-pool-id",
    envvar="PAYMENTS_USER_POOL_ID",
    show_envvar=True,
    help="with --deployed: the Cognito user pool (the local pool comes from the config file)",
)
@click.option(
    "--operator",
    default=getpass.getuser,
    show_default="your login name",
    help="who runs the erasure, for the audit record",
)
@click.option("--yes", is_flag=True, help="do not ask for confirmation")
@config_option
def erase(
    *,
    user_id: str,
    keep_login: bool,
    deployed: bool,
    user_pool_id: str | None,
    operator: str,
    yes: bool,
    config_path: Path,
) -> None:
    """Erase a customer: login, payments, reports and consent; audited (docs/design.md §8)."""

    data, logins, where = _erasure_ports(
        deployed=deployed, keep_login=keep_login, user_pool_id=user_pool_id, path=config_path
    )
    if not yes:
        click.confirm(
            f"Erase every item of {user_id} on {where}"
            f"{'' if keep_login else ' and their login'}? This cannot be undone",
            abort=True,
        )
    try:
        receipt = erase_customer(data, logins, user_id, operator, lambda: datetime.now(UTC))
    except NotACustomerId:
        raise CliError(f"{user_id!r} is not a user id (a lowercase UUID v4)") from None
    except StorageUnavailable as error:
        raise CliError(
            f"erasure interrupted ({error}); nothing is audited yet: run it again"
        ) from None
    print_json(_receipt_json(receipt))


def _erasure_ports(
    *, deployed: bool, keep_login: bool, user_pool_id: str | None, path: Path
) -> tuple[CustomerData, CustomerLogins | None, str]:
    """The table and user pool to erase from (the composition root's), and a one-line name of
    where they are."""
    if deployed:
        settings = get_settings()
        if not keep_login and not user_pool_id:
            raise CliError("--deployed needs --user-pool-id (or --keep-login)")
        data, logins = root.erasure_ports(
            settings, user_pool_id=None if keep_login else user_pool_id
        )
        return data, logins, f"table {settings.table_name} ({settings.aws_region})"
    try:
        config = LocalConfig.read(path)
    except FileNotFoundError:
        raise CliError(f"{path} not found: start the local stack, or pass --deployed") from None
    local_table = config.dynamodb
    data, logins = root.erasure_ports(
        Settings.model_validate(
            {"table_name": local_table.table_name, "AWS_REGION": config.region}
        ),
        client=dynamodb_client(local_table.endpoint, config.region),
        user_pool_id=None if keep_login else config.cognito.user_pool_id,
        cognito=cognito_client(config.cognito.endpoint, config.region),
        # cognito-local has no AdminUserGlobalSignOut: skipped locally (tested with a stub).
        global_sign_out=False,
    )
    return data, logins, f"the local table {local_table.table_name}"


def _receipt_json(receipt: ErasureReceipt) -> dict[str, Any]:
    erased = receipt.erased
    return {
        "userId": str(receipt.user_id),
        "erasedAt": receipt.erased_at.isoformat().replace("+00:00", "Z"),
        "operator": receipt.operator,
        "deleted": {
            "payments": erased.payments,
            "reports": erased.reports,
            "consentItems": erased.consent,
            "otherItems": erased.other,
        },
        "loginDeleted": receipt.login_deleted,
        "audit": receipt.audit_key,
    }


@admin.command("handover")
@click.option("--month", required=True, help="the month handed to the bureau, YYYY-MM")
@config_option
def handover(month: str, config_path: Path) -> None:
    """Mark a month's export handed over: later builds write corrections, never the original."""
    config = local_config(config_path)
    ports = local_ports(config, DEFAULT_EXPORT_DIR)
    try:
        run = hand_over(ports.runs, ports.erasures, month, datetime.now(UTC))
    except (DomainError, RunConflict) as error:
        raise CliError(str(error)) from None
    handed = run.handed_over_at.isoformat() if run.handed_over_at else "?"
    click.echo(f"{run.month}: run {run.run_id} handed over at {handed}")


@admin.command("backfill-retention")
@click.option("--dry-run", is_flag=True, help="count what would be raised; write nothing")
@click.option(
    "--deployed",
    is_flag=True,
    help="on the deployed table (PAYMENTS_TABLE_NAME, AWS_REGION), not the local stack",
)
@config_option
def backfill_retention_command(*, dry_run: bool, deployed: bool, config_path: Path) -> None:
    """Raise stored payments' TTL to the current retention rule: run once after an upgrade that
    lengthened it (docs/reports.md section 4). Prints the counts as JSON."""
    try:
        if deployed:
            outcome = root.backfill_payment_retention(get_settings(), dry_run=dry_run)
        else:
            config = local_config(config_path)
            settings = Settings.model_validate(
                {"table_name": config.dynamodb.table_name, "AWS_REGION": config.region}
            )
            client = dynamodb_client(config.dynamodb.endpoint, config.region)
            outcome = root.backfill_payment_retention(settings, client, dry_run=dry_run)
    except StorageUnavailable as error:
        raise CliError(f"the table could not be read or written: {error}") from None
    print_json(outcome.document())
