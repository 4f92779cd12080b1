"""The conversation agent's edge tool: `run_on_edge_device(device, instruction)`.

An edge device with the `agent` capability takes English instructions. The tool turns the
user's words into English with the model (without one they go as they are), queues the
job, waits for the result and hands it back: the model then summarises it in the user's
language; without a model a short template does.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Final, Literal

from ..language_models import LLMAdapter, LLMError, Message, ToolSpec
from .errors import UnknownDeviceError
from .manager import EdgeManager
from .models import CAPABILITY_AGENT, EdgeDevice, EdgeJob, JobStatus

type Language = Literal["ja", "en"]

TOOL_NAME: Final = "run_on_edge_device"
# Assist waits for the reply; a device that needs longer keeps working, and its result
# shows on its last-job sensor.
AGENT_WAIT: Final = 30.0
SUMMARY_CHARS: Final = 300
TRANSLATE_PROMPT: Final = (
    "Translate the user's instruction for a home device into plain English. "
    "Answer with the translation only."
)
_ANSWER_KEYS: Final = ("answer", "summary", "text", "message", "result")

_TEXT: Final[dict[str, dict[Language, str]]] = {
    "done": {"ja": "{device}の結果: {answer}", "en": "{device} says: {answer}"},
    "failed": {
        "ja": "{device}でうまくいきませんでした: {error}",
        "en": "{device} could not do it: {error}",
    },
    "timeout": {
        "ja": "{device}から時間内に返事がありませんでした。",
        "en": "{device} did not answer in time.",
    },
    "offline": {
        "ja": "{device}は今オフラインです。",
        "en": "{device} is offline right now.",
    },
    "denied": {
        "ja": "エッジデバイスを使う権限がありません。",
        "en": "You are not allowed to use the edge devices.",
    },
}


def tool_spec(devices: list[EdgeDevice]) -> ToolSpec:
    """The tool, naming the devices that take instructions."""
    names = ", ".join(f"{device.name} ({device.device_type})" for device in devices)
    return ToolSpec(
        TOOL_NAME,
        "Have an edge device of the home carry out an instruction (for example look through "
        "its camera, read its sensors, or answer a question) and return its result. "
        f"Devices: {names}. Summarise the result for the user in their language.",
        {
            "type": "object",
            "properties": {
                "device": {"type": "string", "description": "The edge device's name."},
                "instruction": {"type": "string", "description": "What the device should do."},
            },
            "required": ["device", "instruction"],
        },
    )


@dataclass(frozen=True, slots=True)
class EdgeRequest:
    """A request for an edge device found in the user's words without a model."""

    device: EdgeDevice
    instruction: str


def find_request(text: str, devices: list[EdgeDevice]) -> EdgeRequest | None:
    """`ask the garage jetson to ...` or `ガレージJetsonに…を頼んで`, for a known device."""
    stripped = text.strip()
    for device in sorted(devices, key=lambda device: -len(device.name)):
        name = re.escape(device.name)
        english = re.match(
            rf"(?:please\s+)?(?:ask|tell|have|get)\s+(?:the\s+)?{name}\s+(?:to\s+)?(?P<what>.+)",
            stripped,
            re.IGNORECASE | re.DOTALL,
        )
        japanese = re.match(
            rf"{name}\s*(?:に|で)\s*(?P<what>.+?)\s*(?:を|って|と)?\s*"
            r"(?:頼んで|たのんで|依頼して|お願いして|お願い|聞いて|きいて|伝えて)"
            r"(?:ください|下さい)?[。.!！]?$",
            stripped,
            re.IGNORECASE | re.DOTALL,
        )
        if match := english or japanese:
            instruction = match.group("what").strip().rstrip(".!?。！？")
            if instruction:
                return EdgeRequest(device, instruction)
    return None


async def to_english(adapter: LLMAdapter | None, instruction: str) -> str:
    """The instruction in English: as it is when it already is, or without a model."""
    if adapter is None or instruction.isascii():
        return instruction
    try:
        response = await adapter.complete(
            [Message("system", TRANSLATE_PROMPT), Message("user", instruction)], ()
        )
    except LLMError:
        return instruction
    return response.text.strip() or instruction


async def run_instruction(
    manager: EdgeManager,
    adapter: LLMAdapter | None,
    device_name: str,
    instruction: str,
) -> dict[str, Any]:
    """Queue the instruction for the device, wait for it, and say how it went."""
    try:
        device = manager.find_device(device_name)
    except UnknownDeviceError:
        return {"error": "unknown_device", "message": f"no edge device named {device_name}"}
    if CAPABILITY_AGENT not in device.capabilities:
        return {"error": "not_an_agent", "message": f"{device.name} takes no instructions"}
    if not manager.is_connected(device.device_id):
        return {"error": "offline", "device": device.name}
    english = await to_english(adapter, instruction)
    job = await manager.async_submit(device.device_id, instruction=english, source="conversation")
    job = await manager.async_wait(job.job_id, AGENT_WAIT)
    if job.status is JobStatus.QUEUED:
        manager.cancel(job.job_id)  # nobody took it; it must not run later, unasked
    return outcome(device, job)


def outcome(device: EdgeDevice, job: EdgeJob) -> dict[str, Any]:
    """What the model (or the template) hears about the job."""
    data: dict[str, Any] = {
        "device": device.name,
        "device_id": device.device_id,
        "job_id": job.job_id,
        "instruction": job.instruction,
        "status": job.status.value,
    }
    if job.status is JobStatus.SUCCEEDED:
        data["result"] = job.result
    elif job.finished:
        data["error"] = job.error or job.reason or job.status.value
    else:
        data["error"] = "timeout"
    return data


def summary(data: dict[str, Any], language: Language) -> str:
    """A reply without a model: the device's answer, or why there is none."""
    device = data.get("device", "")
    error = data.get("error")
    if error == "offline":
        return _TEXT["offline"][language].format(device=device)
    if error in ("timeout", "cancelled"):
        return _TEXT["timeout"][language].format(device=device)
    if error is not None:
        return _TEXT["failed"][language].format(device=device, error=error)
    return _TEXT["done"][language].format(device=device, answer=_answer_text(data.get("result")))


def denied(language: Language) -> str:
    """The refusal for a user whose permissions are restricted."""
    return _TEXT["denied"][language]


def _answer_text(result: Any) -> str:
    if isinstance(result, dict):
        for key in _ANSWER_KEYS:
            if isinstance(text := result.get(key), str):
                return text[:SUMMARY_CHARS]
    if isinstance(result, str):
        return result[:SUMMARY_CHARS]
    return json.dumps(result, ensure_ascii=False, default=str)[:SUMMARY_CHARS]
