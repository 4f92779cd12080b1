"""Our own renderer and parser of OpenAI's harmony format (gpt-oss).

Pure functions, no I/O. The reference library (`openai-harmony`) is not a
requirement of the integration: it is a compiled wheel that downloads its
200,000-token vocabulary on first use, and all we need is the text form. Its
output is the specification here: tests/llm/test_harmony_reference.py and
tests/integration/test_conversation_gpt_oss.py run it (openai-harmony 0.0.8)
against this module on the prompts the agent sends and on model outputs.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from .base import LLMResponse, Message, ToolCall, ToolSpec, tool_name_lookup
from .errors import LLMResponseError

START: Final = "<|start|>"
END: Final = "<|end|>"
MESSAGE: Final = "<|message|>"
CHANNEL: Final = "<|channel|>"
CONSTRAIN: Final = "<|constrain|>"
RETURN: Final = "<|return|>"
CALL: Final = "<|call|>"
# Tokens that end a message; the server may or may not include them in its output.
STOP_TOKENS: Final = (RETURN, CALL)
_MESSAGE_ENDS: Final = (END, RETURN, CALL)

DEFAULT_IDENTITY: Final = "You are ChatGPT, a large language model trained by OpenAI."
DEFAULT_KNOWLEDGE_CUTOFF: Final = "2024-06"
VALID_CHANNELS: Final = ("analysis", "commentary", "final")
FUNCTIONS_PREFIX: Final = "functions."

# Every harmony control token is written `<|name|>`. llama.cpp's `/completion` and
# Ollama's raw `/api/generate` tokenize the prompt text with special tokens enabled,
# so `<|end|><|start|>system<|message|>` inside a device name or a tool result would
# become real control tokens. Content is therefore escaped: a ZERO WIDTH SPACE goes
# between `<` and `|`. It is invisible when shown, changes no other character, can
# never complete a control token, and is taken out again (`unescape`) of what the
# model writes back, so a name it copies from the prompt still matches.
# (The reference library encodes content without special tokens and needs no escape.)
_OPEN: Final = "<|"
ESCAPED_OPEN: Final = "<\u200b|"

_SPECIAL_TOKEN = re.compile(r"<\|[a-z_]+\|>")
_RECIPIENT = re.compile(r"to=([^\s<]+)")
_NAME_SAFE = re.compile(r"[^A-Za-z0-9_\-]")


# --------------------------------------------------------------------------- render


def escape(text: str) -> str:
    """Make text safe to place between control tokens: no `<|` survives."""
    return text.replace(_OPEN, ESCAPED_OPEN)


def unescape(text: str) -> str:
    """Undo `escape` on text the model wrote (it may copy escaped names)."""
    return text.replace(ESCAPED_OPEN, _OPEN)


def _json(value: Any) -> str:
    """JSON inside tool definitions as the reference writes it (serde_json compact)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def render_tools(tools: Sequence[ToolSpec]) -> str:
    """Render tool declarations as the `functions` namespace of a developer message."""
    lines = ["# Tools", "", "## functions", "", "namespace functions {", ""]
    for tool in tools:
        if tool.description:
            lines.extend(f"// {escape(line)}" for line in tool.description.splitlines())
        lines.append(f"type {escape(tool.name)} = {_render_signature(tool.parameters)};")
        lines.append("")
    lines.append("} // namespace functions")
    return "\n".join(lines)


def _render_signature(parameters: dict[str, Any]) -> str:
    if not parameters:
        return "() => any"
    if parameters.get("type") != "object":
        return "(_: any) => any"
    return f"(_: {_render_object(parameters, 0)}) => any"


def _render_object(schema: dict[str, Any], depth: int) -> str:
    indent = "    " * depth
    required = set(schema.get("required", ()))
    lines = ["{"]
    for name, prop in (schema.get("properties") or {}).items():
        prop = prop if isinstance(prop, dict) else {}
        description = prop.get("description")
        if isinstance(description, str) and description:
            lines.extend(f"{indent}// {escape(line)}" for line in description.splitlines())
        optional = "" if name in required else "?"
        line = f"{indent}{escape(name)}{optional}: {_render_type(prop, depth + 1)},"
        if "default" in prop:
            default = prop["default"]
            # The reference renders enum defaults bare and other defaults as compact
            # JSON with non-ASCII kept (`["居間","寝室"]`), not Python's default form.
            shown = default if "enum" in prop and isinstance(default, str) else _json(default)
            line += f" // default: {escape(shown)}"
        lines.append(line)
    lines.append(f"{indent}}}")
    return "\n".join(lines)


