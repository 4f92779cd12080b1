"""Webhook management (reference §3.5) and `changeReport` delivery (§7)."""

from __future__ import annotations

import re

import pytest

from roomsense_simulator import Simulator

from .conftest import (
    AIR_CONDITIONER,
    BLIND_TILT,
    CEILING_LIGHT,
    COLOR_BULB,
    CONTACT_SENSOR,
    HUB_2,
    HUMIDIFIER2,
    KEYPAD,
    LOCK_PRO,
    METER,
    MOTION_SENSOR,
    WATER_DETECTOR,
    Api,
    SimulatorFactory,
    WebhookReceiver,
    setup_webhook,
    single_device_home,
)

URL = "https://example.com/hook/secret-part"


async def webhook_call(api: Api, endpoint: str, body: object) -> dict[str, object]:
    return await api.call("POST", f"/webhook/{endpoint}", body)


# --- management ---------------------------------------------------------------------------


async def test_one_webhook_per_account(api: Api) -> None:
    await setup_webhook(api, URL)
    second = await webhook_call(
        api, "setupWebhook", {"action": "setupWebhook", "url": URL + "2", "deviceList": "ALL"}
    )
    assert second == {"statusCode": 190, "body": {}, "message": "webhook is exist"}
    assert await webhook_call(api, "queryWebhook", {"action": "queryUrl"}) == {
        "statusCode": 100,
        "body": {"urls": [URL]},
        "message": "",
    }


async def test_query_details_update_and_delete(api: Api, sim: Simulator) -> None:
    assert (await webhook_call(api, "queryWebhook", {"action": "queryUrl"}))["body"] == {"urls": []}
    await setup_webhook(api, URL)
    details = await webhook_call(api, "queryWebhook", {"action": "queryDetails", "urls": [URL]})
    assert details["message"] == ""
    (entry,) = details["body"]
    assert entry["url"] == URL
    assert entry["deviceList"] == "ALL"
    assert entry["enable"] is True
    assert entry["createTime"] == entry["lastUpdateTime"]
    assert re.fullmatch(r"\d{13}", str(entry["createTime"]))

    sim.clock.advance(5)
    updated = await webhook_call(
        api, "updateWebhook", {"action": "updateWebhook", "config": {"url": URL, "enable": False}}
    )
    assert updated == {"statusCode": 100, "body": {}, "message": ""}
    (entry,) = (await webhook_call(api, "queryWebhook", {"action": "queryDetails", "urls": [URL]}))[
        "body"
    ]
    assert entry["enable"] is False
    assert entry["lastUpdateTime"] > entry["createTime"]

    wrong = await webhook_call(api, "deleteWebhook", {"action": "deleteWebhook", "url": URL + "x"})
    assert wrong["statusCode"] == 190
    deleted = await webhook_call(api, "deleteWebhook", {"action": "deleteWebhook", "url": URL})
    assert deleted == {"statusCode": 100, "body": {}, "message": ""}
    assert (await webhook_call(api, "queryWebhook", {"action": "queryUrl"}))["body"] == {"urls": []}
    await setup_webhook(api, URL)  # possible again after the delete


@pytest.mark.parametrize(
    ("endpoint", "body"),
    [
        ("setupWebhook", {"action": "setupWebhook", "url": URL}),  # deviceList missing
        ("setupWebhook", {"action": "setupWebhook", "url": "ftp://x", "deviceList": "ALL"}),
        ("setupWebhook", {"action": "queryUrl", "url": URL, "deviceList": "ALL"}),
        ("queryWebhook", {"action": "queryEverything"}),
        ("queryWebhook", {"action": "queryDetails", "urls": URL}),
        ("updateWebhook", {"action": "updateWebhook", "config": {"url": URL, "enable": "yes"}}),
        ("updateWebhook", {"action": "updateWebhook", "config": {"url": URL, "enable": True}}),
        ("deleteWebhook", {"action": "deleteWebhook", "url": URL}),  # nothing to delete
    ],
)
async def test_invalid_management_requests_are_190(api: Api, endpoint: str, body: object) -> None:
    assert (await webhook_call(api, endpoint, body))["statusCode"] == 190


# --- delivery -----------------------------------------------------------------------------


async def test_command_pushes_a_change_report(
    api: Api, sim: Simulator, receiver: WebhookReceiver
) -> None:
    await setup_webhook(api, receiver.url)
    await api.ok_command(COLOR_BULB, "turnOn")
    (event,) = await receiver.wait_for(1)
    assert event["eventType"] == "changeReport"
    assert event["eventVersion"] == "1"
    context = dict(event["context"])
    assert re.fullmatch(r"\d{13}", str(context.pop("timeOfSample")))
    assert context == {
        "deviceType": "WoBulb",
        "deviceMac": COLOR_BULB,
        "powerState": "ON",
        "brightness": 60,
        "color": "255:180:100",
        "colorTemperature": 2700,
    }
    await sim.flush_webhooks()
    (delivery,) = (await api.admin_ok("GET", "/webhooks"))["deliveries"]
    assert delivery["url"] == receiver.url
    assert delivery["http_status"] == 200
    assert delivery["payload"] == event


