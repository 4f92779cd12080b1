"""What the parser says back, and the actions a request becomes on each device."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

from ...home_model import Action, DeviceKind, HomeDevice, Language, ParseResult
from .. import lexicon as lx
from ..commands import Request, build_actions
from ..lexicon import Op
from .home import Home, device_name
from .text import ascii_first, in_language


def reply(
    language: Language, templates: tuple[str, str], intent: str, **values: str
) -> ParseResult:
    """A reply with no action: not understood, ambiguous, unsupported, or a refusal."""
    text = in_language(templates, language).format(**values)
    return ParseResult(language, False, text, intent=intent)


def answered(language: Language, answer: str) -> ParseResult:
    """The answer to a question: said, and nothing to do."""
    return ParseResult(language, True, answer, answer=answer, intent="question")


def ask_which(devices: list[HomeDevice], language: Language) -> ParseResult:
    """Ask which device is meant; the choices ride along for the next turn's answer."""
    separator = "、" if language == "ja" else ", "
    names = separator.join(device_name(device, language) for device in devices)
    asked = reply(language, lx.AMBIGUOUS_REPLY, "ambiguous", choices=names)
    return replace(asked, choices=tuple(device.device_id for device in devices))


def run_scene(home: Home, scene_id: str, language: Language) -> ParseResult:
    """Run one of the home's scenes."""
    scene = next(scene for scene in home.snapshot.scenes if scene.scene_id == scene_id)
    name = scene.name if language == "ja" else ascii_first(scene.aliases, scene.name)
    text = in_language(lx.SCENE_REPLY, language).format(name=name)
    return ParseResult(language, True, text, scene_id=scene_id, intent="scene")


def act(home: Home, request: Request, devices: list[HomeDevice], language: Language) -> ParseResult:
    """The request's actions on every device that can do it, with a reply that says them."""
    actions: list[Action] = []
    phrases: list[str] = []
    for device in devices:
        if request.op in (Op.COOLER, Op.WARMER):
            mode = lx.AC_MODE_COOL if request.op is Op.COOLER else lx.AC_MODE_HEAT
            setpoint = comfort_setpoint(request.op, home.room_temperature(device.area))
            built = build_actions(device, replace(request, ac_mode=mode, setpoint=setpoint))
        else:
            built = build_actions(device, request)
        if not built:
            continue
        actions.extend(built)
        phrases.append(_describe(request, device, built, language))
    if not actions:
        name = device_name(devices[0], language) if devices else ""
        return reply(language, lx.UNSUPPORTED_REPLY, "unsupported", name=name)
    dangerous = any(action.dangerous for action in actions)
    if language == "ja":
        text = "、".join(phrases) + "。"
        if dangerous:
            text = text[:-1] + lx.CONFIRM_SUFFIX[0] + "。"
    else:
        text = "; ".join(phrases)
        text = text[0].upper() + text[1:] + (lx.CONFIRM_SUFFIX[1] if dangerous else "") + "."
    return ParseResult(language, True, text, tuple(actions), intent=request.op.value)


def comfort_setpoint(op: Op, room_temperature: float | None) -> int:
    """Cooling aims 2 °C below the room, heating 2 °C above, within the AC's 16-30 °C."""
    mode = lx.AC_MODE_COOL if op is Op.COOLER else lx.AC_MODE_HEAT
    if room_temperature is None:
        return lx.AC_DEFAULT_TEMPERATURE[mode]
    step = -lx.COMFORT_STEP if op is Op.COOLER else lx.COMFORT_STEP
    # math.floor(x + 0.5): 23.5 rounds up, unlike Python's banker's round().
    setpoint = math.floor(room_temperature + 0.5) + step
    return max(lx.AC_MIN_TEMPERATURE, min(lx.AC_MAX_TEMPERATURE, setpoint))


def contradicts(actions: list[Action]) -> bool:
    """Whether two actions ask one device for opposite or different things."""
    seen: dict[tuple[str, str], Action] = {}
    for action in actions:
        key = (action.device_id, action.command)
        earlier = seen.setdefault(key, action)
        if earlier.parameter != action.parameter:
            return True
    return any(
        (device_id, "turnOff") in seen and command == "turnOn" for device_id, command in seen
    )


def say_duration(seconds: int, language: Language) -> str:
    """3600 → 「1時間」 / "1 hour"; 5400 → 「1時間30分」 / "1 hour 30 minutes"."""
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if language == "ja":
        units = ((hours, "時間"), (minutes, "分"), (secs, "秒"))
        return "".join(f"{value}{unit}" for value, unit in units if value)
    names = ((hours, "hour"), (minutes, "minute"), (secs, "second"))
    return " ".join(f"{value} {name}{'s' if value > 1 else ''}" for value, name in names if value)


def _describe(
    request: Request, device: HomeDevice, actions: Sequence[Action], language: Language
) -> str:
    """One device's part of the reply: what it will do."""
    name = device_name(device, language)
    action = actions[0]
    if action.command in ("start", "startClean") and request.op is Op.TURN_ON:
        # "Start the robot vacuum": say what it does.
        template = in_language(lx.ACTION_REPLIES[Op.CLEAN], language)
        return template.format(name=name, value=_value_said(request, language))
    if action.command == "setAll" and isinstance(action.parameter, str):
        temp, mode, _fan, _power = action.parameter.split(",")
        mode_name = in_language(lx.AC_MODE_NAMES[int(mode)], language)
        value = f"{mode_name}{temp}度" if language == "ja" else f"{mode_name} at {temp} °C"
        return in_language(lx.ACTION_REPLIES[Op.CLIMATE], language).format(name=name, value=value)
    templates = lx.ACTION_REPLIES[request.op]
    if request.op is Op.FAN_SPEED and device.kind is DeviceKind.HUMIDIFIER:
        templates = lx.HUMIDIFIER_LEVEL_REPLY
    return in_language(templates, language).format(name=name, value=_value_said(request, language))


def _value_said(request: Request, language: Language) -> str | int:
    """The request's value as the reply says it (a level, a colour, a button...)."""
    index = 0 if language == "ja" else 1
    if request.op in (Op.BRIGHTNESS, Op.HUMIDITY, Op.POSITION, Op.VOLUME):
        return request.percent or 0
    if request.op is Op.COLOR and request.rgb is not None:
        return lx.COLOR_WORDS[request.rgb][1][index]
    if request.op is Op.COLOR_TEMPERATURE:
        return request.kelvin or 0
    if request.op is Op.FAN_SPEED:
        if request.percent is not None:
            return f"{request.percent}%"
        if request.fan_speed is not None:
            named = lx.FAN_SPEED_NAMES.get(request.fan_speed)
            level = request.fan_speed.removeprefix("level")
            if named:
                return named[index]
            return f"レベル{level}" if index == 0 else f"level {level}"
        return ""
    if request.op is Op.CUSTOM:
        return request.button or ""
    if request.op is Op.CHANNEL:
        return request.channel or 0
    if request.op is Op.MODE and request.mode is not None:
        return lx.MODE_NAMES[request.mode][index]
    return ""
