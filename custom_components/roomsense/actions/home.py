"""The home's actions: devices, commands, scenes, the audit log, the dashboard, edge jobs.

The first five are also the tools of RoomSense's agent (and of any agent, through Home
Assistant's LLM API); their descriptions are the prompt's words, so keep them stable.
"""

from __future__ import annotations

from typing import Any, Final

import probatio
from homeassistant.core import SupportsResponse
from homeassistant.helpers import config_validation as cv
from homeassistant.util.json import JsonValueType

from ..dashboard import DEFAULT_TITLE, DEFAULT_URL_PATH, async_create_dashboard
from ..edge.views import JOB_FIELDS, one_kind_of_job, wait_answer
from ..shared import get_shared
from ..tools import RoomSenseTools
from .registry import Access, Action, AgentTool, Caller, Handler

_DEVICE_ID: Final = {probatio.Required("device_id"): cv.string}


def _tools(caller: Caller) -> RoomSenseTools:
    return get_shared(caller.hass).tools


def _tool(
    name: str,
    description: str,
    properties: dict[str, Any] | None = None,
    required: tuple[str, ...] = (),
) -> AgentTool:
    """A tool with its JSON schema, keys in the order the prompt has always had them."""
    parameters: dict[str, Any] = {"type": "object", "properties": properties or {}}
    if required:
        parameters["required"] = list(required)
    return AgentTool(name=name, description=description, parameters=parameters)


def _listing(name: str, handler: Handler, description: str) -> Action:
    """An action that lists something: no input, an answer, a tool without arguments."""
    return Action(
        name=name,
        handler=handler,
        response=SupportsResponse.ONLY,
        tool=_tool(name, description),
    )


async def _get_devices(caller: Caller, _data: dict[str, Any]) -> dict[str, Any]:
    return await _tools(caller).get_devices(caller.user_id)


async def _get_status(caller: Caller, data: dict[str, Any]) -> dict[str, Any]:
    return await _tools(caller).get_status(caller.user_id, data["device_id"], source=caller.source)


async def _send_command(caller: Caller, data: dict[str, Any]) -> dict[str, Any]:
    return await _tools(caller).send_command(
        user_id=caller.user_id,
        device_id=data["device_id"],
        command=data["command"],
        parameter=data["parameter"],
        command_type=data["command_type"],
        confirm=data["confirm"],
        source=caller.source,
    )


async def _get_scenes(caller: Caller, _data: dict[str, Any]) -> dict[str, Any]:
    return await _tools(caller).get_scenes(caller.user_id)


async def _execute_scene(caller: Caller, data: dict[str, Any]) -> dict[str, Any]:
    return await _tools(caller).execute_scene(
        user_id=caller.user_id, scene_id=data["scene_id"], source=caller.source
    )


def _get_audit_log(caller: Caller, data: dict[str, Any]) -> dict[str, Any]:
    """The newest audit records first (they name users and their actions: admins only)."""
    records = _tools(caller).audit.records[-data["limit"] :]
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


async def _edge_submit_job(caller: Caller, data: dict[str, Any]) -> dict[str, Any]:
    """Queue a job for an edge device; with `wait_for_result`, answer its result."""
    manager = get_shared(caller.hass).edge
    device = manager.find_device(data["device_id"])
    job = await manager.async_submit(
        device.device_id,
        instruction=data.get("instruction"),
        command=data.get("command"),
        payload=data.get("payload"),
        ttl=data["ttl"],
        source="service",
    )
    if not data["wait_for_result"]:
        return job.public()
    job = await manager.async_wait(job.job_id, data["timeout"])
    return wait_answer(job)[0]


async def _create_dashboard(caller: Caller, data: dict[str, Any]) -> dict[str, Any]:
    return await async_create_dashboard(caller.hass, data["url_path"], data["title"])


HOME_ACTIONS: Final = (
    _listing(
        "get_devices", _get_devices, "List the SwitchBot devices and infrared remotes of the home."
    ),
    Action(
        name="get_status",
        fields=_DEVICE_ID,
        handler=_get_status,
        response=SupportsResponse.ONLY,
        tool=_tool(
            "get_status",
            "Read the current status of one device.",
            {"device_id": {"type": "string", "description": "The device id."}},
            ("device_id",),
        ),
    ),
    Action(
        name="send_command",
        fields={
            **_DEVICE_ID,
            probatio.Required("command"): probatio.All(cv.string, probatio.Length(min=1, max=64)),
            probatio.Optional("parameter", default="default"): probatio.Any(
                dict, probatio.Coerce(str)
            ),
            probatio.Optional("command_type", default="command"): probatio.In(
                ["command", "customize"]
            ),
            # Only a person's own call may confirm; a model's tool never offers it.
            probatio.Optional("confirm", default=False): cv.boolean,
        },
        handler=_send_command,
        tool=_tool(
            "send_command",
            "Send a SwitchBot Open API v1.1 command to a device, e.g. turnOn, "
            "turnOff, setBrightness (parameter 1-100), setColor (R:G:B), setColorTemperature "
            "(2700-6500), setAll for an infrared air conditioner (temp,mode,fan,on|off; mode 1 "
            "auto 2 cool 3 dry 4 fan 5 heat), setPosition for curtains (0,ff,N with 0 open), "
            "lock, unlock.",
            {
                "device_id": {"type": "string"},
                "command": {"type": "string"},
                "parameter": {"type": "string", "description": "default when none"},
                "command_type": {"type": "string", "enum": ["command", "customize"]},
            },
            ("device_id", "command"),
        ),
    ),
    _listing("get_scenes", _get_scenes, "List the SwitchBot manual scenes."),
    Action(
        name="execute_scene",
        fields={probatio.Required("scene_id"): cv.string},
        handler=_execute_scene,
        tool=_tool(
            "exec_scene",
            "Run a SwitchBot manual scene.",
            {"scene_id": {"type": "string"}},
            ("scene_id",),
        ),
    ),
    Action(
        name="get_audit_log",
        fields={
            probatio.Optional("limit", default=100): probatio.All(
                probatio.Coerce(int), probatio.Range(min=1, max=5000)
            )
        },
        handler=_get_audit_log,
        access=Access.ADMIN,
        response=SupportsResponse.ONLY,
    ),
    Action(
        name="edge_submit_job",
        fields={
            probatio.Required("device_id"): probatio.All(cv.string, probatio.Length(min=1)),
            **JOB_FIELDS,
        },
        checks=(one_kind_of_job,),
        handler=_edge_submit_job,
        access=Access.ADMIN,
    ),
    Action(
        name="create_dashboard",
        fields={
            # The address's form is checked by the handler, which names what is wrong.
            probatio.Optional("url_path", default=DEFAULT_URL_PATH): cv.string,
            probatio.Optional("title", default=DEFAULT_TITLE): probatio.All(
                cv.string, probatio.Length(min=1, max=64)
            ),
        },
        handler=_create_dashboard,
        access=Access.ADMIN,
    ),
)
