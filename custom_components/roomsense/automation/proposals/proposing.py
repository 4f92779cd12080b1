"""`propose`: the rules of thumb over recent events, checked, deduplicated and ranked."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

import probatio

from ...home_model import HomeSnapshot
from ..models import WORKFLOW_SCHEMA
from .conflicts import _rule_signature
from .const import CATEGORIES
from .drafts import _Draft
from .energy import _energy
from .events import _normalize
from .home import _Home
from .lighting import _door_light, _night_motion_light
from .security import _security
from .texts import _render
from .thresholds import _climate, _comfort
from .validation import validate


def propose(
    events: Iterable[Mapping[str, Any]],
    *,
    snapshot: HomeSnapshot,
    rules: Sequence[Mapping[str, Any]],
    now: datetime,
    language: str = "en",
    integrations: Collection[str] = frozenset(),
) -> list[dict[str, Any]]:
    """Rules worth suggesting from recent `events`, most confident first.

    `now` is the home's local time (aware): event times are read in its zone. Each proposal:
    `{id, title, description, category, confidence, reason, requires, suggestion}`;
    `suggestion` is a workflow that `WORKFLOW_SCHEMA` accepts. Rules already saved (the same
    actions on the same kind of trigger) and suggestions that `validate` finds invalid or in
    conflict are left out.

    `integrations` are the Home Assistant integrations loaded (`hass.config.components`). A
    proposal that needs one, such as "after sunset" needing `sun`, lists it in `requires`
    and says so in its description; it is left out while one it needs is not loaded.
    """
    if now.utcoffset() is None:
        raise ValueError("now needs its time zone")
    language = "ja" if language == "ja" else "en"
    home = _Home(snapshot)
    normalized = [
        event
        for raw in events
        if isinstance(raw, Mapping) and (event := _normalize(raw, now, home)) is not None
    ]
    drafts: list[_Draft] = [
        *_door_light(normalized, home),
        *_night_motion_light(normalized, home),
        *_climate(normalized, home),
        *_security(normalized, home),
        *_comfort(normalized, home),
        *_energy(normalized, home, now),
    ]
    existing = {_rule_signature(rule, exact=False) for rule in rules}
    proposals: dict[str, dict[str, Any]] = {}
    for draft in drafts:
        if any(integration not in integrations for integration in draft.requires):
            continue  # its condition could never be met: never offer a rule that cannot work
        try:
            proposal = _proposal(draft, language)
        except probatio.Invalid:
            continue  # a name or value the schema refuses: no proposal rather than a bad one
        suggestion = proposal["suggestion"]
        if _rule_signature(suggestion, exact=False) in existing:
            continue
        check = validate(suggestion, snapshot=snapshot, rules=rules)
        if not check["valid"] or check["conflicts"]:
            continue
        kept = proposals.get(proposal["id"])
        if kept is None or kept["confidence"] < proposal["confidence"]:
            proposals[proposal["id"]] = proposal
    return sorted(
        proposals.values(),
        key=lambda item: (-item["confidence"], CATEGORIES.index(item["category"]), item["id"]),
    )


def _proposal(draft: _Draft, language: str) -> dict[str, Any]:
    title, description, reason, actions = _render(draft, language)
    devices = sorted(
        {str(item["device_id"]) for item in [*draft.conditions, *actions] if "device_id" in item}
    )
    # Stable while the same rule of thumb applies to the same devices, even when the evidence
    # moves a time or a count.
    identity = json.dumps([draft.kind, draft.category, devices], ensure_ascii=False)
    suggestion: dict[str, Any] = WORKFLOW_SCHEMA(
        {
            "name": title[:200],
            "description": description,
            "enabled": True,
            "conditions": draft.conditions,
            "actions": actions,
            "schedule": draft.schedule,
            "confidence": draft.confidence,
            "source": "pattern",
            "language": language,
        }
    )
    return {
        "id": hashlib.sha256(identity.encode()).hexdigest()[:16],
        "title": title,
        "description": description,
        "category": draft.category,
        "confidence": draft.confidence,
        "reason": reason,
        "requires": sorted(draft.requires),
        "suggestion": suggestion,
    }
