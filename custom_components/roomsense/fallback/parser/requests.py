"""Deciding the single operation an utterance asks for, with its values.

Each stage looks at one family of devices (TV, air conditioner, lock, light, fan and
humidifier, cover) in a fixed order; the first stage that decides wins. A stage decides
either a request or that nothing can be asked (None: two colours, two modes...).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Final, Literal

from ...home_model import DeviceKind
from .. import lexicon as lx
from ..commands import Request
from ..lexicon import Op
from .scan import Scan, Tag
from .text import unique

COVER_KINDS: Final = frozenset({DeviceKind.CURTAIN, DeviceKind.BLIND})
MODE_KINDS: Final = frozenset({DeviceKind.FAN, DeviceKind.HUMIDIFIER})
AV_OPS: Final = frozenset(
    {Op.VOLUME_UP, Op.VOLUME_DOWN, Op.MUTE, Op.CHANNEL_UP, Op.CHANNEL_DOWN, Op.CHANNEL}
)
_AV_KINDS: Final = frozenset({DeviceKind.TV, DeviceKind.OTHER})
_DEGREE_WORD: Final = re.compile(r"\bdegrees?\b|度")
_HUMIDIFIER_LEVEL: Final = re.compile(r"(?:\blevel|レベル)\s*([1-4])(?!\d)")


class _Undecided(Enum):
    """A stage that leaves the decision to the next one."""

    NEXT = "next"


type _Decision = Request | None | Literal[_Undecided.NEXT]
_NEXT: Final = _Undecided.NEXT


@dataclass(frozen=True, slots=True)
class _Said:
    """What the utterance says that every stage weighs: operations, numbers, targets."""

    scan: Scan
    kinds: set[DeviceKind]
    ops: list[Op]
    percent: float | None
    degrees: float | None
    kelvin: float | None
    bare: float | None  # a number without a unit
    modes: list[int]  # air conditioner modes
    speeds: list[str]
    comfort: list[Op]
    wants_off: bool

    @property
    def no_kind(self) -> bool:
        """No device kind is named or implied by a named device."""
        return not self.kinds

    @property
    def level(self) -> float | None:
        """A percentage, else a bare number."""
        return self.percent if self.percent is not None else self.bare


def decide_request(scan: Scan, kinds: set[DeviceKind]) -> Request | None:
    """Decide the single operation asked for, with its values."""
    ops = unique(scan.values(Tag.OP))
    said = _Said(
        scan=scan,
        kinds=kinds,
        ops=ops,
        percent=scan.first_number("percent"),
        degrees=scan.first_number("degree"),
        kelvin=scan.first_number("kelvin"),
        bare=scan.first_number(None),
        modes=unique(scan.values(Tag.AC_MODE)),
        speeds=unique(scan.values(Tag.FAN_SPEED)),
        comfort=scan.values(Tag.COOLER) or scan.values(Tag.WARMER),
        wants_off=Op.TURN_OFF in ops or Op.STOP in ops,
    )
    for stage in _STAGES:
        decision = stage(said)
        if decision is not _Undecided.NEXT:
            return decision
    return _plain_request(said)


def in_range(request: Request) -> bool:
    """Values the devices accept; anything else is refused rather than clamped."""
    if (
        request.setpoint is not None
        and request.op is Op.CLIMATE
        and not lx.AC_MIN_TEMPERATURE <= request.setpoint <= lx.AC_MAX_TEMPERATURE
    ):
        return False
    if request.percent is not None and not 0 <= request.percent <= 100:
        return False
    return request.kelvin is None or (
        lx.COLOR_TEMPERATURE_MIN <= request.kelvin <= lx.COLOR_TEMPERATURE_MAX
    )


def infer_kinds(request: Request, scan: Scan) -> list[DeviceKind]:
    """The device kinds an operation implies when the utterance names none."""
    match request.op:
        case Op.LOCK | Op.UNLOCK | Op.DEADBOLT:
            return [DeviceKind.LOCK]
        case Op.CLEAN | Op.DOCK:
            return [DeviceKind.VACUUM]
        case Op.COOLER | Op.WARMER | Op.CLIMATE:
            return [DeviceKind.AIR_CONDITIONER]
        case Op.BRIGHTNESS | Op.COLOR | Op.COLOR_TEMPERATURE | Op.BRIGHTER | Op.DIMMER:
            return [DeviceKind.LIGHT]
        case Op.HUMIDITY:
            return [DeviceKind.HUMIDIFIER]
        case Op.PRESS:
            return [DeviceKind.BOT]
        case Op.OPEN | Op.CLOSE | Op.POSITION | Op.STOP if scan.has(Tag.AREA):
            return [DeviceKind.CURTAIN, DeviceKind.BLIND, DeviceKind.LOCK]
        case Op.TURN_OFF if scan.has(Tag.ALL) and scan.has_any(Tag.AREA, Tag.HOME):
            # "Turn everything off in the bedroom": every device that can be turned off.
            return list(DeviceKind)
    return []


def _av_stage(said: _Said) -> _Decision:
    """TV, streamer, set-top box: volume, mute, channels."""
    if said.kinds - _AV_KINDS:
        return _NEXT
    av = _av_request(said.scan, said.bare, tv_named=DeviceKind.TV in said.kinds)
    return _NEXT if av is None else av


def _av_request(scan: Scan, bare: float | None, *, tv_named: bool = False) -> Request | None:
    """Volume, mute and channel requests for TV-like remotes, or None."""
    up, down = scan.has(Tag.UP), scan.has(Tag.DOWN)
    counts = scan.values(Tag.COUNT)
    if tv_named and up != down and not scan.has_any(Tag.CHANNEL, Tag.VOLUME):
        # "Turn the TV down a notch": its volume.
        steps = max(1, min(lx.MAX_REPEAT, counts[0] if counts else 1))
        return Request(Op.VOLUME_UP if up else Op.VOLUME_DOWN, count=steps)
    steps = counts[0] if counts else (int(bare) if bare is not None and bare == int(bare) else 1)
    steps = max(1, min(lx.MAX_REPEAT, steps))
    volume_up = scan.has(Tag.VOLUME_UP) or (scan.has(Tag.VOLUME) and up and not down)
    volume_down = scan.has(Tag.VOLUME_DOWN) or (scan.has(Tag.VOLUME) and down and not up)
    channel = scan.has(Tag.CHANNEL)
    wanted: list[Request] = []
    if volume_up != volume_down:
        wanted.append(Request(Op.VOLUME_UP if volume_up else Op.VOLUME_DOWN, count=steps))
    if scan.has(Tag.MUTE):
        wanted.append(Request(Op.MUTE))
    if channel and bare is not None and bare == int(bare):
        wanted.append(Request(Op.CHANNEL, channel=int(bare)))
    elif channel and up != down and not scan.has(Tag.VOLUME):
        wanted.append(Request(Op.CHANNEL_UP if up else Op.CHANNEL_DOWN))
    return wanted[0] if len(wanted) == 1 else None


def _volume_level_stage(said: _Said) -> _Decision:
    """A volume level ("vacuum volume to 20"): remotes only step, so a device that sets it."""
    level, kinds = said.level, said.kinds
    if said.scan.has(Tag.VOLUME) and level is not None and kinds and _AV_KINDS.isdisjoint(kinds):
        return Request(Op.VOLUME, percent=round(level))
    return _NEXT


def _comfort_stage(said: _Said) -> _Decision:
    """Warmer or cooler: a setpoint from the room, or a step from the current setpoint."""
    scan, bare, degrees = said.scan, said.bare, said.degrees
    ac_target = DeviceKind.AIR_CONDITIONER in said.kinds
    explicit_setting = said.modes or degrees is not None or (ac_target and bare is not None)
    comfort_only = said.comfort and not (said.wants_off or explicit_setting)
    if comfort_only and (said.no_kind or ac_target):
        # "I'm freezing": a setpoint from the room; "... heating on at 23" is said below.
        return Request(Op(said.comfort[0]))
    temperature_said = "temperature" in scan.values(Tag.TOPIC)
    up, down = scan.has(Tag.UP), scan.has(Tag.DOWN)
    about_degrees = (
        degrees is not None or temperature_said or _DEGREE_WORD.search(scan.text) is not None
    )
    stepping = up != down and about_degrees and not said.speeds and not said.wants_off
    if (ac_target or (said.no_kind and temperature_said)) and stepping:
        # 「1度上げて」, "lower the temperature": a step from the setpoint it has now.
        step = degrees if degrees is not None else (bare if bare is not None else 1)
        if 0 < step <= lx.MAX_SETPOINT_STEP:
            return Request(Op.CLIMATE, setpoint_step=round(step) * (1 if up else -1))
    return _NEXT


def _climate_stage(said: _Said) -> _Decision:
    """Air conditioner settings: off, mode, setpoint, fan speed."""
    scan, kinds, bare, degrees, modes = said.scan, said.kinds, said.bare, said.degrees, said.modes
    ac_target = DeviceKind.AIR_CONDITIONER in kinds
    temperature_said = "temperature" in scan.values(Tag.TOPIC)
    if said.no_kind and temperature_said and bare is not None and not modes:
        # "Set the temperature to 24": the air conditioner's setpoint.
        degrees = bare
    if not (ac_target or (said.no_kind and (modes or degrees is not None))):
        return _NEXT
    if said.wants_off:
        return Request(Op.TURN_OFF)
    if not modes and "auto" in scan.values(Tag.MODE):
        modes = [lx.AC_MODE_AUTO]
    setpoint = degrees if degrees is not None else (bare if ac_target or modes else None)
    if not (modes or setpoint is not None or said.speeds):
        return _NEXT
    if len(modes) > 1 or (said.speeds and DeviceKind.FAN in kinds):
        # Two modes, or a fan speed that may be the circulator's: ask instead.
        return None
    if (
        not modes
        and setpoint is not None
        and any(term in lx.COOLING_KIND_WORDS for _kind, term in scan.kind_terms)
    ):
        modes = [lx.AC_MODE_COOL]  # 「クーラーを24度で」: the cooler cools
    return Request(
        Op.CLIMATE,
        ac_mode=modes[0] if modes else None,
        setpoint=None if setpoint is None else round(setpoint),
        fan_speed=said.speeds[0] if said.speeds else None,
    )


def _lock_stage(said: _Said) -> _Decision:
    """Locks are decided by their own verbs before generic open/close."""
    lock_ops = [op for op in said.ops if op in (Op.LOCK, Op.UNLOCK, Op.DEADBOLT)]
    if not lock_ops:
        return _NEXT
    return Request(lock_ops[0]) if len(lock_ops) == 1 else None


def _light_stage(said: _Said) -> _Decision:
    """Lights: colour temperature, colour, brightness."""
    scan, kinds, ops = said.scan, said.kinds, said.ops
    if not (DeviceKind.LIGHT in kinds or said.no_kind) or said.wants_off:
        return _NEXT
    if said.comfort and DeviceKind.LIGHT in kinds:
        # "Make the lamp warmer": a warmer white, not the air conditioner.
        warmer = scan.has(Tag.WARMER)
        return Request(
            Op.COLOR_TEMPERATURE,
            kelvin=lx.COLOR_TEMPERATURE_MIN if warmer else lx.COLOR_TEMPERATURE_MAX,
        )
    kelvins = scan.values(Tag.KELVIN)
    if said.kelvin is not None or kelvins:
        kelvin = round(said.kelvin) if said.kelvin is not None else kelvins[0]
        return Request(Op.COLOR_TEMPERATURE, kelvin=kelvin)
    colors = unique(scan.values(Tag.COLOR))
    if colors:
        return Request(Op.COLOR, rgb=colors[0]) if len(colors) == 1 else None
    level = said.level
    brightness_words = DeviceKind.LIGHT in kinds or scan.has(Tag.BRIGHTNESS_CONTEXT)
    if level is not None and brightness_words:
        return Request(Op.BRIGHTNESS, percent=round(level))
    extremes = scan.values(Tag.LEVEL)
    if extremes and (brightness_words or Op.BRIGHTER in ops or Op.DIMMER in ops):
        # "明るさ最大", "full brightness", "lowest brightness".
        return Request(Op.BRIGHTNESS, percent=extremes[0])
    feelings = unique([*scan.values(Tag.DARK), *scan.values(Tag.GLARE)])
    if feelings and not ops and not scan.has_any(Tag.DRY_AIR, Tag.WHY):
        # "暗いな" / "too bright": a step brighter or dimmer; both at once is nothing.
        return Request(feelings[0]) if len(feelings) == 1 else None
    return _NEXT


def _mode_stage(said: _Said) -> _Decision:
    """Circulator wind modes and humidifier modes; "乾燥してる" switches the humidifier on."""
    scan, kinds = said.scan, said.kinds
    mode_names = unique(scan.values(Tag.MODE))
    if mode_names and kinds & MODE_KINDS and not said.wants_off and not said.speeds:
        return Request(Op.MODE, mode=mode_names[0]) if len(mode_names) == 1 else None
    dry_air = scan.has(Tag.DRY_AIR) and not scan.has(Tag.WHY)
    humidifier_named = said.no_kind or DeviceKind.HUMIDIFIER in kinds
    if dry_air and humidifier_named and (not said.ops or said.ops == [Op.TURN_ON]):
        return Request(Op.TURN_ON)
    return _NEXT


def _fan_and_humidifier_stage(said: _Said) -> _Decision:
    """Fan speed as a percentage or a word; a humidifier's level or target humidity."""
    scan, kinds, speeds, percent = said.scan, said.kinds, said.speeds, said.percent
    if said.wants_off:
        return _NEXT
    level = said.level
    if DeviceKind.FAN in kinds and (level is not None or speeds):
        return Request(
            Op.FAN_SPEED,
            percent=None if level is None else round(level),
            fan_speed=speeds[0] if speeds else None,
        )
    level_said = _HUMIDIFIER_LEVEL.search(scan.text)
    if DeviceKind.HUMIDIFIER in kinds and level_said:
        # "level 1" of 4 (Humidifier2).
        return Request(Op.FAN_SPEED, fan_speed=f"level{level_said.group(1)}")
    if DeviceKind.HUMIDIFIER in kinds and speeds and percent is None:
        # 「加湿器を強に」: its output level, said like a fan's speed.
        return Request(Op.FAN_SPEED, fan_speed=speeds[0]) if len(speeds) == 1 else None
    humidifier_target = (
        DeviceKind.HUMIDIFIER in kinds
        or scan.has(Tag.HUMIDITY_CONTEXT)
        # "keep the bedroom at 45 percent humidity": a target, not a question.
        or (said.no_kind and "humidity" in scan.values(Tag.TOPIC))
    )
    if humidifier_target and percent is not None:
        return Request(Op.HUMIDITY, percent=round(percent))
    return _NEXT


