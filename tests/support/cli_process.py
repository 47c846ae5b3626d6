"""The `payments-tracker` command as the tests against the local stack run it: one run of it, and
a new customer signed up and logged in with it."""

from __future__ import annotations

import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

CLI = Path(sys.executable).parent / "payments-tracker"


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the payments-tracker command; what it printed, as text."""
    return subprocess.run(
        [str(CLI), *args], capture_output=True, text=True, timeout=120, check=False
    )


@dataclass(frozen=True)
class SignedUp:
    """A customer signed up and logged in with the CLI, and what the two commands answered."""

    email: str
    password: str
    signup: subprocess.CompletedProcess[str]
    login: subprocess.CompletedProcess[str]

    @property
    def token(self) -> str:
        """The access token `login` printed."""
        return self.login.stdout.strip()


def sign_up_with_cli(config_path: Path, prefix: str = "cli") -> SignedUp:
    """A new customer (`<prefix>-…@example.com`, a random password), signed up and logged in with
    the CLI on the stack of the config file `config_path`; both commands must succeed."""
    email, password = f"{prefix}-{uuid.uuid4().hex[:10]}@example.com", f"Pw-{uuid.uuid4().hex}"
    config = ("--config", str(config_path))
    signed_up = run_cli("signup", "--email", email, "--password", password, *config)
    assert signed_up.returncode == 0, signed_up.stderr
    login = run_cli("login", "--email", email, "--password", password, *config)
    assert login.returncode == 0, login.stderr
    return SignedUp(email, password, signed_up, login)
