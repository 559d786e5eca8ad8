"""web/gamify-api.d.ts is generated from docs/openapi.json: stale means a failing test, as for
the OpenAPI document itself (``python -m gamification.local.web_types`` rewrites it)."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from gamification.local.web_types import DOCUMENT, OUTPUT, typescript


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(DOCUMENT.read_text(encoding="utf-8"))
    return loaded


def test_the_checked_in_declarations_are_current(document: dict[str, Any]) -> None:
    assert OUTPUT.read_text(encoding="utf-8") == typescript(document), (
        "web/gamify-api.d.ts is stale: run `python -m gamification.local.web_types`"
    )


def test_a_changed_document_makes_them_stale(document: dict[str, Any]) -> None:
    changed = copy.deepcopy(document)
    changed["components"]["schemas"]["CohortEntryOut"]["properties"]["streak"] = {"type": "integer"}

    assert typescript(changed) != OUTPUT.read_text(encoding="utf-8")
    assert "  streak?: number;" in typescript(changed)


def test_the_widgets_routes_are_typed(document: dict[str, Any]) -> None:
    text = typescript(document)

    assert '"GET /v1/me/league": MyLeagueOut;' in text
    assert '"GET /v1/me/quests": UserQuestsOut;' in text
    assert "  zones: ZonesOut | null;" in text
    assert '  movement: "promoted" | "demoted" | "stayed";' in text
    assert "  frozen_days: Array<string>;" in text
