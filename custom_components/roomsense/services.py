"""The `roomsense.*` services: the conversation agent's tools, callable from anywhere."""

from __future__ import annotations

from typing import Final

import probatio
from homeassistant.components.image import DOMAIN as IMAGE_DOMAIN
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
)
from homeassistant.exceptions import ServiceValidationError, Unauthorized
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers import service
from homeassistant.helpers.typing import VolDictType
from homeassistant.util.json import JsonValueType

from .const import DOMAIN
from .dashboard import DEFAULT_TITLE, DEFAULT_URL_PATH, async_create_dashboard
from .edge import DATA_EDGE
from .edge.manager import UnknownDeviceError
from .edge.views import JOB_FIELDS, one_kind_of_job, wait_answer
from .tools import DATA_TOOLS, RoomSenseTools

ATTR_DEVICE_ID: Final = "device_id"
ATTR_COMMAND: Final = "command"
ATTR_PARAMETER: Final = "parameter"
ATTR_COMMAND_TYPE: Final = "command_type"
ATTR_CONFIRM: Final = "confirm"
ATTR_SCENE_ID: Final = "scene_id"
ATTR_LIMIT: Final = "limit"
ATTR_INSTRUCTION: Final = "instruction"
ATTR_IMAGE_URL: Final = "image_url"
ATTR_URL_PATH: Final = "url_path"
ATTR_TITLE: Final = "title"

SERVICE_UPLOAD_ART_FRAME_IMAGE: Final = "upload_art_frame_image"

DEVICE_SCHEMA: Final = probatio.Schema({probatio.Required(ATTR_DEVICE_ID): cv.string})
SEND_COMMAND_SCHEMA: Final = probatio.Schema(
    {
        probatio.Required(ATTR_DEVICE_ID): cv.string,
        probatio.Required(ATTR_COMMAND): probatio.All(cv.string, probatio.Length(min=1, max=64)),
        probatio.Optional(ATTR_PARAMETER, default="default"): probatio.Any(
            dict, probatio.Coerce(str)
        ),
        probatio.Optional(ATTR_COMMAND_TYPE, default="command"): probatio.In(
            ["command", "customize"]
        ),
        probatio.Optional(ATTR_CONFIRM, default=False): cv.boolean,
    }
)
SCENE_SCHEMA: Final = probatio.Schema({probatio.Required(ATTR_SCENE_ID): cv.string})
# An entity service: the target (an art frame's picture, or the frame itself) comes on top.
UPLOAD_ART_FRAME_IMAGE_SCHEMA: Final[VolDictType] = {probatio.Required(ATTR_IMAGE_URL): cv.url}
AUDIT_SCHEMA: Final = probatio.Schema(
    {
        probatio.Optional(ATTR_LIMIT, default=100): probatio.All(
            probatio.Coerce(int), probatio.Range(min=1, max=5000)
        )
    }
)
# The address's form is checked by the service, which names the key of what is wrong.
CREATE_DASHBOARD_SCHEMA: Final = probatio.Schema(
    {
        probatio.Optional(ATTR_URL_PATH, default=DEFAULT_URL_PATH): cv.string,
        probatio.Optional(ATTR_TITLE, default=DEFAULT_TITLE): probatio.All(
            cv.string, probatio.Length(min=1, max=64)
        ),
    }
)


EDGE_SUBMIT_SCHEMA: Final = probatio.All(
    probatio.Schema(
        {
            probatio.Required(ATTR_DEVICE_ID): probatio.All(cv.string, probatio.Length(min=1)),
            **JOB_FIELDS,
        }
    ),
    one_kind_of_job,
)


def _tools(hass: HomeAssistant) -> RoomSenseTools:
    return hass.data[DATA_TOOLS]


async def _get_devices(call: ServiceCall) -> ServiceResponse:
    return await _tools(call.hass).get_devices(call.context.user_id)


async def _get_status(call: ServiceCall) -> ServiceResponse:
    return await _tools(call.hass).get_status(call.context.user_id, call.data[ATTR_DEVICE_ID])


async def _send_command(call: ServiceCall) -> ServiceResponse:
    return await _tools(call.hass).send_command(
        user_id=call.context.user_id,
        device_id=call.data[ATTR_DEVICE_ID],
        command=call.data[ATTR_COMMAND],
        parameter=call.data[ATTR_PARAMETER],
        command_type=call.data[ATTR_COMMAND_TYPE],
        confirm=call.data[ATTR_CONFIRM],
    )


