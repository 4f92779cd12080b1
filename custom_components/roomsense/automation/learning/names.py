"""Readable scene names: "Morning: Living Light on, Curtain open" / "朝: 電気 オン、…"."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from ...home_model import DeviceKind
from .const import MAX_NAMED_OPERATIONS

# Parts of the day by the hour they start at, for names ("Morning: ...") and stable ids.
_PARTS_OF_DAY: Final[dict[str, tuple[tuple[int, str], ...]]] = {
    "en": ((5, "Morning"), (12, "Afternoon"), (17, "Evening"), (22, "Night")),
    "ja": ((5, "朝"), (11, "昼"), (16, "夕方"), (19, "夜"), (23, "深夜")),
}

_COVER_KINDS: Final = frozenset({DeviceKind.CURTAIN.value, DeviceKind.BLIND.value})
# Curtain, blind or shade by name, when no kind is known.
_COVER_WORDS: Final = ("curtain", "blind", "shade", "カーテン", "ブラインド", "シェード")

_COMMAND_LABELS: Final[dict[str, dict[str, str]]] = {
    "en": {
        "turnOn": "on", "turnOff": "off", "toggle": "toggle", "press": "press",
        "lock": "lock", "unlock": "unlock", "start": "start cleaning",
        "startClean": "start cleaning", "stop": "stop", "pause": "pause", "dock": "dock",
        "fullyOpen": "open", "closeDown": "close", "closeUp": "close", "setMute": "mute",
        "volumeAdd": "volume up", "volumeSub": "volume down", "channelAdd": "channel up",
        "channelSub": "channel down", "setColor": "color", "setMode": "mode",
        "setPosition": "position", "brightnessUp": "brighter", "brightnessDown": "dimmer",
    },
    "ja": {
        "turnOn": "オン", "turnOff": "オフ", "toggle": "切り替え", "press": "押す",
        "lock": "施錠", "unlock": "解錠", "start": "掃除開始", "startClean": "掃除開始",
        "stop": "停止", "pause": "一時停止", "dock": "充電", "fullyOpen": "開",
        "closeDown": "閉", "closeUp": "閉", "setMute": "ミュート", "volumeAdd": "音量を上げる",
        "volumeSub": "音量を下げる", "channelAdd": "次のチャンネル",
        "channelSub": "前のチャンネル", "setColor": "色", "setMode": "モード",
        "setPosition": "位置", "brightnessUp": "明るく", "brightnessDown": "暗く",
    },
}  # fmt: skip
_COVER_LABELS: Final[dict[str, dict[str, str]]] = {
    "en": {"turnOn": "open", "turnOff": "close"},
    "ja": {"turnOn": "開", "turnOff": "閉"},
}
_TEXT: Final[dict[str, dict[str, str]]] = {
    "en": {
        "separator": ", ",
        "more": "and {count} more",
        "brightness": "{value}%",
        "color_temperature": "{value}K",
        "ac_on": "on {value}°C",
        "channel": "channel {value}",
        "speed": "speed {value}",
    },
    "ja": {
        "separator": "、",
        "more": "ほか{count}件",
        "brightness": "明るさ{value}%",
        "color_temperature": "{value}K",
        "ac_on": "オン {value}℃",
        "channel": "{value}チャンネル",
        "speed": "風量{value}",
    },
}


def part_of_day(time_of_day: str, language: str = "en") -> str:
    """The part of the day a "HH:MM" falls in: "Morning" / "朝", ..."""
    hour = int(time_of_day.partition(":")[0])
    parts = _PARTS_OF_DAY["ja" if language == "ja" else "en"]
    name = parts[-1][1]  # the last part runs past midnight
    for start, label in parts:
        if hour >= start:
            name = label
    return name


def scene_name(
    operations: Sequence[Mapping[str, Any]],
    *,
    time_of_day: str | None = None,
    language: str = "en",
    device_names: Mapping[str, str] | None = None,
    device_kinds: Mapping[str, DeviceKind | str] | None = None,
) -> str:
    """A readable scene name: "Morning: Living Light on, Curtain open" / "朝: 電気 オン、…"."""
    language = "ja" if language == "ja" else "en"
    text = _TEXT[language]
    names = device_names or {}
    parts = [
        _operation_label(operation, language, names, device_kinds or {})
        for operation in operations[:MAX_NAMED_OPERATIONS]
    ]
    if len(operations) > MAX_NAMED_OPERATIONS:
        parts.append(text["more"].format(count=len(operations) - MAX_NAMED_OPERATIONS))
    body = text["separator"].join(parts)
    if time_of_day is None:
        return body
    return f"{part_of_day(time_of_day, language)}: {body}"


def _operation_label(
    operation: Mapping[str, Any],
    language: str,
    device_names: Mapping[str, str],
    device_kinds: Mapping[str, DeviceKind | str],
) -> str:
    device_id = str(operation["device_id"])
    name = device_names.get(device_id, device_id)
    command = str(operation["command"])
    parameters = operation.get("parameters", "default")
    kind = device_kinds.get(device_id)
    is_cover = (
        str(kind) in _COVER_KINDS
        if kind is not None
        else any(word in name.lower() for word in _COVER_WORDS)
    )
    return f"{name} {_command_label(command, parameters, language, is_cover=is_cover)}"


def _command_label(command: str, parameters: Any, language: str, *, is_cover: bool) -> str:
    text = _TEXT[language]
    value = parameters if isinstance(parameters, str) else ""
    if is_cover and command in _COVER_LABELS[language]:
        return _COVER_LABELS[language][command]
    if command == "setBrightness" and value.isdigit():
        return text["brightness"].format(value=value)
    if command == "setColorTemperature" and value.isdigit():
        return text["color_temperature"].format(value=value)
    if command == "SetChannel" and value.isdigit():
        return text["channel"].format(value=value)
    if command == "setWindSpeed" and value.isdigit():
        return text["speed"].format(value=value)
    if command == "setAll":
        # An air conditioner's "temperature,mode,fan,power".
        fields = value.split(",")
        if len(fields) == 4 and fields[3].strip().lower() == "off":
            return _COMMAND_LABELS[language]["turnOff"]
        if len(fields) == 4 and fields[0].strip().lstrip("-").isdigit():
            return text["ac_on"].format(value=fields[0].strip())
    return _COMMAND_LABELS[language].get(command, command)