def _render_type(schema: dict[str, Any], depth: int) -> str:
    enum = schema.get("enum")
    kind = schema.get("type")
    if isinstance(enum, list) and enum and kind in (None, "string"):
        rendered = " | ".join(escape(_json(value)) for value in enum)
    elif isinstance(kind, list):
        rendered = " | ".join(_render_type({"type": item}, depth) for item in kind)
    elif kind == "string":
        rendered = "string"
    elif kind in ("integer", "number"):
        rendered = "number"
    elif kind == "boolean":
        rendered = "boolean"
    elif kind == "null":
        rendered = "null"
    elif kind == "array":
        items = schema.get("items")
        rendered = f"{_render_type(items, depth)}[]" if isinstance(items, dict) else "Array<any>"
    elif kind == "object":
        rendered = _render_object(schema, depth)
    elif isinstance(schema.get("oneOf"), list):
        rendered = " | ".join(_render_type(item, depth) for item in schema["oneOf"])
    else:
        rendered = "any"
    if schema.get("nullable") is True:
        rendered += " | null"
    return rendered


def render_system(
    *,
    reasoning_effort: str = "medium",
    knowledge_cutoff: str = DEFAULT_KNOWLEDGE_CUTOFF,
    current_date: str | None = None,
    identity: str = DEFAULT_IDENTITY,
    has_functions: bool = False,
) -> str:
    """Render the harmony system message."""
    header = [escape(identity), f"Knowledge cutoff: {escape(knowledge_cutoff)}"]
    if current_date:
        header.append(f"Current date: {escape(current_date)}")
    body = "\n".join(header)
    body += f"\n\nReasoning: {escape(reasoning_effort.lower())}"
    body += (
        "\n\n# Valid channels: analysis, commentary, final. "
        "Channel must be included for every message."
    )
    if has_functions:
        body += "\nCalls to these tools must go to the commentary channel: 'functions'."
    return f"{START}system{MESSAGE}{body}{END}"


def render_developer(instructions: str | None, tools: Sequence[ToolSpec]) -> str:
    """Render the developer message (instructions and tools); empty when neither."""
    parts = []
    if instructions:
        parts.append(f"# Instructions\n\n{escape(instructions)}")
    if tools:
        parts.append(render_tools(tools))
    if not parts:
        return ""
    return f"{START}developer{MESSAGE}{'\n\n'.join(parts)}{END}"


def render_conversation(
    messages: Sequence[Message],
    tools: Sequence[ToolSpec] = (),
    *,
    reasoning_effort: str = "medium",
    knowledge_cutoff: str = DEFAULT_KNOWLEDGE_CUTOFF,
    current_date: str | None = None,
    identity: str = DEFAULT_IDENTITY,
) -> str:
    """Render a whole conversation as a prompt ending with `<|start|>assistant`.

    A first system message becomes the developer instructions (the harmony system
    message is reserved for identity, dates and reasoning effort); any later system
    message becomes a plain developer message in its place, so context that changes
    every turn can come after the tools and the cached history. As the reference
    does, earlier reasoning is dropped once a later final answer exists; reasoning
    that led to pending tool calls is kept.
    """
    leading = 1 if messages and messages[0].role == "system" else 0
    instructions = messages[0].content if leading else None
    out = [
        render_system(
            reasoning_effort=reasoning_effort,
            knowledge_cutoff=knowledge_cutoff,
            current_date=current_date,
            identity=identity,
            has_functions=bool(tools),
        ),
        render_developer(instructions, tools),
    ]
    names = tool_name_lookup(messages)
    turns = messages[leading:]
    last_final = max(
        (
            index
            for index, message in enumerate(turns)
            if message.role == "assistant" and message.content and not message.tool_calls
        ),
        default=-1,
    )
    for index, message in enumerate(turns):
        out.extend(_render_turn(message, names, keep_reasoning=index > last_final))
    out.append(f"{START}assistant")
    return "".join(out)


