"""Write a tiny random GGUF model that a real llama-server loads in well under a second.

A `llama`-architecture file: 2 blocks, width 64, random F32 weights, a byte-level `gpt2`
tokenizer (the 256 byte tokens, one BPE merge, which the loader requires) plus the harmony
markers as CONTROL tokens. Its output is random text; tests force exact strings with a GBNF
grammar. The `gguf` package is imported only when a model is written, so a test module can
import this one and skip when `gguf` is missing.
"""

from __future__ import annotations

from pathlib import Path

HARMONY_TOKENS = (
    "<|start|>",
    "<|end|>",
    "<|message|>",
    "<|channel|>",
    "<|constrain|>",
    "<|return|>",
    "<|call|>",
)
# One merge whose result is in the vocabulary (llama.cpp refuses a BPE vocabulary without).
MERGE = ("o", "n")

N_EMBD = 64
N_BLOCKS = 2
N_HEAD = 4
N_FF = 128
# Trained context: at least the add-on's default (llama-server caps `-c` at this).
N_CTX = 32768


def byte_tokens() -> list[str]:
    """GPT-2's byte-to-unicode table: the text of the 256 byte-level tokens, in byte order."""
    printable = (
        list(range(ord("!"), ord("~") + 1))
        + list(range(ord("¡"), ord("¬") + 1))
        + list(range(ord("®"), ord("ÿ") + 1))
    )
    mapping: dict[int, str] = {b: chr(b) for b in printable}
    extra = 0
    for b in range(256):
        if b not in mapping:
            mapping[b] = chr(256 + extra)
            extra += 1
    return [mapping[b] for b in range(256)]


def vocabulary() -> tuple[list[str], list[int]]:
    """Token texts and token types (as `gguf.TokenType` values)."""
    normal, control = 1, 3
    tokens = [*byte_tokens(), "".join(MERGE), *HARMONY_TOKENS]
    types = [normal] * (256 + 1) + [control] * len(HARMONY_TOKENS)
    return tokens, types


def write_tiny_model(path: Path, *, seed: int = 0) -> Path:
    """Write the model to `path` and return it."""
    import gguf
    import numpy as np

    tokens, types = vocabulary()
    n_vocab = len(tokens)
    rng = np.random.default_rng(seed)

    def weights(*shape: int) -> np.ndarray:
        return (rng.standard_normal(shape) * 0.02).astype(np.float32)

    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_name("roomsense-tiny-test")
    writer.add_file_type(gguf.LlamaFileType.ALL_F32)
    writer.add_vocab_size(n_vocab)
    writer.add_context_length(N_CTX)
    writer.add_embedding_length(N_EMBD)
    writer.add_block_count(N_BLOCKS)
    writer.add_feed_forward_length(N_FF)
    writer.add_head_count(N_HEAD)
    writer.add_head_count_kv(N_HEAD)
    writer.add_rope_dimension_count(N_EMBD // N_HEAD)
    writer.add_layer_norm_rms_eps(1e-5)
    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre("default")
    writer.add_token_list(tokens)
    writer.add_token_types(types)
    writer.add_token_merges([" ".join(MERGE)])
    writer.add_bos_token_id(tokens.index("<|start|>"))
    writer.add_eos_token_id(tokens.index("<|return|>"))
    writer.add_add_bos_token(False)

    writer.add_tensor("token_embd.weight", weights(n_vocab, N_EMBD))
    writer.add_tensor("output_norm.weight", np.ones(N_EMBD, dtype=np.float32))
    writer.add_tensor("output.weight", weights(n_vocab, N_EMBD))
    for block in range(N_BLOCKS):
        prefix = f"blk.{block}."
        writer.add_tensor(prefix + "attn_norm.weight", np.ones(N_EMBD, dtype=np.float32))
        for name in ("attn_q", "attn_k", "attn_v", "attn_output"):
            writer.add_tensor(prefix + name + ".weight", weights(N_EMBD, N_EMBD))
        writer.add_tensor(prefix + "ffn_norm.weight", np.ones(N_EMBD, dtype=np.float32))
        writer.add_tensor(prefix + "ffn_gate.weight", weights(N_FF, N_EMBD))
        writer.add_tensor(prefix + "ffn_up.weight", weights(N_FF, N_EMBD))
        writer.add_tensor(prefix + "ffn_down.weight", weights(N_EMBD, N_FF))

    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path
