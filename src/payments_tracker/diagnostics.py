"""Describing an unexpected error for a log line without any request data."""

from __future__ import annotations

import traceback


def stack_frames(error: BaseException) -> str:
    """The traceback's frames (file, line, function) only.

    Never the message or the source lines: either may hold a description, an amount or a token.
    """
    return "\n".join(
        f"  {frame.filename}:{frame.lineno} in {frame.name}"
        for frame in traceback.extract_tb(error.__traceback__)
    )
