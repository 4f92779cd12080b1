"""Infrared remotes: power, built-in commands, learned buttons, an assumed on/off state."""

from __future__ import annotations

import time
from typing import Any

import pytest
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNKNOWN
from homeassistant.core import HomeAssistant, State
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from pytest_homeassistant_custom_component.common import MockConfigEntry, mock_restore_cache

from ..conftest import SimulatorAdmin, commands_sent, home_with
from .conftest import entity_id, entity_service

HUB = "AA0000000000"
# remoteType -> learned buttons; one remote of each, ids 01-202401010000-000000NN.
REMOTE_TYPES: dict[str, list[str]] = {
    "TV": ["Netflix"],
    "DIY TV": [],
    "IPTV": [],
    "Streamer": [],
    "Set Top Box": [],
    "DVD": [],
    "Speaker": [],
    "Light": [],
    "DIY Light": [],
    "Projector": [],
    "Camera": [],
    "Water Heater": [],
    "Vacuum Cleaner": [],
    "Air Purifier": [],
    "Others": ["全灯", "常夜灯"],
    "DIY Others": ["Sleep"],
}
REMOTE_IDS = {
    remote_type: f"01-202401010000-{n:08d}" for n, remote_type in enumerate(REMOTE_TYPES, 1)
}
POWERED = [remote_type for remote_type in REMOTE_TYPES if not remote_type.endswith("Others")]
TV = REMOTE_IDS["TV"]
OTHERS = REMOTE_IDS["Others"]


@pytest.fixture
def home() -> dict[str, Any]:
    home = home_with()
    home["infraredRemotes"] = [
        {
            "deviceId": REMOTE_IDS[remote_type],
            "deviceName": f"{remote_type} remote",
            "remoteType": remote_type,
            "hubDeviceId": HUB,
            "customButtons": buttons,
        }
        for remote_type, buttons in REMOTE_TYPES.items()
    ]
    return home


def remote_entity(hass: HomeAssistant, remote_id: str) -> str:
    return entity_id(hass, "remote", f"{remote_id}_remote")


async def send(hass: HomeAssistant, remote_id: str, *commands: str, **data: Any) -> None:
    data.setdefault("delay_secs", 0)
    await entity_service(
        hass,
        "remote",
        "send_command",
        remote_entity(hass, remote_id),
        command=list(commands),
        **data,
    )


def command(name: str, parameter: str = "default") -> dict[str, Any]:
    return {"command": name, "parameter": parameter, "commandType": "command"}


def button(name: str) -> dict[str, Any]:
    return {"command": name, "parameter": "default", "commandType": "customize"}


async def test_every_remote_type_gets_a_remote(
    hass: HomeAssistant, setup_entry: MockConfigEntry
) -> None:
    for remote_type, remote_id in REMOTE_IDS.items():
        state = hass.states.get(remote_entity(hass, remote_id))
        assert state.attributes["friendly_name"] == f"{remote_type} remote"
        assert state.attributes["assumed_state"] is True
        # "Others" has no power buttons, so it has no on/off state.
        expected = STATE_UNKNOWN if remote_type.endswith("Others") else STATE_OFF
        assert state.state == expected, remote_type


