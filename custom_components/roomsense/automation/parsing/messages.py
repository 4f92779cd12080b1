"""What the workflow parser tells the user, in Japanese and English, and the model's prompt."""

from __future__ import annotations

from typing import Final

from ...home_model import Language

type Texts = dict[Language, str]

NOTIFY_REPLY: Final[Texts] = {"ja": "通知します", "en": "Sending you a notification"}
DANGER_NOTE: Final[Texts] = {
    "ja": "（解錠など家を開ける操作は自動化できないため、ルールに入れていません: {what}）",
    "en": " (Unlocking and other actions that open the home can't be automated, so they were "
    "left out: {what}.)",
}
DANGER_SUGGESTION: Final[Texts] = {
    "ja": "解錠など家を開ける操作は自動化できません。必要なときに手動で確認して実行してください",
    "en": "Unlocking and other actions that open the home can't be automated; do them "
    "yourself when needed",
}
DANGER_ONLY: Final[Texts] = {
    "ja": "解錠など家を開ける操作は自動化できないため、ルールを作れません（{what}）。",
    "en": "Unlocking and other actions that open the home can't be automated, so no rule was "
    "made ({what}).",
}
UNKNOWN_NOTE: Final[Texts] = {
    "ja": "（「{piece}」の部分は分かりませんでした）",
    "en": ' (I didn\'t understand "{piece}".)',
}
MODEL_NOTE: Final[Texts] = {
    "ja": "（言語モデルの回答が使えなかったため、定型パターンで解釈しました）",
    "en": " (The language model's answer could not be used, so fixed patterns read the sentence.)",
}
TWO_TIMES: Final[Texts] = {
    "ja": "1つのルールに実行時刻は1つだけです。",
    "en": "A rule runs at one time only.",
}
AMBIGUOUS: Final[Texts] = {
    "ja": "条件の機器がどれか分かりません（{choices}）。",
    "en": "I can't tell which device the condition is about ({choices}).",
}
BAD_TIME: Final[Texts] = {
    "ja": "「{phrase}」は時刻として分かりませんでした。",
    "en": 'I couldn\'t read "{phrase}" as a time of day.',
}
BAD_INTERVAL: Final[Texts] = {
    "ja": "繰り返しの間隔は1分から7日（10080分）までです（{minutes}分）。",
    "en": "A repeat interval is 1 minute to 7 days (10080 minutes), not {minutes}.",
}
UNREAD_CONDITION: Final[Texts] = {
    "ja": "「{piece}」は条件のようですが、分かりませんでした。条件は「暑かったら」"
    "「湿度が60%を超えたら」のように言ってください。",
    "en": '"{piece}" sounds like a condition I didn\'t understand; say it like "if it gets '
    'hotter than 28 degrees" or "when the humidity is above 60%".',
}
CLASH: Final[Texts] = {
    "ja": "同じ機器に食い違う操作があります（{names}）。1つにしてください。",
    "en": "The sentence asks one device for different things ({names}); please pick one.",
}
NO_DEVICE_CONDITION: Final[Texts] = {
    "ja": "条件の機器がこの家に見つかりませんでした。",
    "en": "I couldn't find the device of the condition in this home.",
}
PRONOUN: Final[Texts] = {
    "ja": "条件がどの機器のことか分かりませんでした。",
    "en": 'I couldn\'t tell what "it" refers to in the condition.',
}
UNKNOWN_CONDITION: Final[Texts] = {
    "ja": "条件「{clause}」が分かりませんでした。",
    "en": 'I didn\'t understand the condition "{clause}".',
}
NO_ACTION: Final[Texts] = {
    "ja": "実行する操作が分かりませんでした。",
    "en": "I couldn't tell what the rule should do.",
}
NO_TRIGGER: Final[Texts] = {
    "ja": "いつ実行するか（時刻や条件）が分かりませんでした。",
    "en": "I couldn't tell when the rule should run (a time or a condition).",
}
INVALID: Final[Texts] = {
    "ja": "ルールを作れませんでした: {error}",
    "en": "The rule could not be made: {error}",
}
SUGGEST_WHEN: Final[Texts] = {
    "ja": "いつ実行するかを指定してください（例: 「毎朝7時に」「暑かったら」）",
    "en": 'Say when it should run (e.g. "every day at 7", "if it gets hotter than 28 degrees")',
}
SUGGEST_WHAT: Final[Texts] = {
    "ja": "何をするかを指定してください（例: 「リビングの電気をつけて」「通知して」）",
    "en": 'Say what it should do (e.g. "turn on the living room light", "notify me")',
}
SUGGEST_SETPOINT: Final[Texts] = {
    "ja": "エアコンの設定温度も指定すると効果的です（例: 「エアコンを26度の冷房にして」）",
    "en": "Set the air conditioner's target temperature too (e.g. \"set the AC to cooling at "
    '26 degrees")',
}
SUGGEST_TIME: Final[Texts] = {
    "ja": "時刻の指定がないため7:00にしました。"
    "別の時刻にするには「毎週月曜の9時に」のように指定してください",
    "en": 'No time was given, so it runs at 07:00; say e.g. "every Monday at 9" for another',
}
PAST: Final[Texts] = {
    "ja": "指定の時刻（{time}）はすでに過ぎているため、このルールは実行されません。",
    "en": "That time ({time}) has already passed, so the rule would never run.",
}
SUGGEST_NO_SENSOR: Final[dict[Language, dict[str, str]]] = {
    "ja": {
        "temperature": "この家には温度を測るセンサーがないため、温度の条件は満たされません",
        "humidity": "この家には湿度を測るセンサーがないため、湿度の条件は満たされません",
    },
    "en": {
        "temperature": "There is no temperature sensor in this home, so the temperature "
        "condition can never be met",
        "humidity": "There is no humidity sensor in this home, so the humidity condition "
        "can never be met",
    },
}
SUGGEST_SPLIT: Final[Texts] = {
    "ja": "時刻ごとに別のルールにしてください",
    "en": "Make one rule per time",
}

