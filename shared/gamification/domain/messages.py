"""The engine's notification texts in each user's language: templates as data.

One catalogue per locale (``data/messages/<locale>.json``: ``en``, ``de``); a deployment adds a
language by adding a file there (in its layer) and it becomes a valid ``locale`` setting. A text
is rendered when the notification is created and stored as rendered, so the feed, push and
export show what the user was sent. A key a catalogue lacks falls back to English; a template
may only use the placeholders its English original has (checked when the catalogues load, and
by a test over the shipped ones).

Plurals: a template may be ``{"plural": "<placeholder>", "one": ..., "other": ...}``, chosen by
that number (1 is ``one``: the rule of English and German; a language with more forms would
add them here). Numbers are written plainly (``1234``), as the widgets' API values are.

Admin content (badge, quest and league names, badge descriptions) is shown as the admin wrote
it: the catalogue translates the engine's own words, not a deployment's content.
"""

from __future__ import annotations

import json
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from gamification.domain.catalog import DATA_DIR

MESSAGES_DIR = DATA_DIR / "messages"
DEFAULT_LOCALE = "en"
LOCALE_PATTERN = r"^[a-z]{2,3}(-[A-Z]{2})?$"

Template = str | Mapping[str, str]


class MessageCatalogueError(ValueError):
    """A catalogue that would render a wrong or broken text (say which key and why)."""


@dataclass(frozen=True, slots=True)
class Messages:
    """Every locale's templates; ``text`` renders one."""

    catalogues: Mapping[str, Mapping[str, Template]]

    @property
    def locales(self) -> frozenset[str]:
        return frozenset(self.catalogues)

    def text(self, locale: str, key: str, **params: object) -> str:
        template = self.catalogues.get(locale, {}).get(key)
        if template is None:
            template = self.catalogues[DEFAULT_LOCALE][key]
        return _choose(template, params).format(**params)

    def check(self) -> None:
        """Raise unless English has every key and every other template fits its English one."""
        english = self.catalogues.get(DEFAULT_LOCALE)
        if english is None:
            raise MessageCatalogueError(f"no {DEFAULT_LOCALE!r} catalogue")
        for locale, catalogue in self.catalogues.items():
            if not re.match(LOCALE_PATTERN, locale):
                raise MessageCatalogueError(f"{locale!r} is not a locale like 'en' or 'pt-BR'")
            for key, template in catalogue.items():
                if key not in english:
                    raise MessageCatalogueError(f"{locale}: {key!r} is not an English key")
                extra = _placeholders(template) - _placeholders(english[key])
                if extra:
                    raise MessageCatalogueError(
                        f"{locale}: {key!r} uses {sorted(extra)}, which its English text lacks"
                    )


def _choose(template: Template, params: Mapping[str, object]) -> str:
    if isinstance(template, str):
        return template
    return template["one"] if params.get(template["plural"]) == 1 else template["other"]


def _placeholders(template: Template) -> set[str]:
    forms = [template] if isinstance(template, str) else [template["one"], template["other"]]
    found = {field for form in forms for _, field, _, _ in string.Formatter().parse(form) if field}
    if not isinstance(template, str):
        found.add(template["plural"])
    return found


def load_messages(folder: Path = MESSAGES_DIR) -> Messages:
    """Every ``<locale>.json`` in ``folder`` (keys starting with ``_`` are comments), checked."""
    catalogues: dict[str, dict[str, Template]] = {}
    for path in sorted(folder.glob("*.json")):
        raw: dict[str, Any] = json.loads(path.read_bytes())
        catalogues[path.stem] = {
            k: _template(path.stem, k, v) for k, v in raw.items() if k[0] != "_"
        }
    messages = Messages(catalogues)
    messages.check()
    return messages


def _template(locale: str, key: str, value: object) -> Template:
    if isinstance(value, str):
        return value
    if (
        isinstance(value, dict)
        and set(value) == {"plural", "one", "other"}
        and all(isinstance(v, str) for v in value.values())
    ):
        return value
    raise MessageCatalogueError(
        f"{locale}: {key!r} must be a text or {{'plural', 'one', 'other'}} texts"
    )


@cache
def default_messages() -> Messages:
    """The shipped catalogues (and any a deployment added beside them), loaded once."""
    return load_messages()


def text(locale: str, key: str, **params: object) -> str:
    """One text in ``locale`` (English where that catalogue lacks the key)."""
    return default_messages().text(locale, key, **params)


def known_locale(value: str) -> str:
    """``value`` if some catalogue speaks it (what the ``locale`` setting accepts)."""
    known = default_messages().locales
    if value not in known:
        raise ValueError(f"unknown locale {value!r}; known: {', '.join(sorted(known))}")
    return value