async def test_turn_on_and_off(
    hass: HomeAssistant, setup_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    for remote_type in POWERED:
        remote_id = REMOTE_IDS[remote_type]
        entity = remote_entity(hass, remote_id)
        await entity_service(hass, "remote", "turn_on", entity)
        assert hass.states.get(entity).state == STATE_ON
        assert (await sim_admin.device(remote_id))["state"]["power"] == "on", remote_type
        await entity_service(hass, "remote", "turn_off", entity)
        assert hass.states.get(entity).state == STATE_OFF
        assert (await sim_admin.device(remote_id))["state"]["power"] == "off", remote_type
        assert await commands_sent(sim_admin, remote_id) == [
            command("turnOn"),
            command("turnOff"),
        ]


async def test_others_has_no_power_buttons(
    hass: HomeAssistant, setup_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    for service in ("turn_on", "turn_off"):
        with pytest.raises(ServiceValidationError) as caught:
            await entity_service(hass, "remote", service, remote_entity(hass, OTHERS))
        assert caught.value.translation_key == "remote_without_power"
    assert await commands_sent(sim_admin, OTHERS) == []


async def test_built_in_commands_and_learned_buttons(
    hass: HomeAssistant, setup_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    await send(hass, TV, "volumeAdd", "channelAdd", "SetChannel:15", "Netflix")

    assert await commands_sent(sim_admin, TV) == [
        command("volumeAdd"),
        command("channelAdd"),
        command("SetChannel", "15"),
        button("Netflix"),
    ]
    remote = await sim_admin.device(TV)
    assert remote["state"]["channel"] == 15
    assert remote["history"][-1]["command"] == "Netflix"
    # Buttons leave the on/off state alone.
    assert hass.states.get(remote_entity(hass, TV)).state == STATE_OFF


@pytest.mark.parametrize(
    ("remote_type", "commands", "sent", "appliance"),
    [
        ("DIY TV", ["SetChannel:4"], [command("SetChannel", "4")], {"channel": 4}),
        ("IPTV", ["channelSub"], [command("channelSub")], {"channel": 1}),
        ("Streamer", ["SetChannel:7"], [command("SetChannel", "7")], {"channel": 7}),
        ("Set Top Box", ["SetChannel: 9"], [command("SetChannel", "9")], {"channel": 9}),
        ("DVD", ["Play", "FastForward"], [command("Play"), command("FastForward")], {}),
        ("Speaker", ["volumeSub", "setMute"], [command("volumeSub"), command("setMute")], {}),
        ("Light", ["brightnessUp"], [command("brightnessUp")], {"power": "off"}),
        ("DIY Light", ["brightnessDown"], [command("brightnessDown")], {"power": "off"}),
        ("Others", ["常夜灯", "全灯"], [button("常夜灯"), button("全灯")], {}),
        ("DIY Others", ["Sleep"], [button("Sleep")], {}),
    ],
)
async def test_commands_of_each_type(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    sim_admin: SimulatorAdmin,
    remote_type: str,
    commands: list[str],
    sent: list[dict[str, Any]],
    appliance: dict[str, Any],
) -> None:
    remote_id = REMOTE_IDS[remote_type]
    await send(hass, remote_id, *commands)
    assert await commands_sent(sim_admin, remote_id) == sent
    remote = await sim_admin.device(remote_id)
    assert remote["state"] | appliance == remote["state"]
    assert [entry["command"] for entry in remote["history"]] == [body["command"] for body in sent]


async def test_player_state_follows_its_buttons(
    hass: HomeAssistant, setup_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    await send(hass, REMOTE_IDS["DVD"], "Play", "setMute")
    state = (await sim_admin.device(REMOTE_IDS["DVD"]))["state"]
    assert (state["playback"], state["muted"]) == ("playing", True)


async def test_repeats_and_delay(
    hass: HomeAssistant, setup_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    started = time.monotonic()
    await send(hass, TV, "volumeAdd", "Netflix", num_repeats=2, delay_secs=0.05)
    # Three pauses between four presses.
    assert time.monotonic() - started >= 0.15
    assert await commands_sent(sim_admin, TV) == [
        command("volumeAdd"),
        button("Netflix"),
        command("volumeAdd"),
        button("Netflix"),
    ]


@pytest.mark.parametrize("bad", ["SetChannel", "SetChannel:", "SetChannel:abc"])
async def test_set_channel_needs_a_number(
    hass: HomeAssistant, setup_entry: MockConfigEntry, sim_admin: SimulatorAdmin, bad: str
) -> None:
    with pytest.raises(ServiceValidationError) as caught:
        await send(hass, TV, "volumeAdd", bad)
    assert caught.value.translation_key == "channel_required"
    # Nothing of the list was sent.
    assert await commands_sent(sim_admin, TV) == []


async def test_power_commands_sent_as_buttons_change_the_state(
    hass: HomeAssistant, setup_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    await send(hass, TV, "turnOn")
    assert hass.states.get(remote_entity(hass, TV)).state == STATE_ON
    assert await commands_sent(sim_admin, TV) == [command("turnOn")]


async def test_button_the_remote_never_learned_is_refused(
    hass: HomeAssistant, setup_entry: MockConfigEntry
) -> None:
    with pytest.raises(HomeAssistantError) as caught:
        await send(hass, OTHERS, "Disco")
    assert caught.value.translation_key == "command_rejected"


async def test_offline_hub_leaves_the_state(
    hass: HomeAssistant, setup_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    entity = remote_entity(hass, TV)
    await sim_admin.set_online(HUB, False)
    with pytest.raises(HomeAssistantError) as caught:
        await entity_service(hass, "remote", "turn_on", entity)
    assert caught.value.translation_key == "device_offline"
    assert hass.states.get(entity).state == STATE_OFF


async def test_on_off_state_is_restored_after_a_restart(
    hass: HomeAssistant, config_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    mock_restore_cache(
        hass, [State("remote.tv_remote", STATE_ON), State("remote.others_remote", STATE_ON)]
    )
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()

    assert remote_entity(hass, TV) == "remote.tv_remote"
    assert hass.states.get("remote.tv_remote").state == STATE_ON
    # A remote without power buttons has no state to restore.
    assert hass.states.get("remote.others_remote").state == STATE_UNKNOWN
    assert hass.states.get(remote_entity(hass, REMOTE_IDS["DVD"])).state == STATE_OFF
    assert await commands_sent(sim_admin, TV) == []


async def test_on_off_state_survives_a_reload(
    hass: HomeAssistant, setup_entry: MockConfigEntry
) -> None:
    await entity_service(hass, "remote", "turn_on", remote_entity(hass, TV))
    assert await hass.config_entries.async_reload(setup_entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(remote_entity(hass, TV)).state == STATE_ON