MODEL_PROMPT: Final = """\
You turn one sentence (Japanese or English) into a home automation workflow for RoomSense.
Answer with one JSON object only, no prose, in this shape:

{{
  "name": "short name in the sentence's language",
  "description": "the sentence",
  "schedule": null
    | {{"type": "daily", "time": "HH:MM"}}
    | {{"type": "weekly", "time": "HH:MM",
       "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]}}
    | {{"type": "interval", "minutes": 30}}
    | {{"type": "once", "at": "ISO 8601 date and time with its UTC offset"}},
  "conditions": [
    {{"type": "time", "operator": "between", "value": ["22:00", "06:00"]}},
    {{"type": "time", "operator": "after" | "before" | "equals", "value": "HH:MM"}},
    {{"type": "temperature" | "humidity", "operator": "above" | "below" | "equals",
      "value": 28, "device_id": "optional: the sensor"}},
    {{"type": "temperature" | "humidity", "operator": "between", "value": [20, 25]}},
    {{"type": "device_state", "device_id": "...", "operator": "equals" | "not_equals",
      "value": "on"}}
  ],
  "actions": [
    {{"type": "device_command", "device_id": "...", "command": "turnOn",
      "parameter": "default", "command_type": "command"}},
    {{"type": "scene", "scene_id": "..."}},
    {{"type": "notification", "message": "text in the sentence's language"}}
  ],
  "suggestions": ["what the user could add, in the sentence's language"]
}}

Rules:
- A workflow needs at least one action, and a schedule or at least one condition.
- All conditions must hold (AND). A time window may wrap midnight.
- Without a schedule the workflow runs when its conditions become true.
- Use only the device and scene ids listed below. SwitchBot commands: turnOn, turnOff,
  setBrightness ("1"-"100"), setAll for air conditioners ("temperature,mode,fan,on|off";
  modes 1 auto 2 cool 3 dry 4 fan 5 heat; fan 1 auto 2 low 3 medium 4 high), lock,
  startClean, closeDown / fullyOpen for blinds, turnOn (open) / turnOff (close) for curtains.
- Never unlock a lock or open a garage: leave such actions out and say so in suggestions.
- device_state values are what the device's entity shows: "on"/"off" for lights, plugs,
  TVs, fans, humidifiers; "on" while a contact sensor is open, motion or a leak is
  detected; "open"/"closed" for curtains and blinds; "locked"/"unlocked" for locks; an air
  conditioner is on when its state is not_equals "off".
- Without a named value: hot means temperature above 28, cold below 18; humid means
  humidity above 60, dry below 40. Morning 07:00, noon 12:00, evening 18:00, night 21:00,
  bedtime 22:00; "at night" while something happens means between 22:00 and 06:00.
- "in N minutes" is a once schedule at now + N minutes.

Now: {now} ({weekday}).

Devices (id: name / aliases (kind, type, area)):
{devices}

Scenes (id: name / aliases):
{scenes}
"""
