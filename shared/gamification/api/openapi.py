"""Write the OpenAPI document to a file: ``python -m gamification.api.openapi docs/openapi.json``.

``make openapi`` runs this; a test regenerates the document and fails when the file is stale.
"""

from __future__ import annotations

import sys
from pathlib import Path

from gamification.api.app import openapi_json

DEFAULT_PATH = Path("docs/openapi.json")


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    target = Path(args[0]) if args else DEFAULT_PATH
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(openapi_json(), encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
