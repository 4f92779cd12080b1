"""Scene learning in Home Assistant: what people do, recorded; candidates; learned scenes.

Operations are recorded from two places: every command RoomSense sends for a person (the
agent, the services; not the automations), and every state change of a RoomSense entity that
a person caused (a toggle in the dashboard). They live in `.storage/roomsense.learning`,
the newest `MAX_OPERATIONS` of them. A candidate the user approves becomes a learned scene,
shown as a `scene` entity that replays its commands.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Any, Final

from homeassistant.const import EVENT_STATE_CHANGED, STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import (
    CALLBACK_TYPE,
    Context,
    Event,
    EventStateChangedData,
    HomeAssistant,
    callback,
)
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.dispatcher import async_dispatcher_connect, async_dispatcher_send
from homeassistant.util import dt as dt_util
from homeassistant.util.ulid import ulid_now

from ..const import DOMAIN
from ..gateway import SIGNAL_COMMAND_SENT, Source
from ..persisted import DelayedStore, readable_records
from ..tools import RoomSenseTools
from .learning import (
    DEFAULT_CANDIDATE_LIMIT,
    MAX_CANDIDATE_LIMIT,
    OperationPattern,
    OperationRecord,
    SceneCandidate,
    detect_patterns,
    scene_candidates,
)

STORAGE_KEY: Final = f"{DOMAIN}.learning"
# About a month of a busy home (the learner looks at 30 days); older ones say little.
MAX_OPERATIONS: Final = 20_000
# The file is large: written at most once a minute, and when Home Assistant stops.
SAVE_DELAY: Final = 60.0
# A command RoomSense sent shows as a state change right after: one operation, recorded once.
SAME_OPERATION_SECONDS: Final = 2.0
# A person's action is one context: the contexts lately recorded, and for which devices.
RECENT_CONTEXTS: Final = 256
# A context id (a ULID) starts with its millisecond: ids of one millisecond are in no order,
# so only an earlier millisecond tells that a context is older than a command.
ULID_TIME_CHARS: Final = 10
SIGNAL_SCENE_LEARNED: Final = f"{DOMAIN}_scene_learned"
SIGNAL_ACCEPTANCE: Final = f"{DOMAIN}_scene_acceptance"

# What a state change means as a command, by the entity's domain and its new state.
_STATE_COMMANDS: Final = {
    "on": "turnOn",
    "off": "turnOff",
    "open": "open",
    "closed": "close",
    "locked": "lock",
    "unlocked": "unlock",
    "cleaning": "start",
    "docked": "dock",
}


class UnknownCandidateError(HomeAssistantError):
    """No candidate (offered lately) has this id."""


class LearningStore:
    """The recorded operations, the offered candidates and the learned scenes."""

    def __init__(self, hass: HomeAssistant, tools: RoomSenseTools) -> None:
        """Nothing is read until `async_load`; scenes send their commands through `tools`."""
        self.hass = hass
        self._tools = tools
        self._store = DelayedStore(hass, STORAGE_KEY, self._data, delay=SAVE_DELAY)
        self.operations: list[OperationRecord] = []
        self.scenes: dict[str, dict[str, Any]] = {}
        # Candidates shown lately, by id, so an approval names one without resending it.
        self.offered: dict[str, dict[str, Any]] = {}
        # Candidates the user approved or rejected: never offered again (ids are content hashes).
        self.decided: set[str] = set()
        self.approved = 0
        self.rejected = 0
        self._unsubs: list[CALLBACK_TYPE] = []
        # By device: when a command was recorded, and the millisecond of a context id made
        # then (a context made before the command is not a new action).
        self._just_sent: dict[str, tuple[float, str]] = {}
        self._recorded_contexts: OrderedDict[str, set[str]] = OrderedDict()

    async def async_load(self) -> None:
        """Read the store; a record that does not parse is dropped, not fatal."""
        data = await self._store.async_load() or {}
        self.operations.extend(
            readable_records(
                data.get("operations", []),
                OperationRecord.from_dict,
                (TypeError, ValueError),
                "Dropping an unreadable operation record: %s",
                level=logging.DEBUG,
            )
        )
        self.scenes = {scene["id"]: scene for scene in data.get("scenes", [])}
        self.offered = dict(data.get("offered", {}))
        decided = data.get("decided")
        self.decided = (
            {item for item in decided if isinstance(item, str)}
            if isinstance(decided, list)
            else set()
        )
        self.approved = int(data.get("approved", 0))
        self.rejected = int(data.get("rejected", 0))

    def _data(self) -> dict[str, Any]:
        return {
            "operations": [record.to_dict() for record in self.operations],
            "scenes": list(self.scenes.values()),
            "offered": self.offered,
            "decided": sorted(self.decided),
            "approved": self.approved,
            "rejected": self.rejected,
        }

    async def async_flush(self) -> None:
        """Write everything now."""
        await self._store.async_flush()

    # --- recording ----------------------------------------------------------------------

    @callback
    def async_start_recording(self) -> None:
        """Record commands RoomSense sends for people, and state changes people cause."""
        self._unsubs.append(
            async_dispatcher_connect(self.hass, SIGNAL_COMMAND_SENT, self._command_sent)
        )
        self._unsubs.append(
            self.hass.bus.async_listen(
                EVENT_STATE_CHANGED, self._state_changed, event_filter=self._by_a_person
            )
        )

    @callback
    def async_stop_recording(self) -> None:
        """Stop listening."""
        while self._unsubs:
            self._unsubs.pop()()

    def record(self, record: OperationRecord) -> None:
        """Keep one operation (the newest `MAX_OPERATIONS` are kept)."""
        self.operations.append(record)
        if len(self.operations) > MAX_OPERATIONS:
            del self.operations[: len(self.operations) - MAX_OPERATIONS]
        self._store.save()

    @callback
    def _command_sent(
        self,
        user_id: str | None,
        device_id: str,
        command: str,
        parameter: str | dict[str, Any],
        source: str,
    ) -> None:
        if source in (Source.AUTOMATION, Source.SCENE, Source.EDGE):
            return  # what the home did by itself is not what people do
        if source == Source.ENTITY:
            return  # a person's tap is recorded from its state change, with its context
        # The state change this command shows next is the same operation, not a second one.
        self._just_sent[device_id] = (time.monotonic(), ulid_now()[:ULID_TIME_CHARS])
        self.record(
            OperationRecord(
                device_id=device_id,
                command=command,
                parameters=parameter,
                timestamp=dt_util.now(),
                user_id=user_id,
                source=source,
            )
        )

    @callback
    def _by_a_person(self, event_data: EventStateChangedData) -> bool:
        """Cheap first filter, run for every state change of Home Assistant."""
        old, new = event_data["old_state"], event_data["new_state"]
        return (
            old is not None
            and new is not None
            and new.context.user_id is not None
            and old.state != new.state
            and new.state not in (STATE_UNAVAILABLE, STATE_UNKNOWN)
        )

    @callback
    def _state_changed(self, event: Event[EventStateChangedData]) -> None:
        if (new := event.data["new_state"]) is None:
            return
        entry = er.async_get(self.hass).async_get(event.data["entity_id"])
        if entry is None or entry.platform != DOMAIN or entry.device_id is None:
            return
        device = dr.async_get(self.hass).async_get(entry.device_id)
        switchbot_id = next(
            (key for domain, key in (device.identifiers if device else ()) if domain == DOMAIN),
            None,
        )
        if switchbot_id is None:
            return
        if self._already_recorded(new.context, switchbot_id):
            return
        sent = self._just_sent.pop(switchbot_id, None)
        if (
            sent is not None
            and time.monotonic() - sent[0] < SAME_OPERATION_SECONDS
            and new.context.id[:ULID_TIME_CHARS] < sent[1]
        ):
            return  # the command just recorded, shown with an earlier action's context
        self.record(
            OperationRecord(
                device_id=switchbot_id,
                command=_STATE_COMMANDS.get(new.state, f"set:{new.state}"),
                timestamp=new.last_changed.astimezone(dt_util.get_default_time_zone()),
                user_id=new.context.user_id,
                source="state",
            )
        )

    def _already_recorded(self, context: Context, device_id: str) -> bool:
        """Whether this action (`context`, or the one it came from) was recorded for the device.

        One tap can show as several state changes of a device (the entity carries the tap's
        context for a few seconds, through the cloud's read-back too): the first is the
        operation, the others are not the person acting again.
        """
        contexts = self._recorded_contexts
        ids = (context.id, context.parent_id)
        if any(i is not None and device_id in contexts.get(i, ()) for i in ids):
            return True
        contexts.setdefault(context.id, set()).add(device_id)
        contexts.move_to_end(context.id)
        while len(contexts) > RECENT_CONTEXTS:
            contexts.popitem(last=False)
        return False

    # --- patterns and candidates ---------------------------------------------------------

    async def async_patterns(self, now: datetime | None = None) -> list[OperationPattern]:
        """The routines in what was recorded, most confident first.

        The search takes a noticeable fraction of a second on a month of a busy home: it
        runs in the executor, on a copy of the records.
        """
        return await self.hass.async_add_executor_job(
            partial(
                detect_patterns,
                list(self.operations),
                now=now or dt_util.now(),
                time_zone=dt_util.get_default_time_zone(),
            )
        )

    async def async_candidates(
        self,
        context: dict[str, Any],
        *,
        device_names: dict[str, str],
        device_kinds: dict[str, Any],
        is_dangerous: Callable[[dict[str, Any]], bool],
        now: datetime | None = None,
    ) -> list[SceneCandidate]:
        """Scene candidates for `context`; remembered so they can be approved by id.

        A routine with a command that needs a person's confirmation (`is_dangerous`, the
        same rule as for every command) is never offered: a scene replays without asking.
        """
        limit = context.get("limit", DEFAULT_CANDIDATE_LIMIT)
        if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
            raise ValueError("limit is a whole number of at least 1")
        # Ask for all, drop the ones that would unlock, then apply the caller's limit.
        everything = scene_candidates(
            await self.async_patterns(now),
            {**context, "limit": MAX_CANDIDATE_LIMIT},
            device_names=device_names,
            device_kinds=device_kinds,
        )
        found = [
            candidate
            for candidate in everything
            if candidate.candidate_id not in self.decided
            and not any(is_dangerous(op) for op in candidate.operations)
        ][: min(limit, MAX_CANDIDATE_LIMIT)]
        for candidate in found:
            self.offered[candidate.candidate_id] = candidate.to_dict()
        self._store.save()
        return found

    def approve(self, candidate_id: str, name: str | None = None) -> dict[str, Any]:
        """Save an offered candidate as a learned scene."""
        candidate = self.offered.pop(candidate_id, None)
        if candidate is None:
            raise UnknownCandidateError(candidate_id)
        scene = {
            "id": uuid.uuid4().hex,
            "candidate_id": candidate_id,
            "name": name or candidate["name"],
            "operations": candidate["operations"],
            "confidence": candidate["confidence"],
            "is_auto_generated": True,
            "usage_count": 0,
            "created_at": dt_util.utcnow().isoformat(),
        }
        self.scenes[scene["id"]] = scene
        self.decided.add(candidate_id)
        self.approved += 1
        self._store.save()
        async_dispatcher_send(self.hass, SIGNAL_SCENE_LEARNED, scene["id"])
        async_dispatcher_send(self.hass, SIGNAL_ACCEPTANCE)
        return scene

    def reject(self, candidate_id: str) -> None:
        """The user does not want this candidate."""
        if self.offered.pop(candidate_id, None) is None:
            raise UnknownCandidateError(candidate_id)
        self.decided.add(candidate_id)
        self.rejected += 1
        self._store.save()
        async_dispatcher_send(self.hass, SIGNAL_ACCEPTANCE)

    @property
    def acceptance_rate(self) -> float | None:
        """Approved share of the candidates the user decided on, in percent."""
        decided = self.approved + self.rejected
        return round(100 * self.approved / decided, 1) if decided else None

    async def async_run_scene(self, scene_id: str, user_id: str | None) -> dict[str, Any] | None:
        """Replay a learned scene's commands; None if `scene_id` is not a learned scene."""
        scene = self.scenes.get(scene_id)
        if scene is None:
            return None
        tools = self._tools
        results = []
        for operation in scene["operations"]:
            try:
                sent = await tools.send_command(
                    user_id=user_id,
                    device_id=operation["device_id"],
                    command=operation["command"],
                    parameter=operation.get("parameters", "default"),
                    source=Source.SCENE,
                )
            except HomeAssistantError as err:
                results.append({**operation, "outcome": "failed", "error": str(err)})
            else:
                results.append({**operation, "outcome": sent["outcome"], "error": None})
        scene["usage_count"] += 1
        self._store.save()
        failed = [result for result in results if result["error"]]
        if failed and len(failed) == len(results):
            raise HomeAssistantError(f"scene {scene['name']} failed: {failed[0]['error']}")
        # What the scene as a whole did: every command sent, some waiting, or some failed.
        outcomes = {result["outcome"] for result in results}
        outcome = "partial" if failed else ("queued" if "queued" in outcomes else "sent")
        return {"scene_id": scene_id, "results": results, "outcome": outcome}
