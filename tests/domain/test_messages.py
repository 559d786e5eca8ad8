"""Notification texts in the user's language: the shipped catalogues are complete and safe, a
deployment can add one, and the engine writes each notification in the locale it was made for."""

from __future__ import annotations

import json
import string
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError

from gamification.domain import notifications
from gamification.domain.game_rules import default_game_rules
from gamification.domain.leagues import Movement, Outcome, result_message
from gamification.domain.messages import (
    DEFAULT_LOCALE,
    MESSAGES_DIR,
    MessageCatalogueError,
    Messages,
    default_messages,
    load_messages,
)
from gamification.domain.notifications import NotificationKind
from gamification.domain.state import UserSettings, UserState
from tests.domain.builders import USER, activity, apply

NOW = datetime(2026, 12, 2, 12, tzinfo=UTC)


def _params(template: object) -> dict[str, object]:
    forms = [template] if isinstance(template, str) else [template["one"], template["other"]]  # type: ignore[index]
    names = {f for form in forms for _, f, _, _ in string.Formatter().parse(form) if f}
    return dict.fromkeys(names, 2)


def test_every_shipped_text_renders_in_every_locale_with_the_english_parameters() -> None:
    messages = default_messages()
    english = messages.catalogues[DEFAULT_LOCALE]
    assert {"en", "de"} <= messages.locales
    for locale in messages.locales:
        for key, template in english.items():
            params = _params(template)
            if not isinstance(template, str):
                params[template["plural"]] = 2
            rendered = messages.text(locale, key, **params)
            assert rendered.strip(), (locale, key)
            assert "{" not in rendered, (locale, key)
    german = set(messages.catalogues["de"])
    assert german == set(english), "the German catalogue translates every text"


def test_german_texts_and_their_plurals() -> None:
    level = notifications.level_up(user_id="u", old=1, new=2, now=NOW, push=False, locale="de")
    assert (level.title, level.message) == (
        "Level 2!",
        "Du bist von Level 1 auf Level 2 aufgestiegen.",
    )
    one = notifications.freeze_used(
        user_id="u", day="2026-12-01", streak_days=1, used_at=NOW, push=False, locale="de"
    )
    many = notifications.freeze_used(
        user_id="u", day="2026-12-01", streak_days=12, used_at=NOW, push=False, locale="de"
    )
    assert "deine Serie von 1 Tag ist sicher" in one.message
    assert "deine Serie von 12 Tagen ist sicher" in many.message
    reminder = notifications.streak_reminder(
        user_id="u", streak_days=5, local_day="2026-12-02", tonight=True, now=NOW, locale="de"
    )
    assert reminder.message.startswith("Deine Serie von 5 Tagen endet heute Nacht")


def test_english_is_unchanged_and_the_default() -> None:
    quest = notifications.quest_completed(
        user_id="u", quest_id="q", name="Weekend", xp=0, now=NOW, push=False
    )
    assert (quest.title, quest.message) == ("Quest Complete: Weekend", "Well done!")
    digest = notifications.within([quest] * 3, 2, locale="de")[-1]
    assert (digest.title, digest.message) == (
        "Und 2 weitere",
        "Außerdem: " + "; ".join([quest.title] * 2),
    )


def test_league_results_name_the_tier_as_the_admin_wrote_it() -> None:
    rules = default_game_rules().leagues
    outcome = Outcome(week="2026-W49", rank=3, from_tier=0, to_tier=1, xp=120)
    assert outcome.movement is Movement.PROMOTED
    title, message = result_message(outcome, rules, "de")
    assert title == f"Aufgestiegen in die {rules.tier(1).name}-Liga!"
    assert message == "Du hast Woche 2026-W49 auf Platz 3 mit 120 XP beendet."


def test_a_missing_key_falls_back_to_english() -> None:
    messages = Messages({"en": {"k": "Hello {name}"}, "fr": {}})
    assert messages.text("fr", "k", name="Ada") == "Hello Ada"


@pytest.mark.parametrize(
    ("catalogues", "problem"),
    [
        ({"en": {"k": "Hi"}, "de": {"k": "Hallo {name}"}}, "uses ['name']"),
        ({"en": {"k": "Hi"}, "de": {"other": "Hallo"}}, "not an English key"),
        ({"de": {"k": "Hallo"}}, "no 'en' catalogue"),
        ({"en": {"k": "Hi"}, "German": {"k": "Hallo"}}, "is not a locale"),
    ],
)
def test_a_catalogue_that_would_render_wrong_text_is_refused(
    catalogues: dict[str, dict[str, str]], problem: str
) -> None:
    with pytest.raises(MessageCatalogueError, match=problem.replace("[", r"\[")):
        Messages(catalogues).check()


def test_a_deployment_adds_a_language_with_a_file(tmp_path: Path) -> None:
    for path in MESSAGES_DIR.glob("*.json"):
        (tmp_path / path.name).write_bytes(path.read_bytes())
    (tmp_path / "fr.json").write_text(json.dumps({"level_up.title": "Niveau {new} !"}))
    messages = load_messages(tmp_path)
    assert messages.text("fr", "level_up.title", new=3) == "Niveau 3 !"
    assert (
        messages.text("fr", "level_up.message", old=2, new=3) == "You advanced from level 2 to 3."
    )
    (tmp_path / "es.json").write_text(json.dumps({"level_up.title": {"one": "x"}}))
    with pytest.raises(MessageCatalogueError, match=r"level_up\.title"):
        load_messages(tmp_path)


def test_the_setting_accepts_only_a_language_some_catalogue_speaks() -> None:
    assert UserSettings(locale="de").locale == "de"
    with pytest.raises(ValidationError, match="unknown locale 'xx'; known: de, en"):
        UserSettings(locale="xx")


def test_the_engine_writes_a_users_notifications_in_their_language() -> None:
    german = UserState.new(USER, UserSettings(locale="de"))
    step = apply(german, [activity("post_read", f"p{i}", NOW) for i in range(12)])
    by_kind = {n.kind: n for n in step.effects.notifications}
    assert by_kind[NotificationKind.LEVEL_UP].message.startswith("Du bist von Level 0 auf")
    assert by_kind[NotificationKind.BADGE_EARNED].title.startswith("Abzeichen freigeschaltet: ")
