"""Questions about the home: readings, detections, batteries and device states."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

from ... import catalog
from ...catalog import Family
from ...home_model import DeviceKind, HomeDevice, Language, ParseResult
from .. import lexicon as lx
from .home import Home, device_name
from .replies import answered, reply
from .scan import FEELING_TAGS, TARGET_TAGS, Scan, Tag
from .text import TRAILING_PUNCTUATION, in_language, sentence_joiner, unique

_YES_NO_QUESTION: Final = re.compile(
    r"^(?:is|are|was|were|does|do|did|has|have|isn't|aren't|doesn't)\b[^?]*\?\s*$"
)
_POLITE_REQUEST: Final = re.compile(
    r"^(?:please\s+)?(?:can|could|would|will)\s+you\b|(?:くれる|くれない|もらえる|もらえない)[?？]?$"
)
_SENSOR_FIELDS: Final = {"temperature": "temperature", "humidity": "humidity", "co2": "CO2"}
_TOPIC_NAMES: Final = {
    "temperature": ("温度", "temperature"),
    "humidity": ("湿度", "humidity"),
    "co2": ("CO2濃度", "CO2"),
}
_DETECTION_FEATURES: Final = {
    "leak": (catalog.Feature.LEAK,),
    "motion": (catalog.Feature.MOTION, catalog.Feature.PRESENCE),
}


def is_question(text: str, scan: Scan, language: Language) -> bool:
    """Whether the words ask about the home rather than ask for something."""
    if _YES_NO_QUESTION.search(text):
        # "Is the front door shut?": asked, never done.
        return True
    topics = set(scan.values(Tag.TOPIC))
    if not topics or scan.numbers:
        return False
    if "?" not in text and scan.has_any(*FEELING_TAGS):
        # "空気が乾燥してる": a complaint, not a question about the air.
        return False
    if scan.has(Tag.OP) and not scan.has(Tag.QUESTION) and _POLITE_REQUEST.search(text):
        # "Can you switch the lamp on?", 「つけてくれる？」: a request asked politely.
        return False

    marked = "?" in text or scan.has(Tag.QUESTION)
    if not marked and language == "ja":
        marked = text.rstrip(TRAILING_PUNCTUATION).endswith(lx.QUESTION_ENDINGS)
    if marked:
        return True
    # "CO2濃度", "bedroom humidity": a bare reading topic with nothing to do is a question.
    measuring = topics & {"temperature", "humidity", "co2", "battery"}
    return bool(measuring) and not scan.has_any(Tag.OP, Tag.COOLER, Tag.WARMER)


def answer_question(home: Home, scan: Scan, language: Language) -> ParseResult:
    """The answer to a question, by its topic."""
    topics = unique(scan.values(Tag.TOPIC))
    if "battery" in topics:
        return _answer_battery(home, scan, language)
    detected = [topic for topic in topics if topic in _DETECTION_FEATURES]
    if detected:
        return _answer_detection(home, detected[0], scan, language)
    measured = [topic for topic in topics if topic != "state"]
    if measured:
        return _answer_reading(home, measured[0], scan, language)
    return _answer_state(home, scan, language)


def _reading_areas(home: Home, scan: Scan) -> list[str | None]:
    areas: list[str | None] = list(unique(scan.values(Tag.AREA)))
    if areas:
        return areas
    explicit = home.named(scan.values(Tag.DEVICE))
    related = explicit or home.of_kinds(set(scan.values(Tag.KIND)))
    if related:
        return list(unique(device.area for device in related))
    return list(unique(device.area for device in home.snapshot.devices))


def _answer_reading(home: Home, topic: str, scan: Scan, language: Language) -> ParseResult:
    field_name = _SENSOR_FIELDS[topic]
    readings = [
        (area, value)
        for area in _reading_areas(home, scan)
        if (value := home.reading(field_name, area)) is not None
    ]
    topic_name = _TOPIC_NAMES[topic]
    if not readings:
        return reply(
            language, lx.NO_READING_REPLY, "question", topic=in_language(topic_name, language)
        )
    parts = [
        (home.area_name(area, language), _format_reading(topic, value, language))
        for area, value in readings
    ]
    if language == "ja":
        if len(parts) == 1:
            text = f"{parts[0][0]}の{topic_name[0]}は{parts[0][1]}です。"
        else:
            joined = "、".join(f"{area}は{value}" for area, value in parts)
            text = f"{topic_name[0]}は、{joined}です。"
    elif len(parts) == 1:
        text = f"The {topic_name[1]} in the {parts[0][0]} is {parts[0][1]}."
    else:
        joined = ", ".join(f"{area} {value}" for area, value in parts)
        text = f"The {topic_name[1]} is: {joined}."
    return answered(language, text)


def _answer_detection(home: Home, topic: str, scan: Scan, language: Language) -> ParseResult:
    """Whether the leak or motion sensors (in the rooms asked about) detect anything."""
    features = _DETECTION_FEATURES[topic]
    areas = unique(scan.values(Tag.AREA))
    sensors = [
        device
        for device in home.snapshot.devices
        if not device.is_infrared
        and any(catalog.has_feature(device.device_type, feature) for feature in features)
        and (not areas or device.area in areas)
    ]
    if not sensors:
        return reply(language, lx.NO_DETECTOR_REPLY, "question")
    parts = [
        in_language(lx.DETECTION_REPLIES[topic][_detects(device, topic)], language).format(
            area=home.area_name(device.area, language)
        )
        for device in sensors
    ]
    return answered(language, sentence_joiner(language).join(parts))


def _answer_battery(home: Home, scan: Scan, language: Language) -> ParseResult:
    """Battery levels of the devices asked about (every battery device when none is)."""
    devices = _asked_devices(home, scan, area_default=[], weak_names_alone=True)
    if not devices and not scan.has_any(*TARGET_TAGS):
        devices = list(home.snapshot.devices)
    levels = [
        (device, int(level))
        for device in devices
        if isinstance(level := device.state.get("battery"), int | float)
        and not isinstance(level, bool)
    ]
    if not levels:
        return reply(language, lx.NO_BATTERY_REPLY, "question")
    templates = ("{name}の電池残量は{value}%です。", "The {name} battery is at {value}%.")
    return _answer_per_device(levels, templates, language)


def _answer_state(home: Home, scan: Scan, language: Language) -> ParseResult:
    # An area alone asks about the locks there.
    devices = _asked_devices(home, scan, area_default=[DeviceKind.LOCK], weak_names_alone=False)
    described = [
        (device, text)
        for device in devices
        if (text := _describe_state(device, language)) is not None
    ]
    if not described:
        return reply(language, lx.HELP_REPLY, "unknown")
    return _answer_per_device(described, ("{name}は{value}。", "The {name} is {value}."), language)


def _answer_per_device(
    values: Sequence[tuple[HomeDevice, object]], templates: tuple[str, str], language: Language
) -> ParseResult:
    """One sentence a device; English names the device by its English alias."""
    template = in_language(templates, language)
    text = sentence_joiner(language).join(
        template.format(name=device_name(device, language), value=value) for device, value in values
    )
    return answered(language, text)


def _asked_devices(
    home: Home, scan: Scan, area_default: list[DeviceKind], *, weak_names_alone: bool
) -> list[HomeDevice]:
    """The devices a question names: by name, else by kind and area.

    With no kind said, an area alone means the `area_default` kinds there, and a short name
    alone ("lamp") means its devices when `weak_names_alone`.
    """
    devices = home.named(scan.values(Tag.DEVICE))
    if devices:
        return devices
    kinds = unique(scan.values(Tag.KIND))
    weak = set(scan.values(Tag.WEAK_DEVICE))
    areas = unique(scan.values(Tag.AREA))
    if not kinds:
        if weak and weak_names_alone:
            return home.named(weak)
        kinds = area_default if areas else []
    found = home.of_kinds(kinds, areas)
    return [device for device in found if device.device_id in weak] or found


def _detects(device: HomeDevice, topic: str) -> bool | None:
    """A sensor's reading: True when it detects, None when it has not reported."""
    if topic == "leak":
        status = device.state.get("status")
        return status in (1, "1") if status in (0, 1, "0", "1") else None
    for field_name in ("moveDetected", "Detected"):
        if isinstance(value := device.state.get(field_name), bool):
            return value
    return None


