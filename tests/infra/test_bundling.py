"""Docker-free bundling: what goes into the Lambda asset, and when it is rebuilt."""

from __future__ import annotations

import ast
import hashlib
import io
import os
import shutil
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from aws_cdk import aws_lambda as lambda_

from infra import bundling

if TYPE_CHECKING:
    from tests.infra.conftest import Synthesized


def test_asset_hash_changes_with_the_platform() -> None:
    base = bundling.asset_hash()
    assert bundling.asset_hash(replace(bundling.LAMBDA_PLATFORM, python_version="3.12")) != base
    assert (
        bundling.asset_hash(
            replace(
                bundling.LAMBDA_PLATFORM,
                pip_platform="manylinux2014_x86_64",
                architecture=lambda_.Architecture.X86_64,
            )
        )
        != base
    )


def test_asset_hash_changes_with_the_sources_and_the_lock(tmp_path: Path) -> None:
    package = tmp_path / "payments_tracker"
    shutil.copytree(bundling.PACKAGE_DIR, package, ignore=shutil.ignore_patterns("__pycache__"))
    lock = tmp_path / "uv.lock"
    shutil.copy(bundling.LOCK_FILE, lock)
    base = bundling.asset_hash(package_dir=package, lock_file=lock)

    settings = package / "composition" / "settings.py"
    settings.write_text(settings.read_text() + "\n# changed\n")
    changed_source = bundling.asset_hash(package_dir=package, lock_file=lock)
    lock.write_text(lock.read_text() + "\n")
    changed_lock = bundling.asset_hash(package_dir=package, lock_file=lock)

    assert len({base, changed_source, changed_lock}) == 3


def test_asset_hash_ignores_laptop_only_code(tmp_path: Path) -> None:
    package = tmp_path / "payments_tracker"
    shutil.copytree(bundling.PACKAGE_DIR, package, ignore=shutil.ignore_patterns("__pycache__"))
    base = bundling.asset_hash(package_dir=package)
    (package / "local").mkdir(exist_ok=True)
    (package / "local" / "extra.py").write_text("x = 1\n")
    assert bundling.asset_hash(package_dir=package) == base


def test_all_functions_share_one_asset_built_from_a_cached_bundle(
    synthesized: Synthesized,
) -> None:
    # The functions' asset (the web page and CDK's BucketDeployment bring assets of their own).
    (asset,) = (
        path for path in synthesized.outdir.glob("asset.*") if (path / "payments_tracker").is_dir()
    )
    digest = asset.name.removeprefix("asset.")
    # CDK names a custom-hashed asset by the SHA-256 of our hash.
    cached = {hashlib.sha256(path.name.encode()).hexdigest() for path in _cache().iterdir()}
    assert digest in cached
    assert (asset / "payments_tracker" / "handlers").is_dir()
    for stack in ("Api", "Reports"):
        for function in synthesized.resources(stack, "AWS::Lambda::Function").values():
            assert function["Properties"]["Code"]["S3Key"] == f"{digest}.zip"


def _cache() -> Path:
    return Path(os.environ.get("PAYMENTS_BUNDLE_CACHE", bundling.DEFAULT_CACHE_DIR))


def test_bundle_holds_arm64_wheels_and_our_package_but_not_the_runtime_or_laptop_code() -> None:
    bundle = bundling.bundled_directory()
    names = {path.name for path in bundle.iterdir()}
    for provided in ("boto3", "botocore", "s3transfer", "jmespath", "urllib3", "dateutil"):
        assert provided not in names
    for needed in ("aws_lambda_powertools", "pydantic", "pydantic_core", "jwt", "iso4217"):
        assert needed in names
    assert list((bundle / "pydantic_core").glob("*cpython-313-aarch64-linux-gnu.so"))
    package = bundle / "payments_tracker"
    assert (package / "handlers").is_dir()
    assert not (package / "local").exists()
    assert not (package / "cli").exists()


DEVELOPER_ONLY_MODULES = frozenset({"click", "rich", "httpx", "uvicorn", "starlette"})
"""What the CLI and the local stack use, and production never may."""


def test_every_module_of_our_package_in_the_bundle_imports_no_developer_only_library() -> None:
    package = bundling.bundled_directory() / "payments_tracker"
    offenders: dict[str, set[str]] = {}
    modules = sorted(package.rglob("*.py"))
    for path in modules:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            found = {name.split(".")[0] for name in names} & DEVELOPER_ONLY_MODULES
            if found:
                offenders.setdefault(str(path.relative_to(package)), set()).update(found)
    assert len(modules) > 20  # the whole package is listed, not an empty folder
    assert offenders == {}
    assert not list(package.rglob("memory*.py"))  # the in-memory fakes live under tests/


def test_zipped_bundle_is_under_ten_megabytes() -> None:
    bundle = bundling.bundled_directory()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for root, _dirs, files in os.walk(bundle):
            for name in files:
                path = Path(root) / name
                archive.write(path, path.relative_to(bundle))
    assert buffer.tell() < 10 * 1024 * 1024
