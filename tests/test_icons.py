"""icons.json: every service has an icon, and every entity icon names a real translation key.

Home Assistant reads icons by translation key; a key that no entity has, or a service left
out, shows the platform's default silently, so this checks them against the sources.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

INTEGRATION = Path(__file__).resolve().parents[1] / "custom_components" / "roomsense"
MDI = re.compile(r"^mdi:[a-z0-9]+(-[a-z0-9]+)*$")


def _icons() -> dict[str, dict[str, dict[str, object]]]:
    return json.loads((INTEGRATION / "icons.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def test_every_service_has_an_icon() -> None:
    services = yaml.safe_load((INTEGRATION / "services.yaml").read_text(encoding="utf-8"))
    icons = _icons()["services"]
    assert set(icons) == set(services)
    assert all(MDI.match(str(icon["service"])) for icon in icons.values())


def test_entity_icons_name_translation_keys() -> None:
    translations = json.loads((INTEGRATION / "translations" / "en.json").read_text("utf-8"))
    for platform, keys in _icons()["entity"].items():
        known = set(translations["entity"].get(platform, {}))
        assert set(keys) <= known, (platform, set(keys) - known)
        for key, icon in keys.items():
            assert isinstance(icon, dict)
            shown = [icon["default"], *dict(icon.get("state", {})).values()]
            assert all(MDI.match(str(name)) for name in shown), (platform, key)
