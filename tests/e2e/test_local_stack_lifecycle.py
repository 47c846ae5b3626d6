"""`make run` as a user runs it: SIGTERM or Ctrl-C stops every child; a restart keeps the data."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from payments_tracker.local.bootstrap import cognito_client, dynamodb_client
from payments_tracker.local.config import LocalConfig
from payments_tracker.local.services import free_port, is_port_free, stop_process

pytestmark = pytest.mark.e2e

STACK_START_TIMEOUT_SECONDS = 120.0
STACK_STOP_TIMEOUT_SECONDS = 45.0


def descendants(pid: int) -> set[int]:
    """Every live process below `pid` (children, grandchildren, …), from /proc."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # gone meanwhile
            continue
        # Fields after the command name (which may hold spaces and parentheses): state ppid ...
        state, ppid = stat.rsplit(")", 1)[1].split()[:2]
        if state != "Z":
            parents[int(entry.name)] = int(ppid)
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def is_alive(pid: int) -> bool:
    """True if `pid` exists and is not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@dataclass(frozen=True)
class StackPorts:
    """The four ports of one stack run."""

    dynamodb: int
    cognito: int
    gateway: int
    web: int

    def flags(self) -> list[str]:
        """The command-line flags that select these ports."""
        return [
            "--dynamodb-port",
            str(self.dynamodb),
            "--cognito-port",
            str(self.cognito),
            "--gateway-port",
            str(self.gateway),
            "--web-port",
            str(self.web),
        ]

    def all(self) -> tuple[int, int, int, int]:
        """The ports as a tuple."""
        return (self.dynamodb, self.cognito, self.gateway, self.web)


@contextmanager
def running_stack(state_dir: Path, ports: StackPorts) -> Iterator[subprocess.Popen[bytes]]:
    """Start `python -m payments_tracker.local.stack`, wait until the gateway answers, yield it."""
    (state_dir / "config.json").unlink(missing_ok=True)
    output = (state_dir.parent / f"stack-{ports.gateway}.log").open("wb")
    stack = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "payments_tracker.local.stack",
            "--state-dir",
            str(state_dir),
            "--workers",
            "1",
            *ports.flags(),
        ],
        stdin=subprocess.DEVNULL,  # no terminal, as in CI or `make run &`
        stdout=output,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + STACK_START_TIMEOUT_SECONDS
        while not _gateway_answers(ports.gateway) or not (state_dir / "config.json").exists():
            log = (state_dir.parent / f"stack-{ports.gateway}.log").read_text(errors="replace")
            assert stack.poll() is None, f"the stack exited early: {log}"
            assert time.monotonic() < deadline, f"the stack did not come up: {log}"
            time.sleep(0.25)
        yield stack
    finally:
        stop_process(stack, STACK_STOP_TIMEOUT_SECONDS)
        output.close()


def _gateway_answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2):
            return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


def stop_and_check_every_child_is_gone(
    stack: subprocess.Popen[bytes], stop_signal: signal.Signals, ports: StackPorts
) -> None:
    """Signal the stack: it must exit 0 in time, leaving no process and no port behind."""
    children = descendants(stack.pid)
    assert len(children) >= 3, children  # DynamoDB Local, cognito-local, the gateway (+ workers)

    stack.send_signal(stop_signal)

    assert stack.wait(timeout=STACK_STOP_TIMEOUT_SECONDS) == 0
    deadline = time.monotonic() + 10
    while any(is_alive(pid) for pid in children) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert [pid for pid in children if is_alive(pid)] == []
    assert all(is_port_free(port) for port in ports.all())


def test_stack_stops_every_child_on_sigterm_and_a_restart_keeps_users_and_data(
    tmp_path: Path,
) -> None:
    state_dir = tmp_path / "state"
    ports = StackPorts(
        dynamodb=free_port(), cognito=free_port(), gateway=free_port(), web=free_port()
    )

    with running_stack(state_dir, ports) as stack:
        config = LocalConfig.read(state_dir / "config.json")
        assert config.api_url == f"http://127.0.0.1:{ports.gateway}"
        assert (state_dir / "cursor.key").stat().st_mode & 0o077 == 0
        with urllib.request.urlopen(f"{config.web_url}/config.json", timeout=5) as page_config:  # noqa: S310
            assert json.load(page_config)["clientId"] == config.cognito.web_client_id
        cursor_key = (state_dir / "cursor.key").read_text()
        idp = cognito_client(config.cognito.endpoint)
        idp.sign_up(
            ClientId=config.cognito.client_id,
            Username="kept@example.com",
            Password="kept-password-123",
        )
        idp.admin_confirm_sign_up(
            UserPoolId=config.cognito.user_pool_id, Username="kept@example.com"
        )
        dynamodb_client(config.dynamodb.endpoint).put_item(
            TableName=config.dynamodb.table_name,
            Item={"PK": {"S": "TEST#kept"}, "SK": {"S": "TEST#kept"}},
        )
        stop_and_check_every_child_is_gone(stack, signal.SIGTERM, ports)

    with running_stack(state_dir, ports) as stack:
        again = LocalConfig.read(state_dir / "config.json")
        assert again == config
        assert (state_dir / "cursor.key").read_text() == cursor_key
        tokens = cognito_client(again.cognito.endpoint).initiate_auth(
            ClientId=again.cognito.client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "kept@example.com", "PASSWORD": "kept-password-123"},
        )
        assert tokens["AuthenticationResult"]["AccessToken"]
        kept = dynamodb_client(again.dynamodb.endpoint).get_item(
            TableName=again.dynamodb.table_name,
            Key={"PK": {"S": "TEST#kept"}, "SK": {"S": "TEST#kept"}},
            ConsistentRead=True,
        )
        assert "Item" in kept
        pools = cognito_client(again.cognito.endpoint).list_user_pools(MaxResults=60)
        assert len(pools["UserPools"]) == 1
        # Ctrl-C without a terminal: SIGINT to the stack alone, as `kill -INT` sends it.
        stop_and_check_every_child_is_gone(stack, signal.SIGINT, ports)

    assert json.loads((state_dir / "config.json").read_text())["apiUrl"] == again.api_url
    assert os.path.isdir(state_dir / "dynamodb")
