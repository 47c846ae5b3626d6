"""ExportSink on local files: `.local/exports/<month>/…` on a laptop."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path, PurePosixPath
from typing import BinaryIO

DEFAULT_EXPORT_DIR = Path(".local") / "exports"


def _relative_path(key: str) -> PurePosixPath:
    path = PurePosixPath(key)
    if path.is_absolute() or not path.parts or ".." in path.parts:
        raise ValueError("an export key is a relative path without '..'")
    return path


class LocalExportSink:
    """Files under one folder; each is replaced atomically, so a reader never sees half a part."""

    def __init__(self, root: Path = DEFAULT_EXPORT_DIR) -> None:
        self.root = root

    def path_of(self, key: str) -> Path:
        """The file that holds `key`."""
        return self.root.joinpath(*_relative_path(key).parts)

    def put(self, key: str, body: BinaryIO, content_type: str) -> None:  # noqa: ARG002
        """Write `body` to a temporary file beside the target, then rename it over the target."""
        target = self.path_of(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
        try:
            with os.fdopen(descriptor, "wb") as file:
                shutil.copyfileobj(body, file)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
