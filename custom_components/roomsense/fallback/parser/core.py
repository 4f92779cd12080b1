"""The parser itself: one utterance in, one decision out (nothing is executed here)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Final

from ...home_model import Action, DeviceKind, HomeDevice, HomeSnapshot, Language, ParseResult
from .. import lexicon as lx
from ..commands import Request
from ..lexicon import Op
from .clauses import drop_corrected_value, split_clauses, unknown_part_of_device
from .features import (
    DELAY,
    TIMER_WORDS,
    as_said,
    bound_to_features,
    device_timer,
    feature_question,
    feature_request,
)
from .home import Home
from .index import phrase_index
from .questions import answer_question, is_question
from .replies import act, contradicts, reply, run_scene
from .scan import ACTION_TAGS, Scan, Tag, scan_text
from .targets import appliance_bot, mode_target, resolve_command
from .text import detect_language, in_language, read_utterance, sentence_joiner, unique

_NO_MOP: Final = re.compile(lx.NO_MOP_WORDS)
_EVERY_CHOICE: Final = re.compile(lx.EVERY_CHOICE_WORDS)
_ORDINALS: Final = tuple((re.compile(words), index) for words, index in lx.ORDINAL_WORDS)


class FallbackParser:
    """Understands one utterance at a time against a fixed snapshot of the home."""

    def __init__(self, snapshot: HomeSnapshot) -> None:
        """Index the snapshot's names next to the lexicon, longest phrases first."""
        self._home = Home(snapshot)
        self._terms = phrase_index(snapshot)

    def _scan(self, text: str) -> Scan:
        return scan_text(self._terms, text)

    def parse(self, text: str) -> ParseResult:
        """Understand one utterance; nothing is executed, the result says what to do."""
        language = detect_language(text)
        # Numbers said in words become digits and a corrected value gives way to the last one
        # (only in what was said: the lexicon's own words stay words).
        normalized = read_utterance(text)
        found = self._scan(normalized)
        if (corrected := drop_corrected_value(normalized, found)) is not None:
            # 「赤に、いや青にして」: the value said last stands, as with numbers.
            normalized, found = corrected, self._scan(corrected)
        if found.has(Tag.NEGATION) and not is_question(normalized, found, language):
            return reply(language, lx.NEGATION_REPLY, "negated")
        delayed = DELAY.search(normalized) is not None
        if (delayed or TIMER_WORDS.search(normalized)) and (
            timer := device_timer(self._home, normalized, found, language)
        ):
            # "Run the fan for 30 minutes": the device's own off timer does it.
            return timer
        if delayed:
            # Asked for later: doing it now would be wrong (the agent offers a one-shot rule).
            return reply(language, lx.DELAYED_REPLY, "delayed")
        result = self._requests(normalized, found, language)
        result = bound_to_features(normalized, as_said(normalized, result), language)
        if result.actions:
            return result
        if result.intent == "question" or is_question(normalized, found, language):
            # 「チャイルドロックってかかってる？」: asked about a feature, never set it.
            return feature_question(self._home, normalized, language) or result
        return feature_request(self._home, normalized, language) or result

    def _requests(self, normalized: str, found: Scan, language: Language) -> ParseResult:
        """The sentence as one request or as several, each clause on its own."""
        clauses = split_clauses(normalized, found)
        if len(clauses) > 1 and (
            self._one_climate_request(found) or self._one_scene_said_twice(found, clauses)
        ):
            # "AC on, cooling, 26, fan low": one request about the air conditioner;
            # 「もう寝るね、おやすみなさい」: one scene said twice.
            clauses = [normalized]
        if len(clauses) > 1:
            return self._compound(clauses, language)
        return self._parse_clause(normalized, found, language, [])

    def _one_scene_said_twice(self, found: Scan, clauses: list[str]) -> bool:
        """Whether every piece of the sentence says the same scene and nothing else."""
        scenes = {*found.values(Tag.SCENE), *found.values(Tag.WEAK_SCENE)}
        if len(scenes) != 1 or found.has_any(
            Tag.OP, Tag.KIND, Tag.DEVICE, Tag.WEAK_DEVICE, Tag.BUTTON, Tag.COLOR
        ):
            return False
        pieces = [self._scan(clause) for clause in clauses]
        return all(piece.has_any(Tag.SCENE, Tag.WEAK_SCENE) for piece in pieces)

    def _one_climate_request(self, found: Scan) -> bool:
        """Whether every piece of the sentence is about the air conditioner's settings."""
        named = [
            self._home.devices[device_id]
            for tag in (Tag.DEVICE, Tag.WEAK_DEVICE)
            for device_id in found.values(tag)
        ]
        if any(device.kind is not DeviceKind.AIR_CONDITIONER for device in named):
            return False
        # "fan" is the air conditioner's fan only with a speed ("fan low"); "… and turn on
        # the fan" is the circulator.
        ac_fan = found.has(Tag.FAN_SPEED)
        other_kinds = {
            kind
            for kind, term in found.kind_terms
            if kind is not DeviceKind.AIR_CONDITIONER
            and not (ac_fan and kind is DeviceKind.FAN and term in lx.GENERIC_FAN_WORDS)
        }
        has_ac = bool(named) or DeviceKind.AIR_CONDITIONER in found.values(Tag.KIND)
        settings = found.has_any(Tag.AC_MODE, Tag.FAN_SPEED) or bool(found.numbers)
        extra = found.has_any(Tag.SCENE, Tag.BUTTON, Tag.COLOR, Tag.KELVIN, Tag.NEGATION)
        ops = set(found.values(Tag.OP))
        return has_ac and settings and not other_kinds and not extra and ops <= {Op.TURN_ON}

    def _compound(self, clauses: list[str], language: Language) -> ParseResult:
        """Every clause on its own; all of them or, if any is not understood, none."""
        actions: list[Action] = []
        replies: list[str] = []
        context: list[HomeDevice] = []
        scene_id: str | None = None
        for clause in clauses:
            result = self._parse_clause(clause, self._scan(clause), language, context)
            if result.understood and result.scene_id is not None and scene_id is None:
                # "I'm home, and put the TV on too": one scene plus commands.
                scene_id = result.scene_id
                replies.append(result.reply)
                continue
            if (
                not result.understood
                or not result.actions
                or result.scene_id is not None
                or result.answer is not None
            ):
                text = in_language(lx.COMPOUND_FAILED_REPLY, language).format(
                    clause=clause, detail=result.reply
                )
                # Several requests and not all of them can be done: none is.
                return ParseResult(language, False, text, intent="conflict")
            context = self._home.named(action.device_id for action in result.actions)
            new = [action for action in result.actions if action not in actions]
            actions.extend(new)
            if new:
                replies.append(result.reply)
        if scene_id is not None and any(action.dangerous for action in actions):
            # A scene runs at once; an unlock waits for a yes: not both in one breath.
            return reply(language, lx.CONFLICT_REPLY, "conflict")
        if contradicts(actions):
            # The clauses ask one device for two different things: a wrong action is worse
            # than none.
            return reply(language, lx.CONFLICT_REPLY, "conflict")
        text = sentence_joiner(language).join(replies)
        return ParseResult(
            language, True, text, tuple(actions), scene_id=scene_id, intent="compound"
        )

    def _parse_clause(
        self, normalized: str, found: Scan, language: Language, context: list[HomeDevice]
    ) -> ParseResult:
        """One request; `context` holds the devices of the previous clause ("… and dim it")."""
        if is_question(normalized, found, language):
            return answer_question(self._home, found, language)
        if found.has(Tag.NEGATION):
            return reply(language, lx.NEGATION_REPLY, "negated")
        self._settle_tags(normalized, found)
        if any(Tag.ABSENT in tags and len(tags) == 1 for *_span, tags in found.spans):
            # 「電子レンジで温めて」, "start the washing machine": an appliance this home
            # does not have (a device of that name would have claimed the words).
            return reply(language, lx.NO_DEVICE_REPLY, "no_device")
        if unknown_part_of_device(found):
            # 「テレビの字幕をつけて」, "turn on subtitles on the TV": a part or feature
            # of the device that nothing here knows; switching the device is not it.
            return reply(language, lx.FEATURE_REPLY, "feature_missing")
        pressed = appliance_bot(self._home, found)
        if pressed is not None:
            # A Bot presses the appliance's button; a plug switches the appliance on.
            op = Op.TURN_ON if pressed.kind is DeviceKind.PLUG else Op.PRESS
            return act(self._home, Request(op), [pressed], language)
        scene = self._scene_asked(found, language)
        if scene is not None:
            return scene
        targeted = found.has_any(Tag.DEVICE, Tag.KIND, Tag.WEAK_DEVICE)
        if found.has(Tag.RUN) and not found.has(Tag.OP) and targeted:
            # "Run the robot vacuum": a start verb once a device is named.
            found.tags[Tag.OP] = [Op.TURN_ON]
        outcome = resolve_command(self._home, found, language, context)
        if outcome.result is not None:
            return outcome.result
        assert outcome.request is not None  # noqa: S101 - resolve_command sets one or the other
        return act(self._home, outcome.request, outcome.devices, language)

    def _settle_tags(self, normalized: str, found: Scan) -> None:
        """Drop the tags that the rest of the clause shows to mean something else."""
        if found.has(Tag.MODE) and mode_target(self._home, found):
            # "加湿器をおやすみモードに": a named device's mode, not the おやすみ scene.
            found.tags.pop(Tag.SCENE, None)
        if found.has(Tag.MOP) and _NO_MOP.search(normalized):
            # "Sweep only, no mopping": the mop word is what is not wanted.
            found.tags.pop(Tag.MOP)
            found.tags.setdefault(Tag.OP, []).append(Op.CLEAN)

    def _scene_asked(self, found: Scan, language: Language) -> ParseResult | None:
        """A scene to run, a conflict when a scene comes with a command, or None."""
        commanding = found.has_any(
            Tag.OP, Tag.KIND, Tag.DEVICE, Tag.COOLER, Tag.WARMER, Tag.BUTTON,
            Tag.DARK, Tag.GLARE, Tag.DRY_AIR,
        )  # fmt: skip
        scenes = unique(found.values(Tag.SCENE))
        starting_only = set(found.values(Tag.OP)) <= {Op.TURN_ON} and not found.has_any(
            Tag.KIND, Tag.DEVICE, Tag.BUTTON, Tag.COLOR
        )
        if scenes and starting_only:
            # "Start the leaving home routine": starting is what a scene does.
            commanding = False
        if scenes:
            if commanding or len(scenes) > 1:
                return reply(language, lx.CONFLICT_REPLY, "conflict")
            return run_scene(self._home, scenes[0], language)
        weak_scenes = unique(found.values(Tag.WEAK_SCENE))
        if weak_scenes and not commanding and len(weak_scenes) == 1:
            return run_scene(self._home, weak_scenes[0], language)
        return None

    # --- Answers to "which one?" -----------------------------------------------------------

    def answer_choice(
        self, request: str, choices: Sequence[str], answer: str
    ) -> ParseResult | None:
        """The earlier `request` carried out on the device(s) the `answer` picks, or None.

        "Which one: the ceiling light or the bedroom lamp?" - "the bedroom one" / 「寝室の」 /
        "both" / "the first". None when the answer picks none of them: it is a new request.
        """
        devices = self._home.devices
        offered = [devices[device_id] for device_id in choices if device_id in devices]
        said = read_utterance(answer)
        asked_for = set(self._scan(read_utterance(request)).values(Tag.OP))
        answered = self._scan(said)
        new_request = answered.numbers or answered.has_any(*(ACTION_TAGS - {Tag.OP}))
        if new_request or not set(answered.values(Tag.OP)) <= asked_for:
            return None  # "turn off the bedroom lamp": a new request, not an answer
        picked = _picked(offered, said, answered)
        if not picked:
            return None
        actions: list[Action] = []
        replies: list[str] = []
        language: Language = detect_language(request)
        for device in picked:
            # The same words again, in a home where the other choices are out of the way.
            others = {choice.device_id for choice in offered} - {device.device_id}
            snapshot = self._home.snapshot
            narrowed = replace(
                snapshot, devices=tuple(d for d in snapshot.devices if d.device_id not in others)
            )
            result = FallbackParser(narrowed).parse(request)
            if not result.actions or any(
                action.device_id != device.device_id for action in result.actions
            ):
                return None
            actions.extend(result.actions)
            replies.append(result.reply)
            language = result.language
        text = sentence_joiner(language).join(replies)
        return ParseResult(language, True, text, tuple(actions), intent="chosen")


def _picked(offered: list[HomeDevice], answer: str, answered: Scan) -> list[HomeDevice]:
    """The offered devices an answer picks: by name, area or kind, "both", or "the first"."""
    if _EVERY_CHOICE.search(answer):
        return offered
    named = answered.named_ids()
    areas = set(answered.values(Tag.AREA))
    kinds = set(answered.values(Tag.KIND))
    fits = [
        device
        for device in offered
        if (not named or device.device_id in named)
        and (not areas or device.area in areas)
        and (not kinds or device.kind in kinds)
    ]
    if (named or areas or kinds) and len(fits) == 1:
        return fits
    for words, index in _ORDINALS:
        if words.search(answer) and index < len(offered):
            return [offered[index]]
    return []