async def _get_scenes(call: ServiceCall) -> ServiceResponse:
    return await _tools(call.hass).get_scenes(call.context.user_id)


async def _execute_scene(call: ServiceCall) -> ServiceResponse:
    return await _tools(call.hass).execute_scene(
        user_id=call.context.user_id, scene_id=call.data[ATTR_SCENE_ID]
    )


async def _require_admin(call: ServiceCall) -> None:
    """Automations (no user) may call; a person must be an administrator."""
    if call.context.user_id is not None:
        user = await call.hass.auth.async_get_user(call.context.user_id)
        if user is None or not user.is_admin:
            raise Unauthorized(context=call.context)


async def _edge_submit_job(call: ServiceCall) -> ServiceResponse:
    """Queue a job for an edge device; with `wait_for_result`, answer its result."""
    await _require_admin(call)
    manager = call.hass.data[DATA_EDGE]
    try:
        device = manager.find_device(call.data[ATTR_DEVICE_ID])
    except UnknownDeviceError as err:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="unknown_edge_device",
            translation_placeholders={"device_id": call.data[ATTR_DEVICE_ID]},
        ) from err
    job = manager.submit(
        device.device_id,
        instruction=call.data.get(ATTR_INSTRUCTION),
        command=call.data.get(ATTR_COMMAND),
        payload=call.data.get("payload"),
        ttl=call.data["ttl"],
        source="service",
    )
    if not call.data["wait_for_result"]:
        return job.public()
    job = await manager.async_wait(job.job_id, call.data["timeout"])
    return wait_answer(job)[0]


async def _get_audit_log(call: ServiceCall) -> ServiceResponse:
    """The newest audit records first; admins only (it names users and their actions)."""
    await _require_admin(call)
    records = _tools(call.hass).audit.records[-call.data[ATTR_LIMIT] :]
    entries: list[JsonValueType] = [
        {
            "request_id": record.request_id,
            "user_id": record.user_id,
            "device_id": record.device_id,
            "command": record.command,
            "timestamp": record.timestamp,
            "outcome": record.outcome,
            "source": record.source,
            "path": record.path,
        }
        for record in reversed(records)
    ]
    return {"records": entries}


async def _create_dashboard(call: ServiceCall) -> ServiceResponse:
    """Create or update the RoomSense dashboard (administrators and automations only)."""
    await _require_admin(call)
    return await async_create_dashboard(call.hass, call.data[ATTR_URL_PATH], call.data[ATTR_TITLE])


def async_register_services(hass: HomeAssistant) -> None:
    """Register the services once, for every entry."""
    register = hass.services.async_register
    register(DOMAIN, "get_devices", _get_devices, probatio.Schema({}), SupportsResponse.ONLY)
    register(DOMAIN, "get_status", _get_status, DEVICE_SCHEMA, SupportsResponse.ONLY)
    register(DOMAIN, "send_command", _send_command, SEND_COMMAND_SCHEMA, SupportsResponse.OPTIONAL)
    register(DOMAIN, "get_scenes", _get_scenes, probatio.Schema({}), SupportsResponse.ONLY)
    register(DOMAIN, "execute_scene", _execute_scene, SCENE_SCHEMA, SupportsResponse.OPTIONAL)
    register(DOMAIN, "get_audit_log", _get_audit_log, AUDIT_SCHEMA, SupportsResponse.ONLY)
    register(
        DOMAIN,
        "edge_submit_job",
        _edge_submit_job,
        EDGE_SUBMIT_SCHEMA,
        SupportsResponse.OPTIONAL,
    )
    register(
        DOMAIN,
        "create_dashboard",
        _create_dashboard,
        CREATE_DASHBOARD_SCHEMA,
        SupportsResponse.OPTIONAL,
    )
    # Sent by the picture entity, so it goes through the command gateway as a tap would.
    service.async_register_platform_entity_service(
        hass,
        DOMAIN,
        SERVICE_UPLOAD_ART_FRAME_IMAGE,
        entity_domain=IMAGE_DOMAIN,
        schema=UPLOAD_ART_FRAME_IMAGE_SCHEMA,
        func="async_upload_art_frame_image",
    )
