"""User settings are validated by the domain, wherever they come from."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from gamification.domain.state import UserSettings


def test_display_names_are_trimmed() -> None:
    assert UserSettings(display_name="  Ada  ").display_name == "Ada"


@pytest.mark.parametrize("name", ["", "   ", "\t\n"])
def test_a_blank_display_name_is_refused_naming_the_field(name: str) -> None:
    with pytest.raises(ValidationError, match="display_name") as caught:
        UserSettings(display_name=name)
    assert "must not be blank" in str(caught.value)


def test_an_unknown_timezone_is_refused_naming_the_field() -> None:
    with pytest.raises(ValidationError, match="timezone"):
        UserSettings(timezone="Mars/Olympus_Mons")


def test_no_name_is_allowed() -> None:
    assert UserSettings().display_name is None


@pytest.mark.parametrize("name", ["localtime", "Factory", "posixrules"])
def test_database_entries_that_are_not_places_are_refused(name: str) -> None:
    """``localtime`` means whatever the host is set to: a different day on every machine."""
    with pytest.raises(ValidationError, match="timezone"):
        UserSettings(timezone=name)


@pytest.mark.parametrize("name", ["UTC", "Europe/Paris", "America/Argentina/Buenos_Aires"])
def test_iana_zone_names_are_accepted(name: str) -> None:
    assert UserSettings(timezone=name).timezone == name
