"""The receivers' verifiers published in docs/events.md accept what the sender signs, and refuse
a changed body, another secret and a stale timestamp (the Python snippet always; the JavaScript
one with the machine's Node.js)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import time_machine

from gamification.domain.webhooks import signature

DOC = Path(__file__).resolve().parents[2] / "docs" / "events.md"
NOW = 1_798_761_599
"""2026-12-31T23:59:59Z: a fixed instant (a year turn), not today."""
SECRET = "whsec_" + "ab" * 24
BODY = json.dumps({"id": "evt_1", "type": "badge.earned", "data": {"badge_id": "é"}}).encode()


def _snippet(language: str) -> str:
    blocks = re.findall(rf"```{language}\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    [code] = [str(b) for b in blocks if "def verify" in b or "function verify" in b]
    return code


def _cases(now: int) -> list[tuple[str, bytes, bool]]:
    return [
        (signature(SECRET, now, BODY), BODY, True),
        (signature(SECRET, now, BODY), BODY + b" ", False),
        (signature("whsec_other" + "0" * 32, now, BODY), BODY, False),
        (signature(SECRET, now - 301, BODY), BODY, False),
        ("t=abc,v1=00", BODY, False),
    ]


def test_the_python_verifier_accepts_what_the_sender_signs() -> None:
    scope: dict[str, object] = {}
    exec(_snippet("python"), scope)
    verify = scope["verify"]
    assert callable(verify)
    check: Callable[[str, str, bytes], bool] = verify
    with time_machine.travel(NOW, tick=False):  # the snippet reads time.time()
        results = [(check(SECRET, h, b), e, h) for h, b, e in _cases(NOW)]
    for got, expected, header in results:
        assert got is expected, header


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")
def test_the_javascript_verifier_accepts_what_the_sender_signs(tmp_path: Path) -> None:
    cases = [{"header": h, "body": b.decode(), "expected": e} for h, b, e in _cases(NOW)]
    script = tmp_path / "verify.js"
    script.write_text(
        # The snippet reads Node's clock: pinned to the instant the cases are signed at.
        f"Date.now = () => {NOW * 1000};\n"
        + _snippet("javascript")
        + f"\nconst cases = {json.dumps(cases)};\n"
        + f"const secret = {json.dumps(SECRET)};\n"
        + "console.log(JSON.stringify(cases.map((c) => "
        + "verify(secret, c.header, Buffer.from(c.body)) === c.expected)));\n",
        encoding="utf-8",
    )
    node = shutil.which("node")
    assert node is not None
    out = subprocess.run([node, str(script)], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == [True] * len(cases)
