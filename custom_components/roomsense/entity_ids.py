"""Entity ids of RoomSense: readable ones for devices whose names have no Latin form."""

from __future__ import annotations

import unicodedata

from homeassistant.core import callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.entity import Entity
from homeassistant.util import slugify

from . import catalog
from .ble.models import model_for
from .switchbot_cloud import Device, InfraredRemote

DEVICE_ID_TAIL = 4
"""How many of the device id's last characters tell two devices of one type apart."""


def has_latin_form(name: str | None) -> bool:
    """Whether Home Assistant can make a readable entity id of a device's name.

    The rule: the name, once NFKC-normalised (so full-width "ＴＶ" counts as "TV"), holds
    at least one ASCII letter, A to Z in either case. "Living Room", "リビングのCO2センサー"
    and "ＴＶ台" have a Latin form; "玄関の鍵", "リビングのハブ2" (digits alone are not
    enough) and "Ωμέγα" do not. A name with a Latin form is left to Home Assistant, as
    before; the entities of a device whose name has none get `readable_object_id`'s id,
    since Home Assistant would transliterate kana and kanji into Chinese readings
    ("玄関の鍵" becomes `xuan_guan_nojian`).
    """
    if not name:
        return False
    return any(char.isascii() and char.isalpha() for char in unicodedata.normalize("NFKC", name))


def device_id_tail(device_id: str) -> str:
    """The last `DEVICE_ID_TAIL` letters and digits of a device id, in lower case.

    A cloud device id is its MAC address ("F8C9A1B2E3D4" gives "e3d4"); a remote's id has
    dashes ("02-202404011230-10482736" gives "2736"), which are skipped.
    """
    return "".join(char for char in device_id if char.isascii() and char.isalnum())[
        -DEVICE_ID_TAIL:
    ].lower()


def _product_name(device_type: str) -> str | None:
    """The name SwitchBot sells a type under, where the catalog knows it (Bluetooth models)."""
    if (model := model_for(device_type)) is None:
        return None
    wanted = catalog.canonical_type(device_type)
    for advertised in sorted(model.advertised_models):
        found = catalog.discovered_type(advertised)
        if found is not None and catalog.canonical_type(found) == wanted:
            return catalog.product_name(advertised)
    return None


def type_name(device: Device | InfraredRemote) -> str:
    """What a device is, for its entity ids: its product name, else its Open API type.

    A remote is named by its `remoteType` without the "DIY " of learned remotes.
    """
    if isinstance(device, InfraredRemote):
        return catalog.base_remote_type(device.remote_type)
    return _product_name(device.device_type) or device.device_type


def readable_object_id(kind: str, device_id: str, entity_name: str | None) -> str:
    """An object id of `<kind>_<last 4 of the device id>` and the entity's own name.

    The entity's name (Home Assistant's English one, None for a device's main entity) is
    appended as Home Assistant appends it with `has_entity_name`: `lock.lock_pro_e3d4`,
    `sensor.meter_9c15_temperature`.
    """
    return slugify(
        " ".join(part for part in (kind, device_id_tail(device_id), entity_name) if part)
    )


@callback
def async_suggest_object_id(
    entity: Entity,
    identifier: tuple[str, str],
    name: str | None,
    kind: str,
    device_id: str,
) -> None:
    """Suggest `readable_object_id` as a new entity's id if its device's name is not Latin.

    Call it once the entity is on its platform, before it is added. The name judged
    (`has_latin_form`) is the one Home Assistant prefixes entity ids with: the user's name
    for the device, else the device's own `name`. The suggestion only gives the id of a
    unique id the entity registry does not hold yet: Home Assistant keeps the entity id it
    registered, and the user's renames, whatever is suggested later (the registry only
    notes the suggestion, for its "recreate entity id").
    """
    if entity.entity_id:  # the entity chose its id itself
        return
    registered = (
        dr.async_get(entity.hass).async_get_device_by_identifier(identifier, config_entry.entry_id)
        if (config_entry := entity.platform.config_entry) is not None
        else None
    )
    shown = (registered.name_by_user if registered else None) or name
    if has_latin_form(shown):
        return
    if object_id := readable_object_id(kind, device_id, entity.suggested_object_id):
        entity.entity_id = f"{entity.platform.domain}.{object_id}"
