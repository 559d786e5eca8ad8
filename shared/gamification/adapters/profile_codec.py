"""How a profile and a day's cap slots are stored: the domain state deflated into one binary
attribute, cap slots packed at a fixed size (inline in the profile, or in a day item), and the
older formats still read. The repository (``user_repository``) decides what to write; this module
only encodes and decodes, as ``notification_codec`` does for notifications."""

from __future__ import annotations

import json
import struct
import zlib
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from gamification.adapters import keys
from gamification.domain import text
from gamification.domain.messages import DEFAULT_LOCALE, default_messages
from gamification.domain.profile_records import (
    AccountMarks,
    Exclusion,
    StoredUser,
)
from gamification.domain.state import CapSlot, UserSettings, UserState, epoch_micros

_STATE_EXCLUDE = {"user_id", "settings", "capped"}
SLOT = struct.Struct(">IqQ")
"""A cap slot as stored: XP (uint32), occurrence in epoch microseconds, key digest: 20 bytes."""


def encode_state(state: UserState) -> str:
    """The domain state as compact JSON (settings and id live in their own attributes, cap
    slots in day items)."""
    return state.model_dump_json(exclude=_STATE_EXCLUDE, exclude_defaults=True)


def pack_state(state: UserState) -> bytes:
    """The state JSON, deflated: badge ids and dates repeat, so a profile stays about half the
    size (DynamoDB bills a write per started KB)."""
    return zlib.compress(encode_state(state).encode(), 9)


def unpack_state(stored: Any) -> dict[str, Any]:
    """A stored state: deflated JSON (binary), or plain JSON as profiles were first written."""
    if isinstance(stored, str):
        body: dict[str, Any] = json.loads(stored)
    else:
        body = json.loads(zlib.decompress(bytes(stored)))
    return body


def encode_slots(slots: Sequence[CapSlot]) -> bytes:
    return b"".join(SLOT.pack(*slot) for slot in slots)


def decode_slots(data: bytes) -> tuple[CapSlot, ...]:
    return tuple(CapSlot(*fields) for fields in SLOT.iter_unpack(data))


_INLINE_SLOT = struct.Struct(">H6sQ")
"""An inline slot: XP (uint16), occurrence as microseconds from the day's UTC midnight (48-bit
signed), the key digest: 16 bytes."""
_DAY_HEAD = struct.Struct(">HB")
"""An inline day: days since 2000-01-01, how many event types follow."""
_TYPE_HEAD = struct.Struct(">BB")
"""An inline day's event type: its index in the blob's name table, how many slots follow."""
_INLINE_EPOCH = date(2000, 1, 1)
_OFFSET_LIMIT = 1 << 47


def _day_start_micros(day: str) -> int:
    return epoch_micros(datetime.fromisoformat(day).replace(tzinfo=UTC))


def _inlinable(day: str, buckets: Mapping[str, Sequence[CapSlot]], most: int) -> bool:
    """Whether a day fits the inline form: few slots, small XP, short names."""
    start = _day_start_micros(day)
    slots = [slot for s in buckets.values() for slot in s]
    return (
        len(slots) <= most
        and len(buckets) < 256
        and all(len(name.encode()) < 256 for name in buckets)
        and all(0 <= s.xp < 1 << 16 and abs(s.at - start) < _OFFSET_LIMIT for s in slots)
        and 0 <= (date.fromisoformat(day) - _INLINE_EPOCH).days < 1 << 16
    )


def encode_inline(days: Mapping[str, Mapping[str, Sequence[CapSlot]]]) -> bytes:
    """Inline days as one binary value: a table of the event type names, then per day its
    number and types, per type its name's index and slots (16 bytes each)."""
    names = sorted({name for buckets in days.values() for name in buckets})
    index = {name: i for i, name in enumerate(names)}
    out = bytearray(_COUNT.pack(len(names)))
    for name in names:
        encoded = name.encode()
        out += _COUNT.pack(len(encoded)) + encoded
    for day in sorted(days):
        buckets = days[day]
        start = _day_start_micros(day)
        out += _DAY_HEAD.pack((date.fromisoformat(day) - _INLINE_EPOCH).days, len(buckets))
        for name in sorted(buckets):
            out += _TYPE_HEAD.pack(index[name], len(buckets[name]))
            for slot in buckets[name]:
                offset = (slot.at - start).to_bytes(6, "big", signed=True)
                out += _INLINE_SLOT.pack(slot.xp, offset, slot.digest)
    return bytes(out)


