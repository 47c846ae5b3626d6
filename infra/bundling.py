"""Docker-free bundling of the Lambda code: pip for the Lambda platform, plus our package.

One asset serves the three functions (api, authorizer, report). It holds the runtime dependencies
exported from uv.lock (no dev, no extras, no groups), installed by pip as arm64 CPython 3.13 wheels,
minus what the Lambda runtime already provides, and `src/payments_tracker` without the laptop-only
parts. The asset hash covers the sources, the lock and the platform, so changing any of them
rebuilds; a build is cached under `.local/bundles/<hash>` so repeated synths download nothing.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from aws_cdk import AssetHashType
from aws_cdk import aws_lambda as lambda_

REPO_ROOT = Path(__file__).resolve().parent.parent
PACKAGE_DIR = REPO_ROOT / "src" / "payments_tracker"
LOCK_FILE = REPO_ROOT / "uv.lock"
DEFAULT_CACHE_DIR = REPO_ROOT / ".local" / "bundles"

# The Lambda python3.13 runtime ships boto3 and everything it depends on.
RUNTIME_PROVIDED = frozenset(
    {"boto3", "botocore", "s3transfer", "jmespath", "urllib3", "python-dateutil", "six"}
)
# Laptop-only code (the local gateway and stack runner, the CLI): production never imports it.
EXCLUDED_FROM_PACKAGE = frozenset({"local", "cli"})
BUNDLES_KEPT = 3  # cache entries kept: the current build and a couple of recent ones
BUNDLE_FORMAT = "2"  # bump when the steps below change what ends up in the asset


@dataclass(frozen=True)
class Platform:
    """The interpreter and CPU the wheels are chosen for: Lambda's python3.13 on arm64."""

    pip_platform: str = "manylinux2014_aarch64"
    implementation: str = "cp"
    python_version: str = "3.13"
    architecture: lambda_.Architecture = lambda_.Architecture.ARM_64
    runtime: lambda_.Runtime = lambda_.Runtime.PYTHON_3_13

    def fingerprint(self) -> str:
        """What identifies the platform in the asset hash (names, never jsii object identities)."""
        return "|".join(
            (
                self.pip_platform,
                self.implementation,
                self.python_version,
                self.architecture.name,
                self.runtime.name,
            )
        )


LAMBDA_PLATFORM = Platform()


def package_sources(package_dir: Path = PACKAGE_DIR) -> list[Path]:
    """The files of the package that go into the asset, in a stable order."""
    files = []
    for path in sorted(package_dir.rglob("*")):
        relative = path.relative_to(package_dir)
        if not path.is_file() or relative.parts[0] in EXCLUDED_FROM_PACKAGE:
            continue
        if "__pycache__" in relative.parts or path.suffix in {".pyc", ".pyo"}:
            continue
        files.append(path)
    return files


def asset_hash(
    platform: Platform = LAMBDA_PLATFORM,
    package_dir: Path = PACKAGE_DIR,
    lock_file: Path = LOCK_FILE,
) -> str:
    """SHA-256 over the package sources, the lock file, the platform and the bundle format."""
    digest = hashlib.sha256()
    for part in (BUNDLE_FORMAT, platform.fingerprint(), ",".join(sorted(RUNTIME_PROVIDED))):
        digest.update(part.encode() + b"\0")
    digest.update(lock_file.read_bytes() + b"\0")
    for path in package_sources(package_dir):
        digest.update(path.relative_to(package_dir).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def runtime_requirements(lock_dir: Path = REPO_ROOT) -> list[str]:
    """The pinned runtime dependencies from uv.lock, less those the Lambda runtime provides."""
    exported = _run(
        [
            _uv(),
            "export",
            "--frozen",
            "--no-dev",
            "--no-default-groups",
            "--no-emit-project",
            "--no-hashes",
            "--no-header",
            "--no-annotate",
            "--project",
            str(lock_dir),
        ]
    )
    requirements = []
    for raw_line in exported.splitlines():
        line = raw_line.strip()
        if not line or line.startswith(("#", "-")):
            continue
        name = line.split("==", 1)[0].split(";", 1)[0].strip().lower().replace("_", "-")
        if name not in RUNTIME_PROVIDED:
            requirements.append(line)
    return requirements


def build_bundle(target: Path, platform: Platform = LAMBDA_PLATFORM) -> None:
    """Install the dependencies for `platform` into `target` and copy the package beside them."""
    target.mkdir(parents=True)
    requirements = target.parent / f"{target.name}.requirements.txt"
    requirements.write_text("\n".join(runtime_requirements()) + "\n")
    try:
        _run(
            [
                *_pip(),
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "--no-compile",
                "--no-deps",  # the export is the whole, locked closure
                "--only-binary=:all:",
                "--platform",
                platform.pip_platform,
                "--implementation",
                platform.implementation,
                "--python-version",
                platform.python_version,
                "--target",
                str(target),
                "--requirement",
                str(requirements),
            ]
        )
    finally:
        requirements.unlink(missing_ok=True)
    shutil.rmtree(target / "bin", ignore_errors=True)
    for cache in target.rglob("__pycache__"):
        shutil.rmtree(cache, ignore_errors=True)
    for source in package_sources():
        destination = target / "payments_tracker" / source.relative_to(PACKAGE_DIR)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, destination)


