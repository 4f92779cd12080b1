"""Safety: dangerous commands, per-user permissions, night safe mode, and the audit log."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from datetime import time as dt_time
from typing import Any, Final

from homeassistant.core import HomeAssistant
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from . import catalog
from .catalog import DeviceKind
from .const import DOMAIN, EVENT_AUDIT
from .pending import PendingAnswers

AUDIT_LOG_SIZE: Final = 5000
AUDIT_STORAGE_VERSION: Final = 1

OPT_DANGEROUS_COMMANDS: Final = "dangerous_commands"
OPT_NIGHT_MODE_START: Final = "night_mode_start"
OPT_NIGHT_MODE_END: Final = "night_mode_end"
# An admin may still unlock during night safe mode (never an automation): a contract.
OPT_NIGHT_MODE_ADMIN_OVERRIDE: Final = "night_mode_admin_override"
OPT_PERMISSIONS: Final = "permissions"


def user_listed_dangerous(
    device_id: str, device_type: str, command: str, user_listed: Iterable[str]
) -> bool:
    """Whether the user's list (`command`, `deviceType:command`, `deviceId:command`) has it."""
    listed = set(user_listed)
    return bool({command, f"{device_type}:{command}", f"{device_id}:{command}"} & listed)


def is_dangerous(
    device_id: str,
    device_type: str,
    command: str,
    user_listed: Iterable[str] = (),
    *,
    infrared: bool = False,
) -> bool:
    """Whether a command needs an explicit confirmation: by the catalog or the user's list."""
    return catalog.is_dangerous_command(
        device_type, command, infrared=infrared
    ) or user_listed_dangerous(device_id, device_type, command, user_listed)


def _parse_time(value: Any) -> dt_time | None:
    if isinstance(value, dt_time):
        return value
    if isinstance(value, int):
        return dt_time(hour=value % 24)
    if isinstance(value, str) and value:
        return dt_util.parse_time(value)
    return None


def night_mode_active(options: Mapping[str, Any], now: datetime | None = None) -> bool:
    """Whether `now` (local time) falls within the night safe hours, across midnight too."""
    start = _parse_time(options.get(OPT_NIGHT_MODE_START))
    end = _parse_time(options.get(OPT_NIGHT_MODE_END))
    if start is None or end is None or start == end:
        return False
    current = (now or dt_util.now()).time()
    if start < end:
        return start <= current < end
    return current >= start or current < end


@dataclass(frozen=True, slots=True)
class UserPermissions:
    """What one Home Assistant user may control; None means no restriction."""

    categories: frozenset[str] | None
    areas: frozenset[str] | None

    def allows(self, kind: DeviceKind, area_id: str | None) -> bool:
        """Whether a device of this kind in this area is within the user's reach."""
        if self.categories is not None and kind.value not in self.categories:
            return False
        return self.areas is None or (area_id is not None and area_id in self.areas)


def user_permissions(options: Mapping[str, Any], user_id: str | None) -> UserPermissions:
    """The restrictions the options set for a user (none for unlisted users and automations)."""
    entry = (options.get(OPT_PERMISSIONS) or {}).get(user_id or "")
    if not isinstance(entry, Mapping):
        return UserPermissions(None, None)
    categories = entry.get("categories")
    areas = entry.get("areas")
    return UserPermissions(
        frozenset(categories) if categories is not None else None,
        frozenset(areas) if areas is not None else None,
    )


@dataclass(frozen=True, slots=True)
class PendingAction:
    """A dangerous command waiting for the user's yes."""

    device_id: str
    command: str
    parameter: str | dict[str, Any]
    command_type: str


class Confirmations(PendingAnswers[PendingAction]):
    """Dangerous commands the agent asked about, one per conversation, for 60 s."""


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """One security-relevant action or refusal."""

    request_id: str
    user_id: str | None
    device_id: str | None
    command: str
    timestamp: str
    outcome: str
    source: str
    # How a command went: "bluetooth" or "cloud" (None when nothing was sent).
    path: str | None = None


class AuditLog:
    """The last 5,000 security-relevant actions, kept across restarts."""

    def __init__(self, hass: HomeAssistant) -> None:
        """One log for the whole integration."""
        self.hass = hass
        self._store: Store[list[dict[str, Any]]] = Store(
            hass, AUDIT_STORAGE_VERSION, f"{DOMAIN}.audit_log"
        )
        self.records: list[AuditRecord] = []

    async def async_load(self) -> None:
        """Read what was logged before a restart."""
        for item in await self._store.async_load() or []:
            try:
                self.records.append(AuditRecord(**item))
            except TypeError:
                continue
        del self.records[:-AUDIT_LOG_SIZE]

    def record(
        self,
        *,
        request_id: str,
        user_id: str | None,
        device_id: str | None,
        command: str,
        outcome: str,
        source: str,
        path: str | None = None,
    ) -> AuditRecord:
        """Log one action: fire `roomsense_audit` and keep it (saved shortly after)."""
        entry = AuditRecord(
            request_id=request_id,
            user_id=user_id,
            device_id=device_id,
            command=command,
            timestamp=dt_util.utcnow().isoformat(),
            outcome=outcome,
            source=source,
            path=path,
        )
        self.records.append(entry)
        del self.records[:-AUDIT_LOG_SIZE]
        self.hass.bus.async_fire(EVENT_AUDIT, asdict(entry))
        # Batched: a burst of actions costs one write.
        self._store.async_delay_save(self._data, 1.0)
        return entry

    def _data(self) -> list[dict[str, Any]]:
        return [asdict(record) for record in self.records]
