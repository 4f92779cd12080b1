"""Rules without a schedule: run when their conditions become true, not while they stay true.

Each such rule watches what its conditions read (entity states; the clock, each minute,
for a time condition) and is evaluated again when that changes. Whatever holds when the
watch starts is the baseline, so a restart does not fire a rule again.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from homeassistant.core import CALLBACK_TYPE, Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.helpers.event import async_track_state_change_event, async_track_time_change
from homeassistant.util import dt as dt_util

from .conditions import ConditionEvaluator, Evaluation
from .models import ConditionType

type ConditionsMet = Callable[[dict[str, Any], Evaluation], None]


class ConditionWatch:
    """The watches of the rules without a schedule, and whether their conditions held."""

    def __init__(
        self,
        hass: HomeAssistant,
        evaluator: ConditionEvaluator,
        rules: dict[str, dict[str, Any]],
        on_met: ConditionsMet,
    ) -> None:
        """Watch rules of `rules` (read when a change comes); call `on_met` as one fires."""
        self.hass = hass
        self.evaluator = evaluator
        self._rules = rules
        self._on_met = on_met
        self._watchers: dict[str, list[CALLBACK_TYPE]] = {}
        self._were_met: dict[str, bool] = {}

    def watch(self, rule: dict[str, Any]) -> None:
        """Re-evaluate the rule when what its conditions read changes."""
        rule_id = rule["id"]
        sources = sorted(
            {
                source
                for condition in rule["conditions"]
                for source in self.evaluator.resolver.sources(condition)
            }
        )
        unsubs: list[CALLBACK_TYPE] = []

        @callback
        def _changed(_event: Event[EventStateChangedData] | datetime) -> None:
            self._on_change(rule_id)

        if sources:
            unsubs.append(async_track_state_change_event(self.hass, sources, _changed))
        if any(condition["type"] == ConditionType.TIME for condition in rule["conditions"]):
            unsubs.append(async_track_time_change(self.hass, _changed, second=0))
        self._watchers[rule_id] = unsubs
        # Whatever holds now is the baseline: a restart does not fire a rule again.
        evaluation = self.evaluator.evaluate(rule["conditions"], dt_util.now(), late_only=True)
        self._were_met[rule_id] = evaluation.met

    def unwatch(self, rule_id: str) -> None:
        """Stop watching the rule, and forget whether its conditions held."""
        for unsub in self._watchers.pop(rule_id, []):
            unsub()
        self._were_met.pop(rule_id, None)

    @callback
    def _on_change(self, rule_id: str) -> None:
        rule = self._rules.get(rule_id)
        if rule is None or not rule["enabled"]:
            return
        evaluation = self.evaluator.evaluate(rule["conditions"], dt_util.now(), late_only=True)
        was_met = self._were_met.get(rule_id, False)
        self._were_met[rule_id] = evaluation.met
        if evaluation.met and not was_met:
            self._on_met(rule, evaluation)
