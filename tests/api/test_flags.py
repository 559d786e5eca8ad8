"""The admins' flag review routes through the real handler: list, clear, confirm; admins only."""

from __future__ import annotations

from datetime import UTC, datetime

from gamification import composition
from gamification.domain.flags import Flag, Rule
from gamification.domain.profile_records import UserChange
from tests.api import seed
from tests.api.support import Api, admin, user

AT = datetime(2026, 11, 27, 12, 0, 40, tzinfo=UTC)


def _flag(user_id: str, window: str = "2026-11-27T12:00") -> Flag:
    """Raise a velocity flag on a stored profile, as the consumer's commit does."""
    seed.profile(user_id, 700)
    users = composition.user_repository()
    before = users.load(user_id)
    flag = Flag(rule=Rule.VELOCITY, observed=75, threshold=61, window=window, at=AT)
    state = before.state.model_copy(update={"flag": flag})
    users.commit(UserChange(before=before, state=state, now=AT))
    return flag


def test_admins_list_flags_page_by_page_with_the_evidence(api: Api) -> None:
    for name in ("ann", "bob", "cat"):
        _flag(name)

    first = api.get("/v1/admin/flags", as_=admin(), query={"limit": "2"})
    assert first.status == 200, first.text
    assert first.json["flags"][0] == {
        "user_id": "ann",
        "rule": "velocity",
        "observed": 75,
        "threshold": 61,
        "window": "2026-11-27T12:00",
        "flagged_at": "2026-11-27T12:00:40Z",
    }
    rest = api.get(
        "/v1/admin/flags", as_=admin(), query={"limit": "2", "cursor": first.json["next_cursor"]}
    )
    users = [f["user_id"] for f in first.json["flags"] + rest.json["flags"]]
    assert users == ["ann", "bob", "cat"]
    bad = api.get("/v1/admin/flags", as_=admin(), query={"cursor": "eyJzayI6IlRFQU0jeCJ9"})
    assert bad.status == 400


def test_clear_and_confirm_close_the_flag_and_confirm_excludes(api: Api) -> None:
    _flag("ann")
    _flag("mallory")

    cleared = api.post("/v1/admin/flags/ann/clear", as_=admin())
    again = api.post("/v1/admin/flags/ann/clear", as_=admin())
    confirmed = api.post("/v1/admin/flags/mallory/confirm", as_=admin())

    assert cleared.status == 200, cleared.text
    assert cleared.json == {
        "user_id": "ann",
        "rule": "velocity",
        "review": "cleared",
        "excluded": False,
    }
    assert again.status == 404
    assert again.error["code"] == "flag_not_found"
    assert confirmed.status == 200, confirmed.text
    assert (confirmed.json["review"], confirmed.json["excluded"]) == ("confirmed", True)
    export = api.get("/v1/admin/users/mallory/export", as_=admin()).json
    assert export["profile"]["leaderboards"]["exclusion_reason"].startswith("cheating confirmed")
    assert api.get("/v1/admin/flags", as_=admin()).json["flags"] == []


def test_confirm_takes_an_optional_body_and_names_a_bad_field(api: Api) -> None:
    _flag("bob")
    wrong = api.post("/v1/admin/flags/bob/confirm", as_=admin(), body={"exclude": "yes"})
    kept = api.post("/v1/admin/flags/bob/confirm", as_=admin(), body={"exclude": False})

    assert wrong.status == 422, wrong.text
    assert "body.exclude" in wrong.error_fields()
    assert kept.status == 200, kept.text
    assert kept.json["excluded"] is False


def test_only_admins_see_or_review_flags(api: Api) -> None:
    _flag("ann")
    alice = user("alice")

    assert api.get("/v1/admin/flags", as_=alice).status == 403
    assert api.post("/v1/admin/flags/ann/clear", as_=alice).status == 403
    assert api.post("/v1/admin/flags/ann/confirm", as_=alice).status == 403
    assert api.get("/v1/admin/flags").status == 401
    assert len(api.get("/v1/admin/flags", as_=admin()).json["flags"]) == 1  # untouched
