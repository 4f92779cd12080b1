"""What is known of one device: its last status, and when the cloud confirmed it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from homeassistant.util import dt as dt_util

from .switchbot_cloud import DeviceStatus

# A status body with nothing but these says nothing a poll could refresh.
_ID_FIELDS = frozenset({"deviceId", "deviceType", "hubDeviceId", "version"})


@dataclass
class DeviceState:
    """What is known of one device: its last status and when the cloud confirmed it."""

    status: DeviceStatus
    confirmed_at: datetime | None
    sample_time: int | None = None
    optimistic: bool = False

    @classmethod
    def first(
        cls, device_id: str, device_type: str, fields: dict[str, Any], sample_time: int | None
    ) -> DeviceState:
        """The state a push gives a device never read: what the push says, confirmed now."""
        status = DeviceStatus.from_dict(
            {"deviceId": device_id, "deviceType": device_type, **fields}
        )
        return cls(status=status, confirmed_at=dt_util.utcnow(), sample_time=sample_time)

    def merged(self, fields: dict[str, Any]) -> DeviceStatus:
        """The status with some fields replaced."""
        return DeviceStatus.from_dict({**self.status.raw, **fields})

    def with_fields(
        self,
        fields: dict[str, Any],
        *,
        confirmed_at: datetime | None,
        sample_time: int | None,
        optimistic: bool = False,
    ) -> DeviceState:
        """A new state: this status with some fields replaced."""
        return DeviceState(
            status=self.merged(fields),
            confirmed_at=confirmed_at,
            sample_time=sample_time,
            optimistic=optimistic,
        )


def pollable_ids(data: dict[str, DeviceState]) -> set[str]:
    """The devices whose status says more than their ids (Hub Mini, keypads, cameras)."""
    return {device_id for device_id, state in data.items() if state.status.raw.keys() - _ID_FIELDS}