async def test_status_names_are_mapped_to_webhook_names(
    api: Api, receiver: WebhookReceiver
) -> None:
    await setup_webhook(api, receiver.url)
    await api.ok_command(LOCK_PRO, "unlock")
    await api.ok_command(HUMIDIFIER2, "turnOn")
    await api.ok_command(CEILING_LIGHT, "setBrightness", "30")
    events = await receiver.wait_for(3)
    lock, humidifier, light = (event["context"] for event in events)
    assert (lock["deviceType"], lock["lockState"], lock["battery"]) == ("WoLockPro", "UNLOCKED", 90)
    assert (humidifier["deviceType"], humidifier["power"]) == ("Humidifier2", "on")
    assert "powerState" not in humidifier
    assert (light["deviceType"], light["powerState"], light["brightness"]) == (
        "WoCeiling",
        "ON",
        30,
    )
    assert "color" not in light


async def test_physical_events(api: Api, receiver: WebhookReceiver) -> None:
    await setup_webhook(api, receiver.url)
    await api.admin_ok(
        "POST", f"/devices/{MOTION_SENSOR}/event", {"status": {"moveDetected": True}}
    )
    await api.admin_ok("POST", f"/devices/{WATER_DETECTOR}/event", {"status": {"status": 1}})
    await api.admin_ok("POST", f"/devices/{METER}/event", {"status": {"temperature": 18.5}})
    await api.admin_ok(
        "POST",
        f"/devices/{CONTACT_SENSOR}/event",
        {"status": {"openState": "open"}, "webhook": {"doorMode": "IN_DOOR"}},
    )
    motion, water, meter, contact = (event["context"] for event in await receiver.wait_for(4))
    assert (motion["deviceType"], motion["detectionState"]) == ("WoPresence", "DETECTED")
    assert (water["deviceType"], water["detectionState"]) == ("Water Detector", 1)
    assert meter["deviceType"] == "WoMeter"
    assert (meter["temperature"], meter["humidity"], meter["scale"]) == (18.5, 52, "CELSIUS")
    assert (contact["openState"], contact["doorMode"]) == ("open", "IN_DOOR")
    assert (await api.status(METER))["temperature"] == 18.5


async def test_no_webhook_for_silent_types_or_unchanged_state(
    api: Api, sim: Simulator, receiver: WebhookReceiver
) -> None:
    await setup_webhook(api, receiver.url)
    await api.ok_command(BLIND_TILT, "closeUp")  # Blind Tilt sends no webhooks
    await api.ok_command(AIR_CONDITIONER, "turnOn")  # neither do infrared remotes
    await api.ok_command(COLOR_BULB, "turnOff")  # already off: nothing changed
    await sim.flush_webhooks()
    assert receiver.events == []
    await api.ok_command(COLOR_BULB, "turnOn")
    assert len(await receiver.wait_for(1)) == 1


async def test_disabled_webhook_receives_nothing(
    api: Api, sim: Simulator, receiver: WebhookReceiver
) -> None:
    await setup_webhook(api, receiver.url)
    await webhook_call(
        api,
        "updateWebhook",
        {"action": "updateWebhook", "config": {"url": receiver.url, "enable": False}},
    )
    await api.ok_command(COLOR_BULB, "turnOn")
    await sim.flush_webhooks()
    assert receiver.events == []
    assert (await api.admin_ok("GET", "/webhooks"))["deliveries"] == []


async def test_offline_devices_do_not_report_physical_events(
    api: Api, sim: Simulator, receiver: WebhookReceiver
) -> None:
    await setup_webhook(api, receiver.url)
    await api.admin_ok("POST", f"/devices/{MOTION_SENSOR}/online", {"online": False})
    answer = await api.admin_ok(
        "POST", f"/devices/{MOTION_SENSOR}/event", {"status": {"moveDetected": True}}
    )
    assert answer["webhookEvents"] == []
    await sim.flush_webhooks()
    assert receiver.events == []


async def test_failed_deliveries_are_recorded(
    api: Api, sim: Simulator, receiver: WebhookReceiver
) -> None:
    receiver.reply_status = 500
    await setup_webhook(api, receiver.url)
    await api.ok_command(COLOR_BULB, "turnOn")
    await sim.flush_webhooks()
    await webhook_call(
        api,
        "updateWebhook",
        {"action": "updateWebhook", "config": {"url": "http://127.0.0.1:9/hook", "enable": True}},
    )
    await api.ok_command(COLOR_BULB, "turnOff")
    await sim.flush_webhooks()
    first, second = (await api.admin_ok("GET", "/webhooks"))["deliveries"]
    assert first["http_status"] == 500
    assert "error" not in first
    assert second["url"] == "http://127.0.0.1:9/hook"
    assert "http_status" not in second
    assert second["error"]