def _cover_stage(said: _Said) -> _Decision:
    """Covers: a position ("30%", "half") is the open percentage, or closed with 閉めて."""
    kinds, ops = said.kinds, said.ops
    cover_target = bool(kinds & COVER_KINDS) or said.no_kind
    half = said.scan.values(Tag.HALF)
    position = said.percent if said.percent is not None else (half[0] if half else None)
    if position is None and said.bare is not None and kinds and kinds <= COVER_KINDS:
        # "Set the blinds to 60": a cover's only number is its position.
        position = said.bare
    if cover_target and position is not None and (Op.OPEN in ops or Op.CLOSE in ops or kinds):
        open_percent = round(position)
        if Op.CLOSE in ops:
            open_percent = 100 - open_percent
        return Request(Op.POSITION, percent=open_percent)
    return _NEXT


def _plain_request(said: _Said) -> Request | None:
    """One operation with no value ("turn on", "dock"); a robot's cleaning verbs first."""
    scan, kinds, ops = said.scan, said.kinds, said.ops
    if scan.has(Tag.MOP) and not ops:
        ops = [Op.CLEAN]
    if DeviceKind.VACUUM in kinds or (said.no_kind and Op.CLEAN in ops):
        ops = [op for op in ops if op is not Op.TURN_ON] if Op.CLEAN in ops else ops
        ops = [op for op in ops if op is not Op.STOP] if Op.DOCK in ops else ops
        stopping = Op.STOP in ops or Op.TURN_OFF in ops
        ops = [op for op in ops if op is not Op.CLEAN] if stopping else ops
    plain = [op for op in ops if op is not Op.CLEAN or DeviceKind.VACUUM in kinds or said.no_kind]
    if len(plain) != 1 or any(
        value is not None for value in (said.percent, said.degrees, said.kelvin)
    ):
        return None
    return Request(plain[0], mop=scan.has(Tag.MOP))


_STAGES: Final[tuple[Callable[[_Said], _Decision], ...]] = (
    _av_stage,
    _volume_level_stage,
    _comfort_stage,
    _climate_stage,
    _lock_stage,
    _light_stage,
    _mode_stage,
    _fan_and_humidifier_stage,
    _cover_stage,
)
