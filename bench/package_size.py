"""Deployment package size: the Lambda asset the CDK app builds (infra/bundling.py), zipped.

One asset serves all three functions (api, authorizer, report), so each function's package is
that zip. It is built exactly as `cdk synth` builds it (pip for manylinux2014_aarch64, CPython
3.13, from uv.lock, minus what the runtime provides) and zipped with deflate, as CDK uploads it.

    python -m bench.package_size [--json out.json]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from bench.common import markdown_table, write_summary

LIMIT_MB = 10.0
FUNCTIONS = ("api", "authorizer", "report")


def bundle_directory() -> Path:
    """The bundle `cdk synth` uses (built on first use, then cached under .local/bundles)."""
    os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
    from infra.bundling import bundled_directory  # noqa: PLC0415 - jsii starts only here

    return bundled_directory()


def zipped_size(directory: Path) -> tuple[int, int, int]:
    """(zip bytes, unzipped bytes, files) of `directory`, deflated, as a Lambda upload."""
    files = [p for p in sorted(directory.rglob("*")) if p.is_file() and p.name != ".complete"]
    with tempfile.TemporaryDirectory() as scratch:
        archive = Path(scratch) / "function.zip"
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as out:
            for path in files:
                out.write(path, path.relative_to(directory))
        return archive.stat().st_size, sum(p.stat().st_size for p in files), len(files)


def largest_packages(directory: Path, count: int = 6) -> list[tuple[str, int]]:
    """The top-level entries of the bundle that take the most bytes (unzipped)."""
    sizes = {
        entry.name: sum(p.stat().st_size for p in entry.rglob("*") if p.is_file())
        for entry in directory.iterdir()
        if entry.is_dir() and not entry.name.endswith(".dist-info")
    }
    return sorted(sizes.items(), key=lambda item: item[1], reverse=True)[:count]


def measure() -> dict[str, Any]:
    """Sizes of the asset, per function."""
    directory = bundle_directory()
    zipped, unzipped, files = zipped_size(directory)
    return {
        "bundle": directory.name,
        "zip_mb": round(zipped / 1e6, 2),
        "unzipped_mb": round(unzipped / 1e6, 2),
        "files": files,
        "largest": [(name, round(size / 1e6, 2)) for name, size in largest_packages(directory)],
    }


def table(summary: dict[str, Any]) -> str:
    """Markdown: each function's zipped and unzipped size against the 10 MB target."""
    rows = [
        [
            name,
            summary["zip_mb"],
            summary["unzipped_mb"],
            "yes" if summary["zip_mb"] < LIMIT_MB else "NO",
        ]
        for name in FUNCTIONS
    ]
    header = ["function", "zipped MB", "unzipped MB", f"< {LIMIT_MB:g} MB"]
    largest = ", ".join(f"{name} {mb} MB" for name, mb in summary["largest"])
    return (
        markdown_table(header, rows)
        + f"\n\nOne asset (`.local/bundles/{summary['bundle'][:12]}…`, {summary['files']} files)"
        f" serves all three. Largest parts, unzipped: {largest}."
    )


def main(argv: list[str] | None = None) -> int:
    """Measure, print the table, optionally save JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", help="write the summary here")
    args = parser.parse_args(argv)
    summary = measure()
    print(table(summary))
    write_summary(args.json, summary)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
