"""Robot vacuums (§5.11), in the three command generations the reference describes.

- S1, S1 Plus, K10+, K10+ Pro: `start`, `stop`, `dock`, `PowLevel`.
- K10+ Pro Combo, K20+ Pro, K11+: `startClean` (JSON object), `pause`, `dock`, `setVolume`,
  `changeParam`; their status adds `taskType`.
- S10, S20: the above plus `addWaterForHumi` and `selfClean`; status adds `waterBaseBattery`.

Trips finish at once: `dock` leaves the robot charging (or done charging at 100 %) rather
than in the transient `GotoChargeBase`. The newer generations reply `{"commandId": ...}`.
"""

from __future__ import annotations

from typing import Any

from .. import params
from ..spec import CommandHandler, CommandRequest, Effect, TypeSpec, WebhookSpec, copy, spelled

_MAX_TIMES = 2_639_999
_SELF_CLEAN_TASKS = {1: "deepWashing", 2: "drying", 3: "standBy"}


def _with_command_id(handler: CommandHandler) -> CommandHandler:
    def handle(request: CommandRequest) -> Effect:
        effect = handler(request)
        effect.body.setdefault("commandId", request.command_id)
        return effect

    return handle


def _docked(request: CommandRequest, *, task_type: bool) -> Effect:
    battery = request.status.get("battery", 100)
    status: dict[str, Any] = {
        "workingStatus": "ChargeDone" if battery >= 100 else "Charging",
    }
    if task_type:
        status["taskType"] = "standBy"
    return Effect(status=status)


def _clean_settings(spec: dict[str, Any], *, water_level: bool | None) -> dict[str, Any]:
    """`fanLevel`, `waterLevel` and `times`. `water_level` None: optional, True: required."""
    settings = {
        "fanLevel": params.integer(spec.get("fanLevel"), 1, 4, name="fanLevel"),
        "times": params.integer(spec.get("times"), 1, _MAX_TIMES, name="times"),
    }
    if water_level or (water_level is None and "waterLevel" in spec):
        settings["waterLevel"] = params.integer(spec.get("waterLevel"), 1, 2, name="waterLevel")
    return settings


def _start_clean(actions: tuple[str, ...], *, water_level: bool | None) -> CommandHandler:
    def handle(request: CommandRequest) -> Effect:
        spec = params.json_object(request.parameter)
        action = params.choice(spec.get("action"), actions, name="action")
        settings = params.json_object(spec.get("param"))
        return Effect(
            status={"workingStatus": "Clearing", "taskType": "cleanAll"},
            internal={"action": action, **_clean_settings(settings, water_level=water_level)},
        )

    return handle


def _change_param(*, water_level: bool | None) -> CommandHandler:
    def handle(request: CommandRequest) -> Effect:
        spec = params.json_object(request.parameter)
        return Effect(internal=_clean_settings(spec, water_level=water_level))

    return handle


def _pause(request: CommandRequest) -> Effect:
    if request.status.get("workingStatus") != "Clearing":
        return Effect()
    return Effect(status={"workingStatus": "Paused"})


def _set_volume(request: CommandRequest) -> Effect:
    return Effect(internal={"volume": params.integer(request.parameter, 0, 100)})


def _self_clean(request: CommandRequest) -> Effect:
    mode = params.integer(request.parameter, 1, 3)
    return Effect(status={"taskType": _SELF_CLEAN_TASKS[mode]})


def _add_water_for_humidifier(request: CommandRequest) -> Effect:
    return Effect(internal={"humidifierRefills": int(request.internal["humidifierRefills"]) + 1})


_BASE_STATUS = {"workingStatus": "ChargeDone", "onlineStatus": "online", "battery": 100}
_BASE_FIELDS = {
    "workingStatus": copy("workingStatus"),
    "onlineStatus": copy("onlineStatus"),
    "battery": copy("battery"),
}


