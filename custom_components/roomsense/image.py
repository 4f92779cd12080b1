"""Images: the picture an AI Art Frame shows, from the URL in its status (reference §5.16).

The picture entity also takes `roomsense.upload_art_frame_image`, which sends the frame a new
picture.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from homeassistant.components.image import ImageEntity, ImageEntityDescription
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import dt as dt_util

from . import catalog
from .catalog import Family
from .coordinator import RoomSenseCoordinator
from .data import RoomSenseConfigEntry
from .entity import RoomSenseEntity, RoomSenseEntityDescription, async_add_described_entities
from .switchbot_cloud import Device, DeviceStatus

# The picture's URL comes with the coordinator's status; an upload is one cloud request, and
# the cloud takes several at once.
PARALLEL_UPDATES = 0


def _image_url(status: DeviceStatus) -> str | None:
    url = status.raw.get("imageUrl")
    return url if isinstance(url, str) and url.strip() else None


@dataclass(frozen=True, kw_only=True)
class RoomSenseImageDescription(ImageEntityDescription, RoomSenseEntityDescription):
    """An image of the device types it serves."""


IMAGES: tuple[RoomSenseImageDescription, ...] = (
    RoomSenseImageDescription(
        key="picture",
        translation_key="picture",
        device_types=catalog.types_with(Family.ART_FRAME),
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: RoomSenseConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the picture of every art frame."""
    async_add_described_entities(entry, async_add_entities, IMAGES, partial(RoomSenseImage, hass))


class RoomSenseImage(RoomSenseEntity, ImageEntity):
    """The picture at the URL the device reports, fetched anew once the URL changes."""

    entity_description: RoomSenseImageDescription

    def __init__(
        self,
        hass: HomeAssistant,
        coordinator: RoomSenseCoordinator,
        device: Device,
        description: RoomSenseImageDescription,
    ) -> None:
        """Show the picture the device reported last."""
        super().__init__(coordinator, device, description)
        # The URL comes from the SwitchBot cloud, so its certificate has to hold.
        ImageEntity.__init__(self, hass, verify_ssl=True)
        self._show(_image_url(self.status))

    @callback
    def _handle_coordinator_update(self) -> None:
        """Take up a new picture before the state is written."""
        self._show(_image_url(self.status))
        super()._handle_coordinator_update()

    def _show(self, url: str | None) -> None:
        if url == self._attr_image_url:
            return
        self._attr_image_url = url
        # The state is the time the picture changed; unknown while there is none.
        self._attr_image_last_updated = dt_util.utcnow() if url else None
        self._cached_image = None

    async def async_upload_art_frame_image(self, image_url: str) -> None:
        """Have the frame fetch and show the picture at a URL.

        Where the cloud keeps the picture, and so the URL the status reports next, only the
        cloud knows: the picture shown follows the next read.
        """
        await self.async_send_device_command("uploadImage", {"imageUrl": image_url})
