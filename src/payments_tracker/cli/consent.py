"""`consent give|withdraw|show`: your consent to sharing kept commitments with your credit file."""

from __future__ import annotations

from pathlib import Path

import click

from payments_tracker.cli.common import ApiClient, api_options, print_json


@click.group()
def consent() -> None:
    """Your consent to sharing kept commitments with your credit file."""


@consent.command("give")
@click.option(
    "--terms-version",
    required=True,
    help="the version of the sharing terms you accept, e.g. 2026-11",
)
@api_options
def give_consent(
    terms_version: str, api_url: str | None, token: str | None, config_path: Path
) -> None:
    """Consent to sharing your kept commitments with your credit file (PUT /consent)."""
    api = ApiClient(api_url, token, config_path)
    body = {"creditFileSharing": True, "termsVersion": terms_version}
    print_json(api.request("PUT", "/consent", body=body))


@consent.command("withdraw")
@api_options
def withdraw_consent(api_url: str | None, token: str | None, config_path: Path) -> None:
    """Withdraw your consent: no export after the next cut-off (PUT /consent)."""
    api = ApiClient(api_url, token, config_path)
    print_json(api.request("PUT", "/consent", body={"creditFileSharing": False}))


@consent.command("show")
@api_options
def show_consent(api_url: str | None, token: str | None, config_path: Path) -> None:
    """Show your consent and its history (GET /consent)."""
    api = ApiClient(api_url, token, config_path)
    print_json(api.request("GET", "/consent"))
