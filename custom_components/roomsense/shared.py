"""What all RoomSense entries share: one object per Home Assistant, under one key.

`async_setup` fills `RoomSenseShared` once, before any config entry sets up; entries and
their platforms only read it (`get_shared`).

The home's own entities (the edge devices, the learned scenes, the scene acceptance rate and
the rule-run counts) are no account's, but a Home Assistant device or entity needs a config
entry. One account entry holds them all: `HomeOwner` keeps which in
`.storage/roomsense.owner`, so it stays the same whatever order the entries load in and
across restarts. The first time, it is the entry Home Assistant shows them under already
(an upgrade changes nothing the user sees), else the oldest account entry. Only removing
that entry hands them over, devices and entities moved in the registries with their ids and
settings, to the oldest account entry left. A Bluetooth-only entry never holds them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

from homeassistant.config_entries import ConfigEntry, ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.storage import Store
from homeassistant.util.hass_dict import HassKey

from .automation import AutomationEngine, LearningStore, async_setup_automation
from .automation.api import AutomationAPI
from .ble.discovery import CONF_ADDRESS
from .const import DOMAIN, LOGGER
from .edge import EdgeManager, async_setup_edge
from .edge.manager import EDGE_ID_PREFIX
from .operations import OperationsStore, async_setup_operations
from .safety import AuditLog
from .sensor_descriptions import AUTOMATION_FIGURES
from .switchbot_cloud import CallCounter
from .tools import RoomSenseTools

OWNER_STORAGE_KEY: Final = f"{DOMAIN}.owner"
OWNER_STORAGE_VERSION: Final = 1

# The unique ids of the home's entities. An edge device's entities start with the prefix of
# its device identifier (`edge_<id>_<key>`), a learned scene's with this one; the home's
# figures are `<entry id>_<key>`, on the account's device of the entry that holds them.
LEARNED_SCENE_PREFIX: Final = "learned_scene_"
SCENE_ACCEPTANCE_KEY: Final = "scene_acceptance_rate"
HOME_FIGURE_KEYS: Final = frozenset(
    {SCENE_ACCEPTANCE_KEY, *(description.key for description in AUTOMATION_FIGURES)}
)


@dataclass(frozen=True, slots=True)
class RoomSenseShared:
    """The objects of the whole home, one of each per Home Assistant."""

    # The actions behind the services and the agent's tools; with the audit log and metrics.
    tools: RoomSenseTools
    edge: EdgeManager
    automation: AutomationEngine
    learning: LearningStore
    # The operations on `automation` and `learning` that the views, services and agent use.
    automation_api: AutomationAPI
    operations: OperationsStore
    # Which account entry shows the edge devices, the learned scenes and the home's figures.
    owner: HomeOwner
    # Each account's count of cloud calls today, by entry id: kept across its reloads.
    call_counters: dict[str, CallCounter] = field(default_factory=dict)


DATA_SHARED: Final[HassKey[RoomSenseShared]] = HassKey(f"{DOMAIN}_shared")


def get_shared(hass: HomeAssistant) -> RoomSenseShared:
    """What the entries share; there from `async_setup` on."""
    return hass.data[DATA_SHARED]


async def async_setup_shared(hass: HomeAssistant) -> RoomSenseShared:
    """Load what the entries share and serve the edge API; once, before any entry sets up."""
    audit = AuditLog(hass)
    await audit.async_load()
    tools = RoomSenseTools(hass, audit)
    edge = await async_setup_edge(hass)
    automation_api = await async_setup_automation(hass, tools)
    operations = await async_setup_operations(hass)
    owner = HomeOwner(hass)
    await owner.async_load()
    shared = RoomSenseShared(
        tools=tools,
        edge=edge,
        automation=automation_api.engine,
        learning=automation_api.learning,
        automation_api=automation_api,
        operations=operations,
        owner=owner,
    )
    hass.data[DATA_SHARED] = shared
    return shared


def account_entries(hass: HomeAssistant) -> list[ConfigEntry[Any]]:
    """The SwitchBot account entries, oldest first: those that may hold the home's entities.

    Home Assistant keeps entries in the order they were added, across restarts.
    """
    return [
        entry
        for entry in hass.config_entries.async_entries(DOMAIN)
        if CONF_ADDRESS not in entry.data
    ]


def _home_figure_key(unique_id: str, entry_id: str) -> str | None:
    """The key of a home figure of `entry_id` with this unique id; None for anything else."""
    key = unique_id.removeprefix(f"{entry_id}_")
    return key if key != unique_id and key in HOME_FIGURE_KEYS else None


def _is_home_entity(unique_id: str, entry_id: str) -> bool:
    return unique_id.startswith((EDGE_ID_PREFIX, LEARNED_SCENE_PREFIX)) or (
        _home_figure_key(unique_id, entry_id) is not None
    )


class HomeOwner:
    """The account entry that holds the home's entities, kept across restarts."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Read nothing yet; `async_load` does."""
        self.hass = hass
        self._store: Store[dict[str, Any]] = Store(hass, OWNER_STORAGE_VERSION, OWNER_STORAGE_KEY)
        # The holder; None while there is no account entry.
        self.entry_id: str | None = None
        self._saved: str | None = None

    async def async_load(self) -> None:
        """Read the holder; without a record, the entry the registry shows the entities under.

        Each account entry settles it as it sets up (`async_settle`).
        """
        if (data := await self._store.async_load()) is not None:
            self.entry_id = self._saved = data.get("entry_id")
        else:
            self.entry_id = self._registered_holder()

    def owns(self, entry: ConfigEntry[Any]) -> bool:
        """Whether `entry` shows the home's entities."""
        return entry.entry_id == self.entry_id

    async def async_settle(self) -> str | None:
        """The holder; the oldest account entry (an enabled one first) if there is none."""
        accounts = account_entries(self.hass)
        if self.entry_id not in {entry.entry_id for entry in accounts}:
            enabled = [entry for entry in accounts if entry.disabled_by is None]
            self.entry_id = next((entry.entry_id for entry in enabled or accounts), None)
        if self.entry_id != self._saved:
            self._saved = self.entry_id
            await self._store.async_save({"entry_id": self.entry_id})
        return self.entry_id

    async def async_hand_over(self, removed: ConfigEntry[Any]) -> None:
        """The holder is being removed: its home entities go to the oldest account left.

        Called by `async_remove_entry`: Home Assistant forgot the entry already and clears
        the registries of it next, so what moves now keeps its entity ids and settings.
        The new holder reloads to show them.
        """
        if removed.entry_id != self.entry_id:
            return
        if (holder := await self.async_settle()) is None:
            return  # no account left: they go with the entry, as its other devices do
        entry = self.hass.config_entries.async_get_known_entry(holder)
        LOGGER.info(
            "%s was removed: its edge devices and learned scenes move to %s",
            removed.title,
            entry.title,
        )
        _move_home_entities(self.hass, removed.entry_id, holder)
        if entry.state is ConfigEntryState.LOADED:
            self.hass.config_entries.async_schedule_reload(holder)

    def _registered_holder(self) -> str | None:
        """The oldest account entry that the entity registry has home entities of."""
        holders = {
            entity.config_entry_id
            for entity in er.async_get(self.hass).entities.values()
            if entity.platform == DOMAIN
            and entity.config_entry_id is not None
            and _is_home_entity(entity.unique_id, entity.config_entry_id)
        }
        return next(
            (entry.entry_id for entry in account_entries(self.hass) if entry.entry_id in holders),
            None,
        )


