"""Score texts that are not comments with the workers' scorers and a site's policy, writing nothing.

Reads the site and its flag policy; never saves either (an unsaved ``FlagPolicy``
stands in for a site without one, as ``flags_evaluate`` does), and the scorers
come from ``loaded_scorers.scorers_without_store`` so no embedding is kept.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

from comments.models import Site
from judgement.io import Row
from judgement.scorers.base import Scorer, TextScore

from .. import loaded_scorers, policy
from ..models import FlagPolicy, Score
from ..selectors.policy import site_policy as site_policy_of

BATCH_SIZE = 64


class UnknownSite(LookupError):
    pass


@dataclass(frozen=True)
class OfflineSetup:
    site: Site | None
    site_policy: FlagPolicy  # the site's own, or an unsaved default
    scorers: loaded_scorers.StorelessScorers

    def by_kind(self) -> dict[str, Scorer]:
        """The scorers under the names stored scores use (``Score.Kind``)."""
        return {Score.Kind.TOXICITY.value: self.scorers.toxicity.scorer, Score.Kind.FRAMING.value: self.scorers.framing}

    def models(self) -> dict[str, dict[str, str]]:
        return {kind: {"name": scorer.name, "version": scorer.version} for kind, scorer in self.by_kind().items()}


@dataclass(frozen=True)
class TextResult:
    scores: dict[str, dict[str, float]]  # labels by scorer kind
    verdict: policy.Verdict
    evidence: list[dict]  # the framing analyzer's spans, with their roles

    def labels(self) -> dict[str, float]:
        return _merged(self.scores)


def _merged(scores: dict[str, dict[str, float]]) -> dict[str, float]:
    # Toxicity first, framing over it: the order flags_evaluate merges a comment's stored scores in.
    return {label: value for kind_labels in scores.values() for label, value in kind_labels.items()}


def offline_setup(*, site_slug: str | None) -> OfflineSetup:
    """The scorers and policy the workers would use for ``site_slug`` (or for a site with no policy)."""
    site, site_policy = None, FlagPolicy()
    if site_slug:
        site = Site.objects.filter(slug=site_slug).first()
        if site is None:
            raise UnknownSite(f"no site {site_slug!r}")
        site_policy = site_policy_of(site=site)  # a read: this must write nothing
    scorers = loaded_scorers.scorers_without_store(extra_terms=site_policy.framing_terms or None)
    return OfflineSetup(site=site, site_policy=site_policy, scorers=scorers)


def score_batch(*, setup: OfflineSetup, texts: list[str]) -> list[TextResult]:
    """One result per text: every scorer over the whole batch, then the site's policy per text."""
    by_kind: dict[str, list[TextScore]] = {
        kind: scorer.score(texts) for kind, scorer in setup.by_kind().items()
    }
    results = []
    for index, text in enumerate(texts):
        # As _score_rows stores them: plain floats, so the policy sees what flags_evaluate would.
        scores = {kind: {label: float(v) for label, v in got[index].labels.items()} for kind, got in by_kind.items()}
        # The same call, with the same policy fields, as flags_evaluate.
        verdict = policy.evaluate(
            labels=_merged(scores),
            text=text,
            site_rules=setup.site_policy.rules,
            banned_words=setup.site_policy.banned_words,
            suspect_words=setup.site_policy.suspect_words,
        )
        evidence = [span.as_dict() for span in by_kind[Score.Kind.FRAMING.value][index].spans]
        results.append(TextResult(scores=scores, verdict=verdict, evidence=evidence))
    return results


def scored_rows(
    *,
    setup: OfflineSetup,
    rows: Iterable[Row],
    text_field: str,
    on_bad: Callable[[Row], None],
    on_progress: Callable[[int], None] | None = None,
    batch_size: int = BATCH_SIZE,
) -> Iterator[tuple[Row, TextResult]]:
    """The good rows with their results, in input order, scored ``batch_size`` at a time;
    each bad row goes to ``on_bad`` as it is read (or, for a text a scorer fails on, once
    that is known) and the reading goes on."""
    batch: list[Row] = []
    done = 0

    def flush() -> Iterator[tuple[Row, TextResult]]:
        nonlocal done
        yield from _score_or_isolate(setup=setup, batch=batch, text_field=text_field, on_bad=on_bad)
        done += len(batch)
        batch.clear()
        if on_progress:
            on_progress(done)

    for row in rows:
        if row.error is not None:
            on_bad(row)
            continue
        batch.append(row)
        if len(batch) >= batch_size:
            yield from flush()
    if batch:
        yield from flush()


def _score_or_isolate(
    *, setup: OfflineSetup, batch: list[Row], text_field: str, on_bad: Callable[[Row], None]
) -> Iterator[tuple[Row, TextResult]]:
    """As the workers do: when a batch fails, each text alone, so one text a model
    cannot take fails by itself (reported as a bad row) and the others are scored."""
    try:
        results = score_batch(setup=setup, texts=[row.row[text_field] for row in batch])
    except Exception as error:  # any scorer failure; which text caused it is found below
        results, failure = None, f"scoring failed: {type(error).__name__}: {error}"
    if results is not None:
        yield from zip(batch, results, strict=True)
    elif len(batch) == 1:
        on_bad(Row(batch[0].line, None, failure))
    else:
        for row in batch:
            yield from _score_or_isolate(setup=setup, batch=[row], text_field=text_field, on_bad=on_bad)
