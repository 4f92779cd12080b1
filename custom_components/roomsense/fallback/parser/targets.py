"""Which devices a request is for: named, by kind and area, a learned button, or asked."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

from ...home_model import DeviceKind, HomeDevice, Language, ParseResult
from .. import lexicon as lx
from ..commands import Request, build_actions
from ..lexicon import Op
from .clauses import names_something_unknown
from .home import Home, device_name
from .replies import ask_which, reply
from .requests import AV_OPS, COVER_KINDS, MODE_KINDS, decide_request, in_range, infer_kinds
from .scan import TARGET_TAGS, Scan, Tag
from .text import normalize, unique

_OPS_NEEDING_TARGET_AREA: Final = (Op.OPEN, Op.CLOSE, Op.POSITION, Op.STOP)
_STEP_OPS: Final = frozenset({Op.BRIGHTER, Op.DIMMER})
_BUTTON_OPS: Final = frozenset({Op.TURN_ON, Op.PRESS, Op.OPEN})


@dataclass(slots=True)
class Outcome:
    """An intermediate decision: a request and its devices, or a ready reply."""

    request: Request | None = None
    devices: list[HomeDevice] = field(default_factory=list)
    result: ParseResult | None = None


def resolve_command(
    home: Home, scan: Scan, language: Language, context: Sequence[HomeDevice] = ()
) -> Outcome:
    """The request and the devices it is for; `context` holds the previous clause's devices."""
    explicit = home.named(scan.values(Tag.DEVICE))
    kinds = _kinds_meant(scan, explicit)
    weak = home.named(scan.values(Tag.WEAK_DEVICE))
    if explicit:
        # "コーヒーメーカーとサーキュレーター": a named device plus one called by its kind.
        named_kinds = {device.kind for device in explicit}
        explicit += [device for device in weak if device.kind not in named_kinds]
    elif context and not scan.has_any(*TARGET_TAGS):
        # "… and set it to 50 %": the devices of the previous clause.
        explicit = list(context)
    buttons = scan.values(Tag.BUTTON)
    if buttons:
        device_id, button = buttons[0]
        owner = home.devices[device_id]
        if _means_button(home, owner, button, scan, kinds, [*explicit, *weak]):
            return Outcome(Request(Op.CUSTOM, button=button), [owner])
    request = decide_request(scan, set(kinds) | {device.kind for device in explicit})
    from_context = bool(context) and explicit == list(context)
    if (
        from_context
        and request is not None
        and not any(build_actions(device, request) for device in explicit)
    ):
        # "Open the curtains and turn up the lights": not the curtain's to do.
        explicit = []
        request = decide_request(scan, set(kinds))
    if request is None:
        if scan.has(Tag.OP) and len(set(scan.values(Tag.OP))) > 1:
            return Outcome(result=reply(language, lx.CONFLICT_REPLY, "conflict"))
        return Outcome(result=reply(language, lx.HELP_REPLY, "unknown"))
    if not in_range(request):
        return Outcome(result=reply(language, lx.OUT_OF_RANGE_REPLY, "out_of_range"))
    if explicit:
        return Outcome(request, explicit)
    kinds = kinds or _kinds_implied(home, request, scan)
    if not kinds:
        return Outcome(result=reply(language, lx.HELP_REPLY, "unknown"))
    return _select(home, request, kinds, scan, language)


def _kinds_meant(scan: Scan, explicit: list[HomeDevice]) -> list[DeviceKind]:
    """The kinds said; "AC fan low" speaks of the air conditioner's fan, not the circulator."""
    kinds = unique(scan.values(Tag.KIND))
    if DeviceKind.FAN in kinds and scan.has(Tag.FAN_SPEED):
        about_ac = (
            DeviceKind.AIR_CONDITIONER in kinds
            or any(device.kind is DeviceKind.AIR_CONDITIONER for device in explicit)
            # "Cool it to 26 with a low fan": a cooling mode is the air conditioner's.
            or (not explicit and scan.has(Tag.AC_MODE))
        )
        generic = all(
            term in lx.GENERIC_FAN_WORDS for kind, term in scan.kind_terms if kind is DeviceKind.FAN
        )
        if about_ac and generic:
            kinds = [kind for kind in kinds if kind is not DeviceKind.FAN]
    return kinds


