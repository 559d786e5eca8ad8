"""``python -m gamification.local`` (``make local``): run the stack until Ctrl-C or SIGTERM."""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
from types import FrameType

from gamification.local.stack import LocalStack, StackInfo

READY = "gamify local stack ready on {url}"


def main() -> int:
    _configure_logging()
    stopping = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)

    port = int(os.environ.get("PORT", "3000"))
    stack = LocalStack(port=port)
    try:
        info = stack.start()
    except OSError as error:
        print(f"gamify local stack could not start: {error}", file=sys.stderr, flush=True)
        return 1
    try:
        _announce(info)
        while not stopping.wait(0.5):
            pass
        print("gamify local stack stopping…", flush=True)
    finally:
        stack.stop()
    print("gamify local stack stopped", flush=True)
    return 0


def _configure_logging() -> None:
    """The stack's own lines on stderr; the handlers log JSON to stdout, as on Lambda."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("gamify-local | %(levelname)s %(message)s"))
    log = logging.getLogger("gamify.local")
    log.addHandler(handler)
    log.setLevel(os.environ.get("GAMIFY_LOCAL_LOG_LEVEL", "INFO"))
    log.propagate = False


def _announce(info: StackInfo) -> None:
    missing = sorted(name for name, ok in info.functions.items() if not ok)
    lines = [
        f"AWS (moto):   {info.aws_endpoint}   (aws --endpoint-url {info.aws_endpoint} ...)",
        f"Redis:        {info.redis_kind} at {info.redis_url}",
        f"Badges:       {info.badges} in the catalog (the shipped defaults until an admin edits)",
        f"Back-dating:  {os.environ['GAMIFY_MAX_BACKDATE_HOURS']} h (GAMIFY_MAX_BACKDATE_HOURS)",
        f"Demo page:    {info.base_url}/?user=alice   (widgets from web/, dev sign-in)",
        f"API:          {info.base_url}/v1",
        f"Docs:         {info.base_url}/v1/docs",
        "Auth (local only): Authorization: Bearer dev:<user_id> | dev:<user_id>:admin | "
        "dev-service",
    ]
    if missing:
        lines.append(f"Missing functions (their routes answer 502): {', '.join(missing)}")
    for line in lines:
        print(line, flush=True)
    print(READY.format(url=info.base_url), flush=True)


if __name__ == "__main__":
    sys.exit(main())
