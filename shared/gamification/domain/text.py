"""Which characters ids and display names may hold: the domain's text rules.

Ids and names end up in keys, logs, leaderboards and other users' screens. Control characters
break logs; format characters (bidi overrides, zero-width spaces, the BOM) make one string look
like another (``"\\u202eevil"`` renders as ``"live"``); separators other than the plain space
break lines or pass for blanks. So ids refuse every character of :data:`REFUSED_CATEGORIES`, and
display names do too except U+0020. A display name is also NFC-normalised (one stored spelling
per rendering) and bounded in UTF-8 bytes, the unit DynamoDB bills and limits by.

The refused characters are spelled out as ranges (:data:`REFUSED_RANGES`), not looked up in
``unicodedata`` at run time: the same ranges make the OpenAPI patterns, so the document states
exactly what is enforced, and a test checks them against the categories.
"""

from __future__ import annotations

import re
import unicodedata

REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp", "Zs"})
"""Control, format, surrogate, and line/paragraph/space separators."""

REFUSED_RANGES: tuple[tuple[int, int], ...] = (
    (0x0000, 0x0020),
    (0x007F, 0x00A0),
    (0x00AD, 0x00AD),
    (0x0600, 0x0605),
    (0x061C, 0x061C),
    (0x06DD, 0x06DD),
    (0x070F, 0x070F),
    (0x0890, 0x0891),
    (0x08E2, 0x08E2),
    (0x1680, 0x1680),
    (0x180E, 0x180E),
    (0x2000, 0x200F),
    (0x2028, 0x202F),
    (0x205F, 0x2064),
    (0x2066, 0x206F),
    (0x3000, 0x3000),
    (0xD800, 0xDFFF),
    (0xFEFF, 0xFEFF),
    (0xFFF9, 0xFFFB),
    (0x110BD, 0x110BD),
    (0x110CD, 0x110CD),
    (0x13430, 0x13438),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0001, 0xE0001),
    (0xE0020, 0xE007F),
)
"""Every code point of :data:`REFUSED_CATEGORIES` (Unicode 14, Python 3.11's database)."""

SPACE = 0x20
DISPLAY_NAME_MAX_CHARS = 64
DISPLAY_NAME_MAX_BYTES = 256
"""64 characters of at most 4 UTF-8 bytes each: the stored name never exceeds this."""


def _escape(code_point: int) -> str:
    return f"\\u{code_point:04x}" if code_point <= 0xFFFF else f"\\U{code_point:08x}"


def _char_class(allow_space: bool) -> str:
    """The refused ranges as the inside of a regex class, portable to JSON Schema clients.

    Surrogates are left out: no regex engine of a UTF-8 world (pydantic's Rust one included) can
    name them; :func:`refused_character` refuses them in Python.
    """
    parts: list[str] = []
    for low, high in REFUSED_RANGES:
        if low >= 0xD800 and high <= 0xDFFF:
            continue
        if allow_space and low <= SPACE <= high:
            if low < SPACE:
                parts.append(f"{_escape(low)}-{_escape(SPACE - 1)}")
            if high > SPACE:
                parts.append(f"{_escape(SPACE + 1)}-{_escape(high)}")
            continue
        parts.append(_escape(low) if low == high else f"{_escape(low)}-{_escape(high)}")
    return "".join(parts)


ID_REFUSED_CLASS = _char_class(allow_space=False)
"""For ``[^...]`` in id patterns."""
NAME_REFUSED_CLASS = _char_class(allow_space=True)
"""For ``[^...]`` in display-name patterns (the plain space is allowed)."""

_ID_REFUSED = re.compile(f"[{ID_REFUSED_CLASS}\ud800-\udfff]")
_NAME_REFUSED = re.compile(f"[{NAME_REFUSED_CLASS}\ud800-\udfff]")


def refused_character(text: str, *, allow_space: bool = False) -> str | None:
    """The first refused character of ``text`` as ``U+XXXX``, or None when it has none."""
    found = (_NAME_REFUSED if allow_space else _ID_REFUSED).search(text)
    return None if found is None else f"U+{ord(found.group()):04X}"


def check_id(value: str) -> str:
    """``value`` if it holds no refused character, else ``ValueError`` naming the first."""
    bad = refused_character(value)
    if bad is not None:
        raise ValueError(f"must not contain control, format or separator characters ({bad})")
    return value


def display_name(value: str) -> str:
    """The stored form of a display name: trimmed, NFC, no refused character, bounded."""
    name = unicodedata.normalize("NFC", value.strip())
    if not name:
        raise ValueError("must not be blank")
    bad = refused_character(name, allow_space=True)
    if bad is not None:
        raise ValueError(
            f"must not contain control, format or separator characters other than a space ({bad})"
        )
    if len(name) > DISPLAY_NAME_MAX_CHARS or len(name.encode()) > DISPLAY_NAME_MAX_BYTES:
        raise ValueError(
            f"at most {DISPLAY_NAME_MAX_CHARS} characters and {DISPLAY_NAME_MAX_BYTES} UTF-8 bytes"
        )
    return name
