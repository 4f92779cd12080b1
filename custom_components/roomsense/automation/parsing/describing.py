"""A workflow in words: when, under which conditions and what it does, in either language."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

from ... import catalog
from ...catalog import Family
from ...home_model import HomeDevice, Language, SceneInfo
from ..models import WEEKDAYS
from . import messages as msg
from .defaults import WEEKDAY_SET, WEEKEND_SET
from .naming import english_name

JA_DAY_NAMES: Final = dict(zip(WEEKDAYS, "月火水木金土日", strict=True))
EN_DAY_NAMES: Final = dict(
    zip(
        WEEKDAYS,
        ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
        strict=True,
    )
)


class Describer:
    """Words for the devices, scenes, conditions and schedules of one home."""

    def __init__(self, devices: dict[str, HomeDevice], scenes: dict[str, SceneInfo]) -> None:
        """`devices` and `scenes` by id."""
        self._devices = devices
        self._scenes = scenes

    def describe(
        self, workflow: dict[str, Any], language: Language, replies: list[str] | None = None
    ) -> str:
        """One sentence: when, under which conditions, what happens."""
        ja = language == "ja"
        when = [
            self.condition_text(condition, language)
            for condition in workflow["conditions"]
            if condition["type"] == "time"
        ]
        if workflow["schedule"] is not None:
            schedule = describe_schedule(workflow["schedule"], language)
            once = workflow["schedule"]["type"] == "once"
            when.append((f"{schedule}に1回だけ" if once else f"{schedule}に") if ja else schedule)
        conditions = [
            self.condition_text(condition, language)
            for condition in workflow["conditions"]
            if condition["type"] != "time"
        ]
        if conditions:
            joined = "、".join(conditions) if ja else " and ".join(conditions)
            ending = "とき" if joined.endswith(("る", "た", "い")) else "のとき"
            when.append(f"{joined}{ending}" if ja else f"when {joined}")
        what = list(replies or [])
        if not what or not all(what):
            # A reply that also spoke of a dropped action: say what the rule does instead.
            what = [self.action_text(action, language) for action in workflow["actions"]]
        if ja:
            return f"{'、'.join(when)}、{'、'.join(what)}。"
        trigger = ", ".join(when)
        actions = "; ".join(item[:1].lower() + item[1:] for item in what)
        return f"{trigger[:1].upper()}{trigger[1:]}: {actions}."

    def device_name(self, device_id: str | None, language: Language) -> str:
        """The device's name in the language (an English alias); its id if it is unknown."""
        device = self._devices.get(device_id or "")
        if device is None:
            return device_id or ""
        return device.name if language == "ja" else english_name(device)

    def condition_text(self, condition: dict[str, Any], language: Language) -> str:
        """A condition as a clause: "温度が28℃以上" / "the temperature is above 28 °C"."""
        ja = language == "ja"
        kind, operator, value = condition["type"], condition["operator"], condition["value"]
        if kind == "time":
            if operator == "between":
                return f"{value[0]}〜{value[1]}の間" if ja else f"Between {value[0]} and {value[1]}"
            if operator in ("after", "before"):
                if ja:
                    return f"{value}{'以降' if operator == 'after' else 'より前'}"
                return f"{operator.capitalize()} {value}"
            return f"{value}ちょうど" if ja else f"At {value}"
        if kind in ("temperature", "humidity"):
            unit = "℃" if kind == "temperature" else "%"
            unit_en = " °C" if kind == "temperature" else " %"
            where = condition.get("device_id")
            measure = ("温度" if kind == "temperature" else "湿度") if ja else kind
            source = self.device_name(where, language)
            if ja:
                subject = f"{source}の{measure}" if where else measure
                if operator == "between":
                    return f"{subject}が{_num(value[0])}〜{_num(value[1])}{unit}"
                side = {"above": "以上", "below": "以下", "equals": ""}[operator]
                return f"{subject}が{_num(value)}{unit}{side}"
            subject = f"the {measure} at the {source}" if where else f"the {measure}"
            if operator == "between":
                return f"{subject} is between {_num(value[0])} and {_num(value[1])}{unit_en}"
            return f"{subject} is {operator} {_num(value)}{unit_en}"
        name = self.device_name(condition.get("device_id"), language)
        value = _state_key(self._devices.get(condition.get("device_id") or ""), condition)
        ja_word, en_word = _STATE_WORDS.get(value, (f"「{value}」", f"is {value}"))
        return f"{name}が{ja_word}" if ja else f"the {name} {en_word}"

    def event(self, condition: dict[str, Any], language: Language) -> str:
        """A condition as news, for a notification: "温度が28℃以上になりました"."""
        ja = language == "ja"
        if condition["type"] != "device_state":
            text = self.condition_text(condition, language)
            return f"{text}になりました。" if ja else text[:1].upper() + text[1:] + "."
        device = self._devices.get(condition.get("device_id") or "")
        name = self.device_name(condition.get("device_id"), language)
        value = _state_key(device, condition)
        ja_word, en_word = _EVENT_WORDS.get(value, (f"「{value}」です", f"is {value}"))
        if device is not None and _family(device) is Family.CONTACT_SENSOR:
            ja_word, en_word = _CONTACT_EVENT_WORDS.get(value, (ja_word, en_word))
        return f"{name}が{ja_word}。" if ja else f"The {name} {en_word}."

    def action_text(self, action: dict[str, Any], language: Language) -> str:
        """What an action does, when no reply of the command parser says it."""
        ja = language == "ja"
        if action["type"] == "scene":
            scene = self._scenes.get(action["scene_id"])
            name = scene.name if scene else action["scene_id"]
            return f"シーン「{name}」を実行します" if ja else f'Running the "{name}" scene'
        if action["type"] == "notification":
            return msg.NOTIFY_REPLY[language]
        if action["type"] == "service":
            return f"{action['service']}を呼び出します" if ja else f"Calling {action['service']}"
        name = self.device_name(action["device_id"], language)
        command = action["command"]
        return f"{name}に{command}を送ります" if ja else f"Sending {command} to the {name}"


