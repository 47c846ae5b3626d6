"""How the local gateway invokes the Lambda handlers: a pool of processes, or in-process in tests.

Each worker process imports the handlers once (a warm Lambda execution environment) and runs one
event at a time, as Lambda does; concurrency comes from the number of workers. Nothing here logs
events, results or exception messages: they may hold tokens, descriptions or amounts.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import functools
import importlib
import json
import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any, Final, Literal, Protocol

from payments_tracker.observability import stack_frames

FunctionName = Literal["authorizer", "api"]
Handler = Callable[[dict[str, Any], Any], Any]

HANDLER_PATHS: Final[Mapping[FunctionName, str]] = {
    "authorizer": "payments_tracker.handlers.authorizer:handler",
    "api": "payments_tracker.handlers.api:handler",
}
FUNCTION_TIMEOUT_SECONDS: Final = 29.0
"""API Gateway's integration timeout: a slower invocation is answered 504."""

log = logging.getLogger("payments_tracker.local.gateway")


@dataclass(frozen=True)
class Invocation:
    """The outcome of one invocation: the JSON result, or the error's type and message."""

    result: Any = None
    error_type: str | None = None
    error_message: str | None = None
    """Used only to recognise the authorizer's `Unauthorized`; never logged."""

    @property
    def failed(self) -> bool:
        """Whether the function raised (or returned something that is not JSON)."""
        return self.error_type is not None


class Invoker(Protocol):
    """Runs one event through one of the Lambda handlers."""

    async def invoke(self, function: FunctionName, event: dict[str, Any]) -> Invocation:
        """Invoke `function` with `event` and wait for its outcome."""
        ...


class LocalLambdaContext:
    """The parts of the Lambda context object that Powertools reads."""

    def __init__(self, function: str, timeout_seconds: float = FUNCTION_TIMEOUT_SECONDS) -> None:
        """A context for one invocation of `function`, with a fresh request id."""
        self.function_name = f"payments-tracker-{function}"
        self.function_version = "$LATEST"
        self.invoked_function_arn = (
            f"arn:aws:lambda:local:123456789012:function:{self.function_name}"
        )
        self.memory_limit_in_mb = 512
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{self.function_name}"
        self.log_stream_name = "local"
        self._deadline = time.monotonic() + timeout_seconds

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds left before the function would time out."""
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def load_handler(path: str) -> Handler:
    """Import `module:attribute` and return the handler it names."""
    module_name, _, attribute = path.partition(":")
    handler: Handler = getattr(importlib.import_module(module_name), attribute)
    return handler


def run_handler(function: str, handler: Handler, event: dict[str, Any]) -> Invocation:
    """Call a handler like the Lambda runtime: the result must survive JSON; errors are reported."""
    try:
        result = handler(event, LocalLambdaContext(function))
        return Invocation(result=json.loads(json.dumps(result)))
    except Exception as error:
        message = str(error)
        if not (function == "authorizer" and message == "Unauthorized"):
            frames = stack_frames(error)
            request_id = (event.get("requestContext") or {}).get("requestId", "-")
            log.error(
                "%s handler raised %s requestId=%s\n%s",
                function,
                type(error).__name__,
                request_id,
                frames,
            )
        return Invocation(error_type=type(error).__name__, error_message=message)


class InProcessInvoker:
    """Calls handlers in this process, one event at a time (unit tests inject fakes this way)."""

    def __init__(self, handlers: Mapping[FunctionName, Handler]) -> None:
        """Use these handler callables."""
        self._handlers = dict(handlers)
        self._lock = asyncio.Lock()

    async def invoke(self, function: FunctionName, event: dict[str, Any]) -> Invocation:
        """Run the handler inline, holding a lock so an instance never sees two events at once."""
        async with self._lock:
            return run_handler(function, self._handlers[function], event)


# --- worker side: these run in the pool's processes -------------------------------------------

_worker_handlers: dict[FunctionName, Handler] = {}
_worker_load_errors: dict[FunctionName, str] = {}


def _die_with_parent() -> None:
    # Linux: get SIGTERM if the gateway process dies without shutting the pool down (no orphans).
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            pr_set_pdeathsig = 1
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def _init_worker(handler_paths: Mapping[FunctionName, str]) -> None:
    # Ctrl-C reaches the whole process group: let the gateway process shut the pool down instead.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    for function, path in handler_paths.items():
        try:
            _worker_handlers[function] = load_handler(path)
        except Exception as error:
            _worker_load_errors[function] = type(error).__name__
            log.exception("worker %d could not import the %s handler", os.getpid(), function)


def _invoke_in_worker(function: FunctionName, event: dict[str, Any]) -> Invocation:
    handler = _worker_handlers.get(function)
    if handler is None:
        # Lambda's Runtime.ImportModuleError: every invocation fails until the code is fixed.
        error_type = _worker_load_errors.get(function, "Runtime.HandlerNotFound")
        return Invocation(error_type=error_type, error_message="handler not loaded")
    return run_handler(function, handler, event)


def _warm_up() -> int:
    return os.getpid()


class ProcessPoolInvoker:
    """A pool of spawned worker processes, each a warm execution environment for both handlers."""

    def __init__(
        self, workers: int, handler_paths: Mapping[FunctionName, str] = HANDLER_PATHS
    ) -> None:
        """A pool of `workers` processes that will import `handler_paths` when they start."""
        self.workers = workers
        self._pool = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=functools.partial(_init_worker, dict(handler_paths)),
        )

    async def start(self) -> None:
        """Start every worker and let it import the handlers before the first request arrives."""
        loop = asyncio.get_running_loop()
        await asyncio.gather(
            *(loop.run_in_executor(self._pool, _warm_up) for _ in range(self.workers))
        )

    async def invoke(self, function: FunctionName, event: dict[str, Any]) -> Invocation:
        """Run the event in a free worker; give up waiting (504) after API Gateway's 29 s."""
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(self._pool, _invoke_in_worker, function, event)
        return await asyncio.wait_for(future, timeout=FUNCTION_TIMEOUT_SECONDS)

    def shutdown(self, grace_seconds: float = 5.0) -> None:
        """Stop the workers: drop queued events, give running ones `grace_seconds`, leave none."""
        # The executor has no public handle on its processes (3.14 adds terminate_workers()).
        processes = list((getattr(self._pool, "_processes", None) or {}).values())
        # A full shutdown (queues and semaphores released), bounded: a stuck handler gets killed.
        stopper = threading.Thread(
            target=self._pool.shutdown, kwargs={"wait": True, "cancel_futures": True}, daemon=True
        )
        stopper.start()
        stopper.join(grace_seconds)
        if stopper.is_alive():
            for process in processes:
                if process.is_alive():
                    process.terminate()
            stopper.join(2.0)