def _move_home_entities(hass: HomeAssistant, old: str, new: str) -> None:
    """Move the home's entities and the edge devices from entry `old` to entry `new`.

    The entities first: a device moving takes away the entities left with its old entry.
    The figures are keyed by their entry, and go on the new entry's account device.
    """
    devices = dr.async_get(hass)
    entities = er.async_get(hass)
    account = devices.async_get_device_by_identifier((DOMAIN, new), new)
    for entity in er.async_entries_for_config_entry(entities, old):
        unique_id = entity.unique_id
        if unique_id.startswith(EDGE_ID_PREFIX):
            entities.async_update_entity(entity.entity_id, config_entry_id=new)
            continue
        device_id = account.id if account is not None else None
        if unique_id.startswith(LEARNED_SCENE_PREFIX):
            entities.async_update_entity(entity.entity_id, config_entry_id=new, device_id=device_id)
        elif (key := _home_figure_key(unique_id, old)) is not None:
            new_unique_id = f"{new}_{key}"
            if entities.async_get_entity_id(entity.domain, DOMAIN, new_unique_id) is not None:
                continue  # the new holder has its own already; this one goes with its entry
            entities.async_update_entity(
                entity.entity_id,
                config_entry_id=new,
                new_unique_id=new_unique_id,
                device_id=device_id,
            )
    for device in dr.async_entries_for_config_entry(devices, old):
        if any(
            domain == DOMAIN
            and key.startswith(EDGE_ID_PREFIX)
            and devices.async_get_device_by_identifier((domain, key), new) is None
            for domain, key in device.identifiers
        ):
            devices.async_update_device(device.id, new_config_entry_id=new)
