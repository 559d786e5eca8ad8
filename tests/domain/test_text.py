"""The text rules of ids and display names (domain/text.py), checked against Unicode itself."""

from __future__ import annotations

import sys
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from gamification.domain import text
from gamification.domain.activity import Activity
from gamification.domain.state import UserSettings

ALL_CODE_POINTS = range(sys.maxunicode + 1)


def test_the_ranges_are_exactly_the_refused_categories() -> None:
    """Every code point of Cc, Cf, Cs, Zl, Zp and Zs is in the ranges, and nothing else is."""
    assert {"Cc", "Cf", "Cs", "Zl", "Zp", "Zs"} == text.REFUSED_CATEGORIES
    in_ranges = {cp for low, high in text.REFUSED_RANGES for cp in range(low, high + 1)}
    in_categories = {
        cp for cp in ALL_CODE_POINTS if unicodedata.category(chr(cp)) in text.REFUSED_CATEGORIES
    }
    assert sorted(f"U+{cp:04X}" for cp in in_ranges ^ in_categories) == []


@pytest.mark.parametrize(
    ("category", "example"),
    [
        ("Cc", "\x00"),  # NUL
        ("Cc", "\x1b"),  # escape: terminal control sequences in logs
        ("Cc", "\x85"),  # next line
        ("Cf", "\u202e"),  # right-to-left override: "\u202eevil" renders as "live"
        ("Cf", "\u200b"),  # zero-width space
        ("Cf", "\ufeff"),  # byte-order mark
        ("Cf", "\u2066"),  # left-to-right isolate
        ("Cf", "\U000e0041"),  # tag character
        ("Cs", "\ud800"),  # lone surrogate
        ("Zl", "\u2028"),  # line separator
        ("Zp", "\u2029"),  # paragraph separator
        ("Zs", "\u00a0"),  # no-break space
        ("Zs", "\u3000"),  # ideographic space
    ],
)
def test_each_refused_category_is_refused_in_ids_and_names(category: str, example: str) -> None:
    assert unicodedata.category(example) == category
    with pytest.raises(ValueError, match="control, format or separator"):
        text.check_id(f"post{example}1")
    with pytest.raises(ValueError, match="control, format, separator or invisible"):
        text.display_name(f"Ann{example}Lee")


def test_ids_refuse_the_plain_space_and_names_allow_it() -> None:
    with pytest.raises(ValueError, match=r"U\+0020"):
        text.check_id("post 1")
    assert text.display_name("Ann Lee") == "Ann Lee"


def test_display_names_are_trimmed_nfc_and_bounded() -> None:
    assert text.display_name("  Cafe\u0301 ") == "Caf\u00e9"  # one stored spelling
    assert text.display_name("\u00e9" * 64) == "\u00e9" * 64
    with pytest.raises(ValueError, match="at most 64 characters"):
        text.display_name("e" * 65)
    with pytest.raises(ValueError, match="blank"):
        text.display_name("   ")


@given(st.text(max_size=20))
def test_an_id_is_accepted_exactly_when_no_character_is_in_a_refused_category(
    value: str,
) -> None:
    refused = any(unicodedata.category(c) in text.REFUSED_CATEGORIES for c in value)
    if refused:
        with pytest.raises(ValueError, match="control, format or separator"):
            text.check_id(value)
    else:
        assert text.check_id(value) == value


def test_the_domain_models_apply_the_rules() -> None:
    with pytest.raises(ValidationError, match="display_name"):
        UserSettings(display_name="\u202eevil")
    assert UserSettings(display_name="Zoe\u0308").display_name == "Zo\u00eb"
    with pytest.raises(ValidationError, match="object_id"):
        Activity.model_validate(
            {
                "user_id": "alice",
                "type": "post_read",
                "object_id": "post\u200b1",
                "occurred_at": "2026-01-01T00:00:00Z",
                "received_at": "2026-01-01T00:00:00Z",
            }
        )


