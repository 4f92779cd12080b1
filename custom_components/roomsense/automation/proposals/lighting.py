"""Lighting proposals: a light for a door opened after dark, a soft one for motion at night."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Final

from ...catalog import Family
from ...home_model import HomeDevice
from .const import (
    DARK_HOURS,
    NIGHT_BRIGHTNESS,
    NIGHT_HOURS,
    SUN_ENTITY,
    SUN_INTEGRATION,
    Category,
)
from .drafts import (
    _by_device,
    _clock,
    _command,
    _Draft,
    _evidence_confidence,
    _evidence_text,
    _state_is,
)
from .events import _door_opened, _Event, _in_hours, _motion
from .home import _family, _Home, _is_light

_ENTRANCE_WORDS: Final = ("玄関", "entrance", "front", "porch", "hall", "廊下", "ポーチ")
_HALL_WORDS: Final = ("廊下", "hall", "corridor", "stairs", "階段", "玄関", "entrance")


def _sensed_with_light(
    events: Sequence[_Event],
    home: _Home,
    hours: tuple[int, int],
    sensed: Callable[[_Event], bool],
    hints: Sequence[str],
) -> Iterator[tuple[HomeDevice, HomeDevice, list[_Event]]]:
    """(sensor, light, events) for each sensor of the home that sensed something in `hours`.

    The light is the one to answer it: in the sensor's area, else one named by a hint word.
    """
    in_hours = _by_device(events, lambda event: _in_hours(event.minute, hours) and sensed(event))
    for sensor_id, seen in in_hours.items():
        sensor = home.devices.get(sensor_id)
        light = home.pick(_is_light, sensor, hints)
        if sensor is not None and light is not None:
            yield sensor, light, seen


def _door_light(events: Sequence[_Event], home: _Home) -> Iterable[_Draft]:
    for sensor, light, seen in _sensed_with_light(
        events, home, DARK_HOURS, _door_opened, _ENTRANCE_WORDS
    ):
        yield _Draft(
            kind="door_light",
            category=Category.LIGHTING,
            confidence=_evidence_confidence(len(seen)),
            text={"sensor": sensor.name, "light": light.name, **_evidence_text(seen)},
            conditions=[
                _state_is(sensor, "on"),
                {"type": "device_state", "entity_id": SUN_ENTITY, "value": "below_horizon"},
            ],
            actions=[_command(light, "turnOn")],
            requires=(SUN_INTEGRATION,),
        )


def _night_motion_light(events: Sequence[_Event], home: _Home) -> Iterable[_Draft]:
    for sensor, light, seen in _sensed_with_light(events, home, NIGHT_HOURS, _motion, _HALL_WORDS):
        actions = [_command(light, "turnOn")]
        dimmable = _family(light) is Family.LIGHT
        if dimmable:
            actions.append(_command(light, "setBrightness", str(NIGHT_BRIGHTNESS)))
        yield _Draft(
            kind="night_motion_light",
            category=Category.LIGHTING,
            confidence=_evidence_confidence(len(seen)),
            text={
                "sensor": sensor.name,
                "light": light.name,
                **_evidence_text(seen),
                "dimmed": "dimmed" if dimmable else "plain",
                "brightness": str(NIGHT_BRIGHTNESS),
            },
            conditions=[
                _state_is(sensor, "on"),
                {
                    "type": "time",
                    "operator": "between",
                    "value": [_clock(NIGHT_HOURS[0]), _clock(NIGHT_HOURS[1])],
                },
            ],
            actions=actions,
        )