def _render_turn(message: Message, names: dict[str, str], *, keep_reasoning: bool) -> list[str]:
    """One message of the conversation after the instructions, as harmony messages."""
    if message.role == "system":
        return (
            [f"{START}developer{MESSAGE}{escape(message.content)}{END}"] if message.content else []
        )
    if message.role == "user":
        return [f"{START}user{MESSAGE}{escape(message.content or '')}{END}"]
    if message.role == "tool":
        name = message.name or names.get(message.tool_call_id or "", "unknown")
        return [
            f"{START}{FUNCTIONS_PREFIX}{escape(name)} to=assistant{CHANNEL}commentary"
            f"{MESSAGE}{escape(message.content or '')}{END}"
        ]
    out: list[str] = []  # the assistant's

    if message.reasoning and keep_reasoning:
        out.append(f"{START}assistant{CHANNEL}analysis{MESSAGE}{escape(message.reasoning)}{END}")
    if message.content:
        # Text next to tool calls is a commentary preamble, else the answer.
        channel = "commentary" if message.tool_calls else "final"
        out.append(f"{START}assistant{CHANNEL}{channel}{MESSAGE}{escape(message.content)}{END}")
    for call in message.tool_calls:
        arguments = escape(_json(call.arguments))
        out.append(
            f"{START}assistant to={FUNCTIONS_PREFIX}{escape(call.name)}{CHANNEL}commentary "
            f"{CONSTRAIN}json{MESSAGE}{arguments}{CALL}"
        )
    return out


# ---------------------------------------------------------------------------- parse


@dataclass(slots=True)
class HarmonyMessage:
    """One parsed message of a completion."""

    role: str
    channel: str | None
    content: str
    recipient: str | None = None
    content_type: str | None = None
    # False when the text ended before the message's end token.
    complete: bool = True


@dataclass(slots=True)
class HarmonyCompletion:
    """A parsed completion: the messages and what they mean to us."""

    messages: list[HarmonyMessage] = field(default_factory=list)
    reasoning: str = ""
    text: str = ""
    tool_calls: list[ToolCall] = field(default_factory=list)
    # Problems that were tolerated (shown in logs and error messages).
    problems: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """Whether the last message was closed by an end token."""
        return not self.messages or self.messages[-1].complete


def split_messages(text: str) -> list[HarmonyMessage]:
    """Split completion text (what follows `<|start|>assistant`) into messages.

    Never raises: a header without `<|message|>` at the very end is dropped as
    truncated; text without any harmony token is one message without channel.
    """
    messages: list[HarmonyMessage] = []
    # The first segment continues the header the prompt opened (role assistant).
    for index, segment in enumerate(text.split(START)):
        if index and not segment:
            continue
        if not segment.strip():
            continue
        header, sep, body = segment.partition(MESSAGE)
        if not sep:
            if _SPECIAL_TOKEN.search(segment) or index:
                # A header cut off before its content: nothing to use.
                continue
            header, body = "", segment
        complete = False
        for end in _MESSAGE_ENDS:
            position = body.find(end)
            if position != -1:
                body = body[:position]
                complete = True
        role, channel, recipient, content_type = _parse_header(header, first=index == 0)
        messages.append(
            HarmonyMessage(
                role=role,
                channel=channel,
                content=unescape(body),
                recipient=unescape(recipient) if recipient else recipient,
                content_type=content_type,
                complete=complete,
            )
        )
    return messages


def _parse_header(header: str, *, first: bool) -> tuple[str, str | None, str | None, str | None]:
    role_part, _, channel_part = header.partition(CHANNEL)
    role = "assistant"
    if not first:
        role = role_part.split(" ", 1)[0].strip() or "assistant"
    recipient_match = _RECIPIENT.search(header)
    recipient = recipient_match.group(1) if recipient_match else None
    channel: str | None = None
    content_type: str | None = None
    if channel_part:
        rest = channel_part.replace(CONSTRAIN, " " + CONSTRAIN)
        words = [word for word in rest.split() if not word.startswith("to=")]
        if words and not words[0].startswith("<|"):
            channel = words[0]
            words = words[1:]
        if words:
            content_type = words[-1]
    return role, channel, recipient, content_type


def parse_completion(text: str) -> HarmonyCompletion:
    """Parse a gpt-oss completion into reasoning, answer text and tool calls.

    Lenient: unknown or missing channels count as answer text; tool calls with
    invalid JSON are reported in `problems` and dropped. Use
    `completion_to_response` to turn the result into an answer or an error.
    """
    result = HarmonyCompletion(messages=split_messages(text))
    if not result.messages and text.strip() and not _SPECIAL_TOKEN.search(text):
        result.messages = [HarmonyMessage("assistant", None, unescape(text))]
    reasoning: list[str] = []
    final: list[str] = []
    preamble: list[str] = []
    for message in result.messages:
        if message.role != "assistant":
            result.problems.append(f"ignored a message from {message.role!r}")
            continue
        recipient = message.recipient
        if recipient and message.channel != "final" and not recipient.startswith("<|"):
            _add_tool_call(result, message, len(result.tool_calls))
        elif message.channel == "analysis":
            reasoning.append(message.content)
        elif message.channel == "commentary":
            preamble.append(message.content)
        else:
            if message.channel not in (None, "final"):
                result.problems.append(f"unknown channel {message.channel!r} read as final")
            final.append(message.content)
    result.reasoning = "\n".join(part for part in reasoning if part)
    result.text = "".join(final) if final else "\n".join(part for part in preamble if part)
    return result