def _first_generation(device_type: str, webhook_type: str) -> TypeSpec:
    return TypeSpec(
        device_type,
        status=_BASE_STATUS,
        internal={"powLevel": 1},
        commands={
            "start": lambda _request: Effect(status={"workingStatus": "Clearing"}),
            "stop": lambda _request: Effect(status={"workingStatus": "StandBy"}),
            "dock": lambda request: _docked(request, task_type=False),
            "PowLevel": lambda request: Effect(
                internal={"powLevel": params.integer(request.parameter, 0, 3)}
            ),
        },
        webhook=WebhookSpec(webhook_type, _BASE_FIELDS),
    )


def _combo_generation(
    device_type: str, webhook_type: str, *, water_level_in_change_param: bool
) -> TypeSpec:
    commands: dict[str, CommandHandler] = {
        "startClean": _start_clean(("sweep", "mop"), water_level=None),
        "pause": _pause,
        "dock": lambda request: _docked(request, task_type=True),
        "setVolume": _set_volume,
        "changeParam": _change_param(water_level=water_level_in_change_param or None),
    }
    return TypeSpec(
        device_type,
        status=_BASE_STATUS | {"taskType": "standBy"},
        internal={"volume": 50},
        commands={name: _with_command_id(handler) for name, handler in commands.items()},
        webhook=WebhookSpec(webhook_type, _BASE_FIELDS | {"taskType": copy("taskType")}),
    )


def _station_generation(device_type: str, webhook_type: str) -> TypeSpec:
    commands: dict[str, CommandHandler] = {
        "startClean": _start_clean(("sweep", "sweep_mop"), water_level=True),
        "addWaterForHumi": _add_water_for_humidifier,
        "pause": _pause,
        "dock": lambda request: _docked(request, task_type=True),
        "setVolume": _set_volume,
        "selfClean": _self_clean,
        "changeParam": _change_param(water_level=True),
    }
    return TypeSpec(
        device_type,
        status=_BASE_STATUS | {"waterBaseBattery": 100, "taskType": "standBy"},
        internal={"volume": 50, "humidifierRefills": 0},
        commands={name: _with_command_id(handler) for name, handler in commands.items()},
        webhook=WebhookSpec(
            webhook_type,
            _BASE_FIELDS
            | {"waterBaseBattery": copy("waterBaseBattery"), "taskType": copy("taskType")},
        ),
    )


K20_PLUS_PRO = _combo_generation(
    "Robot Vacuum Cleaner K20 Plus Pro",
    "Robot Vacuum Cleaner K20+ Pro",
    water_level_in_change_param=True,
)
K11_PLUS = _combo_generation(
    "Robot Vacuum Cleaner K11+",
    "Robot Vacuum Cleaner K11 Plus",
    water_level_in_change_param=True,
)
S20 = _station_generation("Robot Vacuum Cleaner S20", "Robot Vacuum Cleaner s20")

# Where the README's webhook table and sample disagree (§4 [INC]), the sample is used.
TYPES = [
    _first_generation("Robot Vacuum Cleaner S1", "WoSweeper"),
    _first_generation("Robot Vacuum Cleaner S1 Plus", "WoSweeperPlus"),
    _first_generation("K10+", "WoSweeperMini"),
    _first_generation("K10+ Pro", "WoSweeperMiniPro"),
    _combo_generation(
        "Robot Vacuum Cleaner K10+ Pro Combo",
        "Robot Vacuum Cleaner K10+ Pro Combo",
        water_level_in_change_param=False,
    ),
    K20_PLUS_PRO,
    # The cloud's list says "K20+ Pro", as the webhook table does (§4).
    spelled(K20_PLUS_PRO, "K20+ Pro"),
    K11_PLUS,
    # The spelling of its webhook sample, which Home Assistant's own integration takes too.
    spelled(K11_PLUS, "Robot Vacuum Cleaner K11 Plus"),
    _station_generation("Robot Vacuum Cleaner S10", "Robot Vacuum Cleaner S10"),
    S20,
    # The command tables' spelling, which Home Assistant's own integration takes too.
    spelled(S20, "S20"),
]
