"""Turn texts into content token ids (no special tokens) as fast as the tokenizer allows.

Detoxify's checkpoints name slow, pure-Python tokenizers (``BertTokenizer``,
``RobertaTokenizer``...). The Rust equivalent is an order of magnitude faster on
large batches, so it is used when it reproduces the slow tokenizer's ids on a
probe set; otherwise the slow tokenizer is kept, because matching Detoxify's
tokenization matters more than speed.
"""
from __future__ import annotations

import logging
from typing import Any, Callable, Sequence

logger = logging.getLogger(__name__)

Encoder = Callable[[Sequence[str]], list[list[int]]]

# Casing, accents, CJK, emoji, punctuation runs, URLs, odd whitespace and a
# long unknown word: the places where slow and fast tokenizers tend to disagree.
_PROBES: tuple[str, ...] = (
    "Hello, World! You're SO wrong...",
    "Crème brûlée à la française, naïve café — déjà vu.",
    "東京 and 北京 are cities; 😀🔥 emoji!!!",
    "visit https://example.com/a?b=c&d=e #tag @user",
    "  leading\tand\ttrailing   spaces \n newline ",
    "supercalifragilisticexpialidocious unbelievably",
    "",
)


def make_encoder(tokenizer: Any) -> tuple[Encoder, str]:
    """Return ``(encode, kind)``: ``encode(texts)`` gives content ids; ``kind`` says which path is used."""
    if getattr(tokenizer, "is_fast", False):
        return _tokenizer_encoder(tokenizer), "fast"
    backend = _converted_backend(tokenizer)
    if backend is not None:
        return _backend_encoder(backend), "converted"
    return _tokenizer_encoder(tokenizer), "slow"


def _tokenizer_encoder(tokenizer: Any) -> Encoder:
    def encode(texts: Sequence[str]) -> list[list[int]]:
        # verbose=False: long texts are windowed by the caller, so the
        # "sequence longer than the maximum" warning would only be noise.
        return tokenizer(list(texts), add_special_tokens=False, truncation=False, verbose=False)["input_ids"]

    return encode


def _backend_encoder(backend: Any) -> Encoder:
    def encode(texts: Sequence[str]) -> list[list[int]]:
        return [encoding.ids for encoding in backend.encode_batch(list(texts), add_special_tokens=False)]

    return encode


def _converted_backend(tokenizer: Any) -> Any | None:
    try:
        from transformers.convert_slow_tokenizer import convert_slow_tokenizer

        backend = convert_slow_tokenizer(tokenizer)
    except Exception as exc:  # any converter failure just means "stay on the slow path"
        logger.info("keeping slow tokenizer %s: %s", type(tokenizer).__name__, exc)
        return None
    backend.no_truncation()
    backend.no_padding()
    slow = _tokenizer_encoder(tokenizer)(_PROBES)
    fast = _backend_encoder(backend)(_PROBES)
    if slow != fast:
        logger.warning("keeping slow tokenizer %s: converted tokenizer disagrees on probes", type(tokenizer).__name__)
        return None
    return backend