def _add_tool_call(result: HarmonyCompletion, message: HarmonyMessage, index: int) -> None:
    recipient = message.recipient or ""
    if not recipient.startswith(FUNCTIONS_PREFIX):
        result.problems.append(f"ignored a call to unknown tool namespace {recipient!r}")
        return
    name = recipient.removeprefix(FUNCTIONS_PREFIX)
    raw = message.content.strip() or "{}"
    try:
        arguments = json.loads(raw)
    except ValueError:
        state = "truncated" if not message.complete else "invalid"
        result.problems.append(f"tool call {name!r} has {state} JSON arguments: {raw[:200]!r}")
        return
    if not isinstance(arguments, dict):
        result.problems.append(f"tool call {name!r} arguments are not an object: {raw[:200]!r}")
        return
    safe = _NAME_SAFE.sub("_", name)
    result.tool_calls.append(ToolCall(id=f"call_{index}_{safe}", name=name, arguments=arguments))


def completion_to_response(
    completion: HarmonyCompletion, *, finish_reason: str | None = None
) -> LLMResponse:
    """Turn a parsed completion into an answer; raise `LLMResponseError` if unusable.

    Unusable means: no answer text and no valid tool call (for example only
    reasoning was produced before the output was cut off), or a tool call that
    could not be decoded (running half a command is worse than falling back).
    """
    bad_calls = [problem for problem in completion.problems if problem.startswith("tool call")]
    if bad_calls:
        raise LLMResponseError("gpt-oss produced an unusable tool call: " + "; ".join(bad_calls))
    if not completion.text.strip() and not completion.tool_calls:
        detail = "; ".join(completion.problems) or (
            "only reasoning" if completion.reasoning else "empty output"
        )
        raise LLMResponseError(f"gpt-oss produced no answer ({detail})")
    if finish_reason is None:
        if completion.tool_calls:
            finish_reason = "tool_calls"
        else:
            finish_reason = "stop" if completion.complete else "length"
    return LLMResponse(
        text=completion.text,
        tool_calls=tuple(completion.tool_calls),
        reasoning=completion.reasoning or None,
        finish_reason=finish_reason,
    )


_CHANNEL_WORDS: Final = ("analysis", "commentary", "final")
# What a harmony completion looks like once its control tokens were dropped
# (llama-server without `--special`): `analysisThe user…assistantfinalIt is…` or
# `…assistantcommentary to=functions.turn_on json{…}`.
_LOST_TOKENS = re.compile(
    r"^\s*(?:commentary to=functions\.|(?:analysis|commentary|final)"
    r".*?(?:assistant(?:analysis|commentary|final)|commentary to=functions\.))",
    re.DOTALL,
)


def lost_control_tokens(text: str) -> bool:
    """Whether text is harmony output whose control tokens were stripped."""
    return "<|" not in text and _LOST_TOKENS.match(text) is not None


def may_lose_control_tokens(text: str) -> bool:
    """Whether a partial text could still turn out to be output without control tokens.

    True while no control token was seen and the text starts with (or is the start
    of) a channel name; a stream holds such text back instead of showing it.
    """
    if "<|" in text:
        return False
    head = text.lstrip()
    return any(head.startswith(word) or word.startswith(head) for word in _CHANNEL_WORDS)


def visible_text_so_far(text: str) -> tuple[str, str]:
    """Return (reasoning, answer) of a partial completion, for streaming.

    A trailing fragment that may be the start of a special token is held back.
    """
    cut = text.rfind("<")
    if cut != -1 and ">" not in text[cut:]:
        text = text[:cut]
    completion = parse_completion(text)
    final = "".join(
        message.content
        for message in completion.messages
        if message.role == "assistant"
        and not message.recipient
        and message.channel not in ("analysis", "commentary")
    )
    return completion.reasoning, final
