"""What the model is told: RoomSense's tools, the stable instructions, the turn's context."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from ..home_model import HomeSnapshot
from ..language_models import ToolSpec
from .phrases import Language

TOOL_SPECS: Final = (
    ToolSpec("get_devices", "List the SwitchBot devices and infrared remotes of the home.", {
        "type": "object", "properties": {}}),
    ToolSpec("get_status", "Read the current status of one device.", {
        "type": "object",
        "properties": {"device_id": {"type": "string", "description": "The device id."}},
        "required": ["device_id"]}),
    ToolSpec(
        "send_command",
        "Send a SwitchBot Open API v1.1 command to a device, e.g. turnOn, turnOff, "
        "setBrightness (parameter 1-100), setColor (R:G:B), setColorTemperature (2700-6500), "
        "setAll for an infrared air conditioner (temp,mode,fan,on|off; mode 1 auto 2 cool "
        "3 dry 4 fan 5 heat), setPosition for curtains (0,ff,N with 0 open), lock, unlock.",
        {
            "type": "object",
            "properties": {
                "device_id": {"type": "string"},
                "command": {"type": "string"},
                "parameter": {"type": "string", "description": "default when none"},
                "command_type": {"type": "string", "enum": ["command", "customize"]},
            },
            "required": ["device_id", "command"],
        },
    ),
    ToolSpec("get_scenes", "List the SwitchBot manual scenes.", {
        "type": "object", "properties": {}}),
    ToolSpec("exec_scene", "Run a SwitchBot manual scene.", {
        "type": "object",
        "properties": {"scene_id": {"type": "string"}},
        "required": ["scene_id"]}),
)  # fmt: skip

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
