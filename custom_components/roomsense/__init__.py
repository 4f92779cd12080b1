"""RoomSense: run a SwitchBot home from Home Assistant."""

from __future__ import annotations

import asyncio
from typing import Any, cast

from homeassistant.components import bluetooth, cloud
from homeassistant.config_entries import SOURCE_BLUETOOTH
from homeassistant.const import (
    CONF_WEBHOOK_ID,
    EVENT_CORE_CONFIG_UPDATE,
    EVENT_HOMEASSISTANT_STOP,
    Platform,
)
from homeassistant.core import Event, HomeAssistant
from homeassistant.exceptions import ConfigEntryAuthFailed, ConfigEntryNotReady
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.helpers.typing import ConfigType

from .account_cache import AccountCache, KeptStates
from .actions import async_setup_actions
from .api_calls import async_call_counter, async_remove_call_counter
from .assumed import AssumedStates, async_remove_assumed_states
from .ble.discovery import CONF_ADDRESS, core_switchbot_ids, local_entries
from .ble.entry import async_setup_local_entry, local_key
from .ble.link import (
    OPT_BLUETOOTH_KEYS,
    BluetoothLink,
    BluetoothTransport,
    LocalKey,
    keys_from_options,
)
from .cloud_reach import CloudReach
from .commands import CommandQueue, async_remove_command_queue
from .const import (
    CONF_BASE_URL,
    CONF_SECRET,
    CONF_TOKEN,
    DEFAULT_CLOUD_URL,
    DEFAULT_DEVICE_RESULT_TIMEOUT,
    DEFAULT_MAX_COMPLETED_JOBS,
    DEFAULT_QUEUE_TTL,
    DOMAIN,
    LOGGER,
    OPT_DEVICE_RESULT_TIMEOUT,
    OPT_MAX_COMPLETED_JOBS,
    OPT_QUEUE_TTL,
    SIGNAL_ENTRY_LOADED,
)
from .coordinator import RoomSenseCoordinator
from .data import RoomSenseConfigEntry, RoomSenseData
from .edge.manager import EDGE_ID_PREFIX
from .events_view import async_register_events_view
from .gateway import CommandGateway
from .registry import (
    account_ids,
    async_watch_devices,
    log_devices_without_entities,
    register_devices,
    remove_vanished_devices,
)
from .shared import DATA_SHARED, async_setup_shared, get_shared
from .switchbot_cloud import (
    DeviceList,
    Scene,
    SwitchBotAuthenticationError,
    SwitchBotCloudClient,
    SwitchBotConnectionError,
    SwitchBotError,
    SwitchBotQuotaExceededError,
)
from .transport import CloudTransport, Transport
from .webhook import (
    async_delete_cloudhook,
    async_register_webhook,
    async_serve_webhook,
    async_unregister_webhook,
    generate_webhook_id,
)

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)

