"""Words and phrases the fallback parser understands, in Japanese and English.

Every table holds normalised text (NFKC, lower case). English terms are matched on word
boundaries, Japanese terms as substrings; longer terms win over shorter ones.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from ..home_model import DeviceKind


class Op(StrEnum):
    """The operation an utterance asks for."""

    TURN_ON = "turn_on"
    TURN_OFF = "turn_off"
    TOGGLE = "toggle"
    BRIGHTNESS = "brightness"
    BRIGHTER = "brighter"
    DIMMER = "dimmer"
    COLOR = "color"
    COLOR_TEMPERATURE = "color_temperature"
    CLIMATE = "climate"
    WARMER = "warmer"
    COOLER = "cooler"
    FAN_SPEED = "fan_speed"
    OPEN = "open"
    CLOSE = "close"
    POSITION = "position"
    STOP = "stop"
    LOCK = "lock"
    UNLOCK = "unlock"
    DEADBOLT = "deadbolt"
    CLEAN = "clean"
    DOCK = "dock"
    PRESS = "press"
    HUMIDITY = "humidity"
    CUSTOM = "custom"
    VOLUME = "volume"
    VOLUME_UP = "volume_up"
    VOLUME_DOWN = "volume_down"
    MUTE = "mute"
    CHANNEL_UP = "channel_up"
    CHANNEL_DOWN = "channel_down"
    CHANNEL = "channel"
    MODE = "mode"


# --- Targets -----------------------------------------------------------------------------

KIND_WORDS: Final[dict[DeviceKind, tuple[str, ...]]] = {
    DeviceKind.LIGHT: (
        "電気",
        "でんき",
        "照明",
        "ライト",
        "明かり",
        "あかり",
        "灯り",
        "電灯",
        "電球",
        "ランプ",
        "light",
        "lights",
        "lamp",
        "lamps",
        "lighting",
        "bulb",
        "bulbs",
    ),
    DeviceKind.AIR_CONDITIONER: (
        "エアコン",
        "クーラー",
        "冷房",
        "暖房",
        "空調",
        "air conditioner",
        "air conditioning",
        "aircon",
        "air con",
        "ac",
        "a/c",
        "heater",
        "heating",
        "cooling",
        "cooler",
    ),
    DeviceKind.LOCK: (
        "鍵",
        "カギ",
        "かぎ",
        "ロック",
        "錠",
        "lock",
        "locks",
        "door",
        "deadbolt",
    ),
    DeviceKind.VACUUM: (
        "掃除機",
        "そうじき",
        "ルンバ",
        "お掃除ロボット",
        "掃除ロボット",
        "ロボット掃除機",
        "ロボット",
        "vacuum",
        "vacuum cleaner",
        "robot",
        "robot vacuum",
        "roomba",
        "hoover",
        "vacuuming",
    ),
    DeviceKind.CURTAIN: ("カーテン", "curtain", "curtains", "drapes"),
    DeviceKind.BLIND: (
        "ブラインド",
        "シェード",
        "blind",
        "blinds",
        "shade",
        "shades",
        "shutter",
        "shutters",
    ),
    DeviceKind.TV: ("テレビ", "tv", "television", "telly"),
    DeviceKind.FAN: ("扇風機", "サーキュレーター", "ファン", "fan", "fans", "circulator"),
    DeviceKind.HUMIDIFIER: ("加湿器", "humidifier"),
    DeviceKind.PLUG: ("プラグ", "コンセント", "plug", "outlet", "socket"),
    DeviceKind.BOT: ("ボット", "bot"),
}

# Words after which a kind means every matching device, not one ("lights" = all of them).
PLURAL_KIND_WORDS: Final = frozenset(
    {"lights", "lamps", "bulbs", "curtains", "blinds", "shades", "fans", "shutters"}
)

# Canonical area → words for it. A snapshot area joins a group when its name or an alias
# is one of the words, so "居間" also finds an area that Home Assistant calls "リビング".
AREA_WORDS: Final[dict[str, tuple[str, ...]]] = {
    "living": ("リビング", "居間", "リビングルーム", "living room", "living", "lounge"),
    "bedroom": ("寝室", "ベッドルーム", "bedroom", "bed room"),
    "entrance": ("玄関", "entrance", "front door", "entryway", "entry", "genkan"),
    "kitchen": ("キッチン", "台所", "kitchen"),
    "dining": ("ダイニング", "dining room", "dining"),
    "hall": ("廊下", "hall", "hallway", "corridor"),
    "washroom": ("洗面所", "脱衣所", "wash room", "washroom", "bathroom", "風呂", "浴室"),
    "study": ("書斎", "study", "office", "仕事部屋"),
    "kids": ("子供部屋", "子ども部屋", "kids room", "kids' room", "nursery"),
    "toilet": ("トイレ", "toilet", "restroom"),
    "garage": ("ガレージ", "車庫", "garage"),
}

# "The whole home": every matching device, regardless of area.
HOME_WORDS: Final = (
    "家中",
    "家じゅう",
    "家全体",
    "全部屋",
    "全ての部屋",
    "すべての部屋",
    "家の",
    "whole house",
    "whole home",
    "entire house",
    "entire home",
    "the house",
    "everywhere",
    "every room",
    "all rooms",
    "in the house",
    "in the home",
)

ALL_WORDS: Final = (
    "全部",
    "ぜんぶ",
    "全て",
    "すべて",
    "みんな",
    "全灯",
    "一斉に",
    "まとめて",
    "all",
    "every",
    "everything",
    "both",
)

# Words people use for the same thing in a device name: "coffee machine" = "coffee maker".
NAME_VARIANTS: Final = (("maker", "machine"), ("tv", "television"), ("aircon", "air conditioner"))

# --- Operations --------------------------------------------------------------------------

# Phrase → operation. Order does not matter; the longest phrase at a position wins.
OP_PHRASES: Final[dict[Op, tuple[str, ...]]] = {
    Op.TURN_ON: (
        "回して",
        "まわして",
        "つけて",
        "つけろ",
        "つける",
        "点けて",
        "付けて",
        "点灯",
        "オンにして",
        "オンして",
        "オン",
        "入れて",
        "いれて",
        "起動",
        "つけといて",
        "つけてください",
        "動かして",
        "スタート",
        "スタートして",
        "始動",
        "電源を入れ",
        "電源入れ",
        "on",
        "start",
        "turn on",
        "switch on",
        "power on",
        "start up",
        "put on",
        "power up",
    ),
    Op.TURN_OFF: (
        "落として",
        "消して",
        "けして",
        "消す",
        "消灯",
        "オフにして",
        "オフ",
        "切って",
        "きって",
        "切る",
        "電源を切",
        "落として",
        "おとして",
        "off",
        "turn off",
        "switch off",
        "shut off",
        "shut down",
        "power off",
        "power down",
        "kill",
    ),
    Op.TOGGLE: ("トグル", "切り替えて", "切りかえて", "toggle", "flip"),
    Op.BRIGHTER: (
        "明るくして",
        "明るく",
        "明るさを上げ",
        "明るめ",
        "brighter",
        "brighten",
        "turn up the light",
        "turn up the lights",
        "turn the light up",
        "turn the lights up",
    ),
    Op.DIMMER: (
        "暗くして",
        "暗く",
        "明るさを下げ",
        "暗め",
        "dimmer",
        "dim",
        "darker",
        "turn down the light",
        "turn down the lights",
        "turn the light down",
        "turn the lights down",
    ),
    Op.OPEN: (
        "開けて",
        "あけて",
        "開く",
        "開いて",
        "開けろ",
        "open",
        "raise",
        "pull up",
        "draw back",
        "draw open",
    ),
    Op.CLOSE: (
        "tilt",
        "閉めて",
        "しめて",
        "閉じて",
        "閉める",
        "閉めろ",
        "下ろして",
        "おろして",
        "close",
        "closed",
        "shut",
        "lower",
        "draw",
    ),
    Op.STOP: ("止めて", "とめて", "停止", "ストップ", "一時停止", "stop", "pause", "halt"),
    Op.LOCK: (
        "施錠",
        "ロックして",
        "ロックを掛け",
        "ロックをかけ",
        "鍵をかけ",
        "鍵を掛け",
        "鍵かけ",
        "鍵を閉め",
        "鍵閉め",
        "lock up",
        "lock",
    ),
    Op.UNLOCK: (
        "解錠",
        "開錠",
        "アンロック",
        "ロック解除",
        "ロックを解除",
        "鍵を開け",
        "鍵開け",
        "unlock",
        "let me in",
    ),
    Op.DEADBOLT: ("デッドボルト", "deadbolt"),
    Op.CLEAN: (
        "掃除して",
        "掃除を始め",
        "掃除開始",
        "掃除をして",
        "掃除しといて",
        "掃除お願い",
        "掃除",
        "そうじして",
        "掃除機をかけ",
        "掃除機かけ",
        "clean",
        "cleaning",
        "start vacuuming",
        "vacuum the",
        "vacuuming",
        "hoover the",
    ),
    Op.DOCK: (
        "充電して",
        "充電器に戻",
        "ドックに戻",
        "基地に戻",
        "戻って",
        "戻して",
        "帰らせて",
        "ドック",
        "dock",
        "go home",
        "go back",
        "return to base",
        "send it home",
        "send the robot home",
        "send the vacuum home",
        "back to its dock",
        "back to the dock",
        "return to the dock",
        "return to the dock",
        "back to the dock",
        "charge",
        "recharge",
    ),
    Op.PRESS: ("押して", "プッシュ", "press", "push", "hit", "tap"),
}

# "Run the vacuum": a start verb only when a device is named (not "run the home scene").
RUN_WORDS: Final = ("run", "実行して")
# "スタート" alone: whatever starts when nothing else is named, i.e. a robot vacuum.
START_WORDS: Final = ("スタート", "スタートして", "start", "始動")

# "〜しといて" / "〜しておいて": the same request as "〜して" (colloquial "do it for me").
TE_OKU_FORMS: Final = (
    ("しちゃって", "して"),
    ("ちゃって", "て"),
    ("じゃって", "で"),
    ("しておいて", "して"),
    ("しといて", "して"),
    ("ておいて", "て"),
    ("といて", "て"),
)

# Audio/video remotes (§6.2): a volume or channel word plus a direction or a number.
VOLUME_CONTEXT: Final = ("音量", "ボリューム", "音", "volume", "sound")
CHANNEL_CONTEXT: Final = ("チャンネル", "チャネル", "番組", "channel", "channels", "ch")
UP_WORDS: Final = (
    "上げて",
    "上げ",
    "あげて",
    "大きく",
    "おおきく",
    "アップ",
    "次",
    "つぎ",
    "送って",
    "up",
    "raise",
    "increase",
    "higher",
    "next",
    "forward",
    "turn up",
)
DOWN_WORDS: Final = (
    "下げて",
    "下げ",
    "さげて",
    "小さく",
    "ちいさく",
    "落として",
    "絞って",
    "ダウン",
    "前",
    "まえ",
    "戻して",
    "戻って",
    "戻",
    "down",
    "lower",
    "decrease",
    "reduce",
    "previous",
    "prev",
    "back",
    "go back",
    "turn down",
)
# Whole phrases that already say which way the volume goes.
VOLUME_UP_PHRASES: Final = ("louder", "音を大きく", "音大きく")
VOLUME_DOWN_PHRASES: Final = ("quieter", "softer", "うるさい", "音を小さく", "音小さく")
MUTE_WORDS: Final = ("ミュート", "消音", "mute", "silence")

# Learned infrared buttons people call by another name: a group joins a device when one
# of its buttons is one of the words, so "night light" finds a button named 常夜灯 and
# nothing on a remote without one.
BUTTON_SYNONYMS: Final[tuple[tuple[str, ...], ...]] = (
    ("入力切替", "入力切換", "入力切り替え", "入力切り換え", "外部入力", "入力", "input", "source"),
    ("常夜灯", "豆電球", "ナイトライト", "night light", "nightlight", "night-light", "night mode"),
    ("全灯", "全点灯", "full light", "full", "all on"),
    ("消灯", "off"),
    ("ミュート", "消音", "mute"),
    ("netflix", "ネットフリックス", "ネトフリ"),
    ("youtube", "ユーチューブ"),
    ("prime video", "プライムビデオ", "amazon prime"),
)

# Switching the lights off, said with the word for them: 「真っ暗にして」, "lights out".
LIGHTS_OUT_PHRASES: Final = ("真っ暗にして", "まっくらにして", "真っ暗に", "lights out")

# Brightness extremes: "明るさ最大", "full brightness", "lowest brightness".
LEVEL_MAX_WORDS: Final = (
    "最大", "max", "maximum", "full", "highest", "一番明るく", "いちばん明るく", "brightest",
    "all the way up",
)  # fmt: skip
LEVEL_MIN_WORDS: Final = (
    "最小", "最低", "min", "minimum", "lowest", "一番暗く", "いちばん暗く", "dimmest",
    "all the way down",
)  # fmt: skip
# A relative brightness step ("少し暗く", "dim").
BRIGHTNESS_STEP: Final = 20
# How the light feels: too dark asks for a brighter light, glaring for a dimmer one.
DARK_PHRASES: Final = (
    "暗い",
    "暗いな",
    "暗すぎ",
    "薄暗い",
    "うす暗い",
    "too dark",
    "so dark",
    "very dark",
    "it's dark",
    "its dark",
    "is dark",
    "bit dark",
    "pretty dark",
    "rather dark",
    "quite dark",
    "dark in here",
    "can't see",
    "cannot see",
)
GLARE_PHRASES: Final = (
    "まぶしい",
    "まぶしすぎ",
    "眩しい",
    "眩しすぎ",
    "明るすぎ",
    "too bright",
    "so bright",
    "very bright",
    "glaring",
    "glare",
    "blinding",
    "dazzling",
)

# Comfort phrases choose the air conditioner mode from how the user feels.
COOLER_PHRASES: Final = (
    "暑い",
    "あつい",
    "暑くて",
    "暑すぎ",
    "蒸し暑",
    "涼しくして",
    "涼しく",
    "冷やして",
    "too hot",
    "so hot",
    "it's hot",
    "its hot",
    "i'm hot",
    "im hot",
    "i am hot",
    "boiling",
    "cool down",
    "cool it down",
    "cool the room",
    "too warm",
    "make it cooler",
    "make it colder",
    "a bit cooler",
)
WARMER_PHRASES: Final = (
    "寒い",
    "さむい",
    "寒くて",
    "寒すぎ",
    "暖かくして",
    "温かくして",
    "あたたかくして",
    "暖かく",
    "温めて",
    "暖めて",
    "too cold",
    "so cold",
    "it's cold",
    "its cold",
    "i'm cold",
    "im cold",
    "i am cold",
    "freezing",
    "chilly",
    "make it warmer",
    "warmer",
    "make it hotter",
    "a bit warmer",
    "warm up",
    "warm it up",
    "warm the room",
    "heat up",
)

# Air conditioner modes: SwitchBot setAll codes (§6.3).
AC_MODE_AUTO: Final = 1
AC_MODE_COOL: Final = 2
AC_MODE_DRY: Final = 3
AC_MODE_FAN: Final = 4
AC_MODE_HEAT: Final = 5
AC_MODE_WORDS: Final[dict[int, tuple[str, ...]]] = {
    AC_MODE_COOL: ("冷房", "cool mode", "cooling", "cool", "air conditioning mode"),
    AC_MODE_HEAT: ("暖房", "heat mode", "heating", "heat", "heater"),
    AC_MODE_DRY: ("除湿", "ドライ", "dry mode", "dry", "dehumidify", "dehumidifier"),
    AC_MODE_FAN: ("送風", "fan mode", "fan only"),
    AC_MODE_AUTO: ("自動運転", "オートモード", "auto mode", "automatic mode"),
}
# Names of the air conditioner that say it cools: a setpoint alone means cooling.
COOLING_KIND_WORDS: Final = frozenset({"クーラー", "cooler"})
AC_MODE_NAMES: Final[dict[int, tuple[str, str]]] = {
    AC_MODE_AUTO: ("自動", "auto"),
    AC_MODE_COOL: ("冷房", "cooling"),
    AC_MODE_DRY: ("除湿", "dry"),
    AC_MODE_FAN: ("送風", "fan"),
    AC_MODE_HEAT: ("暖房", "heating"),
}
AC_DEFAULT_TEMPERATURE: Final[dict[int, int]] = {
    AC_MODE_AUTO: 25,
    AC_MODE_COOL: 26,
    AC_MODE_DRY: 26,
    AC_MODE_FAN: 26,
    AC_MODE_HEAT: 22,
}
MAX_SETPOINT_STEP: Final = 5
AC_MIN_TEMPERATURE: Final = 16
AC_MAX_TEMPERATURE: Final = 30
# Comfort setpoint = room temperature -/+ this; AC_DEFAULT_TEMPERATURE when unknown.
COMFORT_STEP: Final = 2

# Fan speed words → a level name; "auto" only exists on infrared air conditioners.
FAN_SPEED_WORDS: Final[dict[str, tuple[str, ...]]] = {
    "high": (
        "強風",
        "風量を強",
        "風を強",
        "強く",
        "強に",
        "最大",
        "high speed",
        "最強",
        "crank",
        "high",
        "max",
        "maximum",
        "full speed",
        "turbo",
    ),
    "medium": ("中風", "風量を中", "中に", "普通", "medium", "middle", "mid"),
    "low": (
        "弱風",
        "微風",
        "風量を弱",
        "風を弱",
        "弱く",
        "弱に",
        "弱め",
        "low speed",
        "low",
        "gentle",
        "minimum",
        "slow",
        "slower",
    ),
    "auto": (
        "風量を自動",
        "風量自動",
        "風量は自動",
        "auto fan",
        "fan auto",
        "fan on auto",
        "fan to auto",
        "fan speed auto",
        "fan speed to auto",
        "auto fan speed",
        "自動風量",
    ),
}
# 風量強 / 風量は弱: the fan level said right after the word for it.
for _speed, _mark in (("high", "強"), ("medium", "中"), ("low", "弱")):
    FAN_SPEED_WORDS[_speed] += (f"風量{_mark}", f"風量は{_mark}", f"風{_mark}")
# Kind words that mean the air conditioner's own fan when it is the one asked about.
GENERIC_FAN_WORDS: Final = frozenset({"fan", "fans", "ファン"})
FAN_SPEED_CONTEXT: Final = ("風量", "風速", "風", "スピード", "speed", "wind", "fan")
# setAll fan codes (§6.3) and circulator setWindSpeed percentages (§5.14).
AC_FAN_CODES: Final[dict[str, int]] = {"auto": 1, "low": 2, "medium": 3, "high": 4}
CIRCULATOR_SPEEDS: Final[dict[str, int]] = {"low": 25, "medium": 50, "high": 100}
IR_FAN_COMMANDS: Final[dict[str, str]] = {
    "low": "lowSpeed",
    "medium": "middleSpeed",
    "high": "highSpeed",
}

# Device modes (§5.12 Humidifier2 setMode, §5.14 circulator setWindMode): word → mode name.
MODE_WORDS: Final[dict[str, tuple[str, ...]]] = {
    "direct": ("直進", "直進風", "直進モード", "direct", "direct mode", "direct wind"),
    "natural": (
        "自然風",
        "自然モード",
        "natural",
        "natural mode",
        "natural wind",
        "natural breeze",
    ),
    "sleep": (
        "睡眠",
        "睡眠モード",
        "おやすみ",
        "お休み",
        "sleep",
        "sleep mode",
        "night mode",
        "寝るとき用",
        "寝る時用",
        "寝るときの",
        "寝る時の",
        "for sleeping",
    ),
    "baby": ("ベビー", "ベビーモード", "赤ちゃん", "baby", "baby mode"),
    "auto": ("自動", "自動モード", "オート", "オートモード", "auto", "auto mode", "automatic"),
    "drying": ("乾燥モード", "drying", "drying mode", "dry out"),
}
CIRCULATOR_MODES: Final = frozenset({"direct", "natural", "sleep", "baby"})
HUMIDIFIER2_MODES: Final[dict[str, int]] = {"sleep": 6, "auto": 7, "drying": 8}
# Output levels said like a fan's speed: Humidifier2 modes 4 (level 1) to 1 (level 4), and
# the older Humidifier's atomization 101-103 (34, 67, 100 %).
HUMIDIFIER2_LEVELS: Final[dict[str, int]] = {
    "low": 4, "medium": 3, "high": 1, "level1": 4, "level2": 3, "level3": 2, "level4": 1,
}  # fmt: skip
HUMIDIFIER_LEVELS: Final[dict[str, str]] = {"low": "101", "medium": "102", "high": "103"}
MODE_NAMES: Final[dict[str, tuple[str, str]]] = {
    "direct": ("直進風", "direct"),
    "natural": ("自然風", "natural"),
    "sleep": ("睡眠", "sleep"),
    "baby": ("ベビー", "baby"),
    "auto": ("自動", "auto"),
    "drying": ("乾燥", "drying"),
}

# Dry air: the area's humidifier is switched on.
DRY_AIR_PHRASES: Final = (
    "乾燥してる",
    "乾燥している",
    "乾燥してます",
    "乾燥する",
    "乾燥が",
    "乾燥しすぎ",
    "乾いてる",
    "カラカラ",
    "からから",
    "air is dry",
    "air's dry",
    "air is so dry",
    "air is too dry",
    "air is very dry",
    "is really dry",
    "really dry",
    "so dry",
    "very dry",
    "dry air",
    "too dry",
    "so dry",
    "very dry",
    "it's dry",
    "its dry",
    "bit dry",
)

# "Why is it so dark?": asks for a reason, not for a change.
WHY_WORDS: Final = ("why", "how come", "なんで", "なぜ", "どうして")

# Repeated steps: "音を3つ下げて", "volume up by two", "twice".
COUNT_WORDS: Final[dict[int, tuple[str, ...]]] = {
    1: ("一つ", "ひとつ", "one step", "by one", "one notch"),
    2: ("二つ", "ふたつ", "二回", "2回", "two", "twice", "a couple", "couple of"),
    3: ("三つ", "みっつ", "三回", "three", "thrice"),
    4: ("四つ", "よっつ", "四回", "four"),
    5: ("五つ", "いつつ", "五回", "five"),
    6: ("六つ", "むっつ", "six"),
    7: ("七つ", "ななつ", "seven"),
    8: ("八つ", "やっつ", "eight"),
    9: ("九つ", "ここのつ", "nine"),
    10: ("ten",),
}
MAX_REPEAT: Final = 10

# A Bot that presses an appliance's button, found by the appliance: a device whose name
# has one of the first words answers to the second ones together with a "heat it" verb.
APPLIANCE_GROUPS: Final[tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]] = (
    (
        ("給湯器", "給湯", "風呂", "water heater", "boiler", "bath"),
        (
            "お湯",
            "おゆ",
            "湯",
            "風呂",
            "お風呂",
            "おふろ",
            "バス",
            "bath",
            "bathtub",
            "bath water",
            "the bath",
            "hot water",
            "tub",
        ),
    ),
)
# Making coffee: the plug of a coffee maker is switched on.
APPLIANCE_PLUG_GROUPS: Final[tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]] = (
    (("コーヒー", "coffee"), ("コーヒー", "珈琲", "coffee")),
)
BREW_WORDS: Final = ("淹れて", "いれて", "brew")
HEAT_WATER_WORDS: Final = (
    "沸かして",
    "わかして",
    "沸かす",
    "沸かし",
    "沸かせ",
    "heat up",
    "張って",
    "はって",
    "ためて",
    "溜めて",
    "heat",
    "boil",
    "fill",
    "prepare",
    "run",
    "get the",
    "draw",
)

# --- Values ------------------------------------------------------------------------------

COLOR_WORDS: Final[dict[str, tuple[tuple[str, ...], tuple[str, str]]]] = {
    # rgb: (words, (japanese name, english name))
    "255:0:0": (("赤", "あか", "レッド", "red"), ("赤", "red")),
    "0:0:255": (("青", "あお", "ブルー", "blue"), ("青", "blue")),
    "0:255:0": (("緑", "みどり", "グリーン", "green"), ("緑", "green")),
    "255:255:0": (("黄色", "黄", "きいろ", "イエロー", "yellow"), ("黄色", "yellow")),
    "255:165:0": (("オレンジ", "橙", "orange"), ("オレンジ", "orange")),
    "128:0:128": (("紫", "むらさき", "パープル", "purple", "violet"), ("紫", "purple")),
    "255:105:180": (("ピンク", "桃色", "pink"), ("ピンク", "pink")),
    "0:255:255": (("水色", "シアン", "cyan", "light blue", "aqua"), ("水色", "cyan")),
    "255:255:255": (("白", "しろ", "ホワイト", "white"), ("白", "white")),
}
# Named white tones are colour temperatures, not RGB colours; checked before COLOR_WORDS.
COLOR_TEMPERATURE_WORDS: Final[dict[int, tuple[str, ...]]] = {
    2700: ("電球色", "暖色", "warm white", "warm light"),
    4000: ("温白色", "soft white"),
    5000: ("昼白色", "neutral white", "neutral"),
    6500: ("昼光色", "寒色", "daylight", "cool white", "cold white"),
}
COLOR_TEMPERATURE_MIN: Final = 2700
COLOR_TEMPERATURE_MAX: Final = 6500

PERCENT_UNITS: Final = ("%", "パーセント", "percent", "per cent", "pct")
DEGREE_UNITS: Final = ("°c", "°", "度", "degrees", "degree", "celsius", "c")
KELVIN_UNITS: Final = ("k", "ケルビン", "kelvin")
MOP_WORDS: Final = ("水拭き", "拭き掃除", "モップ", "mop", "mopping")
# Mopping said not to be wanted: a sweep only.
NO_MOP_WORDS: Final = (
    r"\b(?:no|without|don't|do not|skip(?: the)?)\s+mop|sweep(?:ing)? only|only sweep"
    r"|(?:水拭き|モップ)(?:なし|無し|はしない|しないで|はいらない|不要)|掃除機だけ|吸引だけ"
)
HALF_WORDS: Final = ("半分", "半開き", "half", "halfway")
BRIGHTNESS_CONTEXT: Final = ("明るさ", "輝度", "brightness", "dim")
HUMIDITY_SET_CONTEXT: Final = ("湿度を", "湿度", "humidity to", "humidity at")

# --- Scenes ------------------------------------------------------------------------------

# Canonical scene → phrases. A snapshot scene joins a group when its name or an alias is
# one of the phrases (or the canonical key itself).
SCENE_PHRASES: Final[dict[str, tuple[str, ...]]] = {
    "外出": (
        "外出",
        "出かける",
        "出かけます",
        "出かけてくる",
        "でかける",
        "行ってきます",
        "いってきます",
        "行ってくる",
        "出発",
        "留守",
        "leaving",
        "i'm leaving",
        "im leaving",
        "i am leaving",
        "going out",
        "heading out",
        "heading to work",
        "off to work",
        "going to work",
        "leaving for work",
        "お出かけ",
        "出かける",
        "出かけます",
        "出かけてくる",
        "i'm off",
        "i'm going out",
        "away mode",
        "leave home",
        "leaving home",
    ),
    "帰宅": (
        "帰宅",
        "ただいま",
        "帰った",
        "帰りました",
        "帰ってきた",
        "i'm home",
        "im home",
        "i am home",
        "i'm back",
        "im back",
        "back home",
        "home mode",
        "arrived home",
        "just got home",
        "just got back",
        "got back",
        "got home",
        "welcome home",
    ),
    "おやすみ": (
        "おやすみ",
        "お休み",
        "寝る",
        "寝ます",
        "就寝",
        "寝るね",
        "good night",
        "goodnight",
        "night night",
        "going to bed",
        "off to bed",
        "heading to bed",
        "bedtime",
        "time for bed",
        "sleep mode",
        "go to sleep",
        "going to sleep",
    ),
}
# Words around a scene name that do not change its meaning.
SCENE_FILLERS: Final = (
    "シーン",
    "を実行して",
    "を実行",
    "実行して",
    "実行",
    "を起動",
    "にして",
    "モード",
    "scene",
    "routine",
    "run the",
    "run",
    "activate the",
    "activate",
    "start the",
    "trigger the",
    "execute",
    "please",
    "the",
    "mode",
)

# Appliances a home often has but this one may not: named, they are never another device.
ABSENT_APPLIANCE_WORDS: Final = (
    "換気扇", "電子レンジ", "洗濯機", "乾燥機", "食洗機", "食器洗い機", "冷蔵庫", "オーブン",
    "トースター", "ドライヤー", "ケトル", "炊飯器", "こたつ", "床暖房",
    "microwave", "oven", "toaster", "washing machine", "washer", "dryer", "dishwasher", "fridge",
    "refrigerator", "kettle", "rice cooker", "hair dryer", "exhaust fan", "extractor fan",
    "ventilation fan", "space heater", "sprinkler",
)  # fmt: skip

# --- Questions ---------------------------------------------------------------------------

QUESTION_WORDS: Final = (
    "何度",
    "なんど",
    "何%",
    "何パーセント",
    "いくつ",
    "どのくらい",
    "どれくらい",
    "どう",
    "教えて",
    "ですか",
    "ますか",
    "かな",
    "知りたい",
    "what",
    "what's",
    "whats",
    "how",
    "is the",
    "are the",
    "is my",
    "are my",
    "is it",
    "tell me",
    "check",
    "status",
    "which",
)
# Japanese sentence endings that make a question even without "?".
QUESTION_ENDINGS: Final = ("か", "かな", "の", "てる", "ている", "てます", "でる", "は")
TEMPERATURE_TOPIC: Final = (
    "thermometer",
    "温度計",
    "温度",
    "気温",
    "室温",
    "何度",
    "なんど",
    "temperature",
    "how warm",
    "how hot",
    "how cold",
)
HUMIDITY_TOPIC: Final = ("湿度", "しつど", "humidity", "humid", "湿度を", "humidity at")
BATTERY_TOPIC: Final = (
    "バッテリー",
    "バッテリ",
    "電池",
    "充電残量",
    "残量",
    "battery",
    "batteries",
    "charge level",
)
CO2_TOPIC: Final = ("co2", "二酸化炭素", "空気", "換気", "carbon dioxide", "air quality")
# Detection questions: "any leaks in the wash room?", 「廊下に誰かいる？」.
LEAK_TOPIC: Final = (
    "水漏れ", "漏水", "浸水", "leak", "leaks", "leaking", "leakage", "water leak", "water leaks",
)  # fmt: skip
MOTION_TOPIC: Final = (
    "誰か", "だれか", "人がいる", "人いる", "動き", "anyone", "anybody", "someone", "somebody",
    "motion", "movement", "moving",
)  # fmt: skip
DETECTION_REPLIES: Final[dict[str, dict[bool | None, tuple[str, str]]]] = {
    "leak": {
        False: (
            "{area}で水漏れは検知されていません。",
            "No leak in the {area}: the sensor is dry.",
        ),
        True: ("{area}で水漏れを検知しています！", "The {area} sensor detects water!"),
        None: (
            "{area}の水漏れセンサーの状態が分かりません。",
            "No reading from the {area} leak sensor.",
        ),
    },
    "motion": {
        False: ("{area}で人の動きは検知されていません。", "No motion in the {area} right now."),
        True: ("{area}で人の動きを検知しています。", "The {area} sensor detects someone moving."),
        None: (
            "{area}の人感センサーの状態が分かりません。",
            "No reading from the {area} motion sensor.",
        ),
    },
}
NO_DETECTOR_REPLY: Final = (
    "それを検知できるセンサーが見つかりませんでした。",
    "I found no sensor that can tell that.",
)
STATE_TOPIC: Final = (
    "回って",
    "何してる",
    "何をしてる",
    "doing",
    "shut",
    # 「鍵閉めた？」, "did I lock ...": asked after the fact.
    "閉めた",
    "閉まった",
    "かけた",
    "掛けた",
    "did i lock",
    "did i leave",
    "明るさは",
    "風量は",
    "how bright",
    "how fast",
    "what speed",
    "閉まって",
    "しまって",
    "開いて",
    "あいて",
    "ついて",
    "点いて",
    "付いて",
    "消えて",
    "かかって",
    "掛かって",
    "動いて",
    "locked",
    "unlocked",
    "open",
    "closed",
    "on",
    "off",
    "running",
    "入って",
    "入ってる",
    "入ってます",
    "電源",
    "powered",
    "状態",
    "state",
    "status",
)

# --- Negation ----------------------------------------------------------------------------

NEGATION_WORDS: Final = (
    # "Leave the AC off": keep it as it is.
    "leave the",
    "leave it",
    "leave them",
    "そのままにして",
    "そのままで",
    "ないで",
    "なくていい",
    "なくて良い",
    "しないで",
    "やめて",
    "いらない",
    "不要",
    "don't",
    "dont",
    "do not",
    "never",
    "no need",
    "cancel",
    "never mind",
)

# --- Replies -----------------------------------------------------------------------------

# Operation → (Japanese template, English template); {name} is the device.
ACTION_REPLIES: Final[dict[Op, tuple[str, str]]] = {
    Op.TURN_ON: ("{name}をつけます", "turning on the {name}"),
    Op.TURN_OFF: ("{name}を消します", "turning off the {name}"),
    Op.TOGGLE: ("{name}を切り替えます", "toggling the {name}"),
    Op.BRIGHTNESS: ("{name}の明るさを{value}%にします", "setting the {name} to {value}%"),
    Op.BRIGHTER: ("{name}を明るくします", "brightening the {name}"),
    Op.DIMMER: ("{name}を暗くします", "dimming the {name}"),
    Op.COLOR: ("{name}を{value}にします", "making the {name} {value}"),
    Op.COLOR_TEMPERATURE: (
        "{name}の色温度を{value}Kにします",
        "setting the {name} to {value} K",
    ),
    Op.CLIMATE: ("{name}を{value}にします", "setting the {name} to {value}"),
    Op.WARMER: ("{name}を{value}にします", "setting the {name} to {value}"),
    Op.COOLER: ("{name}を{value}にします", "setting the {name} to {value}"),
    Op.FAN_SPEED: ("{name}の風量を{value}にします", "setting the {name} speed to {value}"),
    Op.OPEN: ("{name}を開けます", "opening the {name}"),
    Op.CLOSE: ("{name}を閉めます", "closing the {name}"),
    Op.POSITION: ("{name}を{value}%開けます", "opening the {name} to {value}%"),
    Op.STOP: ("{name}を止めます", "stopping the {name}"),
    Op.LOCK: ("{name}を施錠します", "locking the {name}"),
    Op.UNLOCK: ("{name}を解錠します", "unlocking the {name}"),
    Op.DEADBOLT: ("{name}のデッドボルトを解除します", "releasing the deadbolt of the {name}"),
    Op.CLEAN: ("{name}で掃除を始めます", "starting the {name}"),
    Op.DOCK: ("{name}を充電台に戻します", "sending the {name} back to its dock"),
    Op.PRESS: ("{name}を押します", "pressing the {name}"),
    Op.HUMIDITY: ("{name}を湿度{value}%にします", "setting the {name} to {value}% humidity"),
    Op.CUSTOM: ("{name}の「{value}」を送ります", "sending '{value}' to the {name}"),
    Op.VOLUME: ("{name}の音量を{value}%にします", "setting the {name} volume to {value}%"),
    Op.VOLUME_UP: ("{name}の音量を上げます", "turning the {name} volume up"),
    Op.VOLUME_DOWN: ("{name}の音量を下げます", "turning the {name} volume down"),
    Op.MUTE: ("{name}をミュートします", "muting the {name}"),
    Op.CHANNEL_UP: ("{name}のチャンネルを次にします", "switching the {name} to the next channel"),
    Op.CHANNEL_DOWN: (
        "{name}のチャンネルを前にします",
        "switching the {name} to the previous channel",
    ),
    Op.CHANNEL: ("{name}を{value}チャンネルにします", "putting the {name} on channel {value}"),
    Op.MODE: ("{name}を{value}モードにします", "putting the {name} in {value} mode"),
}
HUMIDIFIER_LEVEL_REPLY: Final = (
    "{name}の加湿量を{value}にします",
    "setting the {name} output to {value}",
)
FAN_SPEED_NAMES: Final[dict[str, tuple[str, str]]] = {
    "high": ("強", "high"),
    "medium": ("中", "medium"),
    "low": ("弱", "low"),
    "auto": ("自動", "auto"),
}
CONFIRM_SUFFIX: Final = ("（確認が必要です）", " (needs your confirmation)")

HELP_REPLY: Final = (
    "すみません、よく分かりませんでした。何も操作していません。"
    "「リビングの電気を消して」「エアコンを26度の冷房にして」「玄関の鍵は閉まってる？」"
    "「行ってきます」のように話しかけてください。",
    "Sorry, I didn't understand that, so I didn't do anything. You can say, for example, "
    '"turn off the living room lights", "set the air conditioner to 26 degrees cooling", '
    '"is the front door locked?" or "I\'m leaving".',
)
NEGATION_REPLY: Final = (
    "わかりました。何も操作しません。",
    "OK, I won't do anything.",
)
CONFLICT_REPLY: Final = (
    "一度に一つずつお願いします。何も操作していません。例えば「寝室の電気を消して」。",
    "Please ask for one thing at a time; I didn't do anything. For example, "
    '"turn off the bedroom light".',
)
AMBIGUOUS_REPLY: Final = (
    "どれのことですか？ {choices} のどれかを指定してください。何も操作していません。",
    "Which one do you mean: {choices}? I didn't do anything yet.",
)
# Answers to "which one?" that mean every device asked about, or one by its place in the list.
EVERY_CHOICE_WORDS: Final = (
    r"両方|どっちも|どちらも|全部|ぜんぶ|すべて|全て|\bboth\b|\ball\b|\beither\b"
)
ORDINAL_WORDS: Final[tuple[tuple[str, int], ...]] = (
    (r"最初|一つ目|1つ目|1番目|一番目|前者|\bfirst\b|\bformer\b", 0),
    (r"二つ目|2つ目|2番目|二番目|後者|\bsecond\b|\blatter\b", 1),
    (r"三つ目|3つ目|3番目|三番目|\bthird\b", 2),
)
NO_DEVICE_REPLY: Final = (
    "該当する機器が見つかりませんでした。何も操作していません。",
    "I couldn't find a matching device, so I didn't do anything.",
)
# Something asked for later ("in 30 minutes", 「1時間後に」): never done now.
DELAYED_REPLY: Final = (
    "時間を指定した操作は今すぐには実行しません。何も操作していません。"
    "「毎日7時に…」のようなオートメーションとして頼んでください。",
    "That was asked for later, so I didn't do anything now. "
    'Ask for it as an automation, like "every day at 7...".',
)
# A feature word ("child lock") no device of the request has: nothing is sent.
FEATURE_REPLY: Final = (
    "その機能を持つ機器が見つかりません。何も操作していません。",
    "None of the devices you named has that feature, so I didn't do anything.",
)
# Time offsets: "in 30 minutes", "after an hour", 「1時間後に」「30分したら」.
# A device's own off timer (the Battery Circulator Fan's closeDelay, in seconds).
OFF_TIMER_COMMAND: Final = "closeDelay"
TIMER_WORDS: Final = r"タイマー|\btimer\b"
# "in 30 minutes" / 「30分後」: a moment later (unlike "for 30 minutes", a duration).
LATER_PATTERN: Final = (
    r"(?:分|時間|秒)半?\s*(?:後|ご|したら|経ったら|たったら|経過後)|\bin\s|\bafter\s"
)
# Switching itself off at the end: 「切れるように」, "then turn it off".
OFF_LATER_WORDS: Final = r"切れる|消える|止まる|オフ|\boff\b|\bstop\b"
TIMER_REPLY: Final = (
    "{name}が{duration}後に切れるようにタイマーを設定します。",
    "The {name} will switch itself off in {duration}.",
)
TIMER_ON_REPLY: Final = (
    "{name}をつけて、{duration}後に切れるようにします。",
    "Turning on the {name}; it switches itself off in {duration}.",
)
DELAY_PATTERN: Final = (
    # A time of day or another day: 「明日の朝7時に」, "at seven tomorrow", "tonight".
    r"明日|あした|あす|今夜|今晩|明朝|\d+時(?:半|\d+分)?(?:に|から|ごろ|頃)"
    r"|\btomorrow\b|\btonight\b|\bthis (?:evening|afternoon)\b"
    r"|\bat \d{1,2}(?::\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.|o'?clock)\b|\bat \d{1,2}:\d{2}\b|"
    r"\d+\s*(?:分|時間|秒)半?\s*(?:後|ご|したら|経ったら|たったら|経過後)"
    r"|(?:\bin|\bafter)\s+(?:\d+|an?|half an?)\s+(?:minutes?|mins?|hours?|hrs?|seconds?|secs?)\b"
    # A duration ("for 30 minutes", 「30分間」): the stop at its end is a later action too.
    r"|\bfor\s+(?:\d+|an?|half an?)\s+(?:minutes?|mins?|hours?|hrs?)\b|\d+\s*(?:分|時間)間"
)
# Words that open or unlock: with them, "the door lock" is the thing to open, not to lock.
OPENING_WORDS: Final = r"開け|あけ|解錠|開錠|\bopen\b|\bunlock\b"
# The direction a Blind Tilt's slats face.
TILT_UP_WORDS: Final = r"上向き|うわむき|facing up|\bupwards?\b|\btilt(?:ed)? up\b|\bup\s+(?=\d)"
TILT_DOWN_WORDS: Final = (
    r"下向き|したむき|facing down|\bdownwards?\b|\btilt(?:ed)? down\b|\bdown\s+(?=\d)"
)
# Words of one feature, and the commands that carry it out: a request naming the feature
# reaches only a device with one of these commands (a learned button named after it too).
FEATURE_COMMANDS: Final[tuple[tuple[str, frozenset[str]], ...]] = (
    (
        r"チャイルドロック|child\s*-?lock"
        r"|(?:子ども|子供|こども|kids?\b|children).*(?:ロック|\block)"
        r"|(?:ロック|\block).*(?:子ども|子供|こども|\bkids?\b|children)"
        r"|\bcontrols? lock|lock .*controls",
        frozenset({"setChildLock"}),
    ),
    # (常夜灯 is a ceiling light's night light, usually a learned button: not the fan's.)
    (
        r"ナイトライト|night\s*-?light"
        r"|(?:サーキュレーター|扇風機)の?ライト|(?:fan|circulator)(?:'s)? light",
        frozenset({"setNightLightMode"}),
    ),
    (r"首振り|スイング|swing|oscillat", frozenset({"swing"})),
    (
        r"モップを?(?:洗|乾か|乾燥|洗浄)|(?:wash|dry|clean|rinse)\s+(?:the\s+)?(?:\S+'s\s+)?mop\b"
        r"|mop\s+(?:wash|dry|clean)",
        frozenset({"selfClean"}),
    ),
    (r"タイマー|\btimer\b", frozenset({"closeDelay"})),
    # A robot vacuum whose station refills the humidifier (Robot Vacuum Cleaner S10).
    (r"給水|水を(?:足|補充|入れ)|\brefill|\btop up\b|add water", frozenset({"addWaterForHumi"})),
)

# Saying a feature is switched off ("child lock off", 「チャイルドロックを解除」), or set dim.
FEATURE_OFF_WORDS: Final = (
    r"オフ|おふ|解除|外して|はずして|切って|消して|\boff\b|disable|deactivate|remove"
)
FEATURE_DIM_WORDS: Final = r"暗め|弱|\bdim\b|\blow\b"
FEATURE_DRY_WORDS: Final = r"乾か|乾燥|\bdry\b"
FEATURE_DONE_REPLY: Final = ("{name}の{feature}を設定します。", "Setting the {name}'s {feature}.")
# Features that are an action rather than a setting say so.
FEATURE_ACTION_REPLIES: Final[dict[str, tuple[str, str]]] = {
    "addWaterForHumi": ("{name}で加湿器に給水します。", "Having the {name} refill the humidifier."),
}
FEATURE_NAMES: Final[dict[str, tuple[str, str]]] = {
    "setChildLock": ("チャイルドロック", "child lock"),
    "setNightLightMode": ("ナイトライト", "night light"),
    "selfClean": ("モップ", "mop"),
    "addWaterForHumi": ("加湿器への給水", "humidifier refill"),
}

# The status field that says whether a feature is on, and how to say it.
FEATURE_STATE_FIELDS: Final[dict[str, str]] = {
    "setChildLock": "childLock",
    "setNightLightMode": "nightStatus",
}
FEATURE_STATE_REPLY: Final[dict[bool | None, tuple[str, str]]] = {
    True: ("{name}の{feature}はオンです。", "The {name}'s {feature} is on."),
    False: ("{name}の{feature}はオフです。", "The {name}'s {feature} is off."),
    None: (
        "{name}の{feature}の状態は分かりません。",
        "I can't tell whether the {name}'s {feature} is on.",
    ),
}
# A robot vacuum's workingStatus in words.
VACUUM_STATUS_WORDS: Final[dict[str, tuple[str, str]]] = {
    "chargedone": ("充電台で待機中（充電完了）", "docked and fully charged"),
    "charging": ("充電中", "charging on its dock"),
    "standby": ("待機中", "standing by"),
    "clearing": ("掃除中", "cleaning"),
    "cleaning": ("掃除中", "cleaning"),
    "paused": ("一時停止中", "paused"),
    "gotochargebase": ("充電台に戻っているところ", "returning to its dock"),
    "dormant": ("休止中", "dormant"),
}
UNSUPPORTED_REPLY: Final = (
    "{name}はその操作に対応していません。何も操作していません。",
    "The {name} can't do that, so I didn't do anything.",
)
NO_READING_REPLY: Final = (
    "{topic}を測っているセンサーが見つかりませんでした。",
    "I couldn't find a sensor that measures {topic}.",
)
OUT_OF_RANGE_REPLY: Final = (
    "その値には設定できません（温度は16〜30度、明るさなどは0〜100%、色温度は2700〜6500K）。"
    "何も操作していません。",
    "That value is out of range (temperature 16-30 °C, levels 0-100 %, colour temperature "
    "2700-6500 K), so I didn't do anything.",
)
COMPOUND_FAILED_REPLY: Final = (
    "「{clause}」の部分を実行できないので、ほかの部分も含めて何も操作していません。{detail}",
    "I couldn't do \"{clause}\", so I didn't do any of the request. {detail}",
)
# Words that make no request of their own ("turn on the light, please").
FILLER_WORDS: Final = (
    "please",
    "thanks",
    "thank you",
    "ok",
    "okay",
    "now",
    "right now",
    "for me",
    "too",
    "as well",
    "hey",
    "お願い",
    "おねがい",
    "ください",
    "下さい",
    "今すぐ",
    "すぐ",
    "くれる",
    "くれない",
    "くれますか",
    "くれません",
    "もらえる",
    "もらえない",
    "もらえますか",
    "ほしい",
    "欲しい",
    "ちょうだい",
    "くれ",
    "かな",
    "ね",
    "よ",
)
NO_BATTERY_REPLY: Final = (
    "電池残量が分かる機器が見つかりませんでした。",
    "I couldn't find a device that reports its battery level.",
)
SCENE_REPLY: Final = ("シーン「{name}」を実行します。", 'Running the "{name}" scene.')
