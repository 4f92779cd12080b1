"""What a proposal says, in English and Japanese: its title, description and reason."""

from __future__ import annotations

from typing import Any, Final

from .drafts import _Draft

# Titles, descriptions and reasons: {placeholder}s come from the draft's `text`.
_TEXTS: Final[dict[str, dict[str, tuple[str, str, str]]]] = {
    "door_light": {
        "en": (
            "Light {light} when {sensor} opens after dark",
            "Turn on {light} when {sensor} opens after sunset.",
            "{sensor} opened {times} after dark, last at {last}.",
        ),
        "ja": (
            "暗くなってから{sensor}が開いたら{light}をつける",
            "日没後に{sensor}が開いたら{light}をつけます。",
            "暗い時間に{sensor}が{count}回開きました(最後は{last})。",
        ),
    },
    "night_motion_light": {
        "en": (
            "Soft light on motion at night: {light}",
            "Between 22:00 and 06:00, when {sensor} detects motion, turn on {light}{dim_en}.",
            "{sensor} detected motion {times} at night, last at {last}.",
        ),
        "ja": (
            "夜に{sensor}が動きを検知したら{light}を暗めにつける",
            "22時から6時の間に{sensor}が動きを検知したら{light}を{dim_ja}つけます。",
            "夜間に{sensor}が{count}回動きを検知しました(最後は{last})。",
        ),
    },
    "hot_cooling": {
        "en": (
            "Cool with {device} above {threshold}°C",
            "When {sensor} reads above {threshold}°C, turn on {device} cooling at {setpoint}°C.",
            "{sensor} read above {threshold}°C {times}, up to {peak}°C.",
        ),
        "ja": (
            "{threshold}℃を超えたら{device}で冷房",
            "{sensor}が{threshold}℃を超えたら{device}を冷房{setpoint}℃でつけます。",
            "{sensor}が{count}回{threshold}℃を超えました(最高{peak}℃)。",
        ),
    },
    "cold_heating": {
        "en": (
            "Heat with {device} below {threshold}°C",
            "When {sensor} reads below {threshold}°C, heat with {device} at {setpoint}°C.",
            "{sensor} read below {threshold}°C {times}, down to {peak}°C.",
        ),
        "ja": (
            "{threshold}℃を下回ったら{device}で暖房",
            "{sensor}が{threshold}℃を下回ったら{device}を暖房{setpoint}℃でつけます。",
            "{sensor}が{count}回{threshold}℃を下回りました(最低{peak}℃)。",
        ),
    },
    "unlocked_at_night": {
        "en": (
            "Remind me at {time} if {lock} is unlocked",
            "Every day at {time}, if {lock} is still unlocked, send a notification. "
            "Nothing is unlocked or locked automatically.",
            "{lock} was unlocked at night {times}, last at {last}.",
        ),
        "ja": (
            "{time}に{lock}が解錠されたままなら通知",
            "毎日{time}に{lock}が解錠のままなら通知します。自動で解錠・施錠はしません。",
            "夜間に{lock}が{count}回解錠されていました(最後は{last})。",
        ),
    },
    "leak_alert": {
        "en": (
            "Alert when {sensor} detects water",
            "When {sensor} detects a leak, send a notification.",
            "{sensor} detected water {times}, last at {last}.",
        ),
        "ja": (
            "{sensor}が水漏れを検知したら通知",
            "{sensor}が水漏れを検知したら通知します。",
            "{sensor}が{count}回水漏れを検知しました(最後は{last})。",
        ),
    },
    "dry_humidify": {
        "en": (
            "Humidify with {device} below {threshold}%",
            "When {sensor} reads below {threshold}% humidity, turn on {device}.",
            "{sensor} read below {threshold}% humidity {times}, down to {peak}%.",
        ),
        "ja": (
            "湿度{threshold}%未満で{device}をつける",
            "{sensor}の湿度が{threshold}%を下回ったら{device}をつけます。",
            "{sensor}の湿度が{count}回{threshold}%を下回りました(最低{peak}%)。",
        ),
    },
    "humid_dry_mode": {
        "en": (
            "Dehumidify with {device} above {threshold}%",
            "When {sensor} reads above {threshold}% humidity, run {device} in dry mode.",
            "{sensor} read above {threshold}% humidity {times}, up to {peak}%.",
        ),
        "ja": (
            "湿度{threshold}%超で{device}を除湿運転",
            "{sensor}の湿度が{threshold}%を超えたら{device}を除湿でつけます。",
            "{sensor}の湿度が{count}回{threshold}%を超えました(最高{peak}%)。",
        ),
    },
    "plug_long_on": {
        "en": (
            "Turn off {device} at {time}",
            "Every day at {time}, if {device} is still on, turn it off.",
            "{device} stayed on for over {hours} hours {times}, the longest {longest} h.",
        ),
        "ja": (
            "{time}に{device}を切る",
            "毎日{time}に{device}がオンのままなら切ります。",
            "{device}が{hours}時間以上オンのままのことが{count}回ありました(最長{longest}時間)。",
        ),
    },
    "light_on_with_nobody": {
        "en": (
            "Turn off {light} at {time} when nobody is there",
            "Every day at {time}, if {light} is on and {sensor} sees no motion, turn it off.",
            "{light} stayed on with no motion at {sensor} for over an hour {times}.",
        ),
        "ja": (
            "{time}に誰もいなければ{light}を消す",
            "毎日{time}に{light}がついていて{sensor}が動きを検知していなければ消します。",
            "{sensor}が動きを検知しないまま{light}が1時間以上ついていたことが{count}回ありました。",
        ),
    },
}
_NOTICES: Final[dict[str, dict[str, str]]] = {
    "notice_lock": {"en": "{lock} is still unlocked.", "ja": "{lock}が解錠されたままです。"},
    "notice_leak": {"en": "{sensor} detected water.", "ja": "{sensor}が水漏れを検知しました。"},
}
# A sentence each for the integrations a rule needs, added to its description.
_REQUIRES: Final[dict[str, dict[str, str]]] = {
    "sun": {
        "en": "Needs Home Assistant's Sun integration (sun.sun) to know when it is dark.",
        "ja": "暗くなったかの判断にHome Assistantの「太陽」(sun)インテグレーションが必要です。",
    },
}
_DIMMED: Final[dict[str, dict[str, str]]] = {
    "dimmed": {"dim_en": " at {brightness}%", "dim_ja": "明るさ{brightness}%で"},
    "plain": {"dim_en": "", "dim_ja": ""},
}


def _render(draft: _Draft, language: str) -> tuple[str, str, str, list[dict[str, Any]]]:
    """Title, description, reason and the actions with their notification text filled in."""
    values = dict(draft.text)
    count = int(values.get("count", "0"))
    values["times"] = {1: "once", 2: "twice"}.get(count, f"{count} times")
    dimmed = _DIMMED.get(values.get("dimmed", "plain"), _DIMMED["plain"])
    values.update({key: text.format(**values) for key, text in dimmed.items()})
    title, description, reason = (text.format(**values) for text in _TEXTS[draft.kind][language])
    separator = " " if language == "en" else ""
    for integration in draft.requires:
        description += separator + _REQUIRES[integration][language]
    actions = []
    for action in draft.actions:
        message = action.get("message", "")
        if message.startswith("{") and message.strip("{}") in _NOTICES:
            notice = _NOTICES[message.strip("{}")][language].format(**values)
            action = {**action, "message": notice}
        actions.append(action)
    return title, description, reason, actions
