"""What the agent says, one table per language, and how it hears a yes or a no."""

from __future__ import annotations

import re
from typing import Final, Literal

from homeassistant.components.conversation import ConversationInput
from homeassistant.exceptions import HomeAssistantError

from .. import catalog
from ..fallback import detect_language, normalize

type Language = Literal["ja", "en"]

# A reply confirms or refuses only as a whole: every part of it (parts split at punctuation)
# is one of these. "Yesterday the door was open" or 「はいらない」 is a new request.
YES: Final[dict[Language, tuple[str, ...]]] = {
    "ja": (
        "はい",
        "うん",
        "ええ",
        "お願い",
        "お願いします",
        "おねがい",
        "おねがいします",
        "はいお願いします",
        "いいよ",
        "いいです",
        "実行",
        "実行して",
        "そうして",
        "ok",
        "オッケー",
    ),
    "en": (
        "yes",
        "yes please",
        "please",
        "please do",
        "yeah",
        "yep",
        "sure",
        "ok",
        "okay",
        "confirm",
        "do it",
        "go ahead",
    ),
}
NO: Final[dict[Language, tuple[str, ...]]] = {
    "ja": (
        "いいえ",
        "いや",
        "やめて",
        "やめる",
        "キャンセル",
        "中止",
        "だめ",
        "しない",
        "しないで",
    ),
    "en": ("no", "nope", "cancel", "stop", "don't", "do not", "no thanks", "never mind"),
}

# Refusals are keyed "refused_" + the translation key of the error that refused.
_REFUSED: Final = "refused_"

_JA: Final[dict[str, str]] = {
    "ask": "{device}の「{command}」を実行しますか？よければ60秒以内に「はい」と答えてください。",
    "confirmed": "{device}の「{command}」を実行しました。",
    # What an unlocking command does, in words (`in_words` picks these for locks and garages).
    "ask_unlock": "{device}を開けますか？よければ60秒以内に「はい」と答えてください。",
    "confirmed_unlock": "{device}を開けました。",
    "ask_open_garage": "{device}を開けますか？よければ60秒以内に「はい」と答えてください。",
    "confirmed_open_garage": "{device}を開けました。",
    "ask_turn_on": "{device}をオンにしますか？よければ60秒以内に「はい」と答えてください。",
    "confirmed_turn_on": "{device}をオンにしました。",
    "ask_turn_off": "{device}をオフにしますか？よければ60秒以内に「はい」と答えてください。",
    "confirmed_turn_off": "{device}をオフにしました。",
    "ask_press": "{device}を押しますか？よければ60秒以内に「はい」と答えてください。",
    "confirmed_press": "{device}を押しました。",
    "cancelled": "取り消しました。",
    # Replies built from what the gateway answered, when not everything went out at once.
    "report_sent": "{devices}は操作しました。",
    "report_queued": "SwitchBotクラウドが応答しないため、{devices}への操作は"
    "クラウドが戻るまで待機中です。戻ったら一度だけ送ります。",
    "report_failed": "{device}は操作できませんでした: {error}",
    "scene_partly": "シーンの{total}件の操作のうち{done}件を実行しました。"
    "{device}は操作できませんでした: {error}",
    "failed": "実行できませんでした: {error}",
    "no_answer": "すみません、うまく答えられませんでした。",
    f"{_REFUSED}permission_denied": "{device}を操作する権限がありません。",
    f"{_REFUSED}scene_permission_denied": "シーンを実行する権限がありません。",
    f"{_REFUSED}night_mode": "夜間安全モード中のため、{device}の「{command}」は実行できません。"
    "通知を送りました。",
}
_EN: Final[dict[str, str]] = {
    "ask": "Shall I run {command} on {device}? Say yes within 60 seconds to go ahead.",
    "confirmed": "Done: {command} on {device}.",
    "ask_unlock": "Shall I unlock {device}? Say yes within 60 seconds to go ahead.",
    "confirmed_unlock": "{device} is unlocked.",
    "ask_open_garage": "Shall I open {device}? Say yes within 60 seconds to go ahead.",
    "confirmed_open_garage": "{device} is opening.",
    "ask_turn_on": "Shall I turn on {device}? Say yes within 60 seconds to go ahead.",
    "confirmed_turn_on": "{device} is on.",
    "ask_turn_off": "Shall I turn off {device}? Say yes within 60 seconds to go ahead.",
    "confirmed_turn_off": "{device} is off.",
    "ask_press": "Shall I press {device}? Say yes within 60 seconds to go ahead.",
    "confirmed_press": "{device} was pressed.",
    "cancelled": "Cancelled.",
    "report_sent": "Done for {devices}.",
    "report_queued": "The SwitchBot cloud is not answering: the command for {devices} is "
    "queued until the SwitchBot cloud is back, and goes out once then.",
    "report_failed": "{device} was not changed: {error}",
    "scene_partly": "The scene ran {done} of its {total} commands; {device} was not changed: "
    "{error}",
    "failed": "That did not work: {error}",
    "no_answer": "Sorry, I could not come up with an answer.",
    f"{_REFUSED}permission_denied": "You are not allowed to control {device}.",
    f"{_REFUSED}scene_permission_denied": "You are not allowed to run scenes.",
    f"{_REFUSED}night_mode": "Night safe mode is on, so {command} on {device} was refused. "
    "A notification was sent.",
}
PHRASES: Final[dict[Language, dict[str, str]]] = {"ja": _JA, "en": _EN}


def say(language: Language, key: str, **values: object) -> str:
    """The phrase `key` in `language`, its placeholders filled in."""
    return PHRASES[language][key].format(**values)


def refusal(err: HomeAssistantError, language: Language, device: str, command: str) -> str:
    """A refusal in the user's language (the service errors speak Home Assistant's)."""
    key = f"{_REFUSED}{err.translation_key or ''}"
    if key in PHRASES[language]:
        return say(language, key, device=device, command=command)
    return say(language, "failed", error=err)


def in_words(key: str, device_type: str, command: str) -> str:
    """The key of the phrase that says what a command needing a yes does ("ask_unlock")."""
    if catalog.is_unlocking_command(device_type, command):
        is_lock = catalog.kind_of(device_type) is catalog.DeviceKind.LOCK
        return f"{key}_unlock" if is_lock else f"{key}_open_garage"
    # Commands a user may list as dangerous, said in words rather than by their API name.
    return {
        "turnOn": f"{key}_turn_on",
        "turnOff": f"{key}_turn_off",
        "press": f"{key}_press",
    }.get(command, key)


def language_of(user_input: ConversationInput) -> Language:
    """The language to answer in: Assist's when Japanese or English, else the text's."""
    if user_input.language.lower().startswith("ja"):
        return "ja"
    if user_input.language.lower().startswith("en"):
        return "en"
    return detect_language(user_input.text)


def says(text: str, words: tuple[str, ...]) -> bool:
    """Whether the whole reply is made of these words ("yes, do it", 「はい、お願いします」)."""
    # normalize() folds full-width marks into ASCII ones and lower-cases.
    parts = [part.strip() for part in re.split(r"[。.!?、,]+", normalize(text))]
    parts = [" ".join(part.split()) for part in parts if part.strip()]
    return bool(parts) and all(part in words for part in parts)