async def test_delivery_never_delays_the_api_answer(
    make_api: SimulatorFactory, receiver: WebhookReceiver
) -> None:
    api = await make_api(webhook_delay_ms=300)
    await setup_webhook(api, receiver.url)
    await api.ok_command(COLOR_BULB, "turnOn")
    assert receiver.events == []  # answered while the event is still waiting
    assert len(await receiver.wait_for(1)) == 1


async def test_keypad_commands_are_asynchronous(
    api: Api, sim: Simulator, receiver: WebhookReceiver
) -> None:
    await setup_webhook(api, receiver.url)
    guest = {
        "name": "Guest Code",
        "type": "timeLimit",
        "password": "12345678",
        "startTime": 1_664_640_056,
        "endTime": 4_102_444_800,
    }
    created = await api.ok_command(KEYPAD, "createKey", guest)
    assert re.fullmatch(r"CMD\d{15}", created["commandId"])
    duplicate = await api.ok_command(KEYPAD, "createKey", guest | {"password": "87654321"})
    events = [event["context"] for event in await receiver.wait_for(2)]
    assert [(e["deviceType"], e["eventName"], e["commandId"], e["result"]) for e in events] == [
        ("WoKeypadTouch", "createKey", created["commandId"], "success"),
        ("WoKeypadTouch", "createKey", duplicate["commandId"], "failed"),
    ]
    devices = (await api.call("GET", "/devices"))["body"]["deviceList"]
    (key,) = next(device for device in devices if device["deviceId"] == KEYPAD)["keyList"]
    assert (key["name"], key["type"], key["status"]) == ("Guest Code", "timeLimit", "normal")
    assert key["password"] != "12345678"  # never stored in clear
    assert {"id", "iv", "createTime"} <= key.keys()

    deleted = await api.ok_command(KEYPAD, "deleteKey", {"id": str(key["id"])})
    missing = await api.ok_command(KEYPAD, "deleteKey", {"id": 999})
    events = [event["context"] for event in await receiver.wait_for(4)][2:]
    assert [(e["eventName"], e["commandId"], e["result"]) for e in events] == [
        ("deleteKey", deleted["commandId"], "success"),
        ("deleteKey", missing["commandId"], "failed"),
    ]
    # A malformed passcode is refused at once, without an event.
    bad = await api.command(KEYPAD, "createKey", guest | {"name": "x", "password": "12ab"})
    assert bad["statusCode"] == 190
    timeless = await api.command(
        KEYPAD, "createKey", {"name": "y", "type": "disposable", "password": "123456"}
    )
    assert timeless["statusCode"] == 190
    await sim.flush_webhooks()
    assert len(receiver.events) == 4


async def test_hub_climate_event(api: Api, receiver: WebhookReceiver) -> None:
    await setup_webhook(api, receiver.url)
    await api.admin_ok("POST", f"/devices/{HUB_2}/event", {"status": {"temperature": 25.0}})
    (event,) = await receiver.wait_for(1)
    context = event["context"]
    assert context["deviceType"] == "WoHub2"
    assert (context["temperature"], context["humidity"], context["lightLevel"]) == (25.0, 48, 14)
    assert context["scale"] == "CELSIUS"
    assert "battery" not in context


async def test_lock_vision_key_commands_are_asynchronous_too(
    make_api: SimulatorFactory, receiver: WebhookReceiver
) -> None:
    api = await make_api(single_device_home("Lock Vision"))
    await setup_webhook(api, receiver.url)
    body = await api.ok_command(
        "AABBCCDDEEFF", "createKey", {"name": "Family", "type": "permanent", "password": "246810"}
    )
    (event,) = await receiver.wait_for(1)
    assert event["context"]["deviceType"] == "W1141000"
    assert (event["context"]["commandId"], event["context"]["result"]) == (
        body["commandId"],
        "success",
    )
    # Lock Vision has no "urgent" passcodes; keypads do.
    urgent = {"name": "SOS", "type": "urgent", "password": "135790"}
    assert (await api.command("AABBCCDDEEFF", "createKey", urgent))["statusCode"] == 190


async def test_dropped_deliveries_never_reach_the_receiver(
    api: Api, sim: Simulator, receiver: WebhookReceiver
) -> None:
    await setup_webhook(api, receiver.url)
    dropping = await api.admin_ok("POST", "/webhooks/drop", {"drop": True})
    assert dropping["dropping"] is True
    await api.ok_command(COLOR_BULB, "turnOn")
    await sim.flush_webhooks()
    assert receiver.events == []
    assert [d.get("error") for d in (await api.admin_ok("GET", "/webhooks"))["deliveries"]] == [
        "dropped"
    ]

    await api.admin_ok("POST", "/webhooks/drop", {"drop": False})
    await api.ok_command(COLOR_BULB, "turnOff")
    (event,) = await receiver.wait_for(1)
    assert event["context"]["powerState"] == "OFF"
