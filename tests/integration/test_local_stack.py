"""The laptop stack: loopback-only services, an idempotent bootstrap, one-line preflight errors."""

from __future__ import annotations

import ipaddress
import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from payments_tracker.adapters.dynamodb.table import PAYMENTS_TABLE
from payments_tracker.local.bootstrap import (
    APP_CLIENT_NAME,
    TABLE_NAME,
    USER_POOL_NAME,
    WEB_CLIENT_NAME,
    bootstrap,
    cognito_client,
    dynamodb_client,
)
from payments_tracker.local.config import LocalConfig
from payments_tracker.local.services import LOOPBACK, free_port, is_port_free

if TYPE_CHECKING:
    from conftest import CognitoLocal

pytestmark = pytest.mark.integration

TCP_LISTEN = "0A"
PREFLIGHT_TIMEOUT_SECONDS = 60


def listening_addresses(port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    """Every local address with a TCP socket listening on `port`, from /proc/net/tcp{,6}."""
    found: list[ipaddress.IPv4Address | ipaddress.IPv6Address] = []
    for table in (Path("/proc/net/tcp"), Path("/proc/net/tcp6")):
        if not table.exists():
            continue
        for line in table.read_text().splitlines()[1:]:
            fields = line.split()
            local, state = fields[1], fields[3]
            address_hex, port_hex = local.split(":")
            if state != TCP_LISTEN or int(port_hex, 16) != port:
                continue
            # The kernel prints each 32-bit word of the address in host byte order.
            words = [address_hex[i : i + 8] for i in range(0, len(address_hex), 8)]
            packed = b"".join(int(word, 16).to_bytes(4, sys.byteorder) for word in words)
            found.append(ipaddress.ip_address(packed))
    return found


def is_loopback(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """True for 127.0.0.0/8, ::1 and ::ffff:127.x.y.z."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


def non_loopback_ipv4_of_this_machine() -> str | None:
    """An IPv4 address of this machine that is not loopback (the default route's source), if any."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: UDP connect sends nothing
        except OSError:
            return None
        address: str = probe.getsockname()[0]
    return None if ipaddress.ip_address(address).is_loopback else address


def test_listening_address_parser_sees_an_all_interfaces_socket() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as wildcard:
        wildcard.bind(("0.0.0.0", 0))  # noqa: S104 - the control case of the check below
        wildcard.listen()
        port = wildcard.getsockname()[1]
        assert listening_addresses(port) == [ipaddress.IPv4Address(0)]  # 0.0.0.0


def test_dynamodb_local_listens_on_loopback_only(dynamodb_endpoint: str) -> None:
    port = int(dynamodb_endpoint.rsplit(":", 1)[1])
    addresses = listening_addresses(port)
    assert addresses, f"nothing listens on port {port}"
    assert all(is_loopback(address) for address in addresses), addresses

    outside = non_loopback_ipv4_of_this_machine()
    if outside is not None:
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection((outside, port), timeout=2).close()


def test_cognito_local_listens_on_loopback_only(cognito: CognitoLocal) -> None:
    port = int(cognito.endpoint.rsplit(":", 1)[1])
    addresses = listening_addresses(port)
    assert addresses, f"nothing listens on port {port}"
    assert all(is_loopback(address) for address in addresses), addresses


def test_bootstrap_twice_gives_one_table_one_pool_its_two_clients_and_the_same_config(
    dynamodb_endpoint: str, cognito: CognitoLocal, tmp_path: Path
) -> None:
    config_path = tmp_path / "config.json"

    def run_bootstrap() -> tuple[LocalConfig, str]:
        config = bootstrap(
            dynamodb_endpoint=dynamodb_endpoint,
            cognito_endpoint=cognito.endpoint,
            api_url="http://127.0.0.1:3000",
            config_path=config_path,
        )
        return config, config_path.read_text(encoding="utf-8")

    first, first_file = run_bootstrap()
    second, second_file = run_bootstrap()

    assert first == second
    assert first_file == second_file
    assert LocalConfig.read(config_path) == first
    assert first.cognito.user_pool_id == cognito.user_pool_id
    assert first.cognito.client_id == cognito.client_id
    assert first.cognito.issuer == f"{cognito.endpoint}/{cognito.user_pool_id}"
    assert json.loads(first_file)["cognito"]["userPoolId"] == cognito.user_pool_id

    idp = cognito_client(cognito.endpoint)
    pools = idp.list_user_pools(MaxResults=60)["UserPools"]
    assert [pool.get("Name") for pool in pools].count(USER_POOL_NAME) == 1
    clients = idp.list_user_pool_clients(UserPoolId=cognito.user_pool_id, MaxResults=60)
    names = sorted(c.get("ClientName") for c in clients["UserPoolClients"])
    assert names == sorted([APP_CLIENT_NAME, WEB_CLIENT_NAME])
    assert first.cognito.web_client_id is not None
    web = idp.describe_user_pool_client(
        UserPoolId=cognito.user_pool_id, ClientId=first.cognito.web_client_id
    )["UserPoolClient"]
    assert "http://127.0.0.1:5173/" in web.get("CallbackURLs", [])
    assert web.get("AllowedOAuthFlows") == ["code"]
    assert "ClientSecret" not in web
    assert dynamodb_client(dynamodb_endpoint).list_tables()["TableNames"].count(TABLE_NAME) == 1


def test_app_client_is_public_with_password_and_refresh_auth(cognito: CognitoLocal) -> None:
    described = cognito_client(cognito.endpoint).describe_user_pool_client(
        UserPoolId=cognito.user_pool_id, ClientId=cognito.client_id
    )["UserPoolClient"]
    assert "ClientSecret" not in described
    assert set(described.get("ExplicitAuthFlows", [])) == {
        "ALLOW_USER_PASSWORD_AUTH",
        "ALLOW_REFRESH_TOKEN_AUTH",
    }


def test_created_table_equals_the_payments_table_definition(dynamodb_endpoint: str) -> None:
    client = dynamodb_client(dynamodb_endpoint)
    table = client.describe_table(TableName=TABLE_NAME)["Table"]
    expected = PAYMENTS_TABLE.create_table_request(TABLE_NAME)

    def indexes(described: Sequence[Mapping[str, Any]]) -> dict[str, tuple[Any, Any]]:
        return {
            index["IndexName"]: (index["KeySchema"], index["Projection"]) for index in described
        }

    assert table["KeySchema"] == expected["KeySchema"]
    assert sorted(table["AttributeDefinitions"], key=str) == sorted(
        expected["AttributeDefinitions"], key=str
    )
    assert indexes(table["LocalSecondaryIndexes"]) == indexes(expected["LocalSecondaryIndexes"])
    assert indexes(table["GlobalSecondaryIndexes"]) == indexes(expected["GlobalSecondaryIndexes"])
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    ttl = client.describe_time_to_live(TableName=TABLE_NAME)["TimeToLiveDescription"]
    assert ttl.get("TimeToLiveStatus") == "ENABLED"
    assert ttl.get("AttributeName") == PAYMENTS_TABLE.ttl_attribute


# --- preflight: one line that says what to do, no traceback -------------------------------------


@pytest.fixture
def busy_port() -> Iterator[int]:
    """A loopback port with a listening socket on it for the duration of the test."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as holder:
        holder.bind((LOOPBACK, 0))
        holder.listen()
        yield holder.getsockname()[1]


def run_stack(
    tmp_path: Path, *flags: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `python -m payments_tracker.local.stack` to completion (it fails in preflight here)."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "payments_tracker.local.stack",
            "--state-dir",
            str(tmp_path),
            *flags,
        ],
        capture_output=True,
        text=True,
        timeout=PREFLIGHT_TIMEOUT_SECONDS,
        env=env,
        check=False,
    )


def free_port_flags() -> list[str]:
    """Flags that move every port of the stack to a free one."""
    return [
        "--dynamodb-port",
        str(free_port()),
        "--cognito-port",
        str(free_port()),
        "--gateway-port",
        str(free_port()),
    ]


def test_busy_port_is_a_one_line_error_naming_the_port_and_the_override(
    tmp_path: Path, busy_port: int
) -> None:
    flags = free_port_flags()
    flags[1] = str(busy_port)  # the DynamoDB Local port

    result = run_stack(tmp_path, *flags)

    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert str(busy_port) in lines[0]
    assert "busy" in lines[0]
    assert "PAYMENTS_LOCAL_DYNAMODB_PORT" in lines[0]
    assert "Traceback" not in result.stderr + result.stdout


def test_busy_port_from_the_environment_is_reported_too(tmp_path: Path, busy_port: int) -> None:
    env = {**os.environ, "PAYMENTS_LOCAL_GATEWAY_PORT": str(busy_port)}
    flags = free_port_flags()[:4]  # DynamoDB and cognito ports only: the gateway's comes from env

    result = run_stack(tmp_path, *flags, env=env)

    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert f"port {busy_port}" in result.stderr
    assert "gateway" in result.stderr


def test_missing_java_is_a_one_line_error_that_says_to_install_it(tmp_path: Path) -> None:
    empty_bin = tmp_path / "bin"
    empty_bin.mkdir()
    env = {**os.environ, "PATH": str(empty_bin)}

    result = run_stack(tmp_path, *free_port_flags(), env=env)

    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Java is missing" in lines[0]
    assert "install" in lines[0]


def test_too_old_node_is_a_one_line_error(tmp_path: Path) -> None:
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    fake_node = fake_bin / "node"
    fake_node.write_text("#!/bin/sh\necho v18.19.0\n")
    fake_node.chmod(0o755)
    java_dir = Path(os.environ.get("JAVA_HOME", "")) / "bin"
    real_java_dirs = [str(java_dir)] if (java_dir / "java").exists() else []
    java_on_path = [
        directory
        for directory in os.environ.get("PATH", "").split(os.pathsep)
        if (Path(directory) / "java").exists()
    ]
    env = {
        **os.environ,
        "PATH": os.pathsep.join([str(fake_bin), *real_java_dirs, *java_on_path]),
    }

    result = run_stack(tmp_path, *free_port_flags(), env=env)

    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Node.js 20+" in lines[0]
    assert "Node.js 18" in lines[0]


def test_free_port_gives_a_bindable_loopback_port() -> None:
    assert is_port_free(free_port())
