"""What the model is told: RoomSense's tools, the stable instructions, the turn's context."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from ..actions import ACTIONS
from ..actions.llm_api import tool_specs
from ..home_model import HomeSnapshot
from .phrases import Language

# RoomSense's tools, as the actions declare them (their words are part of the prompt).
TOOL_SPECS: Final = tool_specs(ACTIONS)

_READINGS: Final = ("temperature", "humidity", "CO2")


def instructions(options: Mapping[str, Any], language: Language, snapshot: HomeSnapshot) -> str:
    """The part of the prompt that stays the same from turn to turn.

    Byte-stable on purpose: llama-server (and other prompt caches) reuse the
    prefix up to the first changed byte, so nothing here may depend on the
    clock or on readings. Those go into `turn_context`, sent just before the user.
    """
    reply_in = "Japanese" if language == "ja" else "English"
    devices = [
        f"{device.device_id}|{device.name}|{device.area or '-'}|{device.kind.value}"
        + ("|ir" if device.is_infrared else "")
        for device in snapshot.devices
    ]
    scenes = [f"{scene.scene_id}|{scene.name}" for scene in snapshot.scenes]
    return "\n".join(
        [
            "You are RoomSense, the assistant of a home run by SwitchBot devices.",
            f"Always reply in {reply_in}, briefly.",
            "Use the tools to act; never claim an action you did not take.",
            "Unlocking, opening the garage and other dangerous commands need the user's "
            "explicit confirmation: if a tool answers confirmation_required, ask the user.",
            "If a tool refuses for permissions or night safe mode, say so; do not retry.",
            "When the user wants something later, repeatedly or under a condition, call "
            "create_automation with their words instead of acting now.",
            f"Night safe hours: {options.get('night_mode_start', 'none')}"
            f"-{options.get('night_mode_end', 'none')}.",
            "Devices (id|name|room|kind, ir = infrared remote, state assumed):",
            *devices,
            "Scenes (id|name):",
            *(scenes or ["none"]),
        ]
    )


def turn_context(hass: HomeAssistant, snapshot: HomeSnapshot) -> str:
    """What changes between turns: the time, who is home, the latest readings."""
    readings = [
        f"{device.name} "
        + " ".join(f"{key}={device.state[key]}" for key in _READINGS if key in device.state)
        for device in snapshot.devices
        if any(key in device.state for key in _READINGS)
    ]
    home = [state.name for state in hass.states.async_all("person") if state.state == "home"]
    return "\n".join(
        [
            f"Now: {dt_util.now().strftime('%Y-%m-%d %H:%M %a')}",
            "At home: " + (", ".join(home) if home else "unknown"),
            "Readings: " + ("; ".join(readings) if readings else "none"),
        ]
    )
