"""Write the event catalog's JSON Schemas to docs/events/ (``make openapi``; a test fails while
they are stale): one file per type and version, so a published version is never rewritten."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from gamification.domain.event_catalog import CATALOG, json_schema


def files() -> dict[str, str]:
    """File name -> content of every published schema."""
    return {
        f"{name}.v{spec.schema_version}.json": json.dumps(json_schema(name), indent=2) + "\n"
        for name, spec in sorted(CATALOG.items())
    }


def main(folder: str) -> None:
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    for name, content in files().items():
        (out / name).write_text(content, encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "docs/events")
