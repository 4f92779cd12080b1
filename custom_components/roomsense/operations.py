"""Operations figures: commands per device, automation runs, estimated energy.

The counts only ever grow; the sensors that show them are `total_increasing`, so Home
Assistant's long-term statistics give the daily (and hourly, monthly) figures. They are
kept in one `Store` for the whole home, so a restart or a reload loses none of them.

- Commands: every command the command gateway sent (or queued) for a device, counted from
  its `SIGNAL_COMMAND_SENT`, whatever asked for it (a tap, the agent, a rule, a scene).
- Automation runs: every finished run of a RoomSense rule (`roomsense_rule_executed`);
  a failure is a run in which at least one action failed (status `failure` or `partial`).
- Energy: a Plug Mini's or relay's power reading integrated over time (left Riemann sum);
  a device without a meter that reports whether it is on counts the typical wattage of its
  model (the catalog's table, estimates with their reasoning) for the time it is on.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Final

from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_connect, async_dispatcher_send
from homeassistant.helpers.storage import Store

from .automation.engine import EVENT_RULE_EXECUTED
from .automation.history import STATUS_FAILURE, STATUS_PARTIAL
from .const import DOMAIN, LOGGER
from .gateway import SIGNAL_COMMAND_SENT

STORAGE_KEY: Final = f"{DOMAIN}.operations"
STORAGE_VERSION: Final = 1
SAVE_DELAY: Final = 10.0
# Sent with what changed: `commands:<device id>`, `automation` or `energy:<device id>`.
SIGNAL_OPERATIONS_UPDATED: Final = f"{DOMAIN}_operations_updated"

FAILED_RUN_STATUSES: Final = frozenset({STATUS_FAILURE, STATUS_PARTIAL})


def energy_kwh(watts: float, since: datetime, until: datetime) -> float:
    """What `watts` drawn from `since` to `until` adds up to, in kWh."""
    hours = max((until - since).total_seconds(), 0.0) / 3600
    return max(watts, 0.0) * hours / 1000


class OperationsStore:
    """The home's operations counts, kept in `.storage`."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Nothing is read until `async_load`."""
        self.hass = hass
        self._store: Store[dict[str, Any]] = Store(hass, STORAGE_VERSION, STORAGE_KEY)
        self.commands: dict[str, int] = {}
        self.automation_runs = 0
        self.automation_failures = 0
        self.energy: dict[str, float] = {}

    async def async_load(self) -> None:
        """Read the counts saved before; an unreadable part starts from zero."""
        data = await self._store.async_load() or {}
        try:
            self.commands = {
                str(key): int(value) for key, value in data.get("commands", {}).items()
            }
            self.automation_runs = int(data.get("automation_runs", 0))
            self.automation_failures = int(data.get("automation_failures", 0))
            self.energy = {str(key): float(value) for key, value in data.get("energy", {}).items()}
        except (AttributeError, TypeError, ValueError) as err:
            LOGGER.warning("Not restoring unreadable operations figures: %s", err)

    def _data(self) -> dict[str, Any]:
        return {
            "commands": self.commands,
            "automation_runs": self.automation_runs,
            "automation_failures": self.automation_failures,
            "energy": self.energy,
        }

    def _changed(self, what: str) -> None:
        self._store.async_delay_save(self._data, SAVE_DELAY)
        async_dispatcher_send(self.hass, SIGNAL_OPERATIONS_UPDATED, what)

    async def async_flush(self) -> None:
        """Write the counts now (Home Assistant stopping)."""
        await self._store.async_save(self._data())

    @callback
    def record_command(self, device_id: str) -> None:
        """Count one command sent (or queued) for a device."""
        self.commands[device_id] = self.commands.get(device_id, 0) + 1
        self._changed(f"commands:{device_id}")

    @callback
    def record_rule_run(self, status: str) -> None:
        """Count one finished rule run, and whether any of its actions failed."""
        self.automation_runs += 1
        if status in FAILED_RUN_STATUSES:
            self.automation_failures += 1
        self._changed("automation")

    @callback
    def add_energy(self, device_id: str, kwh: float) -> None:
        """Add energy used by a device."""
        if kwh <= 0:
            return
        self.energy[device_id] = self.energy.get(device_id, 0.0) + kwh
        self._changed(f"energy:{device_id}")

    @callback
    def async_listen(self, what: str, listener: Callable[[], None]) -> Callable[[], None]:
        """Call `listener` when the figure `what` changes; returns the unsubscribe."""

        @callback
        def _updated(changed: str) -> None:
            if changed == what:
                listener()

        return async_dispatcher_connect(self.hass, SIGNAL_OPERATIONS_UPDATED, _updated)


async def async_setup_operations(hass: HomeAssistant) -> OperationsStore:
    """Load the counts and start counting commands and rule runs, for the whole home."""
    operations = OperationsStore(hass)
    await operations.async_load()

    @callback
    def _command_sent(_user_id: str | None, device_id: str, *_rest: Any) -> None:
        operations.record_command(device_id)

    @callback
    def _rule_executed(event: Event[dict[str, Any]]) -> None:
        operations.record_rule_run(str(event.data.get("status", "")))

    async_dispatcher_connect(hass, SIGNAL_COMMAND_SENT, _command_sent)
    hass.bus.async_listen(EVENT_RULE_EXECUTED, _rule_executed)
    return operations
