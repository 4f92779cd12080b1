"""Harmony rendering and parsing, checked against the reference library's output."""

from __future__ import annotations

import pytest

from custom_components.roomsense.llm import harmony
from custom_components.roomsense.llm.base import LLMResponseError, Message, ToolCall, ToolSpec

from . import harmony_reference as ref

WEATHER_FORMAT = {"type": "string", "enum": ["celsius", "fahrenheit"], "default": "celsius"}
TOOLS = [
    ToolSpec("get_location", "Gets the location of the user."),
    ToolSpec(
        "get_current_weather",
        "Gets the current weather in the provided location.",
        {
            "type": "object",
            "properties": {
                "location": {
                    "type": "string",
                    "description": "The city and state, e.g. San Francisco, CA",
                },
                "format": WEATHER_FORMAT,
            },
            "required": ["location"],
        },
    ),
    ToolSpec(
        "get_multiple_weathers",
        "Gets the current weather in the provided list of locations.",
        {
            "type": "object",
            "properties": {
                "locations": {
                    "type": "array",
                    "items": {"type": "string"},
                    "description": 'List of city and state, e.g. ["San Francisco, CA", '
                    '"New York, NY"]',
                },
                "format": WEATHER_FORMAT,
            },
            "required": ["locations"],
        },
    ),
    ToolSpec(
        "misc",
        "Misc types.",
        {
            "type": "object",
            "properties": {
                "n": {"type": "integer"},
                "x": {"type": "number", "description": "a number"},
                "b": {"type": "boolean"},
                "o": {
                    "type": "object",
                    "properties": {"a": {"type": "string"}},
                    "required": ["a"],
                },
                "u": {"type": ["string", "null"]},
                "any": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
                "e": {"type": "integer", "enum": [1, 2]},
                "empty": {"type": "object"},
                "arr": {
                    "type": "array",
                    "items": {"type": "object", "properties": {"k": {"type": "string"}}},
                },
                "nodesc": {},
            },
            "required": ["n"],
        },
    ),
    ToolSpec("empty_obj", "No properties.", {"type": "object", "properties": {}}),
]


def test_render_full_conversation_matches_reference() -> None:
    """System, developer with tools, analysis, a tool call and its result."""
    messages = [
        Message("system", "Always respond in riddles"),
        Message("user", "What is the weather like in SF?"),
        Message(
            "assistant",
            reasoning="Need to use function get_current_weather.",
            tool_calls=(ToolCall("call_1", "get_current_weather", {"location": "San Francisco"}),),
        ),
        Message("tool", '{"sunny": true, "temperature": 20}', tool_call_id="call_1"),
    ]
    rendered = harmony.render_conversation(
        messages, TOOLS, reasoning_effort="high", current_date="2025-06-28"
    )
    assert rendered == ref.FULL


def test_render_simple_matches_reference() -> None:
    rendered = harmony.render_conversation([Message("user", "Hi")])
    assert rendered == ref.SIMPLE


def test_render_drops_reasoning_before_final_answer() -> None:
    messages = [
        Message("system", "Be brief."),
        Message("user", "Hi"),
        Message("assistant", "Hello!", reasoning="User greets."),
        Message("user", "Turn on fan"),
    ]
    assert harmony.render_conversation(messages, reasoning_effort="low") == ref.MULTI
    assert "User greets." not in harmony.render_conversation(messages)


def test_render_tools_without_instructions_matches_reference() -> None:
    rendered = harmony.render_conversation(
        [Message("user", "x")], TOOLS[:1], current_date="2025-01-02"
    )
    assert rendered == ref.NOINSTR


def test_render_developer_part_from_notes() -> None:
    """The developer part quoted in llm-notes §5.2 (from the real library)."""
    tool = ToolSpec(
        "turn_on",
        "Turn a device on",
        {"type": "object", "properties": {"device": {"type": "string"}}, "required": ["device"]},
    )
    assert harmony.render_tools([tool]) == (
        "# Tools\n\n## functions\n\nnamespace functions {\n\n// Turn a device on\n"
        "type turn_on = (_: {\ndevice: string,\n}) => any;\n\n} // namespace functions"
    )


def test_render_tool_result_uses_name_or_call_lookup() -> None:
    """Tool results are addressed from functions.NAME to assistant (llm-notes §5.2)."""
    by_name = harmony.render_conversation([Message("tool", '{"ok":1}', name="turn_on")])
    assert (
        "<|start|>functions.turn_on to=assistant<|channel|>commentary"
        '<|message|>{"ok":1}<|end|><|start|>assistant'
    ) in by_name


def test_render_preamble_and_parallel_calls() -> None:
    messages = [
        Message(
            "assistant",
            "Switching both.",
            tool_calls=(ToolCall("a", "turn_on", {"d": "fan"}), ToolCall("b", "turn_on", {})),
        ),
    ]
    rendered = harmony.render_conversation(messages)
    assert "<|start|>assistant<|channel|>commentary<|message|>Switching both.<|end|>" in rendered
    assert rendered.count("to=functions.turn_on<|channel|>commentary <|constrain|>json") == 2
    assert '<|message|>{"d":"fan"}<|call|>' in rendered


# Completions and what the reference library parsed out of them (llm-notes §5.2, §5.3).
TOOL_CALL_COMPLETION = (
    "<|channel|>analysis<|message|>User asks weather.<|end|><|start|>assistant<|channel|>"
    "commentary to=functions.get_current_weather <|constrain|>json<|message|>"
    '{"location":"San Francisco"}<|call|>'
)