PLATFORMS: list[Platform] = [
    Platform.BINARY_SENSOR,
    Platform.BUTTON,
    Platform.CLIMATE,
    Platform.CONVERSATION,
    Platform.COVER,
    Platform.FAN,
    Platform.HUMIDIFIER,
    Platform.IMAGE,
    Platform.LIGHT,
    Platform.LOCK,
    Platform.REMOTE,
    Platform.SCENE,
    Platform.SELECT,
    Platform.SENSOR,
    Platform.SWITCH,
    Platform.VACUUM,
]
# A Bluetooth-only device has its entities, but no agent and no scenes (those are an
# account's).
LOCAL_PLATFORMS: list[Platform] = [
    platform for platform in PLATFORMS if platform not in (Platform.CONVERSATION, Platform.SCENE)
]


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Set up what all entries share, before any of them: tools, edge devices, rules, views."""
    await async_setup_shared(hass)
    async_register_events_view(hass)
    async_setup_actions(hass)
    return True


async def async_migrate_entry(hass: HomeAssistant, entry: RoomSenseConfigEntry) -> bool:
    """1.1 -> 1.2: the webhook id moves from the options to the entry data.

    It is not something the user sets, and options flows rewrite the options.
    """
    if entry.version > 1:
        return False  # a newer RoomSense wrote it: downgrading is not supported
    if entry.minor_version < 2:
        options = dict(entry.options)
        data = dict(entry.data)
        if (webhook_id := options.pop(CONF_WEBHOOK_ID, None)) is not None:
            data[CONF_WEBHOOK_ID] = webhook_id
        hass.config_entries.async_update_entry(entry, data=data, options=options, minor_version=2)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: RoomSenseConfigEntry) -> bool:
    """Connect to the SwitchBot account and read its devices, or to one Bluetooth device."""
    if CONF_ADDRESS in entry.data:
        return await _async_setup_local(hass, entry)
    client = SwitchBotCloudClient(
        entry.data[CONF_TOKEN],
        entry.data[CONF_SECRET],
        async_get_clientsession(hass),
        base_url=entry.data.get(CONF_BASE_URL, DEFAULT_CLOUD_URL),
        counter=await async_call_counter(hass, entry),
    )
    # From the first request on: a cloud found away is not waited on again until it answers.
    reach = CloudReach(hass, client, entry.entry_id, entry.title)
    entry.async_on_unload(reach.async_shutdown)
    cache = AccountCache(hass, entry.entry_id)
    devices, cached_states, offline = await _async_read_account(client, cache)
    if CONF_WEBHOOK_ID not in entry.data:
        hass.config_entries.async_update_entry(
            entry, data={**entry.data, CONF_WEBHOOK_ID: generate_webhook_id()}
        )
    options = await _async_adopt_local_entries(hass, entry, devices)
    coordinator = RoomSenseCoordinator(hass, client, devices, options, entry)
    coordinator.reach = reach
    if offline is None:
        await coordinator.async_config_entry_first_refresh()
        await cache.async_save(devices, coordinator.data)
    else:
        coordinator.async_start_offline(cached_states, str(offline))
        # Read the account afresh (its devices may have changed) once the cloud answers.
        coordinator.on_cloud_back = lambda: hass.config_entries.async_schedule_reload(
            entry.entry_id
        )

    async def _async_keep_states() -> None:
        await cache.async_save(devices, coordinator.data)

    entry.async_on_unload(_async_keep_states)
    gateway, link = await _async_command_path(hass, entry, client, devices, coordinator)
    register_devices(hass, entry, devices)
    entry.runtime_data = RoomSenseData(
        client=client,
        devices=devices,
        coordinator=coordinator,
        gateway=gateway,
        bluetooth=link,
        # Read before the platforms, which only show them (the tools use them too). Not
        # while the cloud is known to be away: the entry reloads when it is back.
        scenes=await _async_read_scenes(client) if offline is None else [],
    )
    # After the runtime data: a flow started again finds the account.
    _settle_discoveries(hass, link, keys_from_options(options))
    await _async_hold_home_entities(hass, entry)
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)

    remove_vanished_devices(hass, entry, devices)
    # Devices added to (or removed from) the account later come (or go) without a reload.
    entry.async_on_unload(async_watch_devices(hass, entry))
    log_devices_without_entities(hass, entry)
    async_serve_webhook(hass, coordinator, entry.data[CONF_WEBHOOK_ID], options)
    await _async_start_push(hass, entry, client, coordinator)
    entry.async_on_unload(coordinator.async_start_polling())
    entry.async_on_unload(entry.add_update_listener(_async_options_updated))
    async_dispatcher_send(hass, SIGNAL_ENTRY_LOADED)
    return True


async def _async_read_account(
    client: SwitchBotCloudClient, cache: AccountCache
) -> tuple[DeviceList, KeptStates, SwitchBotError | None]:
    """The account's devices; without the cloud, as last read (and why it was not read).

    Without the cloud the devices in Bluetooth range still work, so the states kept last
    time come back too.
    """
    try:
        return await client.get_devices(), {}, None
    except SwitchBotAuthenticationError as err:
        raise ConfigEntryAuthFailed(
            translation_domain=DOMAIN, translation_key="invalid_auth"
        ) from err
    except SwitchBotError as err:
        if (cached := await cache.async_load()) is None:
            raise _not_ready(err) from err
        LOGGER.warning(
            "SwitchBot cloud unavailable (%s); starting from the devices it last listed", err
        )
        devices, cached_states = cached
        return devices, cached_states, err


async def _async_read_scenes(client: SwitchBotCloudClient) -> list[Scene]:
    """The account's manual scenes; none when the cloud does not list them now.

    The devices work without scenes; they come back with the next reload.
    """
    try:
        return await client.get_scenes()
    except SwitchBotError as err:
        LOGGER.warning("Could not read the SwitchBot scenes, adding none: %s", err)
        return []


async def _async_command_path(
    hass: HomeAssistant,
    entry: RoomSenseConfigEntry,
    client: SwitchBotCloudClient,
    devices: DeviceList,
    coordinator: RoomSenseCoordinator,
) -> tuple[CommandGateway, BluetoothLink]:
    """The gateway every command goes through, with its queue and its transports.

    The account's devices that are also heard over Bluetooth are driven locally first,
    unless Home Assistant's SwitchBot Bluetooth integration drives them.
    """
    options, reach = coordinator.options, cast(CloudReach, coordinator.reach)
    queue = CommandQueue(
        hass,
        entry.entry_id,
        client,
        float(options.get(OPT_QUEUE_TTL, DEFAULT_QUEUE_TTL)),
        reachable=lambda: reach.reachable,
    )
    await queue.async_load()
    coordinator.command_queue = queue
    entry.async_on_unload(queue.async_close)

    async def _async_close_queue(_event: Event) -> None:
        # Home Assistant stopping does not unload entries: let a command on its way end first.
        await queue.async_close()

    entry.async_on_unload(hass.bus.async_listen_once(EVENT_HOMEASSISTANT_STOP, _async_close_queue))
    entry.async_on_unload(reach.async_add_listener(queue.async_start_drain))
    entry.async_on_unload(reach.async_add_listener(coordinator.async_reach_changed))
    assumed = AssumedStates(hass, entry.entry_id)
    await assumed.async_load()
    entry.async_on_unload(assumed.async_flush)
    left_to_core = core_switchbot_ids(hass)
    link = BluetoothLink(
        hass,
        coordinator,
        [device for device in devices.devices if device.device_id not in left_to_core],
        keys_from_options(options),
    )
    _report_left_to_core(hass, entry, devices, left_to_core)
    transports: list[Transport] = [CloudTransport(client)]
    if link.devices:
        transports.insert(0, BluetoothTransport(link))
        coordinator.heard_locally = link.replaces_polls
        entry.async_on_unload(link.async_start())
    gateway = CommandGateway(
        hass,
        options=options,
        coordinator=coordinator,
        queue=queue,
        assumed=assumed,
        audit=get_shared(hass).tools.audit,
        transports=transports,
        reach=reach,
    )
    return gateway, link


async def _async_start_push(
    hass: HomeAssistant,
    entry: RoomSenseConfigEntry,
    client: SwitchBotCloudClient,
    coordinator: RoomSenseCoordinator,
) -> None:
    """Register the webhook with SwitchBot now, and again when the way in changes."""
    # One registration at a time: the cloud connecting must not race the first one.
    push_lock = asyncio.Lock()

    async def _async_set_up_push() -> None:
        async with push_lock:
            url = await async_register_webhook(hass, entry, client)
            entry.runtime_data.webhook_url = url
            coordinator.async_set_push_active(url)

    async def _async_cloud_changed(state: cloud.CloudConnectionState) -> None:
        # Home Assistant Cloud (re)connected: a cloudhook may now be made or used.
        if state is cloud.CloudConnectionState.CLOUD_CONNECTED:
            await _async_set_up_push()

    async def _async_core_config_changed(_event: Event[Any]) -> None:
        # A public external URL set (or removed) in Settings > System > Network.
        await _async_set_up_push()

    entry.async_on_unload(cloud.async_listen_connection_change(hass, _async_cloud_changed))
    entry.async_on_unload(
        hass.bus.async_listen(EVENT_CORE_CONFIG_UPDATE, _async_core_config_changed)
    )
    await _async_set_up_push()


def _not_ready(err: SwitchBotError) -> ConfigEntryNotReady:
    """Why the account cannot be set up now (Home Assistant tries again)."""
    if isinstance(err, SwitchBotQuotaExceededError):
        return ConfigEntryNotReady(translation_domain=DOMAIN, translation_key="quota_exceeded")
    return ConfigEntryNotReady(
        translation_domain=DOMAIN,
        translation_key="cannot_connect"
        if isinstance(err, SwitchBotConnectionError)
        else "cloud_error",
        translation_placeholders={"error": str(err)},
    )


async def _async_setup_local(hass: HomeAssistant, entry: RoomSenseConfigEntry) -> bool:
    """A Bluetooth-only device: its entities, driven and read over Bluetooth alone."""
    assumed = AssumedStates(hass, entry.entry_id)
    await assumed.async_load()
    entry.async_on_unload(assumed.async_flush)
    entry.runtime_data = await async_setup_local_entry(
        hass, entry, assumed, get_shared(hass).tools.audit
    )
    register_devices(hass, entry, entry.runtime_data.devices)
    await hass.config_entries.async_forward_entry_setups(entry, LOCAL_PLATFORMS)
    async_dispatcher_send(hass, SIGNAL_ENTRY_LOADED)
    return True


async def _async_adopt_local_entries(
    hass: HomeAssistant, entry: RoomSenseConfigEntry, devices: DeviceList
) -> dict[str, Any]:
    """Make a Bluetooth-only device that the account also lists one device of the account.

    Its key moves into the account's options and its own entry is removed (its entities
    come back under the account, which adds the cloud path). Returns the options.
    """
    account_ids = {device.device_id for device in devices.devices}
    keys = dict(entry.options.get(OPT_BLUETOOTH_KEYS) or {})
    adopted = [local for local in local_entries(hass) if local.unique_id in account_ids]
    for local in adopted:
        if (key := local_key(local)) is not None and local.unique_id not in keys:
            keys[str(local.unique_id)] = {
                "key_id": key.key_id,
                "encryption_key": key.encryption_key,
            }
    if keys != dict(entry.options.get(OPT_BLUETOOTH_KEYS) or {}):
        # Updated before the options listener exists: this does not reload the entry.
        hass.config_entries.async_update_entry(
            entry, options={**entry.options, OPT_BLUETOOTH_KEYS: keys}
        )
    for local in adopted:
        LOGGER.info(
            "%s is a device of the SwitchBot account %s: it joins that entry",
            local.title,
            entry.title,
        )
        await hass.config_entries.async_remove(local.entry_id)
    return dict(entry.options)


def _settle_discoveries(
    hass: HomeAssistant, link: BluetoothLink, keys: dict[str, LocalKey]
) -> None:
    """End the Bluetooth discovery flows of the account's devices (heard before it loaded).

    They offered the devices on their own; they are the account's now. A lock without its
    key is discovered again, to ask for the key for the account.
    """
    for flow in hass.config_entries.flow.async_progress_by_handler(
        DOMAIN, match_context={"source": SOURCE_BLUETOOTH}
    ):
        local = link.devices.get(str(flow["context"].get("unique_id")))
        if local is None:
            continue
        hass.config_entries.flow.async_abort(flow["flow_id"])
        if local.model.encrypted and local.device_id not in keys:
            bluetooth.async_rediscover_address(hass, local.address)


def _report_left_to_core(
    hass: HomeAssistant, entry: RoomSenseConfigEntry, devices: DeviceList, left: set[str]
) -> None:
    """Tell the user which devices RoomSense reaches only through the cloud, and why."""
    issue_id = f"left_to_switchbot_{entry.entry_id}"
    names = sorted(device.name for device in devices.devices if device.device_id in left)
    if not names:
        ir.async_delete_issue(hass, DOMAIN, issue_id)
        return
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue_id,
        is_fixable=False,
        severity=ir.IssueSeverity.WARNING,
        translation_key="left_to_switchbot",
        translation_placeholders={"account": entry.title, "devices": ", ".join(names)},
    )


async def _async_hold_home_entities(hass: HomeAssistant, entry: RoomSenseConfigEntry) -> None:
    """Apply this entry's edge options if it holds the home's entities (`HomeOwner`).

    The same account entry holds them whichever entry loads first; its platforms show them.
    """
    shared = get_shared(hass)
    if await shared.owner.async_settle() != entry.entry_id:
        return
    shared.edge.configure(
        result_timeout=float(
            entry.options.get(OPT_DEVICE_RESULT_TIMEOUT, DEFAULT_DEVICE_RESULT_TIMEOUT)
        ),
        max_completed_jobs=int(
            entry.options.get(OPT_MAX_COMPLETED_JOBS, DEFAULT_MAX_COMPLETED_JOBS)
        ),
    )


async def async_remove_config_entry_device(
    hass: HomeAssistant, entry: RoomSenseConfigEntry, device_entry: dr.DeviceEntry
) -> bool:
    """Delete an edge device (its registration goes too); a SwitchBot one once it left."""
    edge = get_shared(hass).edge
    for domain, key in device_entry.identifiers:
        if domain == DOMAIN and key.startswith(EDGE_ID_PREFIX):
            device_id = key.removeprefix(EDGE_ID_PREFIX)
            if device_id in edge.devices:
                # Home Assistant removes the registry device itself once this returns.
                edge.delete(device_id, remove_ha_device=False)
            return True
    current = account_ids(hass, entry, entry.runtime_data.devices)
    return not any(domain == DOMAIN and key in current for domain, key in device_entry.identifiers)


async def _async_options_updated(hass: HomeAssistant, entry: RoomSenseConfigEntry) -> None:
    """Apply new options by reloading the entry (a cloudhook kept in the data needs none)."""
    if dict(entry.options) != entry.runtime_data.coordinator.options:
        await hass.config_entries.async_reload(entry.entry_id)


async def async_unload_entry(hass: HomeAssistant, entry: RoomSenseConfigEntry) -> bool:
    """Unload the platforms and the webhook; the poll scheduler stops with the entry."""
    data = entry.runtime_data
    if data.client is not None:
        await async_unregister_webhook(
            hass, data.client, entry.data[CONF_WEBHOOK_ID], data.webhook_url
        )
    if data.bluetooth is not None:
        await data.bluetooth.async_shutdown()
    return await hass.config_entries.async_unload_platforms(
        entry, PLATFORMS if data.client is not None else LOCAL_PLATFORMS
    )


async def async_remove_entry(hass: HomeAssistant, entry: RoomSenseConfigEntry) -> None:
    """Forget what only this entry kept: its call count, cloudhook, account, queue, assumptions.

    The home's entities it held (edge devices, learned scenes) go to another account entry.
    """
    if (shared := hass.data.get(DATA_SHARED)) is not None:
        await shared.owner.async_hand_over(entry)
    await async_remove_call_counter(hass, entry.entry_id)
    await async_delete_cloudhook(hass, entry)
    await AccountCache(hass, entry.entry_id).async_remove()
    await async_remove_command_queue(hass, entry.entry_id)
    await async_remove_assumed_states(hass, entry.entry_id)
