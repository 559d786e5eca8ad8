"""``python -m gamification.local`` (``make local``): run the stack until Ctrl-C or SIGTERM."""

from __future__ import annotations

import errno
import logging
import os
import signal
import socket
import sys
import threading
from pathlib import Path
from types import FrameType

from gamification.local import stack_file
from gamification.local.stack import LocalStack, StackInfo

READY = "gamify local stack ready on {url}"
DEFAULT_PORT = 3000


class StartError(Exception):
    """The stack cannot start for a reason the user can fix; the message says how."""


def main() -> int:
    _configure_logging()
    stopping = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)

    try:
        port = port_from(os.environ.get("PORT"))
        state = os.environ.get("GAMIFY_LOCAL_STATE") or None
        stack = LocalStack(port=port, state_dir=Path(state) if state else None)
        info = _start(stack, port)
    except StartError as error:
        print(f"gamify local stack could not start: {error}", file=sys.stderr, flush=True)
        return 2
    advertised = _advertise(info, port)
    try:
        _announce(info)
        while not stopping.wait(0.5):
            pass
        print("gamify local stack stopping…", flush=True)
    finally:
        if advertised is not None:
            stack_file.withdraw(advertised)
        stack.stop()
    print("gamify local stack stopped", flush=True)
    return 0


def _advertise(info: StackInfo, port: int) -> Path | None:
    """This stack's record for the CLI; a stack that cannot write it still runs (``--url``)."""
    where = stack_file.directory()
    try:
        return stack_file.advertise(
            info.base_url, port, where, stack_file.checkout_of(Path.cwd().resolve())
        )
    except OSError as error:
        logging.getLogger("gamify.local").warning(
            "cannot advertise this stack in %s (%s): give the CLI --url %s",
            where,
            error,
            info.base_url,
        )
        return None


def port_from(raw: str | None) -> int:
    if raw is None or raw == "":
        return DEFAULT_PORT
    if not raw.isdigit() or not 1 <= int(raw) <= 65535:
        raise StartError(f"PORT={raw!r} is not a TCP port (an integer from 1 to 65535)")
    return int(raw)


def _start(stack: LocalStack, port: int) -> StackInfo:
    try:
        return stack.start()
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            raise StartError(
                f"port {port} on 127.0.0.1 is already in use (another `make local`?). "
                f"Stop it, or pick another port: PORT={_free_port_near(port)} make local"
            ) from error
        if error.errno == errno.EACCES:
            raise StartError(
                f"port {port} needs privileges; use a port above 1023, e.g. PORT=3000"
            ) from error
        raise StartError(str(error)) from error


def _free_port_near(port: int) -> int:
    for candidate in range(port + 1, min(port + 100, 65535)):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", candidate))
            except OSError:
                continue
            return candidate
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
        f"Badges:       {info.badges} in the catalog at start (`gamify status`: the live count)",
        f"Back-dating:  {os.environ['GAMIFY_MAX_BACKDATE_HOURS']} h (GAMIFY_MAX_BACKDATE_HOURS)",
        f"Demo page:    {info.base_url}/?user=alice   (widgets from web/, dev sign-in)",
        f"API:          {info.base_url}/v1",
        f"Docs:         {info.base_url}/v1/docs",
        "Auth (local only): Authorization: Bearer dev:<user_id> | dev:<user_id>:admin | "
        "dev-service",
        f"State:        {info.state}",
        "CLI:          .venv/bin/gamify --help   (or `source .venv/bin/activate`, then gamify);"
        " it finds this stack on its own",
    ]
    if missing:
        lines.append(f"Missing functions (their routes answer 502): {', '.join(missing)}")
    for line in lines:
        print(line, flush=True)
    print(READY.format(url=info.base_url), flush=True)


if __name__ == "__main__":
    sys.exit(main())
