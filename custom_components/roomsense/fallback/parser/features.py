"""Device features named in words: child lock, night light, the fan's off timer.

A feature word binds to the one device that has the feature, or nothing is sent.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from typing import Final

from ... import catalog
from ...catalog import Choice
from ...home_model import Action, HomeDevice, Language, ParseResult
from .. import lexicon as lx
from ..commands import Request, build_actions
from ..lexicon import Op
from ..numbers import read_duration
from .home import Home, device_name
from .replies import answered, reply, say_duration
from .scan import Scan, Tag
from .text import in_language, normalize, term_pattern

_FEATURES: Final = tuple((re.compile(words), commands) for words, commands in lx.FEATURE_COMMANDS)
_FEATURE_OFF: Final = re.compile(lx.FEATURE_OFF_WORDS)
_FEATURE_DIM: Final = re.compile(lx.FEATURE_DIM_WORDS)
_FEATURE_DRY: Final = re.compile(lx.FEATURE_DRY_WORDS)
DELAY: Final = re.compile(lx.DELAY_PATTERN)
TIMER_WORDS: Final = re.compile(lx.TIMER_WORDS)
_LATER: Final = re.compile(lx.LATER_PATTERN)
_OFF_LATER: Final = re.compile(lx.OFF_LATER_WORDS)
_OPENING: Final = re.compile(lx.OPENING_WORDS)
_TILT_UP: Final = re.compile(lx.TILT_UP_WORDS)
_TILT_DOWN: Final = re.compile(lx.TILT_DOWN_WORDS)


def feature_question(home: Home, text: str, language: Language) -> ParseResult | None:
    """Whether a feature (child lock, night light) is on, for the one device that has it."""
    commands = next(_features_said(text), None)
    if commands is None:
        return None
    state_field = next(
        (lx.FEATURE_STATE_FIELDS[c] for c in commands if c in lx.FEATURE_STATE_FIELDS), None
    )
    if state_field is None:
        return None
    having = [
        device
        for device in home.snapshot.devices
        if any(catalog.supports(device.device_type, c) for c in commands)
    ]
    device = _the_one_meant(having, text)
    if device is None:
        return None
    value = device.state.get(state_field)
    feature = in_language(lx.FEATURE_NAMES[next(iter(commands))], language)
    on = value not in (None, False, "off", 0, "0", "false")
    template = in_language(lx.FEATURE_STATE_REPLY[None if value is None else on], language)
    return answered(language, template.format(name=device_name(device, language), feature=feature))


def feature_request(home: Home, text: str, language: Language) -> ParseResult | None:
    """A feature named on its own ("turn on the child lock"): the one device that has it.

    Two devices with the feature and no name to tell them apart: nothing is sent.
    """
    found = next(((words, commands) for words, commands in _FEATURES if words.search(text)), None)
    if found is None:
        return None
    words, commands = found
    (command,) = sorted(commands)
    if command not in lx.FEATURE_NAMES:
        return None
    if any(
        words.search(normalize(button))
        for device in home.snapshot.devices
        for button in device.custom_buttons
    ):
        return None  # a learned button of that name: the remote's own path decides
    having = [
        device
        for device in home.snapshot.devices
        if catalog.supports(device.device_type, command, infrared=device.is_infrared)
    ]
    device = _the_one_meant(having, text)
    if device is None:
        return None
    spec = catalog.command_spec(device.device_type, command)
    values = spec.parameter.values if spec and isinstance(spec.parameter, Choice) else ()
    parameter = _feature_value(command, values, text)
    if parameter is None:
        return None
    template = in_language(lx.FEATURE_ACTION_REPLIES.get(command, lx.FEATURE_DONE_REPLY), language)
    message = template.format(
        name=device_name(device, language),
        feature=in_language(lx.FEATURE_NAMES[command], language),
    )
    action = Action(device.device_id, command, parameter)
    return ParseResult(language, True, message, (action,), intent="feature")


def bound_to_features(text: str, result: ParseResult, language: Language) -> ParseResult:
    """A feature word binds to the device that has the feature, or nothing is sent.

    "Turn on the child lock" must never lock the front door: when the words name a feature,
    every action must be one of that feature's commands (or a learned button).
    """
    if not result.actions:
        return result
    for commands in _features_said(text):
        for action in result.actions:
            # A learned button was matched by its own name (全灯, 常夜灯): the remote knows it.
            learned_button = action.command_type == "customize"
            if action.command not in commands and not learned_button:
                return reply(language, lx.FEATURE_REPLY, "feature_missing")
    return result


def device_timer(home: Home, text: str, scan: Scan, language: Language) -> ParseResult | None:
    """An off timer on the one named device whose API has one (the fan's closeDelay).

    "Turn the fan off in 30 minutes" sets the timer; "run it for 30 minutes" and
    「つけて、1時間で切れるように」 switch it on as well. Anything else: None.
    """
    seconds = read_duration(text)
    if seconds is None:
        return None
    timers = [
        device
        for device in home.snapshot.devices
        if catalog.supports(device.device_type, lx.OFF_TIMER_COMMAND, infrared=device.is_infrared)
    ]
    named = [device for device in timers if _names_device(device, text)]
    if len(named) != 1:
        return None
    (device,) = named
    if scan.named_ids() - {device.device_id} or set(scan.values(Tag.KIND)) - {device.kind}:
        return None  # another device is named too: not a timer request of this one
    switch_on = _switches_on_with_timer(text, scan)
    if switch_on is None:
        return None
    spec = catalog.command_spec(device.device_type, lx.OFF_TIMER_COMMAND)
    if spec is None or not spec.parameter.accepts(str(seconds)):
        return None
    actions: list[Action] = []
    if switch_on:
        actions.extend(build_actions(device, Request(Op.TURN_ON)) or ())
    actions.append(Action(device.device_id, lx.OFF_TIMER_COMMAND, str(seconds)))
    template = in_language(lx.TIMER_ON_REPLY if switch_on else lx.TIMER_REPLY, language)
    message = template.format(
        name=device_name(device, language), duration=say_duration(seconds, language)
    )
    return ParseResult(language, True, message, tuple(actions), intent="timer")


def _switches_on_with_timer(text: str, scan: Scan) -> bool | None:
    """Whether a timer request also switches the device on; None when it is no timer request."""
    ops = set(scan.values(Tag.OP))
    switch_on = bool(ops & {Op.TURN_ON}) or scan.has_any(Tag.RUN, Tag.START)
    switch_off = bool(ops & {Op.TURN_OFF, Op.STOP}) or _OFF_LATER.search(text) is not None
    later = _LATER.search(text) is not None
    timer_word = TIMER_WORDS.search(text) is not None
    if not (switch_off or (switch_on and not later) or timer_word):
        return None  # "turn the fan on in 30 minutes": later, not a timer
    return switch_on


def as_said(text: str, result: ParseResult) -> ParseResult:
    """Details the words settle and a request's operation may miss.

    "Open the door lock" names a lock but asks to open it: it is an unlock (confirmed
    first), never a lock. A Blind Tilt faces up or down as said ("close it facing up").
    """
    actions: list[Action] = []
    for action in result.actions:
        if action.command == "lock" and _OPENING.search(text):
            action = replace(action, command="unlock", dangerous=True)
        elif action.command == "closeDown" and _TILT_UP.search(text):
            action = replace(action, command="closeUp")
        elif (
            action.command == "setPosition"
            and isinstance(action.parameter, str)
            and action.parameter.startswith("up;")
            and _TILT_DOWN.search(text)
        ):
            action = replace(action, parameter="down;" + action.parameter.removeprefix("up;"))
        actions.append(action)
    if tuple(actions) == result.actions:
        return result
    return replace(result, actions=tuple(actions))


def _features_said(text: str) -> Iterator[frozenset[str]]:
    """The commands of every feature the words name."""
    for words, commands in _FEATURES:
        if words.search(text) is not None:
            yield commands


def _the_one_meant(having: list[HomeDevice], text: str) -> HomeDevice | None:
    """The one device with the feature that the words name, else the only one there is."""
    candidates = [device for device in having if _names(device, text)] or having
    return candidates[0] if len(candidates) == 1 else None


def _names(device: HomeDevice, text: str) -> bool:
    """Whether the words name this device, its kind or its room."""
    in_room = bool(device.area) and normalize(device.area or "") in text
    return in_room or _names_device(device, text)


def _names_device(device: HomeDevice, text: str) -> bool:
    """Whether the words name this device or its kind (its room alone is not enough)."""
    for raw in (device.name, *device.aliases, *lx.KIND_WORDS.get(device.kind, ())):
        term = normalize(raw)
        pattern = term_pattern(term)
        if term and (pattern.search(text) if pattern is not None else term in text):
            return True
    return False


def _feature_value(command: str, values: tuple[str, ...], text: str) -> str | None:
    """The parameter a feature's command takes for what was said, from the catalog's codes."""
    if command == "addWaterForHumi":
        return "default"
    if command == "selfClean":
        return "2" if _FEATURE_DRY.search(text) else "1"  # 1 washes the mop, 2 dries it
    if command == "setChildLock" and len(values) == 2:
        on, off = ("1", "0") if set(values) == {"0", "1"} else ("true", "false")
        return off if _FEATURE_OFF.search(text) else on
    if command == "setNightLightMode" and len(values) >= 3:
        if _FEATURE_OFF.search(text):
            return values[0]
        return values[2] if _FEATURE_DIM.search(text) else values[1]
    return None