DEFAULT_IGNORABLE: tuple[tuple[int, int], ...] = (
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x061C, 0x061C),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x206F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)
"""Default_Ignorable_Code_Point of Unicode's DerivedCoreProperties.txt (15.1): what renders as
nothing. ``unicodedata`` does not expose the property, so it is copied here."""
VARIATION_SELECTORS = {
    *range(0x180B, 0x180E),
    0x180F,
    *range(0xFE00, 0xFE10),
    *range(0xE0100, 0xE01F0),
}


def test_human_text_refuses_every_default_ignorable_but_variation_selectors() -> None:
    ignorable = {cp for low, high in DEFAULT_IGNORABLE for cp in range(low, high + 1)}
    accepted = [
        f"U+{cp:04X}"
        for cp in sorted(ignorable - VARIATION_SELECTORS)
        if text.refused_character(f"a{chr(cp)}b", allow_space=True) is None
    ]
    assert accepted == []
    assert all(text.check_human_chars(f"\u2764{chr(cp)}") for cp in VARIATION_SELECTORS)


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("\u3164", "invisible"),  # HANGUL FILLER (a letter to Unicode)
        ("\u2800", "invisible"),  # BRAILLE PATTERN BLANK (a symbol)
        ("\uffa0", "invisible"),
        ("Bob\u115f", "invisible"),
        ("\u0301", "visible character"),  # a combining mark on nothing
        ("\u0301\u0308\u20dd", "visible character"),
        ("\ufe0f", "visible character"),
        ("\u0903", "visible character"),  # a spacing mark alone
    ],
)
def test_a_name_that_only_looks_blank_is_refused(name: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        text.display_name(name)
    with pytest.raises(ValueError, match=problem):
        text.human_text(name)


@pytest.mark.parametrize("name", ["Zoë", "李小龙", "❤️", "👍🏽", "Ṩ", "१२३", "?!", "$"])
def test_a_visible_character_of_any_script_or_symbol_is_enough(name: str) -> None:
    assert text.display_name(name) == unicodedata.normalize("NFC", name)


def test_a_stored_name_under_an_older_rule_is_dropped_not_fatal() -> None:
    assert text.stored_display_name("\u3164") is None
    assert text.stored_display_name(" Ann ") == "Ann"
    assert text.stored_display_name(None) is None


@given(st.text(max_size=300))
def test_shown_text_is_bounded_and_holds_no_refused_character(value: str) -> None:
    result = text.shown(value)
    assert len(result) <= text.SHOWN_MAX_CHARS * 10 + 1
    assert text.refused_character(result, allow_space=True) is None
    if (
        len(value) <= text.SHOWN_MAX_CHARS
        and text.refused_character(value, allow_space=True) is None
    ):
        assert result == value


def test_shown_escapes_and_cuts_with_an_ellipsis() -> None:
    assert text.shown("\x1b[31m\u202eab", limit=4) == "\\u001b[31…"
    assert text.shown("\U000e0041x") == "\\U000e0041x"


@pytest.mark.parametrize(
    ("hours", "words"),
    [
        (48, "48 hours"),
        (1, "1 hour"),
        (0.5, "30 minutes"),
        (1.5, "90 minutes"),
        (0.025, "90 seconds"),
    ],
)
def test_durations_read_as_people_write_them(hours: float, words: str) -> None:
    from datetime import timedelta

    assert text.duration(timedelta(hours=hours)) == words


@given(st.integers(min_value=1, max_value=10**7))
def test_a_duration_reads_back_to_the_exact_span(seconds: int) -> None:
    """Whole units only: the words always say the exact span (never ``2 days, 0:00:00``)."""
    from datetime import timedelta

    count, unit = text.duration(timedelta(seconds=seconds)).split()
    size = {"hour": 3600, "minute": 60, "second": 1}[unit.removesuffix("s")]
    assert int(count) * size == seconds
    assert unit.endswith("s") == (int(count) != 1)
