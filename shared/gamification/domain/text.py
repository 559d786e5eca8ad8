"""Which characters ids and human text may hold, and how text is shown back: the text rules.

Ids and names end up in keys, logs, leaderboards and other users' screens. Control characters
break logs; format characters (bidi overrides, zero-width spaces, the BOM) make one string look
like another (``"\\u202eevil"`` renders as ``"live"``); separators other than the plain space
break lines or pass for blanks. So ids refuse every character of :data:`REFUSED_CATEGORIES`.

Human text (display names, badge and quest names and descriptions, exclusion reasons) refuses the
same except U+0020, and also the characters that render as nothing or as a blank
(:data:`INVISIBLE_RANGES`: the Hangul fillers, the blank Braille pattern, the default-ignorable
code points other than variation selectors), and must hold at least one visible character (a
letter, digit, punctuation mark or symbol): a name of combining marks alone is refused. Human
text is also trimmed and NFC-normalised (one stored spelling per rendering); a display name is
bounded in UTF-8 bytes, the unit DynamoDB bills and limits by.

Text shown back to a caller (an error naming a rejected value) goes through :func:`shown`:
capped, with every refused character spelled ``\\uXXXX``, so an answer cannot carry a megabyte
or a terminal escape.

The refused characters are spelled out as ranges (:data:`REFUSED_RANGES`), not looked up in
``unicodedata`` at run time: the same ranges make the OpenAPI patterns, so the document states
exactly what is enforced, and a test checks them against the categories.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import timedelta
from typing import Annotated

from pydantic import AfterValidator

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

INVISIBLE_RANGES: tuple[tuple[int, int], ...] = (
    (0x034F, 0x034F),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x2065, 0x2065),
    (0x2800, 0x2800),
    (0x3164, 0x3164),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0xE0000, 0xE00FF),
    (0xE01F0, 0xE0FFF),
)
"""Refused in human text besides :data:`REFUSED_RANGES`: what renders as nothing or as a blank
but is a letter, mark or symbol to Unicode (U+3164 HANGUL FILLER, U+2800 BRAILLE PATTERN BLANK),
and the default-ignorable code points outside the refused categories. Variation selectors
(U+180B-U+180F, U+FE00-U+FE0F, U+E0100-U+E01EF) stay allowed: emoji and Mongolian need them."""

VISIBLE_CATEGORIES = frozenset("LNPS")
"""A character of a letter, number, punctuation or symbol category (not a mark, not a filler)
is visible: human text must hold at least one."""

SPACE = 0x20
DISPLAY_NAME_MAX_CHARS = 64
DISPLAY_NAME_MAX_BYTES = 256
"""64 characters of at most 4 UTF-8 bytes each: the stored name never exceeds this."""
SHOWN_MAX_CHARS = 100
"""At most this many characters of a rejected value are shown back in an error."""


def _escape(code_point: int) -> str:
    return f"\\u{code_point:04x}" if code_point <= 0xFFFF else f"\\U{code_point:08x}"


def _char_class(ranges: tuple[tuple[int, int], ...], allow_space: bool) -> str:
    """The refused ranges as the inside of a regex class, portable to JSON Schema clients.

    Surrogates are left out: no regex engine of a UTF-8 world (pydantic's Rust one included) can
    name them; :func:`refused_character` refuses them in Python.
    """
    parts: list[str] = []
    for low, high in sorted(ranges):
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


ID_REFUSED_CLASS = _char_class(REFUSED_RANGES, allow_space=False)
"""For ``[^...]`` in id patterns."""
NAME_REFUSED_CLASS = _char_class(REFUSED_RANGES + INVISIBLE_RANGES, allow_space=True)
"""For ``[^...]`` in human-text patterns (the plain space is allowed, invisible fillers not)."""
HUMAN_TEXT_PATTERN = f"^[^{NAME_REFUSED_CLASS}]+$"
"""What the OpenAPI document states of every human-text field (the visible-character rule is
the one part a pattern cannot say portably; the field descriptions say it)."""

_ID_REFUSED = re.compile(f"[{ID_REFUSED_CLASS}\ud800-\udfff]")
_NAME_REFUSED = re.compile(f"[{NAME_REFUSED_CLASS}\ud800-\udfff]")


def refused_character(text: str, *, allow_space: bool = False) -> str | None:
    """The first refused character of ``text`` as ``U+XXXX``, or None when it has none
    (``allow_space``: the rule of human text, which also refuses :data:`INVISIBLE_RANGES`)."""
    found = (_NAME_REFUSED if allow_space else _ID_REFUSED).search(text)
    return None if found is None else f"U+{ord(found.group()):04X}"


def check_id(value: str) -> str:
    """``value`` if it holds no refused character, else ``ValueError`` naming the first."""
    bad = refused_character(value)
    if bad is not None:
        raise ValueError(f"must not contain control, format or separator characters ({bad})")
    return value


def check_human_chars(value: str) -> str:
    """``value`` if it holds no refused or invisible character, else ``ValueError`` naming the
    first: the part of the human-text rule the OpenAPI pattern states (a request breaking it
    does not match the document: 422)."""
    bad = refused_character(value, allow_space=True)
    if bad is not None:
        raise ValueError(
            "must not contain control, format, separator or invisible characters "
            f"other than a space ({bad})"
        )
    return value


def human_text(value: str) -> str:
    """The stored form of a human-text field: trimmed, NFC, no refused or invisible character,
    at least one visible one. ``ValueError`` says which rule failed (lengths are the field's).
    The visible-character rule is the one no portable pattern states: services apply it (400)."""
    text = unicodedata.normalize("NFC", value.strip())
    if not text:
        raise ValueError("must not be blank")
    check_human_chars(text)
    if not any(unicodedata.category(c)[0] in VISIBLE_CATEGORIES for c in text):
        raise ValueError("must contain a visible character (a letter, digit or symbol)")
    return text


def display_name(value: str) -> str:
    """The stored form of a display name: :func:`human_text`, bounded in characters and bytes."""
    name = human_text(value)
    if len(name) > DISPLAY_NAME_MAX_CHARS or len(name.encode()) > DISPLAY_NAME_MAX_BYTES:
        raise ValueError(
            f"at most {DISPLAY_NAME_MAX_CHARS} characters and {DISPLAY_NAME_MAX_BYTES} UTF-8 bytes"
        )
    return name


def stored_display_name(value: object) -> str | None:
    """A display name read back from storage: ``None`` when it breaks today's rule (a name
    saved before a rule was tightened looked blank or spoofed; the profile must still load)."""
    if not isinstance(value, str):
        return None
    try:
        return display_name(value)
    except ValueError:
        return None


HumanText = Annotated[str, AfterValidator(check_human_chars)]
"""A human-text field of a request: the characters the pattern refuses are refused in words
(add the field's own length bounds and the pattern; the service applies :func:`human_text`)."""


def shown(value: object, limit: int = SHOWN_MAX_CHARS) -> str:
    """``value`` as it may be shown back in an error: at most ``limit`` characters (then ``…``),
    each refused character (controls, bidi overrides, invisibles, surrogates) as ``\\uXXXX``."""
    raw = str(value)
    cut = raw[:limit]
    escaped = _NAME_REFUSED.sub(lambda m: _escape(ord(m.group())), cut)
    return escaped + ("…" if len(raw) > limit else "")


def duration(span: timedelta) -> str:
    """A duration as people write it, in its largest whole unit: ``48 hours``, ``30 minutes``,
    ``90 seconds`` (Python's own spelling is ``2 days, 0:00:00``)."""
    seconds = int(span.total_seconds())
    for unit, size in (("hour", 3600), ("minute", 60)):
        if seconds >= size and seconds % size == 0:
            count = seconds // size
            return f"{count} {unit}{'' if count == 1 else 's'}"
    return f"{seconds} second{'' if seconds == 1 else 's'}"
