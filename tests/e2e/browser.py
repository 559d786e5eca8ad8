"""What the Chromium modules share: a page in a fresh context that keeps its script errors,
and axe's serious and critical findings (each module still skips itself without Chromium)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from types import ModuleType
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM = os.environ.get("GAMIFY_CHROMIUM", "/usr/bin/chromium")


def playwright_or_skip(*, axe: bool = False) -> ModuleType:
    """Playwright's sync API for a module that drives Chromium, called at import. Without
    Chromium the module is skipped, except in CI, which installs it (.ci/run): there its
    absence fails the module's tests instead of hiding them."""
    if not shutil.which(CHROMIUM) and not os.environ.get("CI"):
        reason = f"no Chromium at {CHROMIUM} (apt-get install chromium)"
        pytest.skip(reason, allow_module_level=True)
    api: ModuleType = pytest.importorskip("playwright.sync_api")
    if axe:
        pytest.importorskip("axe_playwright_python.sync_playwright")  # axe_serious
    return api


def launched_chromium(api: ModuleType) -> Iterator[Browser]:
    """The system Chromium (Playwright's own download cannot work here), for a module fixture."""
    with api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


def new_page(browser: Browser, *, scheme: str, width: int) -> Page:
    """Reduced motion with the dark scheme, so both settings are seen; ``page.errors`` lists
    the page's uncaught script errors."""
    context = browser.new_context(
        viewport={"width": width, "height": 900},
        color_scheme=scheme,  # type: ignore[arg-type]
        reduced_motion="reduce" if scheme == "dark" else "no-preference",
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.errors = errors  # type: ignore[attr-defined]
    return page


def axe_serious(page: Page) -> list[dict[str, Any]]:
    from axe_playwright_python.sync_playwright import Axe  # type: ignore[import-untyped]

    violations: list[dict[str, Any]] = Axe().run(page).response["violations"]
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in violations
        if v["impact"] in {"serious", "critical"}
    ]