def _kinds_implied(home: Home, request: Request, scan: Scan) -> list[DeviceKind]:
    """The kinds a request with no device named is for, or none."""
    if Op.CLEAN in scan.values(Tag.OP) or scan.has(Tag.MOP):
        # "掃除を停止": the cleaning words name the robot even when the verb is "stop".
        return [DeviceKind.VACUUM]
    if request.op in AV_OPS:
        has_tv = any(device.kind is DeviceKind.TV for device in home.snapshot.devices)
        return [DeviceKind.TV if has_tv else DeviceKind.OTHER]
    if request.op is Op.TURN_ON and scan.has(Tag.DRY_AIR):
        # "乾燥してる": the humidifier.
        return [DeviceKind.HUMIDIFIER]
    if request.op is Op.TURN_ON and scan.has(Tag.START) and not names_something_unknown(scan):
        # "スタートして" alone: the robot vacuum is what starts ("start the washing
        # machine" names something else: nothing is started).
        return [DeviceKind.VACUUM]
    return infer_kinds(request, scan)


def _means_button(
    home: Home,
    owner: HomeDevice,
    button: str,
    scan: Scan,
    kinds: list[DeviceKind],
    named_devices: list[HomeDevice],
) -> bool:
    """Whether a learned button's name is the request ("常夜灯つけて", "Open Netflix").

    The remote must be named (by name, by its kind, or by a kind word its name holds in
    its room: 「寝室の照明を全灯に」), or nothing else may be: "set the living room
    lights to full" is the ceiling light, not the bedroom remote's 全灯 button.
    """
    if owner.device_id in {device.device_id for device in named_devices}:
        return True
    if owner.kind in kinds and owner.kind is not DeviceKind.OTHER:
        return True
    areas = set(scan.values(Tag.AREA))
    if areas:
        # "the bedroom ceiling light": a ceiling light elsewhere is not the one meant.
        named_devices = [device for device in named_devices if device.area in (*areas, None)]
    owner_names = [normalize(name) for name in (owner.name, *owner.aliases)]
    literal = normalize(button) in scan.text
    kind_in_name = any(term in name for _kind, term in scan.kind_terms for name in owner_names)
    if literal and kind_in_name and (not areas or owner.area in areas):
        return True
    double_meaning = not literal and any(
        Tag.BUTTON in found and len(found) > 1 for *_span, found in scan.spans
    )
    if kinds and not named_devices and areas and owner.area in areas and not double_meaning:
        # "Put the bedroom light on the night light setting": the remote in that room.
        return True
    if kinds and not named_devices and (not areas or owner.area in (*areas, None)):
        # "bedroom light night light" in a home whose only bedroom "light" is the remote.
        return not any(
            device.kind in kinds and (not areas or device.area in areas)
            for device in home.snapshot.devices
            if device is not owner
        )
    if named_devices or kinds or (areas and owner.area not in areas):
        return False
    ops = set(scan.values(Tag.OP))
    # Pressing, opening or switching on a button is pressing it; off or close is not.
    # (全灯 is an "all" word too: it counts as one only outside a button's name.)
    every = any(Tag.ALL in found and Tag.BUTTON not in found for *_span, found in scan.spans)
    # Another name for the button that means something else too ("full" brightness)
    # names nothing on its own.
    return not every and not double_meaning and ops <= _BUTTON_OPS


def _select(
    home: Home, request: Request, kinds: list[DeviceKind], scan: Scan, language: Language
) -> Outcome:
    """Pick the devices per kind, by area, asking when one of several is meant."""
    inferred = not scan.has(Tag.KIND)
    chosen, ambiguous, found_any = _pick_per_kind(home, request, kinds, scan)
    if ambiguous and not (inferred and chosen):
        return Outcome(result=ask_which(ambiguous, language))
    if not chosen:
        of_kind = home.of_kinds(kinds)
        if found_any and len(kinds) == 1 and of_kind:
            name = device_name(of_kind[0], language)
            return Outcome(result=reply(language, lx.UNSUPPORTED_REPLY, "unsupported", name=name))
        return Outcome(result=reply(language, lx.NO_DEVICE_REPLY, "no_device"))
    mixed_kinds = len({device.kind for device in chosen}) > 1
    if inferred and mixed_kinds and request.op in _OPS_NEEDING_TARGET_AREA:
        # "Open" in an area with a curtain and a lock: too unclear to guess.
        return Outcome(result=ask_which(chosen, language))
    return Outcome(request, chosen)


