"""Detoxify toxicity scorer: Detoxify's weights and loader, our windowing and batching.

Scores are the model's sigmoid outputs named by the checkpoint's class list,
as ``Detoxify.predict`` returns them. Differences from ``predict``:

* texts longer than the model's input are scored in overlapping windows and
  each label takes its maximum over the windows (``predict`` truncates);
* a batch is split by length under a token budget, so short comments are not
  padded to the longest one; results come back in input order.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from .base import TextScore
from .detoxify_loading import DetoxifySource, LoadedDetoxify, load_detoxify
from .windowing import plan_batches, window_starts


@dataclass(frozen=True)
class DetoxifySettings:
    """How to load and run Detoxify.

    Either ``model_type`` (an official Detoxify model, downloaded where the
    machine can), or ``checkpoint`` (a Detoxify-format ``.ckpt``) together with
    ``huggingface_config_path`` (a local folder with config.json and tokenizer
    files) for offline use.
    """

    model_type: str = "original"
    checkpoint: Path | None = None
    huggingface_config_path: Path | None = None
    device: str = "cpu"
    # int8 dynamic quantization of Linear layers: faster on CPU, scores shift
    # slightly (see docs/scoring.md for the measured difference).
    quantize: bool = False
    # Tokens shared by consecutive windows of a long text, so abuse that
    # straddles a window boundary is seen whole by one window.
    window_overlap: int = 128
    # Upper bound on padded tokens (rows x padded length) per forward pass.
    token_budget: int = 8192
    max_batch_rows: int = 64
    # Fixed cost of one forward pass, in tokens, traded against padding when cutting batches.
    batch_overhead_tokens: int = 128

    def source(self) -> DetoxifySource:
        return DetoxifySource(
            model_type=self.model_type,
            checkpoint=Path(self.checkpoint) if self.checkpoint is not None else None,
            huggingface_config_path=(
                Path(self.huggingface_config_path) if self.huggingface_config_path is not None else None
            ),
            device=self.device,
            quantize=self.quantize,
        )


class DetoxifyScorer:
    """Scorer over a Detoxify model; the model is shared by all instances with the same source."""

    def __init__(self, settings: DetoxifySettings = DetoxifySettings()) -> None:
        self.settings = settings
        self._loaded: LoadedDetoxify = load_detoxify(settings.source())
        self._content_length = self._loaded.max_length - self._loaded.tokenizer.num_special_tokens_to_add(pair=False)
        if self._content_length <= 0:
            raise ValueError(f"model input of {self._loaded.max_length} tokens leaves no room for text")
        # At most half a window of overlap, so windows always advance by at least half a window.
        self._overlap = min(max(settings.window_overlap, 0), self._content_length // 2)
        self.name = "detoxify-local" if settings.checkpoint is not None else f"detoxify-{settings.model_type}"
        self.version = "-".join(
            part
            for part in (
                self._loaded.detoxify_version,
                self._loaded.checkpoint_sha256[:12],
                f"w{self._loaded.max_length}o{self._overlap}",
                "int8" if settings.quantize else "",
            )
            if part
        )

    @property
    def labels(self) -> Sequence[str]:
        return self._loaded.class_names

    @property
    def max_length(self) -> int:
        """Tokens per model input, special tokens included (the window size)."""
        return self._loaded.max_length

    def score(self, texts: Sequence[str]) -> list[TextScore]:
        if not texts:
            return []
        token_ids = self._loaded.encode(list(texts))
        owners: list[int] = []
        inputs: list[list[int]] = []
        for index, ids in enumerate(token_ids):
            for start in window_starts(len(ids), size=self._content_length, overlap=self._overlap):
                owners.append(index)
                inputs.append(
                    self._loaded.tokenizer.build_inputs_with_special_tokens(ids[start : start + self._content_length])
                )
        window_scores = self._run(inputs)

        per_text: list[list[float] | None] = [None] * len(texts)
        window_counts = [0] * len(texts)
        for owner, scores in zip(owners, window_scores):
            best = per_text[owner]
            per_text[owner] = scores if best is None else [max(a, b) for a, b in zip(best, scores)]
            window_counts[owner] += 1
        return [
            TextScore(
                labels=dict(zip(self.labels, scores)),
                details={"windows": window_counts[index], "tokens": len(token_ids[index])},
            )
            for index, scores in enumerate(per_text)
        ]

    def _run(self, inputs: list[list[int]]) -> list[list[float]]:
        import torch

        loaded = self._loaded
        n_labels = len(loaded.class_names)
        pad_id = loaded.tokenizer.pad_token_id or 0
        with_token_types = "token_type_ids" in loaded.tokenizer.model_input_names
        results: list[list[float]] = [[] for _ in inputs]
        batches = plan_batches(
            [len(ids) for ids in inputs],
            token_budget=self.settings.token_budget,
            max_rows=self.settings.max_batch_rows,
            batch_overhead=self.settings.batch_overhead_tokens,
        )
        with torch.inference_mode():
            for batch in batches:
                width = max(len(inputs[i]) for i in batch)
                input_ids = torch.full((len(batch), width), pad_id, dtype=torch.long)
                attention_mask = torch.zeros((len(batch), width), dtype=torch.long)
                for row, item in enumerate(batch):
                    ids = inputs[item]
                    input_ids[row, : len(ids)] = torch.tensor(ids, dtype=torch.long)
                    attention_mask[row, : len(ids)] = 1
                model_inputs: dict[str, Any] = {"input_ids": input_ids, "attention_mask": attention_mask}
                if with_token_types:
                    model_inputs["token_type_ids"] = torch.zeros_like(input_ids)
                model_inputs = {key: value.to(self.settings.device) for key, value in model_inputs.items()}
                logits = loaded.model(**model_inputs)[0]
                # Detoxify names the first len(class_names) outputs; the unbiased
                # model has extra identity outputs that it never reports.
                probabilities = torch.sigmoid(logits[:, :n_labels]).float().cpu().tolist()
                for item, row_scores in zip(batch, probabilities):
                    results[item] = row_scores
        return results
