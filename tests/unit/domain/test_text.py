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
    with pytest.raises(ValueError, match="control, format or separator"):
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
