"""The administrators' edge-device actions, at the REST endpoints under `/api/roomsense/edge/`.

Registering a device, rotating its token, listing, renaming and deleting devices, and a
device's jobs. They are HTTP only (`service=False`): the `roomsense.edge_submit_job`
service is the way an automation queues a job. A device's own endpoints (ping, its long
poll, its results) are not actions: they answer the device's token, not a person
(`edge/views.py`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from http import HTTPStatus
from typing import Any, Final

import probatio

from ..edge.manager import EdgeManager
from ..edge.views import (
    JOB_FIELDS,
    MAX_ADMIN_BODY,
    REGISTER_FIELDS,
    RENAME_FIELDS,
    describe_device,
    one_kind_of_job,
    wait_answer,
)
from ..shared import get_shared
from .registry import Access, Action, Caller, Handler, HttpMethod, Rest

_DEVICES: Final = "edge/devices"
_DEVICE: Final = _DEVICES + "/{device_id}"
_JOB: Final = "edge/jobs/{job_id}"
_DEVICE_ID: Final = {probatio.Required("device_id"): str}
_JOB_ID: Final = {probatio.Required("job_id"): str}


def _whole_body(body: dict[str, Any], path: Mapping[str, str]) -> dict[str, Any]:
    """All of the body: a key the action does not know is refused, not ignored."""
    return {**body, **path}


def _manager(caller: Caller) -> EdgeManager:
    return get_shared(caller.hass).edge


async def _register(caller: Caller, data: dict[str, Any]) -> dict[str, Any]:
    """A new device and its token, shown only in this answer."""
    manager = _manager(caller)
    device, token = await manager.async_register(
        data["name"], data["device_type"], data["capabilities"], data["metadata"]
    )
    return {
        "device_id": device.device_id,
        "token": token,
        "device": describe_device(manager, device),
    }


async def _rotate_token(caller: Caller, data: dict[str, Any]) -> dict[str, Any]:
    """A new token for the device, shown only in this answer; the old one stops working."""
    device, token = await _manager(caller).async_rotate_token(data["device_id"])
    return {"device_id": device.device_id, "token": token}


def _devices(caller: Caller, _data: dict[str, Any]) -> dict[str, Any]:
    manager = _manager(caller)
    return {"devices": [describe_device(manager, device) for device in manager.devices.values()]}


def _delete(caller: Caller, data: dict[str, Any]) -> dict[str, Any]:
    """Forget a device, its queue and its history."""
    _manager(caller).delete(data["device_id"])
    return {"device_id": data["device_id"], "deleted": True}


def _rename(caller: Caller, data: dict[str, Any]) -> dict[str, Any]:
    manager = _manager(caller)
    return describe_device(manager, manager.rename(data["device_id"], data["name"]))


def _jobs(caller: Caller, data: dict[str, Any]) -> dict[str, Any]:
    """The device's jobs, newest first, with their results."""
    manager = _manager(caller)
    manager.device(data["device_id"])
    return {"jobs": [job.public() for job in reversed(manager.device_jobs(data["device_id"]))]}


async def _submit(caller: Caller, data: dict[str, Any]) -> dict[str, Any]:
    """Queue a job; with `wait_for_result`, answer once it finished or timed out."""
    manager = _manager(caller)
    job = await manager.async_submit(
        data["device_id"],
        instruction=data.get("instruction"),
        command=data.get("command"),
        payload=data.get("payload"),
        ttl=data["ttl"],
    )
    if not data["wait_for_result"]:
        return job.public()
    return wait_answer(await manager.async_wait(job.job_id, data["timeout"]))[0]


def _submitted_status(answer: dict[str, Any]) -> HTTPStatus:
    """201 for a job queued; a wait answers 200 when done, 202 when it timed out."""
    if "wait" not in answer:
        return HTTPStatus.CREATED
    return HTTPStatus.OK if answer["wait"] == "completed" else HTTPStatus.ACCEPTED


def _admin_endpoint(
    name: str,
    handler: Handler,
    rest: Rest,
    fields: Mapping[Any, Any] | None = None,
    checks: tuple[Callable[[dict[str, Any]], dict[str, Any]], ...] = (),
) -> Action:
    """An administrators' HTTP-only action."""
    return Action(
        name=name,
        fields=fields or {},
        checks=checks,
        handler=handler,
        access=Access.ADMIN,
        service=False,
        rest=(rest,),
    )


def _sent(method: HttpMethod, path: str, **options: Any) -> Rest:
    """An endpoint whose body is read whole (a key it does not know is refused)."""
    return Rest(method=method, path=path, data=_whole_body, max_body=MAX_ADMIN_BODY, **options)


EDGE_ACTIONS: Final = (
    _admin_endpoint(
        "edge_register_device",
        _register,
        _sent("POST", _DEVICES + "/register", status=HTTPStatus.CREATED),
        REGISTER_FIELDS,
    ),
    _admin_endpoint(
        "edge_rotate_token",
        _rotate_token,
        _sent("POST", _DEVICE + "/token"),
        _DEVICE_ID,
    ),
    _admin_endpoint("edge_list_devices", _devices, Rest(method="GET", path=_DEVICES)),
    _admin_endpoint("edge_delete_device", _delete, Rest(method="DELETE", path=_DEVICE), _DEVICE_ID),
    _admin_endpoint(
        "edge_rename_device",
        _rename,
        _sent("PATCH", _DEVICE + "/name"),
        {**_DEVICE_ID, **RENAME_FIELDS},
    ),
    _admin_endpoint(
        "edge_device_jobs", _jobs, Rest(method="GET", path=_DEVICE + "/jobs"), _DEVICE_ID
    ),
    _admin_endpoint(
        "edge_queue_job",
        _submit,
        _sent("POST", _DEVICE + "/jobs", status=_submitted_status),
        {**_DEVICE_ID, **JOB_FIELDS},
        (one_kind_of_job,),
    ),
    _admin_endpoint(
        "edge_get_job",
        lambda caller, data: _manager(caller).job(data["job_id"]).public(),
        Rest(method="GET", path=_JOB),
        _JOB_ID,
    ),
    _admin_endpoint(
        "edge_cancel_job",
        lambda caller, data: _manager(caller).cancel(data["job_id"]).public(),
        Rest(method="DELETE", path=_JOB),
        _JOB_ID,
    ),
)
