"""Running one action of a rule: a device command, a scene, a notification or a service.

Device commands go through RoomSense's tools as the rule's creator, so permissions, night
safe mode and the audit log apply; a dangerous command (unlocking, opening the garage) is
never confirmed by an automation, so it is refused. Services that would open the home are
refused the same way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from homeassistant.components import persistent_notification
from homeassistant.components.cover import CoverDeviceClass
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.target import TargetSelection, async_extract_referenced_entity_ids

from ..const import DOMAIN
from ..gateway import Source
from .models import (
    ACTION_DEVICE_COMMAND,
    ACTION_NOTIFICATION,
    ACTION_SCENE,
    ACTION_SERVICE,
)

if TYPE_CHECKING:
    from ..tools import RoomSenseTools

# Home Assistant services an automation may never call on its own.
FORBIDDEN_SERVICES: Final = frozenset({"lock.unlock", "lock.open"})
# What an automation may do to a RoomSense lock or garage door: only close it up.
SAFE_ON_ENTRANCES: Final = frozenset(
    {"lock.lock", "cover.close_cover", "cover.stop_cover", "homeassistant.update_entity"}
)
SOURCE: Final = Source.AUTOMATION


class ActionRefusedError(HomeAssistantError):
    """The action is not one an automation may take."""


async def run_action(
    hass: HomeAssistant,
    tools: RoomSenseTools,
    action: dict[str, Any],
    *,
    user_id: str | None,
) -> dict[str, Any]:
    """Run one action and say what came of it; errors raise HomeAssistantError."""
    kind = action["type"]
    if kind == ACTION_DEVICE_COMMAND:
        return await tools.send_command(
            user_id=user_id,
            device_id=action["device_id"],
            command=action["command"],
            parameter=action.get("parameter", "default"),
            command_type=action.get("command_type", "command"),
            source=SOURCE,
        )
    if kind == ACTION_SCENE:
        return await tools.execute_scene(
            user_id=user_id, scene_id=action["scene_id"], source=SOURCE
        )
    if kind == ACTION_NOTIFICATION:
        return await _notify(hass, action)
    if kind == ACTION_SERVICE:
        return await _call_service(hass, action, user_id)
    raise ActionRefusedError(f"unknown action type {kind}")


async def _notify(hass: HomeAssistant, action: dict[str, Any]) -> dict[str, Any]:
    title = action.get("title") or "RoomSense"
    if service := action.get("service"):
        domain, name = service.split(".", 1)
        await hass.services.async_call(
            domain, name, {"message": action["message"], "title": title}, blocking=True
        )
        return {"notified": service}
    persistent_notification.async_create(hass, action["message"], title=title)
    return {"notified": "persistent_notification"}


async def _call_service(
    hass: HomeAssistant, action: dict[str, Any], user_id: str | None
) -> dict[str, Any]:
    service = action["service"]
    # RoomSense refuses an unconfirmed dangerous command; an automation never confirms.
    if service in FORBIDDEN_SERVICES or (
        service == f"{DOMAIN}.send_command" and (action.get("data") or {}).get("confirm")
    ):
        raise ActionRefusedError(f"an automation may not call {service}")
    domain, name = service.split(".", 1)
    data = dict(action.get("data") or {})
    target = dict(action.get("target") or {})
    if service not in SAFE_ON_ENTRANCES and (
        entrance := _entrance_among(hass, TargetSelection({**data, **target}))
    ):
        # cover.open_cover, homeassistant.toggle... on the garage would skip the confirmation.
        raise ActionRefusedError(f"an automation may not call {service} on {entrance}")
    await hass.services.async_call(
        domain, name, data, blocking=True, context=Context(user_id=user_id), target=target or None
    )
    return {"called": service}


def _entrance_among(hass: HomeAssistant, target: TargetSelection) -> str | None:
    """A RoomSense lock or garage door among the entities a service call reaches."""
    # Every entity, diagnostic and config ones included: refusing too much is the safe side.
    selected = async_extract_referenced_entity_ids(hass, target, primary_entities_only=False)
    registry = er.async_get(hass)
    for entity_id in selected.referenced | selected.indirectly_referenced:
        entry = registry.async_get(entity_id)
        if entry is None or entry.platform != DOMAIN:
            continue
        if entry.domain == "lock" or (
            entry.domain == "cover" and entry.original_device_class == CoverDeviceClass.GARAGE
        ):
            return entity_id
    return None
