"""The `payments-tracker` command: its root group adds one module's commands per group.

Results are JSON on stdout; errors (the API's problem+json bodies, or one line) go to stderr with a
non-zero exit status. The API address comes from `--api-url`, `PAYMENTS_API_URL` or
`.local/config.json`; the token from `--token` or `PAYMENTS_TOKEN`.
"""

from __future__ import annotations

import click

from payments_tracker.cli.account import login, signup, whoami
from payments_tracker.cli.admin import admin
from payments_tracker.cli.commitments import commitments
from payments_tracker.cli.consent import consent
from payments_tracker.cli.payments import get, list_payments, submit, void
from payments_tracker.cli.reports import report


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Submit and read your recurring monthly payments."""


for command in (
    signup,
    login,
    whoami,
    submit,
    get,
    list_payments,
    void,
    report,
    commitments,
    consent,
    admin,
):
    main.add_command(command)