def _format_reading(topic: str, value: float, language: Language) -> str:
    if topic == "temperature":
        return f"{value:g}℃" if language == "ja" else f"{value:g} °C"
    if topic == "humidity":
        return f"{value:g}%"
    return f"{value:g} ppm"


def _describe_state(device: HomeDevice, language: Language) -> str | None:
    """One device's current state in words, or None when nothing useful is known."""
    state = device.state
    if device.kind is DeviceKind.LOCK and "lockState" in state:
        return _lock_state(device, language)
    if device.kind in (DeviceKind.CURTAIN, DeviceKind.BLIND) and "slidePosition" in state:
        return _cover_state(device, language)
    power = state.get("power")
    if isinstance(power, str) and power.lower() in ("on", "off"):
        return _power_state(device, power.lower() == "on", language)
    if isinstance(state.get("fanSpeed"), int | float):
        speed = state["fanSpeed"]
        return f"風量{speed}%です" if language == "ja" else f"set to speed {speed}%"
    if "workingStatus" in state:
        status = str(state["workingStatus"])
        words = lx.VACUUM_STATUS_WORDS.get(status.lower().replace("_", ""), (status, status))
        return f"{words[0]}です" if language == "ja" else words[1]
    return None


def _lock_state(device: HomeDevice, language: Language) -> str:
    state = device.state
    lock_state = str(state["lockState"]).lower()
    words = {
        "lock": ("施錠されています", "locked"),
        "latchboltlocked": ("施錠されています", "locked"),
        "unlock": ("解錠されています", "unlocked"),
        "jammed": ("ジャムしています", "jammed"),
    }.get(lock_state, (lock_state, lock_state))
    text = in_language(words, language)
    if state.get("doorState") in ("open", "close"):
        door_open = state["doorState"] == "open"
        suffix = (
            ("（ドアは開いています）", " (door open)")
            if door_open
            else ("（ドアは閉まっています）", " (door closed)")
        )
        text += in_language(suffix, language)
    return text


def _cover_state(device: HomeDevice, language: Language) -> str:
    ja = language == "ja"
    position = int(device.state["slidePosition"])
    # Curtains report 0 = open; Blind Tilt reports 0 = closed.
    zero_is_closed = catalog.family_of(device.device_type) is Family.BLIND_TILT
    open_percent = position if zero_is_closed else 100 - position
    if open_percent >= 100:
        return "開いています" if ja else "open"
    if open_percent <= 0:
        return "閉まっています" if ja else "closed"
    return f"{open_percent}%開いています" if ja else f"{open_percent}% open"


def _power_state(device: HomeDevice, on: bool, language: Language) -> str:
    ja = language == "ja"
    if device.kind in (DeviceKind.PLUG, DeviceKind.SWITCH):
        if ja:
            return "電源が入っています（オン）" if on else "電源が切れています（オフ）"
        return "on" if on else "off"
    if on and isinstance(device.state.get("brightness"), int | float):
        brightness = device.state["brightness"]
        return f"ついています（明るさ{brightness}%）" if ja else f"on at {brightness}%"
    if ja:
        return "ついています" if on else "消えています"
    return "on" if on else "off"
