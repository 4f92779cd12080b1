"""Lights (§5.9): one builder, parameterised by each type's ranges and capabilities.

Status `power` is lowercase "on"/"off": the README writes ON/OFF, but the responses seen
in the wild (Bot, Plug Mini) are lowercase, so clients must not depend on the case. The
webhook's `powerState` is uppercase. Setting brightness or colour does not switch a light on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .. import params
from ..spec import (
    CommandHandler,
    CommandRequest,
    Effect,
    TypeSpec,
    WebhookField,
    WebhookSpec,
    copy,
    upper,
)
from .common import power_commands

COLOR_TEMPERATURE_RANGE = (2700, 6500)


@dataclass(frozen=True, slots=True)
class LightModel:
    """The capabilities that set one light type apart from another."""

    device_type: str
    webhook_type: str
    min_brightness: int
    color: bool
    color_temperature: bool
    online_field: str | None = "onlineStatus"
    version: str = "V1.0"
    infrared_hub: bool = False


def _set_brightness(minimum: int) -> CommandHandler:
    def handle(request: CommandRequest) -> Effect:
        return Effect(status={"brightness": params.integer(request.parameter, minimum, 100)})

    return handle


def _set_color(request: CommandRequest) -> Effect:
    return Effect(status={"color": params.rgb(request.parameter)})


def _set_color_temperature(request: CommandRequest) -> Effect:
    kelvin = params.integer(request.parameter, *COLOR_TEMPERATURE_RANGE)
    return Effect(status={"colorTemperature": kelvin})


def light(model: LightModel) -> TypeSpec:
    """The `TypeSpec` of one light type."""
    status: dict[str, Any] = {"power": "off", "brightness": 80}
    commands: dict[str, CommandHandler] = power_commands(toggle=True)
    commands["setBrightness"] = _set_brightness(model.min_brightness)
    webhook_fields: dict[str, WebhookField] = {
        "powerState": upper("power"),
        "brightness": copy("brightness"),
    }
    if model.color:
        status["color"] = "255:255:255"
        commands["setColor"] = _set_color
        webhook_fields["color"] = copy("color")
    if model.color_temperature:
        status["colorTemperature"] = 4000
        commands["setColorTemperature"] = _set_color_temperature
        webhook_fields["colorTemperature"] = copy("colorTemperature")
    status["version"] = model.version
    if model.online_field == "onlineStatus":
        status["onlineStatus"] = "online"
    elif model.online_field == "online":
        status["online"] = True
    return TypeSpec(
        model.device_type,
        status=status,
        commands=commands,
        webhook=WebhookSpec(model.webhook_type, webhook_fields),
        infrared_hub=model.infrared_hub,
    )


MODELS = [
    LightModel("Color Bulb", "WoBulb", 1, color=True, color_temperature=True, online_field=None),
    LightModel("Strip Light", "WoStrip", 1, color=True, color_temperature=False),
    LightModel(
        "Ceiling Light",
        "WoCeiling",
        1,
        color=False,
        color_temperature=True,
        version="V3.1-6.3",
        infrared_hub=True,
    ),
    LightModel(
        "Ceiling Light Pro",
        "WoCeilingPro",
        1,
        color=False,
        color_temperature=True,
        version="V3.1-6.3",
        infrared_hub=True,
    ),
    LightModel("RGBICWW Strip Light", "RGBICWW Strip Light", 0, color=True, color_temperature=True),
    LightModel("RGBICWW Floor Lamp", "RGBICWW Floor Lamp", 0, color=True, color_temperature=True),
    LightModel(
        "RGBIC Neon Rope Light", "RGBIC Neon Rope Light", 0, color=True, color_temperature=False
    ),
    # Its webhook sample says "RGBICWW Strip Light", a copy slip: the table's name is used.
    LightModel(
        "RGBIC Neon Wire Rope Light",
        "RGBIC Neon Wire Rope Light",
        0,
        color=True,
        color_temperature=False,
    ),
    LightModel(
        "Floor Lamp", "Floor Lamp", 0, color=True, color_temperature=True, online_field="online"
    ),
    LightModel(
        "Strip Light 3", "Strip Light 3", 0, color=True, color_temperature=True, online_field=None
    ),
    LightModel("Candle Warmer Lamp", "Candle Warmer Lamp", 0, color=False, color_temperature=False),
    # Not in the reference: taken to be an RGBICWW light, as Home Assistant's own integration
    # drives it [UNV].
    LightModel(
        "Permanent Outdoor Lights",
        "Permanent Outdoor Lights",
        0,
        color=True,
        color_temperature=True,
    ),
]

TYPES = [light(model) for model in MODELS]