def test_parse_tool_call_like_reference() -> None:
    messages = harmony.split_messages(TOOL_CALL_COMPLETION)
    assert [(m.role, m.channel, m.recipient, m.content_type) for m in messages] == [
        ("assistant", "analysis", None, None),
        ("assistant", "commentary", "functions.get_current_weather", "<|constrain|>json"),
    ]
    response = harmony.completion_to_response(harmony.parse_completion(TOOL_CALL_COMPLETION))
    assert response.reasoning == "User asks weather."
    assert response.text == ""
    assert [(c.name, c.arguments) for c in response.tool_calls] == [
        ("get_current_weather", {"location": "San Francisco"})
    ]
    assert response.finish_reason == "tool_calls"


def test_parse_recipient_in_role_header() -> None:
    """`<|start|>assistant to=functions.x<|channel|>commentary json` (reference: json type)."""
    text = (
        "<|channel|>analysis<|message|>x<|end|><|start|>assistant to=functions.turn_on"
        '<|channel|>commentary json<|message|>{"a":1}<|call|>'
    )
    messages = harmony.split_messages(text)
    assert (messages[1].recipient, messages[1].content_type) == ("functions.turn_on", "json")
    assert harmony.parse_completion(text).tool_calls == [
        ToolCall("call_0_turn_on", "turn_on", {"a": 1})
    ]


def test_parse_final_answer() -> None:
    text = (
        "<|channel|>analysis<|message|>Simple.<|end|><|start|>assistant<|channel|>final"
        "<|message|>It is sunny.<|return|>"
    )
    response = harmony.completion_to_response(harmony.parse_completion(text))
    assert (response.text, response.reasoning, response.finish_reason) == (
        "It is sunny.",
        "Simple.",
        "stop",
    )


def test_parse_completion_that_repeats_start_assistant() -> None:
    text = "<|start|>assistant<|channel|>final<|message|>Hi there<|end|>"
    assert harmony.parse_completion(text).text == "Hi there"


def test_final_with_constrain_is_not_a_tool_call() -> None:
    """The reference reads `final <|constrain|>json` as recipient '<|constrain|>json'."""
    text = '<|channel|>final <|constrain|>json<|message|>{"a": 1}<|return|>'
    completion = harmony.parse_completion(text)
    assert completion.tool_calls == []
    assert completion.text == '{"a": 1}'


def test_truncated_final_answer_is_kept_with_length_reason() -> None:
    text = (
        "<|channel|>analysis<|message|>Ok.<|end|><|start|>assistant<|channel|>final"
        "<|message|>The fan is"
    )
    response = harmony.completion_to_response(harmony.parse_completion(text))
    assert response.text == "The fan is"
    assert response.finish_reason == "length"


def test_stopped_on_call_token_without_it() -> None:
    """llama.cpp stops on `<|call|>` and leaves it out of the text."""
    text = '<|channel|>commentary to=functions.turn_on <|constrain|>json<|message|>{"device":"fan"}'
    response = harmony.completion_to_response(harmony.parse_completion(text))
    assert response.tool_calls[0].arguments == {"device": "fan"}


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("", "empty output"),
        ("<|channel|>analysis<|message|>Thinking about it and then", "only reasoning"),
        ("<|channel|>analysis<|message|>Ok<|end|><|start|>assistant<|channel|>fin", "only"),
        (
            '<|channel|>commentary to=functions.turn_on <|constrain|>json<|message|>{"device":',
            "truncated JSON",
        ),
        (
            "<|channel|>commentary to=functions.turn_on <|constrain|>json<|message|>{oops}<|call|>",
            "invalid JSON",
        ),
        (
            "<|channel|>commentary to=functions.turn_on<|message|>[1, 2]<|call|>",
            "not an object",
        ),
        ("<|channel|>commentary to=browser.search<|message|>{}<|call|>", "unknown tool namespace"),
        ("<|start|>functions.x to=assistant<|channel|>commentary<|message|>{}<|end|>", "from"),
    ],
)
def test_unusable_completions_raise_response_error(text: str, match: str) -> None:
    with pytest.raises(LLMResponseError, match=match):
        harmony.completion_to_response(harmony.parse_completion(text))


def test_missing_and_unknown_channels_read_as_answer() -> None:
    assert harmony.parse_completion("Plain answer without tokens.").text == (
        "Plain answer without tokens."
    )
    completion = harmony.parse_completion("<|channel|>finale<|message|>Done.<|end|>")
    assert completion.text == "Done."
    assert completion.problems == ["unknown channel 'finale' read as final"]
    assert harmony.parse_completion("<|message|>No header.<|end|>").text == "No header."


def test_commentary_preamble_is_text_when_no_final() -> None:
    text = (
        "<|channel|>commentary<|message|>Turning it on.<|end|><|start|>assistant"
        "<|channel|>commentary to=functions.turn_on <|constrain|>json<|message|>{}<|call|>"
    )
    response = harmony.completion_to_response(harmony.parse_completion(text))
    assert response.text == "Turning it on."
    assert response.tool_calls[0].arguments == {}


def test_visible_text_holds_back_partial_tokens() -> None:
    base = (
        "<|channel|>analysis<|message|>Hmm<|end|><|start|>assistant<|channel|>final<|message|>Hel"
    )
    assert harmony.visible_text_so_far(base) == ("Hmm", "Hel")
    assert harmony.visible_text_so_far(base + "lo<|re") == ("Hmm", "Hello")
    assert harmony.visible_text_so_far("<|channel|>analysis<|message|>Hmm<|en") == ("Hmm", "")
