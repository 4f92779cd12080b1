"""The automation and scene-learning HTTP API and services: success and failure paths."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry, MockUser
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.roomsense.const import DOMAIN
from custom_components.roomsense.shared import get_shared

from ..conftest import SimulatorAdmin
from ..llm.conftest import FakeServer, json_reply
from .conftest import entity_id, roomsense_service
from .test_conversation_model import model  # noqa: F401 - the fixture

PLUG = "7C87CE5A10B2"
LIGHT = "94A99021C3F4"
CURTAIN = "D7A3C19E5B40"
LOCK = "F8C9A1B2E3D4"
BASE = "/api/roomsense"

WORKFLOW: dict[str, Any] = {
    "name": "Morning coffee",
    "description": "毎朝7時にコーヒーメーカーをつけて",
    "actions": [{"type": "device_command", "device_id": PLUG, "command": "turnOn"}],
    "schedule": {"type": "daily", "time": "07:00"},
    "confidence": 0.8,
    "suggestions": [],
    "source": "pattern",
    "language": "ja",
}


@pytest.fixture
async def client(
    hass: HomeAssistant, setup_entry: MockConfigEntry, hass_client: ClientSessionGenerator
) -> TestClient:
    return await hass_client()


async def saved(client: TestClient, workflow: dict[str, Any] | None = None) -> dict[str, Any]:
    response = await client.post(
        f"{BASE}/automation/workflow/save", json={"workflow": workflow or WORKFLOW}
    )
    assert response.status == 201, await response.text()
    body = await response.json()
    assert body["success"] is True
    return dict(body["rule"])


async def refused(response: Any, status: int) -> str:
    assert response.status == status, await response.text()
    body = await response.json()
    assert body["success"] is False
    return str(body["message"])


async def test_the_rule_lifecycle(
    hass: HomeAssistant,
    client: TestClient,
    sim_admin: SimulatorAdmin,
    hass_admin_user: MockUser,
) -> None:
    rule = await saved(client)
    assert rule["name"] == "Morning coffee"
    assert rule["enabled"] is True
    assert rule["created_by"] == hass_admin_user.id
    assert "confidence" not in rule  # the parser's extras are not part of a rule

    listing = await (await client.get(f"{BASE}/automation/workflow/rules")).json()
    assert listing["success"] is True
    assert listing["count"] == 1
    assert listing["rules"][0]["id"] == rule["id"]
    assert listing["rules"][0]["next_run"] is not None

    url = f"{BASE}/automation/workflow/rules/{rule['id']}"
    assert (await (await client.get(url)).json())["rule"]["name"] == "Morning coffee"

    changed = {**WORKFLOW, "name": "Coffee at 6:30", "schedule": {"type": "daily", "time": "06:30"}}
    body = await (await client.put(url, json=changed)).json()
    assert (body["success"], body["rule"]["name"]) == (True, "Coffee at 6:30")
    assert body["rule"]["schedule"]["time"] == "06:30"

    body = await (await client.patch(f"{url}/toggle", json={"enabled": False})).json()
    assert body["rule"]["enabled"] is False
    listing = await (await client.get(f"{BASE}/automation/workflow/rules")).json()
    assert listing["rules"][0]["next_run"] is None

    body = await (await client.post(f"{url}/execute")).json()
    assert (body["success"], body["execution"]["status"]) == (True, "success")
    calls = await sim_admin.api_calls(f"/devices/{PLUG}/commands")
    assert [call["body"]["command"] for call in calls] == ["turnOn"]

    body = await (await client.get(f"{url}/history")).json()
    assert body["count"] == 1
    assert body["history"][0]["trigger"] == "manual"
    assert body["history"][0]["results"][0]["status"] == "success"

    body = await (await client.get(f"{url}/export")).json()
    assert "Coffee at 6:30" in body["yaml"]
    assert body["automation"]["alias"] == "Coffee at 6:30"

    body = await (await client.delete(url)).json()
    assert body["success"] is True
    await refused(await client.get(url), 404)
    assert get_shared(hass).automation.rules == {}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({}, "workflow is an object"),
        ({"workflow": "x"}, "workflow is an object"),
        ({"workflow": {**WORKFLOW, "actions": []}}, "actions"),
        ({"workflow": {**WORKFLOW, "actions": [{"type": "teleport"}]}}, "teleport"),
        ({"workflow": {**WORKFLOW, "schedule": {"type": "daily", "time": "7 am"}}}, "time"),
        ({"workflow": {**WORKFLOW, "schedule": None}}, "schedule or at least one condition"),
        (
            {"workflow": {**WORKFLOW, "actions": [
                {"type": "device_command", "device_id": "NOPE", "command": "turnOn"}]}},
            "unknown device NOPE",
        ),
        (
            {"workflow": {**WORKFLOW, "actions": [{"type": "scene", "scene_id": "nope"}]}},
            "unknown scene nope",
        ),
    ],
)  # fmt: skip
async def test_save_refuses_bad_workflows(
    hass: HomeAssistant, client: TestClient, body: dict[str, Any], expected: str
) -> None:
    response = await client.post(f"{BASE}/automation/workflow/save", json=body)
    assert expected in await refused(response, 400)
    assert get_shared(hass).automation.rules == {}


async def test_malformed_bodies_are_400(client: TestClient) -> None:
    for path in ("automation/workflow/save", "automation/workflow/parse", "scenes/learn/record"):
        response = await client.post(f"{BASE}/{path}", data=b"{nope")
        assert "not valid JSON" in await refused(response, 400)
        response = await client.post(f"{BASE}/{path}", json=[1, 2])
        assert "JSON object" in await refused(response, 400)


async def test_unknown_rules_are_404(client: TestClient) -> None:
    url = f"{BASE}/automation/workflow/rules/nope"
    for method, path, body in (
        ("GET", "", None),
        ("PUT", "", WORKFLOW),
        ("DELETE", "", None),
        ("PATCH", "/toggle", {"enabled": True}),
        ("POST", "/execute", None),
        ("GET", "/history", None),
        ("GET", "/export", None),
    ):
        response = await client.request(method, f"{url}{path}", json=body)
        assert "nope" in await refused(response, 404), (method, path)


async def test_toggle_needs_a_boolean(client: TestClient) -> None:
    rule = await saved(client)
    url = f"{BASE}/automation/workflow/rules/{rule['id']}/toggle"
    for body in ({}, {"enabled": "yes"}, {"enabled": 1}):
        await refused(await client.patch(url, json=body), 400)


async def test_evaluating_conditions(hass: HomeAssistant, client: TestClient) -> None:
    now = dt_util.now()
    window = [
        (now - timedelta(hours=1)).strftime("%H:%M"),
        (now + timedelta(hours=1)).strftime("%H:%M"),
    ]
    body = await (
        await client.post(
            f"{BASE}/automation/workflow/conditions/evaluate",
            json={
                "conditions": [
                    {"type": "time", "operator": "between", "value": window},
                    {"type": "device_state", "device_id": PLUG, "value": "on"},
                ]
            },
        )
    ).json()
    assert body["success"] is True
    plug_state = hass.states.get(entity_id(hass, "switch", f"{PLUG}_plug"))
    assert plug_state is not None
    assert [result["met"] for result in body["results"]] == [True, plug_state.state == "on"]
    assert body["results"][1]["actual"] == plug_state.state
    response = await client.post(
        f"{BASE}/automation/workflow/conditions/evaluate",
        json={"conditions": [{"type": "temperature", "operator": "hotter", "value": 1}]},
    )
    assert "operator" in await refused(response, 400)
    response = await client.post(f"{BASE}/automation/workflow/conditions/evaluate", json={})
    await refused(response, 400)


async def test_the_views_need_home_assistant_auth(
    hass: HomeAssistant, setup_entry: MockConfigEntry, hass_client_no_auth: ClientSessionGenerator
) -> None:
    anonymous = await hass_client_no_auth()
    for method, path in (
        ("POST", "automation/workflow/parse"),
        ("GET", "automation/workflow/rules"),
        ("POST", "automation/proposals"),
        ("GET", "scenes/learn/patterns"),
    ):
        response = await anonymous.request(method, f"{BASE}/{path}", json={})
        assert response.status == 401


# --- the services -------------------------------------------------------------------------


async def test_the_same_operations_as_services(
    hass: HomeAssistant, setup_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    rule = (await roomsense_service(hass, "save_rule", {"workflow": WORKFLOW}))["rule"]
    assert (await roomsense_service(hass, "list_rules", {}))["count"] == 1
    assert (await roomsense_service(hass, "get_rule", {"rule_id": rule["id"]}))["rule"][
        "id"
    ] == rule["id"]
    updated = await roomsense_service(
        hass, "update_rule", {"rule_id": rule["id"], "rule": {**WORKFLOW, "name": "Renamed"}}
    )
    assert updated["rule"]["name"] == "Renamed"
    toggled = await roomsense_service(
        hass, "toggle_rule", {"rule_id": rule["id"], "enabled": False}
    )
    assert toggled["rule"]["enabled"] is False
    executed = await roomsense_service(hass, "execute_rule", {"rule_id": rule["id"]})
    assert executed["execution"]["status"] == "success"
    history = await roomsense_service(hass, "get_rule_history", {"rule_id": rule["id"]})
    assert history["count"] == 1
    exported = await roomsense_service(hass, "export_rule", {"rule_id": rule["id"]})
    assert "Renamed" in exported["yaml"]
    evaluated = await roomsense_service(
        hass,
        "evaluate_conditions",
        {"conditions": [{"type": "time", "operator": "after", "value": "00:00"}]},
    )
    assert evaluated["met"] is True
    assert (await roomsense_service(hass, "delete_rule", {"rule_id": rule["id"]}))[
        "success"
    ] is True

    with pytest.raises(ServiceValidationError) as refusal:
        await roomsense_service(hass, "get_rule", {"rule_id": rule["id"]})
    assert refusal.value.translation_key == "unknown_rule"
    with pytest.raises(ServiceValidationError) as refusal:
        await roomsense_service(hass, "save_rule", {"workflow": {**WORKFLOW, "actions": []}})
    assert refusal.value.translation_key == "automation_invalid"
    assert "actions" in str(refusal.value)


async def test_rules_survive_a_restart(
    hass: HomeAssistant, client: TestClient, hass_storage: dict[str, Any]
) -> None:
    rule = await saved(client)
    engine = get_shared(hass).automation
    await engine.async_flush()
    from custom_components.roomsense.automation import AutomationEngine

    restarted = AutomationEngine(hass, get_shared(hass).tools)
    await restarted.async_load()
    assert restarted.rules[rule["id"]] == engine.rules[rule["id"]]
    next_run = restarted.next_run(restarted.rules[rule["id"]])
    assert isinstance(next_run, datetime)
    assert (next_run.hour, next_run.minute) == (7, 0)


# --- scene learning -------------------------------------------------------------------------


async def record(client: TestClient, device_id: str, command: str, when: datetime) -> None:
    response = await client.post(
        f"{BASE}/scenes/learn/record",
        json={"operation": {"deviceId": device_id, "command": command,
                            "timestamp": when.isoformat()}},
    )  # fmt: skip
    assert response.status == 201, await response.text()


async def test_learning_a_scene_from_a_week_of_mornings(
    hass: HomeAssistant, client: TestClient, sim_admin: SimulatorAdmin
) -> None:
    start = dt_util.now().replace(hour=7, minute=0, second=0, microsecond=0) - timedelta(days=7)
    for day in range(7):
        morning = start + timedelta(days=day)
        await record(client, LIGHT, "turnOn", morning)
        await record(client, CURTAIN, "turnOn", morning + timedelta(seconds=20))
        await record(client, PLUG, "turnOn", morning + timedelta(seconds=45))

    patterns = (await (await client.get(f"{BASE}/scenes/learn/patterns")).json())["patterns"]
    assert {pattern["pattern_type"] for pattern in patterns} >= {"sequential", "time_based"}
    body = await (
        await client.post(f"{BASE}/scenes/learn/candidates", json={"context": {"time": "07:00"}})
    ).json()
    candidates = body["candidates"]
    morning = next(c for c in candidates if len(c["operations"]) == 3)
    assert [op["device_id"] for op in morning["operations"]] == [LIGHT, CURTAIN, PLUG]
    assert morning["confidence"] >= 0.5

    response = await client.post(
        f"{BASE}/scenes/learn/candidates/{morning['candidate_id']}/approve",
        json={"name": "Good morning"},
    )
    assert response.status == 201
    scene = (await response.json())["scene"]
    await hass.async_block_till_done()
    scene_entity = entity_id(hass, "scene", f"learned_scene_{scene['id']}")
    acceptance = hass.states.get(
        entity_id(
            hass,
            "sensor",
            f"{next(iter(hass.config_entries.async_entries(DOMAIN))).entry_id}_scene_acceptance_rate",
        )
    )
    assert acceptance is not None
    assert acceptance.state == "100.0"

    await hass.services.async_call("scene", "turn_on", {"entity_id": scene_entity}, blocking=True)
    for device_id in (LIGHT, CURTAIN, PLUG):
        calls = await sim_admin.api_calls(f"/devices/{device_id}/commands")
        assert [call["body"]["command"] for call in calls] == ["turnOn"]
    assert get_shared(hass).learning.scenes[scene["id"]]["usage_count"] == 1

    # Approving again: the candidate was used up.
    response = await client.post(
        f"{BASE}/scenes/learn/candidates/{morning['candidate_id']}/approve", json={}
    )
    await refused(response, 404)


async def test_recording_refuses_bad_operations(client: TestClient) -> None:
    for operation in (
        None,
        "x",
        {"command": "turnOn"},
        {"deviceId": PLUG},
        {"deviceId": PLUG, "command": "turnOn", "timestamp": "yesterday"},
    ):
        response = await client.post(f"{BASE}/scenes/learn/record", json={"operation": operation})
        await refused(response, 400)  # fmt: skip
    response = await client.post(
        f"{BASE}/scenes/learn/candidates", json={"context": {"min_confidence": 7}}
    )
    assert "min_confidence" in await refused(response, 400)


async def test_commands_people_give_are_recorded(
    hass: HomeAssistant, setup_entry: MockConfigEntry, hass_admin_user: MockUser
) -> None:
    learning = get_shared(hass).learning
    before = len(learning.operations)
    switch = entity_id(hass, "switch", f"{PLUG}_plug")
    # A person switches the plug on in the dashboard...
    await hass.services.async_call(
        "switch", "turn_on", {"entity_id": switch}, blocking=True,
        context=Context(user_id=hass_admin_user.id),
    )  # fmt: skip
    # ...and off again through RoomSense's service.
    await roomsense_service(
        hass, "send_command", {"device_id": PLUG, "command": "turnOff"}, hass_admin_user
    )
    await hass.async_block_till_done()
    recorded = [
        (op.device_id, op.command, op.source, op.user_id) for op in learning.operations[before:]
    ]
    assert recorded == [
        (PLUG, "turnOn", "state", hass_admin_user.id),
        (PLUG, "turnOff", "service", hass_admin_user.id),
    ]
    # What an automation does is not what people do.
    light_off = {"type": "device_command", "device_id": LIGHT, "command": "turnOff"}
    rule = get_shared(hass).automation.create(
        {"name": "x", "actions": [light_off], "schedule": {"type": "daily", "time": "03:00"}},
        None,
    )
    count = len(learning.operations)
    await get_shared(hass).automation.async_execute(rule["id"], None)
    await hass.async_block_till_done()
    assert [op.source for op in learning.operations[count:]] == []


# --- proposals ------------------------------------------------------------------------------

METER = "D04E7A2B9C15"
AIR_CONDITIONER = "02-202404011230-10482736"


async def test_proposals_from_hot_readings_and_their_validation(
    hass: HomeAssistant, client: TestClient
) -> None:
    now = dt_util.now()
    events = [
        {"deviceId": METER, "deviceType": "Meter", "temperature": 29.5 + index / 10,
         "timestamp": (now - timedelta(minutes=10 * index)).isoformat()}
        for index in range(4)
    ]  # fmt: skip
    response = await client.post(f"{BASE}/automation/proposals", json={"events": events})
    assert response.status == 200
    proposals = (await response.json())["proposals"]
    climate = [proposal for proposal in proposals if proposal["category"] == "climate"]
    assert climate, proposals
    suggestion = climate[0]["suggestion"]
    assert suggestion["actions"][0]["device_id"] == AIR_CONDITIONER

    body = await (
        await client.post(f"{BASE}/automation/proposals/validate", json={"suggestion": suggestion})
    ).json()
    assert body["validation"]["valid"] is True
    # Saving it makes the same proposal a duplicate.
    await saved(client, suggestion)
    proposals = (
        await (await client.post(f"{BASE}/automation/proposals", json={"events": events})).json()
    )["proposals"]
    assert not [proposal for proposal in proposals if proposal["id"] == climate[0]["id"]]

    unlock = {
        "name": "Open up",
        "actions": [{"type": "device_command", "device_id": LOCK, "command": "unlock"}],
        "schedule": {"type": "daily", "time": "08:00"},
    }
    body = await (
        await client.post(f"{BASE}/automation/proposals/validate", json={"suggestion": unlock})
    ).json()
    assert body["validation"]["valid"] is False
    assert body["validation"]["safety"]["safe"] is False

    for bad in ({"events": "x"}, {"events": [1]}, {}):
        await refused(await client.post(f"{BASE}/automation/proposals", json=bad), 400)
    await refused(
        await client.post(f"{BASE}/automation/proposals/validate", json={"suggestion": 3}), 400
    )


# --- parsing --------------------------------------------------------------------------------


async def test_parse_then_save_a_japanese_sentence(hass: HomeAssistant, client: TestClient) -> None:
    body = await (
        await client.post(
            f"{BASE}/automation/workflow/parse",
            json={
                "naturalLanguage": "毎朝7時にコーヒーメーカーのプラグをつけて",
                "userId": "ignored",
            },
        )
    ).json()
    assert body["success"] is True, body
    workflow = body["workflow"]
    assert workflow["schedule"] == {"type": "daily", "time": "07:00"}
    assert workflow["actions"][0]["device_id"] == PLUG
    assert workflow["actions"][0]["command"] == "turnOn"
    assert workflow["source"] == "pattern"  # no model configured
    assert 0 < workflow["confidence"] <= 1
    assert body["message"]
    rule = await saved(client, workflow)
    assert rule["schedule"] == {"type": "daily", "time": "07:00"}


async def test_parse_refuses_and_explains(client: TestClient) -> None:
    for body in ({}, {"naturalLanguage": ""}, {"naturalLanguage": 7}):
        await refused(await client.post(f"{BASE}/automation/workflow/parse", json=body), 400)
    answer = await (
        await client.post(
            f"{BASE}/automation/workflow/parse",
            json={"naturalLanguage": "毎朝7時に玄関の鍵を開けて"},
        )
    ).json()
    # Unlocking is never automated: no rule, and the message says why.
    assert answer["success"] is False
    assert answer["message"]


async def test_learning_and_proposal_services(
    hass: HomeAssistant, setup_entry: MockConfigEntry, hass_admin_user: MockUser
) -> None:
    start = dt_util.now().replace(hour=21, minute=0, second=0, microsecond=0) - timedelta(days=6)
    for day in range(6):
        for offset, device_id in ((0, LIGHT), (30, PLUG)):
            moment = start + timedelta(days=day, seconds=offset)
            recorded = await roomsense_service(
                hass,
                "record_operation",
                {"operation": {"device_id": device_id, "command": "turnOff",
                               "timestamp": moment.isoformat()}},
                hass_admin_user,
            )  # fmt: skip
    assert recorded["operation"]["user_id"] == hass_admin_user.id
    patterns = (await roomsense_service(hass, "get_learned_patterns", {}))["patterns"]
    assert any(pattern["pattern_type"] == "sequential" for pattern in patterns)
    candidates = (
        await roomsense_service(hass, "get_scene_candidates", {"context": {"language": "ja"}})
    )["candidates"]
    evening = next(c for c in candidates if len(c["operations"]) == 2)
    assert await roomsense_service(
        hass, "reject_scene_candidate", {"candidate_id": evening["candidate_id"]}
    )
    assert get_shared(hass).learning.acceptance_rate == 0.0
    with pytest.raises(ServiceValidationError) as refusal:
        await roomsense_service(
            hass, "approve_scene_candidate", {"candidate_id": evening["candidate_id"]}
        )
    assert refusal.value.translation_key == "unknown_candidate"
    # Decided once, it is not offered again, though the habit goes on.
    again = (
        await roomsense_service(hass, "get_scene_candidates", {"context": {"language": "ja"}})
    )["candidates"]
    assert evening["candidate_id"] not in {c["candidate_id"] for c in again}
    with pytest.raises(ServiceValidationError) as refusal:
        await roomsense_service(hass, "record_operation", {"operation": {"command": "turnOn"}})
    assert refusal.value.translation_key == "automation_invalid"

    proposals = await roomsense_service(
        hass, "propose_automations", {"events": [], "language": "ja"}
    )
    assert proposals == {"proposals": []}
    validation = await roomsense_service(hass, "validate_proposal", {"suggestion": WORKFLOW})
    assert validation["validation"]["valid"] is True


async def test_deciding_on_unknown_candidates_is_404(client: TestClient) -> None:
    for decision in ("approve", "reject"):
        response = await client.post(f"{BASE}/scenes/learn/candidates/nope/{decision}", json={})
        assert "nope" in await refused(response, 404)
    # Each decision is its own endpoint: another word is no endpoint at all.
    response = await client.post(f"{BASE}/scenes/learn/candidates/nope/maybe", json={})
    assert response.status == 404


async def test_parse_with_a_model_server(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    model: FakeServer,  # noqa: F811 - the fixture
    hass_client: ClientSessionGenerator,
) -> None:
    """The configured OpenAI-compatible server writes the rule; RoomSense checks it."""
    config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        config_entry,
        options={
            "llm_provider": "openai",
            "llm_base_url": f"{model.base_url}/v1",
            "llm_model": "test-model",
            "llm_api_key": "sk-test",
            "llm_timeout": 5,
        },
    )
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    written = {
        "name": "Cool the living room",
        "conditions": [{"type": "temperature", "operator": "above", "value": 28}],
        "actions": [{"type": "device_command", "device_id": PLUG, "command": "turnOn"}],
        "schedule": None,
    }
    model.routes["/v1/chat/completions"] = json_reply(
        reply_with(f"```json\n{json.dumps(written)}\n```")
    )
    client = await hass_client()
    body = await (
        await client.post(
            f"{BASE}/automation/workflow/parse",
            json={"naturalLanguage": "暑くなったらコーヒーメーカーをつけて"},
        )
    ).json()
    assert body["success"] is True
    assert (body["workflow"]["source"], body["workflow"]["confidence"]) == ("model", 0.9)
    assert body["workflow"]["conditions"][0]["value"] == 28
    (request,) = model.bodies("/v1/chat/completions")
    assert request["temperature"] == 0.1
    assert PLUG in request["messages"][0]["content"]  # the home's devices are in the prompt

    # A model that names a device the home does not have: the patterns answer instead.
    model.routes["/v1/chat/completions"] = json_reply(
        reply_with(json.dumps({**written, "actions": [
            {"type": "device_command", "device_id": "GHOST", "command": "turnOn"}]}))
    )  # fmt: skip
    body = await (
        await client.post(
            f"{BASE}/automation/workflow/parse",
            json={"naturalLanguage": "毎朝7時にコーヒーメーカーのプラグをつけて"},
        )
    ).json()
    assert body["workflow"]["source"] == "pattern"
    assert body["workflow"]["actions"][0]["device_id"] == PLUG


def reply_with(content: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1,
        "model": "test-model",
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": content},
             "finish_reason": "stop"}
        ],
    }  # fmt: skip


async def test_an_unlocking_routine_is_never_offered_as_a_scene(
    hass: HomeAssistant, client: TestClient
) -> None:
    start = dt_util.now().replace(hour=18, minute=0, second=0, microsecond=0) - timedelta(days=9)
    for day in range(9):
        # Coming home every day: the strongest routine, and it unlocks.
        evening = start + timedelta(days=day)
        await record(client, LOCK, "unlock", evening)
        await record(client, LIGHT, "turnOn", evening + timedelta(seconds=20))
        await record(client, PLUG, "turnOn", evening + timedelta(seconds=40))
        if day % 2:
            # And a bedtime routine, now and then, that is fine to replay.
            night = evening + timedelta(hours=5)
            await record(client, LIGHT, "turnOff", night)
            await record(client, CURTAIN, "turnOff", night + timedelta(seconds=30))
    body = await (
        await client.post(
            f"{BASE}/scenes/learn/candidates",
            json={"context": {"limit": 1, "min_confidence": 0.1}},
        )
    ).json()
    (candidate,) = body["candidates"]  # the limit applies after the unlocking ones are gone
    assert [op["command"] for op in candidate["operations"]] == ["turnOff", "turnOff"]
    body = await (await client.post(f"{BASE}/scenes/learn/candidates", json={})).json()
    assert all(
        op["command"] != "unlock" for found in body["candidates"] for op in found["operations"]
    )
    for limit in (0, -1, "2", True):
        response = await client.post(
            f"{BASE}/scenes/learn/candidates", json={"context": {"limit": limit}}
        )
        assert "limit" in await refused(response, 400)


@pytest.mark.parametrize(
    ("workflow", "expected"),
    [
        ({**WORKFLOW, "actions": [{"type": ["device_command"]}]}, "unknown action type"),
        ({**WORKFLOW, "schedule": {"type": {"daily": 1}}}, "unknown schedule type"),
        (
            {**WORKFLOW, "schedule": {"type": "once", "at": "9999-12-31T23:59:00-12:00"}},
            "out of range",
        ),
        (
            {**WORKFLOW, "actions": [{"type": "device_command", "device_id": LOCK,
                                      "command": "unlock"}]},
            "unsafe",
        ),
        (
            {**WORKFLOW, "actions": [{"type": "service", "service": "lock.unlock"}]},
            "unsafe",
        ),
    ],
)  # fmt: skip
async def test_odd_and_unsafe_workflows_are_400(
    hass: HomeAssistant, client: TestClient, workflow: dict[str, Any], expected: str
) -> None:
    response = await client.post(f"{BASE}/automation/workflow/save", json={"workflow": workflow})
    assert expected in await refused(response, 400)
    assert get_shared(hass).automation.rules == {}


async def test_a_put_without_enabled_keeps_a_disabled_rule_disabled(client: TestClient) -> None:
    rule = await saved(client)
    url = f"{BASE}/automation/workflow/rules/{rule['id']}"
    await client.patch(f"{url}/toggle", json={"enabled": False})
    changed = {key: value for key, value in WORKFLOW.items() if key != "enabled"}
    body = await (await client.put(url, json={**changed, "name": "Renamed"})).json()
    assert (body["rule"]["name"], body["rule"]["enabled"]) == ("Renamed", False)


async def test_a_learned_scene_runs_through_the_scene_service(
    hass: HomeAssistant, client: TestClient, sim_admin: SimulatorAdmin
) -> None:
    """Exported automations call roomsense.execute_scene: learned scenes must answer it."""
    learning = get_shared(hass).learning
    learning.offered["c1"] = {
        "candidate_id": "c1",
        "name": "Coffee",
        "operations": [{"device_id": PLUG, "command": "turnOn", "parameters": "default"}],
        "confidence": 0.9,
    }
    scene = (await roomsense_service(hass, "approve_scene_candidate", {"candidate_id": "c1"}))[
        "scene"
    ]
    response = await roomsense_service(hass, "execute_scene", {"scene_id": scene["id"]})
    assert response["outcome"] == "sent"
    calls = await sim_admin.api_calls(f"/devices/{PLUG}/commands")
    assert [call["body"]["command"] for call in calls] == ["turnOn"]
    assert not await sim_admin.api_calls(f"/scenes/{scene['id']}/execute")


async def test_a_body_over_one_mebibyte_is_413_even_without_a_length(client: TestClient) -> None:
    async def chunks() -> Any:
        for _ in range(20):
            yield b" " * 65536  # 1.25 MiB, sent chunked

    response = await client.post(f"{BASE}/automation/workflow/save", data=chunks())
    assert "over" in await refused(response, 413)


@pytest.fixture
async def other_user_client(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    hass_client: ClientSessionGenerator,
    hass_read_only_access_token: str,
) -> TestClient:
    """A logged-in user who is not an administrator."""
    return await hass_client(hass_read_only_access_token)


async def test_only_the_owner_or_an_admin_changes_or_runs_a_rule(
    hass: HomeAssistant,
    client: TestClient,
    other_user_client: TestClient,
    hass_admin_user: MockUser,
    hass_read_only_user: MockUser,
    sim_admin: SimulatorAdmin,
) -> None:
    rule = await saved(client)
    url = f"{BASE}/automation/workflow/rules/{rule['id']}"
    attempts = (
        other_user_client.put(url, json={**WORKFLOW, "name": "Mine now"}),
        other_user_client.delete(url),
        other_user_client.patch(f"{url}/toggle", json={"enabled": False}),
        other_user_client.post(f"{url}/execute"),
    )
    for attempt in attempts:
        assert "belongs to another user" in await refused(await attempt, 403)
    kept = get_shared(hass).automation.get(rule["id"])
    assert (kept["name"], kept["enabled"], kept["execution_count"]) == ("Morning coffee", True, 0)
    assert await sim_admin.api_calls(f"/devices/{PLUG}/commands") == []

    # The same user's own rule is theirs to change; an admin may change anyone's.
    own = await saved(other_user_client)
    response = await other_user_client.patch(
        f"{BASE}/automation/workflow/rules/{own['id']}/toggle", json={"enabled": False}
    )
    assert response.status == 200, await response.text()
    response = await client.put(
        f"{BASE}/automation/workflow/rules/{own['id']}", json={**WORKFLOW, "name": "Fixed"}
    )
    assert response.status == 200, await response.text()
    edited = (await response.json())["rule"]
    assert edited["name"] == "Fixed"
    # The owner stays; the editor is recorded.
    assert (edited["created_by"], edited["updated_by"]) == (
        hass_read_only_user.id,
        hass_admin_user.id,
    )


async def test_the_services_refuse_someone_elses_rule(
    hass: HomeAssistant,
    client: TestClient,
    hass_read_only_user: MockUser,
) -> None:
    rule = await saved(client)
    for service, data in (
        ("update_rule", {"rule": {**WORKFLOW, "name": "Mine now"}}),
        ("toggle_rule", {"enabled": False}),
        ("delete_rule", {}),
        ("execute_rule", {}),
    ):
        with pytest.raises(ServiceValidationError) as caught:
            await hass.services.async_call(
                DOMAIN,
                service,
                {"rule_id": rule["id"], **data},
                blocking=True,
                return_response=True,
                context=Context(user_id=hass_read_only_user.id),
            )
        assert caught.value.translation_key == "rule_forbidden", service
    assert get_shared(hass).automation.get(rule["id"])["name"] == "Morning coffee"


@pytest.mark.parametrize("decided", [5, "c1", None, ["c1", 7]])
async def test_an_unreadable_list_of_decided_candidates_is_not_fatal(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    config_entry: MockConfigEntry,
    decided: Any,
) -> None:
    hass_storage["roomsense.learning"] = {
        "version": 1,
        "minor_version": 1,
        "key": "roomsense.learning",
        "data": {"operations": [], "scenes": [], "offered": {}, "decided": decided},
    }
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    expected = {"c1"} if isinstance(decided, list) else set()
    assert get_shared(hass).learning.decided == expected
