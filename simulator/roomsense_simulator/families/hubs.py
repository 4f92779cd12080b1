"""Hubs (§5.4), plus the list-only types: cameras and the Remote (§5.16)."""

from __future__ import annotations

from ..spec import TypeSpec, WebhookSpec, const, copy, detection

_CLIMATE_FIELDS = {
    "temperature": copy("temperature"),
    "humidity": copy("humidity"),
    "lightLevel": copy("lightLevel"),
    "scale": const("CELSIUS"),
}

TYPES = [
    # The first-generation hubs answer GET /status with an empty body (issues #89, #484).
    TypeSpec("Hub", status=None, infrared_hub=True),
    TypeSpec("Hub Plus", status=None, infrared_hub=True),
    TypeSpec("Hub Mini", status=None, infrared_hub=True),
    TypeSpec(
        "Hub 2",
        status={"temperature": 22.5, "humidity": 45, "lightLevel": 12, "version": "V1.1-1.4"},
        webhook=WebhookSpec("WoHub2", _CLIMATE_FIELDS),
        status_hub_is_self=True,
        infrared_hub=True,
    ),
    TypeSpec(
        "Hub 3",
        status={
            "version": "V1.0-1.2",
            "temperature": 22.5,
            "humidity": 45,
            "lightLevel": 6,
            "moveDetected": False,
            "onlineStatus": "online",
        },
        # The README's table says "WoHub3", its JSON sample "Hub 3"; the sample is used.
        webhook=WebhookSpec(
            "Hub 3", {"detectionState": detection("moveDetected")} | _CLIMATE_FIELDS
        ),
        status_hub_is_self=True,
        infrared_hub=True,
    ),
    TypeSpec(
        "AI Hub",
        status={"version": "V1.0", "onlineStatus": "online"},
        status_hub_is_self=True,
    ),
    # Cameras push motion through webhooks but have neither status nor commands.
    TypeSpec("Indoor Cam", status=None, webhook=WebhookSpec("WoCamera", {})),
    TypeSpec("Pan/Tilt Cam", status=None, webhook=WebhookSpec("WoPanTiltCam", {})),
    TypeSpec("Pan/Tilt Cam 2K", status=None),
    TypeSpec("Pan/Tilt Cam Plus 2K", status=None),
    TypeSpec("Pan/Tilt Cam Plus 3K", status=None),
    TypeSpec("Remote", status=None),
]
