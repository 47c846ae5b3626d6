"""The customer web page on the local stack: build it when needed, serve it on 127.0.0.1:5173.

`python -m payments_tracker.local.web --port 5173 --config .local/config.json [--root web/dist]`
serves the built page with the same security headers as CloudFront on AWS, plus `/config.json`
made from the local config (the API URL, cognito-local's endpoints, the `web` client id), so the
build that runs here is the one deployed. Dev tooling only.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Final

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from payments_tracker.edge.web_config import PageConfig, content_security_policy, origin_of
from payments_tracker.local.config import LocalConfig
from payments_tracker.local.services import (
    LOOPBACK,
    PROJECT_ROOT,
    PreflightError,
    ServiceProcess,
    spawn,
    wait_until_answers,
)

WEB_DIR: Final = PROJECT_ROOT / "web"
WEB_PORT: Final = 5173
NPM_CI_TIMEOUT_SECONDS: Final = 600.0
BUILD_TIMEOUT_SECONDS: Final = 300.0
_BUILD_STAMP: Final = ".build-stamp"
# What the build reads: a newer one of these means dist/ is stale.
_BUILD_INPUTS: Final = ("index.html", "package.json", "package-lock.json", "tsconfig.json")
_GENERATED: Final = Path("src/api/schema.ts")


class WebBuildError(PreflightError):
    """npm ci or the page's build failed; the message ends with the tail of its output."""


def page_config(config: LocalConfig) -> PageConfig:
    """The page's config.json here: cognito-local's OAuth endpoints and the web client."""
    if config.cognito.web_client_id is None:
        raise PreflightError("the local config has no webClientId: run the bootstrap (make run)")
    endpoint = config.cognito.endpoint.rstrip("/")
    return PageConfig(
        api_url=config.api_url,
        issuer=config.cognito.issuer,
        authorization_endpoint=f"{endpoint}/oauth2/authorize",
        token_endpoint=f"{endpoint}/oauth2/token",
        client_id=config.cognito.web_client_id,
    )


def security_headers(page: PageConfig) -> dict[str, str]:
    """The headers CloudFront adds on AWS, with the local API and provider as fetch targets."""
    policy = content_security_policy([origin_of(page.api_url), origin_of(page.token_endpoint)])
    return {
        "Content-Security-Policy": policy,
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "no-referrer",
        "Cross-Origin-Opener-Policy": "same-origin",
    }


class _SecurityHeaders:
    """ASGI middleware: add fixed headers to every response."""

    def __init__(self, app: ASGIApp, headers: dict[str, str]) -> None:
        self.app = app
        self.headers = [(name.lower().encode(), value.encode()) for name, value in headers.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *self.headers]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def create_app(root: Path, page: PageConfig) -> ASGIApp:
    """The static page under `root`, `/config.json` from `page`, security headers on all."""
    body = page.to_json()

    async def config_json(_request: Request) -> Response:
        return Response(body, media_type="application/json", headers={"Cache-Control": "no-store"})

    app = Starlette(
        routes=[
            Route("/config.json", config_json, methods=["GET", "HEAD"]),
            Mount("/", StaticFiles(directory=root, html=True)),
        ]
    )
    return _SecurityHeaders(app, security_headers(page))


# --- building ------------------------------------------------------------------------------------


def _source_files(web_dir: Path) -> Iterator[Path]:
    for name in _BUILD_INPUTS:
        yield web_dir / name
    yield web_dir / "vite.config.ts"
    for path in (web_dir / "src").rglob("*"):
        if path.is_file() and path.relative_to(web_dir) != _GENERATED:
            yield path
    yield web_dir.parent / "docs" / "api" / "openapi.json"


def page_is_current(web_dir: Path = WEB_DIR) -> bool:
    """True when dist/ was built after every input of the build last changed."""
    stamp = web_dir / "dist" / _BUILD_STAMP
    if not stamp.is_file():
        return False
    built = stamp.stat().st_mtime
    return all(path.stat().st_mtime <= built for path in _source_files(web_dir) if path.exists())


def _run(command: list[str], cwd: Path, timeout: float, what: str) -> None:
    try:
        completed = subprocess.run(  # noqa: S603 - fixed arguments, npm from PATH
            command, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired as error:
        raise WebBuildError(f"{what} took longer than {timeout:.0f} s") from error
    if completed.returncode != 0:
        tail = " | ".join((completed.stdout + completed.stderr).strip().splitlines()[-15:])
        raise WebBuildError(f"{what} failed (exit {completed.returncode}): {tail}")


def build_page(web_dir: Path = WEB_DIR, *, log: bool = True) -> Path:
    """Install the page's npm packages if needed and build it unless dist/ is current; dist/."""
    npm = shutil.which("npm")
    if npm is None:
        raise PreflightError("npm is missing: install Node.js 20+ (it brings npm) and run again")
    installed = web_dir / "node_modules" / ".package-lock.json"
    lock = web_dir / "package-lock.json"
    if not installed.is_file() or installed.stat().st_mtime < lock.stat().st_mtime:
        if log:
            print("installing the web page's npm packages (npm ci) …", file=sys.stderr, flush=True)
        _run(
            [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            web_dir,
            NPM_CI_TIMEOUT_SECONDS,
            "npm ci in web/",
        )
    dist = web_dir / "dist"
    if not page_is_current(web_dir):
        if log:
            print("building the web page (vite build) …", file=sys.stderr, flush=True)
        _run([npm, "run", "build"], web_dir, BUILD_TIMEOUT_SECONDS, "the web page's build")
        (dist / _BUILD_STAMP).touch()
    return dist


# --- running -------------------------------------------------------------------------------------


def web_server_command(port: int, config_path: Path, root: Path, host: str = LOOPBACK) -> list[str]:
    """The command line that serves the page with this interpreter."""
    return [
        sys.executable,
        "-m",
        "payments_tracker.local.web",
        "--host",
        host,
        "--port",
        str(port),
        "--config",
        str(config_path),
        "--root",
        str(root),
    ]


def start_web_server(
    config_path: Path,
    port: int = WEB_PORT,
    root: Path | None = None,
    *,
    log_path: Path | None = None,
    env: dict[str, str] | None = None,
) -> ServiceProcess:
    """Serve the built page (dist/ by default) on 127.0.0.1:port; wait until it answers."""
    service = spawn(
        "web page",
        web_server_command(port, config_path, root or WEB_DIR / "dist"),
        port,
        env=env if env is not None else dict(os.environ),
        log_path=log_path,
    )
    wait_until_answers(service, path="/config.json")
    return service


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `python -m payments_tracker.local.web`."""
    parser = argparse.ArgumentParser(
        prog="python -m payments_tracker.local.web",
        description="Serve the built web page and its config.json on 127.0.0.1.",
    )
    parser.add_argument("--host", default=LOOPBACK)
    parser.add_argument("--port", type=int, default=WEB_PORT)
    parser.add_argument("--config", type=Path, required=True, help="the local config.json")
    parser.add_argument("--root", type=Path, default=WEB_DIR / "dist", help="the built page")
    arguments = parser.parse_args(argv)
    if not (arguments.root / "index.html").is_file():
        print(f"error: {arguments.root} holds no built page: run make run", file=sys.stderr)
        return 1
    page = page_config(LocalConfig.read(arguments.config))
    uvicorn.run(
        create_app(arguments.root, page),
        host=arguments.host,
        port=arguments.port,
        log_level="warning",
        access_log=False,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