def bundled_directory(cache_dir: Path | None = None, platform: Platform = LAMBDA_PLATFORM) -> Path:
    """The bundle for the current sources, built once per asset hash and reused afterwards."""
    cache_dir = cache_dir or Path(os.environ.get("PAYMENTS_BUNDLE_CACHE", DEFAULT_CACHE_DIR))
    bundle = cache_dir / asset_hash(platform)
    if (bundle / ".complete").exists():
        return bundle
    cache_dir.mkdir(parents=True, exist_ok=True)
    # Build beside the cache entry and rename: a concurrent synth never sees half a bundle.
    staging = Path(tempfile.mkdtemp(prefix=f".{bundle.name[:12]}-", dir=cache_dir))
    try:
        build_bundle(staging / "bundle", platform)
        (staging / "bundle" / ".complete").touch()
        try:
            (staging / "bundle").rename(bundle)
        except OSError:
            if not (bundle / ".complete").exists():  # another process won the race: reuse its build
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    _prune(cache_dir, keep=bundle)
    return bundle


def _prune(cache_dir: Path, keep: Path) -> None:
    """Drop all but the newest few bundles: each is ~30 MB."""
    builds = sorted(
        (path for path in cache_dir.iterdir() if (path / ".complete").exists() and path != keep),
        key=lambda path: path.stat().st_mtime,
        reverse=True,
    )
    for old in builds[BUNDLES_KEPT - 1 :]:
        shutil.rmtree(old, ignore_errors=True)


_BUNDLES_OF_THIS_PROCESS: dict[str, Path] = {}


def lambda_code(platform: Platform = LAMBDA_PLATFORM) -> lambda_.Code:
    """The Lambda code asset, identified by `asset_hash` rather than by CDK's directory hash.

    Every function of one process gets the same bundle, even if a source file changes while the
    app is being built: the functions of one synthesis always run the same code.
    """
    key = platform.fingerprint()
    if key not in _BUNDLES_OF_THIS_PROCESS:
        _BUNDLES_OF_THIS_PROCESS[key] = bundled_directory(platform=platform)
    bundle = _BUNDLES_OF_THIS_PROCESS[key]
    return lambda_.Code.from_asset(
        str(bundle),
        asset_hash=bundle.name,
        asset_hash_type=AssetHashType.CUSTOM,
        exclude=[".complete"],
    )


def _uv() -> str:
    for candidate in (
        os.environ.get("UV"),
        REPO_ROOT / ".tools" / "bin" / "uv",
        shutil.which("uv"),
    ):
        if candidate and Path(candidate).is_file():
            return str(candidate)
    raise RuntimeError("uv is missing: run `make setup` first")


def _pip() -> list[str]:
    """An interpreter that has pip (uv's project venv has none; `make setup`'s tool venv has)."""
    for candidate in (REPO_ROOT / ".tools" / "bin" / "python", shutil.which("python3")):
        if not candidate or not Path(candidate).is_file():
            continue
        probe = subprocess.run(  # noqa: S603 - fixed arguments, no shell
            [str(candidate), "-m", "pip", "--version"], capture_output=True, check=False
        )
        if probe.returncode == 0:
            return [str(candidate), "-m", "pip"]
    raise RuntimeError("no Python with pip found for bundling: run `make setup` first")


def _run(command: list[str]) -> str:
    result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command[:3])}… failed:\n{result.stderr.strip()}")
    return result.stdout