def decode_inline(data: bytes) -> dict[str, tuple[CapSlot, ...]]:
    """``encode_inline``'s days as ``state.capped`` buckets."""
    (count,) = _COUNT.unpack_from(data, 0)
    at = _COUNT.size
    names = []
    for _ in range(count):
        (length,) = _COUNT.unpack_from(data, at)
        names.append(data[at + 1 : at + 1 + length].decode())
        at += 1 + length
    found: dict[str, tuple[CapSlot, ...]] = {}
    while at < len(data):
        number, types = _DAY_HEAD.unpack_from(data, at)
        at += _DAY_HEAD.size
        day = (_INLINE_EPOCH + timedelta(days=number)).isoformat()
        start = _day_start_micros(day)
        for _ in range(types):
            name, slots = _TYPE_HEAD.unpack_from(data, at)
            at += _TYPE_HEAD.size
            bucket = []
            for _ in range(slots):
                xp, offset, digest = _INLINE_SLOT.unpack_from(data, at)
                at += _INLINE_SLOT.size
                bucket.append(
                    CapSlot(xp, start + int.from_bytes(offset, "big", signed=True), digest)
                )
            found[f"{day}|{names[name]}"] = tuple(bucket)
    return found


_COUNT = struct.Struct(">B")


def by_day(capped: Mapping[str, tuple[CapSlot, ...]]) -> dict[str, dict[str, tuple[CapSlot, ...]]]:
    """``{"<day>|<type>": slots}`` grouped as ``{day: {type: slots}}``."""
    days: dict[str, dict[str, tuple[CapSlot, ...]]] = {}
    for bucket, slots in capped.items():
        day, event_type = bucket.split("|", 1)
        days.setdefault(day, {})[event_type] = slots
    return days


def decode_day(values: Mapping[str, Any]) -> dict[str, tuple[CapSlot, ...]]:
    """A day item (plain values) as ``state.capped`` buckets."""
    day = str(values["SK"]).removeprefix(keys.DAY_PREFIX)
    return {
        f"{day}|{event_type}": decode_slots(bytes(data))
        for event_type, data in values.get("slots", {}).items()
    }


def _spoken_locale(stored: object) -> str:
    if isinstance(stored, str) and stored in default_messages().locales:
        return stored
    return DEFAULT_LOCALE


def decode_profile(values: dict[str, Any]) -> StoredUser:
    settings = UserSettings(
        # A name saved before the text rule was tightened (an invisible one) is dropped, not
        # allowed to make the profile unloadable.
        display_name=text.stored_display_name(values.get("display_name")),
        timezone=values.get("timezone", "UTC"),
        push_enabled=bool(values.get("push_enabled", False)),
        leaderboard_visible=bool(values.get("leaderboard_visible", True)),
        # A locale whose catalogue a deployment removed reads as the default, not as an error.
        locale=_spoken_locale(values.get("locale")),
        friend_passed_notices=bool(values.get("friend_passed_notices", True)),
    )
    body = unpack_state(values.get("state", "{}"))
    legacy = _legacy_capped(body.pop("capped", None) or {})
    inline = decode_inline(bytes(values["slots"])) if values.get("slots") else {}
    user_id = values.get("user_id") or keys.user_id_from_pk(str(values["PK"]))
    state = UserState.model_validate(
        {**body, "capped": {**legacy, **inline}, "user_id": user_id, "settings": settings}
    )
    xp_at = values.get("xp_at")
    days = frozenset(by_day(legacy))
    return StoredUser(
        state=state,
        version=int(values["version"]),
        xp_at=datetime.fromisoformat(xp_at) if xp_at else None,
        days_loaded=days | frozenset(by_day(inline)),
        inline_days=days,
        marks=decode_marks(values),
        tombstone="state" not in values,
        pending=tuple(values.get("pending") or ()),
        slots_from=values.get("slots_from"),
        spilled=frozenset(values.get("spilled") or ()),
    )


def decode_marks(values: Mapping[str, Any]) -> AccountMarks:
    """The account marks of a stored profile (plain values)."""
    reason, excluded_at, erased_at = (
        values.get("excluded_reason"),
        values.get("excluded_at"),
        values.get("erased_at"),
    )
    return AccountMarks(
        exclusion=Exclusion(str(reason), datetime.fromisoformat(str(excluded_at)))
        if reason is not None and excluded_at
        else None,
        erased_at=datetime.fromisoformat(str(erased_at)) if erased_at else None,
        erasing=bool(values.get("erasing", False)),
    )


def _legacy_capped(capped: Mapping[str, Any]) -> dict[str, tuple[CapSlot, ...]]:
    """Profiles written before day items kept every slot inline with its full dedupe key."""
    return {
        bucket: tuple(
            sorted(
                (
                    CapSlot.of(
                        int(slot["xp"]), datetime.fromisoformat(slot["occurred_at"]), slot["key"]
                    )
                    for slot in slots
                ),
                key=CapSlot.rank,
            )
        )
        for bucket, slots in capped.items()
    }
