"""Load the real Lambda handlers (``functions/<name>/handler.py``) and invoke them like Lambda.

The local stack must run the same code path as AWS, so it imports each function's folder the way
the Lambda runtime does (``handler.lambda_handler`` with the folder on the import path) instead of
re-implementing any route. Invocations are serialized by one lock: Powertools keeps metrics and
logger keys in process-wide state, which a Lambda container never shares between concurrent
invocations, so neither do we.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import gamification

LambdaHandler = Callable[[dict[str, Any], Any], Any]

FUNCTIONS_DIR = Path(gamification.__file__).resolve().parents[2] / "functions"
"""``functions/`` next to ``shared/`` in a checkout (``GAMIFY_FUNCTIONS_DIR`` overrides it)."""

ACCOUNT_ID = "123456789012"
REGION_DEFAULT = "us-east-1"


def region() -> str:
    """The region the local stack pretends to run in (the environment's, like the SDK)."""
    return os.environ.get("AWS_DEFAULT_REGION", REGION_DEFAULT)


def functions_dir() -> Path:
    return Path(os.environ.get("GAMIFY_FUNCTIONS_DIR", FUNCTIONS_DIR))


def load_handler(name: str, directory: Path | None = None) -> LambdaHandler:
    """Import ``<directory>/<name>/handler.py`` once and return its ``lambda_handler``."""
    folder = (directory or functions_dir()) / name
    path = folder / "handler.py"
    if not path.is_file():
        raise FileNotFoundError(f"no Lambda handler at {path}")
    module_name = f"_gamify_function_{name}"
    module = sys.modules.get(module_name)
    if module is None or getattr(module, "__file__", None) != str(path):
        spec = importlib.util.spec_from_file_location(module_name, path)
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot import {path}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        # Like the Lambda runtime: the function's folder is on the path while it imports.
        sys.path.insert(0, str(folder))
        try:
            spec.loader.exec_module(module)
        except BaseException:
            del sys.modules[module_name]
            raise
        finally:
            sys.path.remove(str(folder))
    handler = getattr(module, "lambda_handler", None)
    if not callable(handler):
        raise AttributeError(f"{path} defines no lambda_handler")
    return handler  # type: ignore[no-any-return]


@dataclass
class LocalContext:
    """The attributes of Lambda's context object that Powertools and our handlers read."""

    function_name: str
    timeout_seconds: float = 30.0
    memory_limit_in_mb: int = 512
    function_version: str = "$LATEST"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    log_group_name: str = ""
    log_stream_name: str = "local"
    _deadline: float = field(default=0.0, repr=False)

    def __post_init__(self) -> None:
        self._deadline = time.monotonic() + self.timeout_seconds
        self.log_group_name = f"/aws/lambda/{self.function_name}"

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:{region()}:{ACCOUNT_ID}:function:{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


class Invoker:
    """Calls handlers by function name, one invocation at a time (see the module docstring)."""

    def __init__(
        self,
        loader: Callable[[str], LambdaHandler] = load_handler,
        prefix: str = "gamify-local",
    ) -> None:
        self._loader = loader
        self._prefix = prefix
        self._lock = threading.Lock()

    def invoke(self, name: str, event: dict[str, Any], timeout_seconds: float = 30.0) -> Any:
        handler = self._loader(name)
        context = LocalContext(f"{self._prefix}-{name}", timeout_seconds=timeout_seconds)
        with self._lock:
            try:
                return handler(event, context)
            finally:
                _clear_metrics()

    def available(self, name: str) -> bool:
        """Whether the function's handler can be imported (others may still be in progress)."""
        try:
            self._loader(name)
        except (FileNotFoundError, AttributeError):
            return False
        return True


def _clear_metrics() -> None:
    """Each Lambda invocation starts with no pending metrics; Powertools keeps them per process."""
    from aws_lambda_powertools import Metrics

    Metrics().clear_metrics()
