"""Every SwitchBot device type and infrared remote type RoomSense knows, as data.

Nothing else in the integration names a type string. Platforms, parsers, safety and the
command gateway ask this catalog what a type is (its kind and family), which Home Assistant
platforms show it, whether the cloud pushes its changes, and which commands it takes: with
what parameter, whether sending one twice is harmless, and whether it needs a yes first.
The facts come from the Open API v1.1 reference (§4-§7 of shared/reference). A type the
cloud spells more than one way has one spec; its other spellings are aliases of it, which
every query here answers for as for the type itself.

Pure Python, with no Home Assistant and nothing else of the package: the parsers, the tests
and a second (Bluetooth) transport can all read it alone.

The modules: `types` (kinds, families, features, parameters, specs), `commands` (the physical
devices' command tables), `devices` (the physical types by family, and their aliases),
`infrared` (the remote types), `specs` (how the tables make specs), `queries`, `bluetooth`
(local models and advertised names) and `wattage` (typical draw without a meter). A new
SwitchBot device type is a row in `devices.py` (a new remote type: in `infrared.py`).
"""

from __future__ import annotations

from .bluetooth import bluetooth_model, bluetooth_types, discovered_type, product_name
from .queries import (
    base_remote_type,
    canonical_type,
    command_spec,
    device_spec,
    family_of,
    has_feature,
    is_dangerous_command,
    is_idempotent,
    is_unlocking_command,
    kind_of,
    known_types,
    pushes,
    register_local_commands,
    supports,
    types_with,
)
from .types import (
    COMMAND,
    CUSTOMIZE,
    DEFAULT,
    DIY_PREFIX,
    FREE_TEXT,
    UNLOCKING_LOCK_COMMANDS,
    Choice,
    CommandSpec,
    DeviceKind,
    DeviceSpec,
    Family,
    Feature,
    IntRange,
    JsonObject,
    NoParameter,
    Parameter,
    ParameterSpec,
    Pattern,
)
from .wattage import TypicalWattage, typical_wattage, typical_wattages

__all__ = [
    "COMMAND",
    "CUSTOMIZE",
    "DEFAULT",
    "DIY_PREFIX",
    "FREE_TEXT",
    "UNLOCKING_LOCK_COMMANDS",
    "Choice",
    "CommandSpec",
    "DeviceKind",
    "DeviceSpec",
    "Family",
    "Feature",
    "IntRange",
    "JsonObject",
    "NoParameter",
    "Parameter",
    "ParameterSpec",
    "Pattern",
    "TypicalWattage",
    "base_remote_type",
    "bluetooth_model",
    "bluetooth_types",
    "canonical_type",
    "command_spec",
    "device_spec",
    "discovered_type",
    "family_of",
    "has_feature",
    "is_dangerous_command",
    "is_idempotent",
    "is_unlocking_command",
    "kind_of",
    "known_types",
    "product_name",
    "pushes",
    "register_local_commands",
    "supports",
    "types_with",
    "typical_wattage",
    "typical_wattages",
]
