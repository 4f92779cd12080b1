"""The ways a command reaches a device: what every transport is handed, and the cloud's."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from .switchbot_cloud import Device, InfraredRemote, SwitchBotCloudClient


@dataclass(frozen=True, slots=True)
class OutgoingCommand:
    """One command on its way to a device: what every transport is handed."""

    device: Device | InfraredRemote
    command: str
    parameter: str | dict[str, Any]
    command_type: str
    # Whether sending it twice does no harm (the cloud may then retry it).
    idempotent: bool


class Transport(Protocol):
    """A way to reach devices: the SwitchBot cloud, later Bluetooth."""

    name: str

    def handles(self, device: Device | InfraredRemote, command: str) -> bool:
        """Whether this transport can send the command to the device."""

    async def async_send(self, outgoing: OutgoingCommand) -> None:
        """Send it, raising `SwitchBotError`s."""


class CloudTransport:
    """The SwitchBot Open API v1.1: every device and remote of the account."""

    name = "cloud"

    def __init__(self, client: SwitchBotCloudClient) -> None:
        """Send with the entry's client."""
        self.client = client

    def handles(self, device: Device | InfraredRemote, command: str) -> bool:
        """The cloud takes every command of the account's devices."""
        return True

    async def async_send(self, outgoing: OutgoingCommand) -> None:
        """One POST to `/devices/{id}/commands`."""
        await self.client.send_command(
            outgoing.device.device_id,
            outgoing.command,
            outgoing.parameter,
            outgoing.command_type,
            idempotent=outgoing.idempotent,
            # One try: a cloud that fails it is marked away and the queue sends it later,
            # rather than a person waiting out retries against a cloud that is down.
            attempts=1,
        )
