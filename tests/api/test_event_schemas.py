"""The event catalog's schemas: published under docs/events/ (current) and served by the API."""

from __future__ import annotations

from pathlib import Path

from gamification.api.event_schemas import files
from gamification.domain.event_catalog import schemas
from tests.api.support import Api

FOLDER = Path(__file__).resolve().parents[2] / "docs" / "events"


def test_the_published_schemas_are_current() -> None:
    published = {p.name: p.read_text(encoding="utf-8") for p in FOLDER.glob("*.json")}
    assert published == files(), "run `make openapi`"


def test_the_api_serves_every_schema_without_sign_in(api: Api) -> None:
    response = api.get("/v1/events/schema")

    assert response.status == 200
    assert response.json == schemas()
    assert "badge.earned" in response.json