def _pick_per_kind(
    home: Home, request: Request, kinds: list[DeviceKind], scan: Scan
) -> tuple[list[HomeDevice], list[HomeDevice], bool]:
    """The devices chosen, those that leave a choice, and whether any of the kinds is here."""
    whole_home = scan.has(Tag.HOME)
    areas = [] if whole_home else unique(scan.values(Tag.AREA))
    every = scan.has_any(Tag.ALL, Tag.PLURAL) or whole_home
    inferred = not scan.has(Tag.KIND)
    chosen: list[HomeDevice] = []
    ambiguous: list[HomeDevice] = []
    found_any = False
    for kind in kinds:
        candidates = _candidates(home, kind, areas, request)
        if not candidates and kind in COVER_KINDS and not inferred:
            # People call a blind a curtain and the other way round.
            (other,) = COVER_KINDS - {kind}
            candidates = _candidates(home, other, areas, request)
        found_any = found_any or bool(candidates)
        capable = [device for device in candidates if build_actions(device, request)]
        if not capable:
            continue
        narrowed = _narrow_by_name(capable, scan)
        if len(narrowed) > 1 and not every and not areas and request.op in _STEP_OPS:
            # "暗いな" with no room named: the one light that is on.
            lit = [device for device in narrowed if _is_on(device)]
            narrowed = lit if len(lit) == 1 else narrowed
        if len(narrowed) > 1 and not every:
            ambiguous.extend(narrowed)
            continue
        chosen.extend(narrowed)
    return chosen, ambiguous, found_any


def _candidates(
    home: Home, kind: DeviceKind, areas: list[str], request: Request
) -> list[HomeDevice]:
    candidates = home.of_kinds([kind])
    if not areas:
        return candidates
    in_area = [device for device in candidates if device.area in areas]
    if not in_area and kind is DeviceKind.VACUUM and request.op is Op.CLEAN:
        # "Clean the living room": the robot cleans a room it does not live in.
        return candidates
    return in_area


def _narrow_by_name(devices: list[HomeDevice], scan: Scan) -> list[HomeDevice]:
    """Prefer the device a kind word also names ("電球" is the bedroom's bulb)."""
    weak = set(scan.values(Tag.WEAK_DEVICE))
    named = [device for device in devices if device.device_id in weak]
    return named or devices


def _is_on(device: HomeDevice) -> bool:
    power = device.state.get("power")
    return isinstance(power, str) and power.lower() == "on"


def mode_target(home: Home, scan: Scan) -> bool:
    """Whether a device with modes (circulator, humidifier) is named."""
    kinds = set(scan.values(Tag.KIND))
    for tag in (Tag.DEVICE, Tag.WEAK_DEVICE):
        kinds |= {home.devices[device_id].kind for device_id in scan.values(tag)}
    return bool(kinds & MODE_KINDS)


def appliance_bot(home: Home, scan: Scan) -> HomeDevice | None:
    """The one Bot (or plug) doing an appliance's job: 「お湯を沸かして」, "brew coffee"."""
    bots = unique(scan.values(Tag.APPLIANCE))
    if not bots and scan.has(Tag.HEAT_WATER):
        # "Heat up the water heater": the Bot named by its appliance.
        bots = [
            device.device_id
            for device in home.named(scan.named_ids())
            if device.kind is DeviceKind.BOT
        ]
    switched_on = bool(set(scan.values(Tag.OP)) & {Op.TURN_ON, Op.PRESS})
    asked = scan.has_any(Tag.HEAT_WATER, Tag.RUN) or switched_on
    if len(bots) != 1 or not asked:
        return None
    named = scan.named_ids()
    if scan.has(Tag.KIND) and not named:
        return None
    if named - set(bots) or scan.has(Tag.NEGATION):
        return None
    ops = set(scan.values(Tag.OP)) - {Op.TURN_ON, Op.PRESS, Op.CLOSE}
    return None if ops else home.devices[bots[0]]
