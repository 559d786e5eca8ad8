"""The widgets' shipped sources, read as text (no browser): the TypeScript declarations cover
every export and element of gamify.js, and the German catalogue has every English message.

The widgets run in tests/e2e (Chromium); these checks fail fast when a change forgets one side.
"""

from __future__ import annotations

import re

from gamification.local.demo_site import default_web_dir

WEB = default_web_dir()


def _catalogues() -> dict[str, set[str]]:
    """Message keys per language: the keys at the catalogue's indentation in i18n.js."""
    source = (WEB / "gamify" / "i18n.js").read_text()
    blocks = re.split(r"^  (\w+): \{$", source, flags=re.MULTILINE)
    # split gives [before, lang, body, lang, body, ...]
    return {
        lang: set(re.findall(r"^    (\w+):", body, flags=re.MULTILINE))
        for lang, body in zip(blocks[1::2], blocks[2::2], strict=True)
    }


def test_german_has_every_english_message() -> None:
    catalogues = _catalogues()

    assert set(catalogues) >= {"en", "de"}
    assert len(catalogues["en"]) > 50
    assert catalogues["en"] - catalogues["de"] == set()
    assert catalogues["de"] - catalogues["en"] == set()


def test_every_message_a_widget_asks_for_is_in_the_catalogue() -> None:
    asked: set[str] = set()
    for module in (WEB / "gamify").glob("*.js"):
        asked |= set(re.findall(r"\bt\(\s*\"(\w+)\"", module.read_text()))

    assert asked, "the widgets call t(...)"
    assert asked - _catalogues()["en"] == set()


def test_the_declarations_cover_every_export_and_element() -> None:
    module = (WEB / "gamify.js").read_text()
    declarations = (WEB / "gamify.d.ts").read_text()
    exported = set(re.findall(r"export (?:const|function|class) (\w+)", module))
    for names in re.findall(r"export \{([^}]*)\}", module):
        exported |= {name.strip() for name in names.split(",") if name.strip()}
    elements = set(re.findall(r"\"(gamify-[a-z-]+)\": Gamify", module))

    declared = set(
        re.findall(r"export (?:const|function|class|type|interface) (\w+)", declarations)
    )
    assert len(elements) == 11
    assert exported - declared == set()
    assert all(f'"{element}": Gamify' in declarations for element in elements)