# --- Helpers ---


def _family(device: HomeDevice) -> Family | None:
    return catalog.family_of(device.device_type, infrared=device.is_infrared)


def _num(value: float) -> str:
    return f"{value:g}"


def _state_key(device: HomeDevice | None, condition: dict[str, Any]) -> str:
    """The state a device_state condition means, in words: "open" for a contact sensor on."""
    value = str(condition["value"])
    negated = condition.get("operator") == "not_equals"
    family = None if device is None else _family(device)
    if family is Family.CONTACT_SENSOR:
        value = "open" if value == "on" else "closed"
    elif family in (Family.MOTION_SENSOR, Family.PRESENCE_SENSOR):
        value = "motion" if value == "on" else "no_motion"
    elif family is Family.WATER_DETECTOR:
        value = "leak" if value == "on" else "no_leak"
    if negated:
        return {"off": "on", "on": "off"}.get(value, f"not {value}")
    return value


# State → (Japanese, English) as a condition: "テレビがオン" / "the TV is on".
_STATE_WORDS: Final = {
    "on": ("オン", "is on"),
    "off": ("オフ", "is off"),
    "open": ("開いている", "is open"),
    "closed": ("閉まっている", "is closed"),
    "locked": ("施錠されている", "is locked"),
    "unlocked": ("解錠されている", "is unlocked"),
    "motion": ("動きを検知した", "detects motion"),
    "no_motion": ("動きを検知していない", "detects no motion"),
    "leak": ("水漏れを検知した", "detects water"),
    "no_leak": ("水漏れを検知していない", "detects no water"),
    "cleaning": ("掃除中", "is cleaning"),
    "docked": ("充電台にある", "is docked"),
}
# The same as news, for a notification: "テレビがオンになっています" / "The TV is on."
_EVENT_WORDS: Final = {
    "on": ("オンになっています", "is on"),
    "off": ("オフになっています", "is off"),
    "open": ("開いています", "is open"),
    "closed": ("閉まっています", "is closed"),
    "locked": ("施錠されています", "is locked"),
    "unlocked": ("解錠されています", "is unlocked"),
    "motion": ("動きを検知しました", "detected motion"),
    "leak": ("水漏れを検知しました", "detected water"),
    "cleaning": ("掃除中です", "is cleaning"),
    "docked": ("充電台に戻っています", "is docked"),
}
_CONTACT_EVENT_WORDS: Final = {
    "open": ("開きました", "opened"),
    "closed": ("閉まりました", "closed"),
}


def describe_schedule(schedule: dict[str, Any], language: Language) -> str:
    """A schedule in words: "毎日 07:00" / "every day at 07:00"."""
    ja = language == "ja"
    kind = schedule["type"]
    if kind == "daily":
        return f"毎日 {schedule['time']}" if ja else f"every day at {schedule['time']}"
    if kind == "weekly":
        days = schedule["days"]
        if days == list(WEEKDAY_SET):
            label = "平日" if ja else "on weekdays"
        elif days == list(WEEKEND_SET):
            label = "週末" if ja else "on weekends"
        elif ja:
            label = "毎週" + "・".join(JA_DAY_NAMES[day] for day in days)
        else:
            names = [EN_DAY_NAMES[day] for day in days]
            label = "every " + (
                names[0] if len(names) == 1 else ", ".join(names[:-1]) + f" and {names[-1]}"
            )
        return f"{label} {schedule['time']}" if ja else f"{label} at {schedule['time']}"
    if kind == "interval":
        minutes = int(schedule["minutes"])
        if minutes % 60 == 0:
            hours = minutes // 60
            return f"{hours}時間ごと" if ja else f"every {hours} hour{'s' if hours > 1 else ''}"
        return f"{minutes}分ごと" if ja else f"every {minutes} minutes"
    moment = datetime.fromisoformat(schedule["at"])
    if ja:
        return f"{moment.month}月{moment.day}日 {moment:%H:%M}"
    return f"once on {moment:%B} {moment.day} at {moment:%H:%M}"
