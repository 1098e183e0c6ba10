"""A hand-made mutation sample over the guards: does the suite notice when one goes?

Each mutant is one small bug (a guard's condition dropped, a boundary moved,
a lookup no longer scoped to its site) in one file, with the few test files
that should catch it. For each, this script writes the bug into a temporary
copy of the tree (never the working tree), runs those tests with ``-x -q``
and records whether they failed (killed) or passed (survived). It prints the
kill rate and the survivors, and exits 1 when the rate is under ``--min``.

    .venv/bin/python scripts/mutants.py            # all of them, one after the other (about 6 minutes)
    .venv/bin/python scripts/mutants.py --only decision-guard undo-version   # some
    .venv/bin/python scripts/mutants.py --list     # what the sample holds

It uses the databases the tests use (``DATABASE_URL`` and ``REDIS_URL``, or
the test settings' defaults, as ``make test``), so PostgreSQL and Redis must
be up (``scripts/services.sh`` starts them). The copy is the tracked and
untracked-but-not-ignored files (``git ls-files``), with ``.venv`` and
``../shared`` linked, in a temporary folder removed at the end. The mutants
run one at a time on one test database (``--reuse-db``), after a baseline
run of every test file named here on the unmutated copy (skip it with
``--no-baseline``): a test that fails unmutated would count as a kill.
``--before`` leaves out the ``test_guards_*`` files, to measure the suite
without them (the other files named here, ``tests/work/`` included, stay). When a mutant's text is no longer in its file (the code
moved), the script says so and stops: update the mutant, do not drop it
quietly.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Mutant:
    name: str
    file: str
    original: str
    mutated: str
    tests: tuple[str, ...]
    count: int = 1  # how many times ``original`` occurs (all of them are mutated)


T_DECISIONS = ("tests/moderation/test_guards_decisions.py", "tests/moderation/test_decisions.py")
T_INGESTION = ("tests/comments/test_guards_ingestion.py", "tests/comments/test_ingestion.py",
               "tests/comments/test_threads.py")
T_POLICY = ("tests/moderation/test_guards_flags.py", "tests/moderation/test_flag_policy.py")
T_SCORING = ("tests/moderation/test_guards_scoring.py", "tests/moderation/test_scoring_pipeline.py")
T_DELIVERIES = ("tests/webhooks/test_guards_leases.py", "tests/webhooks/test_secrets_and_sweeps.py")
T_OUTBOUND = ("tests/webhooks/test_guards_leases.py", "tests/webhooks/test_outbound.py")
T_SIGNING = ("tests/webhooks/test_signing.py", "tests/webhooks/test_generic_endpoint.py")
# A guard of work/ protects the three work tables at once: the module's tests and every table's.
T_LEASE = tuple(dict.fromkeys(("tests/work/test_lease.py", "tests/work/test_backoff_and_alone.py",
                               "tests/work/test_wakeups.py", *T_SCORING, *T_DELIVERIES, *T_OUTBOUND)))
T_KEYS = ("tests/perspective/test_guards_keys.py", "tests/perspective/test_keys.py")
T_ROLLUPS = ("tests/analytics/test_guards_rollups.py", "tests/analytics/test_rollups.py")

DECISIONS = "moderation/services/decisions.py"
INGESTION = "comments/services.py"
SCORING = "moderation/services/scoring.py"
FLAGS = "moderation/services/flags.py"
DELIVERIES = "webhooks/services/deliveries.py"
OUTBOUND = "webhooks/services/outbound.py"
ROLLUPS = "analytics/services/rollups.py"
LEASE = "work/lease.py"

MUTANTS: tuple[Mutant, ...] = (
    # Decisions ----------------------------------------------------------------
    Mutant("decision-guard", DECISIONS,
           "filter(pk=comment.pk, version=expected_version, state=review.state).update(",
           "filter(pk=comment.pk).update(", T_DECISIONS),
    Mutant("decision-precheck-and-guard", DECISIONS,
           "if review.version != expected_version:\n            raise",
           "if False:\n            raise", T_DECISIONS),
    Mutant("undo-version", DECISIONS,
           "pk=decision.comment_id, version=decision.review_version, state=after[\"state\"]",
           "pk=decision.comment_id, state=after[\"state\"]", T_DECISIONS),
    Mutant("undo-state-and-version", DECISIONS,
           "pk=decision.comment_id, version=decision.review_version, state=after[\"state\"]",
           "pk=decision.comment_id", T_DECISIONS),
    Mutant("reason-other-site", DECISIONS,
           "reason is None or reason.site_id != comment.site_id or not reason.active",
           "reason is None or not reason.active", T_DECISIONS),
    Mutant("reason-retired", DECISIONS,
           "reason is None or reason.site_id != comment.site_id or not reason.active",
           "reason is None or reason.site_id != comment.site_id", T_DECISIONS),
    Mutant("escalated-needs-senior", DECISIONS,
           "review.state == State.ESCALATED and not role_allows(role, Role.SENIOR)",
           "review.state == State.ESCALATED and not role_allows(role, Role.MODERATOR)", T_DECISIONS),
    Mutant("claim-holder", DECISIONS,
           "if holder is not None and holder.user_id != user.pk:",
           "if False:", T_DECISIONS),
    Mutant("undo-window", DECISIONS,
           "if last.created_at < now - dt.timedelta(seconds=window):",
           "if False:", T_DECISIONS),
    # Ingestion ----------------------------------------------------------------
    Mutant("existing-lookup-site", INGESTION,
           "existing = Comment.objects.select_for_update().filter(site=site, external_id=data.external_id).first()",
           "existing = Comment.objects.select_for_update().filter(external_id=data.external_id).first()", T_INGESTION),
    Mutant("parent-lookup-site", INGESTION,
           "parent = Comment.objects.filter(site=site, external_id=data.parent_external_id).first()",
           "parent = Comment.objects.filter(external_id=data.parent_external_id).first()", T_INGESTION),
    Mutant("early-replies-site", INGESTION,
           "early = Comment.objects.filter(site_id=parent.site_id, awaiting_parent_external_id=parent.external_id)",
           "early = Comment.objects.filter(awaiting_parent_external_id=parent.external_id)", T_INGESTION),
    Mutant("adopt-across-articles", INGESTION,
           "if reply.article_id != parent.article_id:", "if False:", T_INGESTION),
    Mutant("subtree-substr-minus-one", INGESTION,
           "Substr(\"path\", len(root.path) + 1)", "Substr(\"path\", len(root.path))", T_INGESTION),
    Mutant("subtree-substr-plus-one", INGESTION,
           "Substr(\"path\", len(root.path) + 1)", "Substr(\"path\", len(root.path) + 2)", T_INGESTION),
    Mutant("restore-removed-check", INGESTION,
           "status=Comment.Status.REMOVED, removed_at__isnull=False)", "status=Comment.Status.REMOVED)", T_INGESTION),
    Mutant("restore-site", INGESTION,
           "filter(site=site, external_id=external_id, status=Comment.Status.REMOVED, removed_at__isnull=False)",
           "filter(external_id=external_id, status=Comment.Status.REMOVED, removed_at__isnull=False)", T_INGESTION),
    Mutant("remove-lookup-site", INGESTION,
           "comment = Comment.objects.select_for_update().filter(site=site, external_id=external_id).first()",
           "comment = Comment.objects.select_for_update().filter(external_id=external_id).first()", T_INGESTION),
    Mutant("stale-edit", INGESTION,
           "data.edited_at < comment.edited_at", "data.edited_at > comment.edited_at", T_INGESTION),
    Mutant("edit-other-article", INGESTION,
           "if comment.article_id != article.pk:", "if False:", T_INGESTION),
    # Policy and flags ---------------------------------------------------------
    Mutant("threshold-boundary", "moderation/policy.py",
           "if score >= threshold:", "if score > threshold:", T_POLICY),
    Mutant("escalated-counts-as-decided", FLAGS,
           ".exclude(state=Review.State.OPEN)",
           ".filter(state__in=[Review.State.APPROVED, Review.State.REJECTED])", T_POLICY),
    Mutant("clear-releases-decided-hold", FLAGS,
           "if not decided:\n                _release_hold(flag)", "_release_hold(flag)", T_POLICY),
    Mutant("review-releases-decided-hold", FLAGS,
           "if state != FlagState.HELD and not decided:", "if state != FlagState.HELD:", T_POLICY),
    Mutant("release-only-policy-holds", FLAGS,
           "if flag.held_by_policy:\n        comment_set_status", "if True:\n        comment_set_status", T_POLICY),
    # Scoring (its own part; its lease is work/lease.py, below) --------------
    Mutant("store-content-hash", SCORING,  # the text condition scoring adds to lease_finish
           "also=Q(comment__content_hash=comment.content_hash),", "also=None,", T_SCORING),
    Mutant("scoring-stale-enqueue", SCORING,
           "Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=stale_cutoff)", "Q(enqueued_at__isnull=True)", T_SCORING),
    Mutant("scoring-fresh-enqueue", SCORING,
           "Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=stale_cutoff)",
           "Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=now)", T_SCORING),
    # Deliveries and outbound events (their own part) -------------------------
    Mutant("delivery-lease-lost-rolls-back", DELIVERIES,  # was delivery-done-claim: how deliveries answer a lost lease
           "raise LeaseLost()  # someone", "pass  # someone", T_DELIVERIES),
    Mutant("delivery-refused-final", DELIVERIES,
           "error=f\"refused: {refused}\", final=True)", "error=f\"refused: {refused}\", final=False)",
           ("tests/webhooks/test_guards_leases.py", "tests/webhooks/test_thread_rules.py")),
    Mutant("outbound-not-due", OUTBOUND,  # a pending event waits for its next_attempt_at: the table says so
           "backoff_seconds=_backoff_seconds, ready_waits=True,", "backoff_seconds=_backoff_seconds,", T_OUTBOUND),
    Mutant("outbound-lease-time", OUTBOUND,  # was outbound-sweep-live-sends: a send's lease outlasts its HTTP timeouts
           "lease_seconds=lambda: settings.OUTBOUND_TIMEOUT_SECONDS * 3 + 30,",
           "lease_seconds=lambda: settings.OUTBOUND_TIMEOUT_SECONDS,", T_OUTBOUND),
    # The lease of the three work tables (work/): one guard, every table's tests --
    Mutant("lease-finish-holder", LEASE,  # was store-claim, delivery-done-claim, outbound-delivered-claim
           "mine = lease_held(lease, holder=holder).filter(pk=pk)\n    if also",
           "mine = lease.objects.filter(pk=pk)\n    if also", T_LEASE),
    Mutant("lease-finish-also", LEASE,  # the caller's condition (scoring's text hash) ignored
           "mine = mine.filter(also)", "mine = mine", T_LEASE),
    Mutant("lease-finish-lost-told", LEASE,  # a finish under a lost lease says it worked
           "return bool(mine.update(state=lease.done, claimed_by=\"\", claimed_at=None, last_error=\"\", **values))",
           "mine.update(state=lease.done, claimed_by=\"\", claimed_at=None, last_error=\"\", **values)\n"
           "    return True", T_LEASE),
    Mutant("lease-failure-holder", LEASE,  # was scoring-failure-claim, delivery-failure-claim
           "mine = lease_held(lease, holder=holder).filter(pk=pk)\n    attempts",
           "mine = lease.objects.filter(pk=pk, state=lease.held)\n    attempts", T_LEASE),
    Mutant("lease-failure-lost-told", LEASE,  # a failure counted after the lease was lost says it was counted
           "    if not mine.update(**values):\n        return Failure.LOST\n", "    mine.update(**values)\n", T_LEASE),
    Mutant("lease-take-others", LEASE,  # was scoring-claim-others: hinted rows taken whatever their state
           "lease.objects.filter(Q(pk__in=hint_ids) & (lease_due(lease, now=now) | mine)).update(**take)",
           "lease.objects.filter(Q(pk__in=hint_ids)).update(**take)", T_LEASE),
    Mutant("lease-take-mine-others", LEASE,  # was delivery-take-others-claim (a batch's hint)
           "mine = Q(state=lease.held, claimed_by=holder)", "mine = Q(state=lease.held)", T_LEASE),
    Mutant("lease-take-one-others", LEASE,  # was delivery-take-others-claim (one delivery, one outbound send)
           "lease_due(lease, now=now) | Q(state=lease.held, claimed_by=holder), pk=pk)",
           "lease_due(lease, now=now) | Q(state=lease.held), pk=pk)", T_LEASE),
    Mutant("lease-retry-not-due", LEASE,  # was delivery-retry-not-due
           "retry = Q(state=lease.retry, next_attempt_at__lte=now)", "retry = Q(state=lease.retry)", T_LEASE),
    Mutant("lease-top-up-not-due", LEASE,  # was delivery-batch-extra-not-due
           "due = lease_due(lease, now=now)\n            extra",
           "due = Q(state__in={lease.ready, lease.retry})\n            extra", T_LEASE),
    Mutant("lease-top-up-due", LEASE,  # was scoring-top-up-pending
           "lease.objects.filter(due, pk__in=extra).update(**take)", "lease.objects.filter(pk__in=extra).update(**take)",
           T_LEASE),
    Mutant("lease-max-attempts", LEASE,  # was scoring-max-attempts
           "dead = final or attempts >= lease.max_attempts()", "dead = final or attempts > lease.max_attempts()", T_LEASE),
    Mutant("lease-backoff", LEASE,  # was delivery-backoff, outbound-backoff
           "next_try = (now or timezone.now()) + backoff_delay(attempts=attempts, base_seconds=base, cap_seconds=cap)",
           "next_try = now or timezone.now()", T_LEASE),
    Mutant("backoff-growth", "work/backoff.py",  # was delivery-backoff-growth
           "base_seconds * 2**doublings", "base_seconds * max(1, attempts)", T_LEASE),
    Mutant("lease-sweep-live-leases", LEASE,  # was delivery-sweep-live-claims, outbound-sweep-live-sends
           "lease.objects.filter(state=lease.held, claimed_at__lt=cutoff)", "lease.objects.filter(state=lease.held)",
           T_LEASE),
    Mutant("lease-sweep-cutoff", LEASE,  # was scoring-sweep-live-claims
           "cutoff = (now or timezone.now()) - dt.timedelta(seconds=lease.lease_seconds())",
           "cutoff = now or timezone.now()", T_LEASE),
    Mutant("lease-release-counts-a-try", LEASE,  # an expired lease taken back for free: a row that kills its worker loops
           "lease_record_failure(lease, pk=pk, holder=holder, error=EXPIRED) is not Failure.LOST",
           "lease.objects.filter(pk=pk, state=lease.held, claimed_by=holder)"
           ".update(state=lease.ready, claimed_by=\"\", claimed_at=None) > 0", T_LEASE),
    # Signing and dedupe -------------------------------------------------------
    Mutant("signing-future-timestamp", "webhooks/signing.py",
           "if abs(now - sent_at) > tolerance:", "if now - sent_at > tolerance:", T_SIGNING),
    Mutant("signing-any-of-several", "webhooks/signing.py",
           "found |= hmac.compare_digest", "found = hmac.compare_digest", T_SIGNING),
    Mutant("dedupe-repeat", DELIVERIES, "created=False)", "created=True)", T_SIGNING),
    # Keys ---------------------------------------------------------------------
    Mutant("keys-owner-only", "perspective/services/keys.py",
           "Role.OWNER):\n        raise", "Role.SENIOR):\n        raise", T_KEYS),
    Mutant("keys-revoke-site", "perspective/services/keys.py",
           "filter(pk=key_id, site=site, revoked_at__isnull=True)", "filter(pk=key_id, revoked_at__isnull=True)", T_KEYS),
    Mutant("keys-revoked-key", "perspective/services/keys.py",
           "filter(key_hash=key_hash(raw), revoked_at__isnull=True)", "filter(key_hash=key_hash(raw))", T_KEYS),
    # Written after the tests above, without a test in mind: how far the tests reach beyond their targets.
    Mutant("remove-twice", INGESTION,
           ".exclude(status=Comment.Status.REMOVED)\n", "\n", T_INGESTION),
    Mutant("undo-once", DECISIONS,
           "filter(pk=decision.pk, undone_at__isnull=True).update(undone_at=now)",
           "filter(pk=decision.pk).update(undone_at=now)", T_DECISIONS),
    # Rollups ------------------------------------------------------------------
    Mutant("rollups-undo-seen", ROLLUPS,
           "Q(created_at__gt=since) | Q(undone_at__gt=since)", "Q(created_at__gt=since)", T_ROLLUPS),
    Mutant("rollups-undone-counted", ROLLUPS,
           "undone_at__isnull=True, action__in=COUNTED_ACTIONS", "action__in=COUNTED_ACTIONS", T_ROLLUPS),
    Mutant("rollups-lag", ROLLUPS,
           "mark.position - dt.timedelta(seconds=settings.ANALYTICS_LAG_SECONDS)", "mark.position", T_ROLLUPS),
    Mutant("rollups-threshold-boundary", ROLLUPS,
           "f\"l_{label}__gte\": thresholds[label]", "f\"l_{label}__gt\": thresholds[label]", T_ROLLUPS),
)


def _copy_tree(into: Path) -> Path:
    """The checkout as git sees it (tracked and untracked-but-not-ignored files), with the venv and ../shared linked."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=ROOT, check=True, capture_output=True).stdout.decode().split("\0")
    repo = into / "repo"
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_symlink() or not source.is_file():
            continue  # the .venv link (handled below) and deleted files
        target = repo / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
    (repo / ".venv").symlink_to((ROOT / ".venv").resolve())
    shared = (ROOT.parent / "shared").resolve()
    if shared.is_dir():
        (into / "shared").symlink_to(shared)  # tests find it beside the checkout
    return repo


def _apply(repo: Path, mutant: Mutant) -> str:
    """Write the mutant into the copy; returns the file's original text."""
    path = repo / mutant.file
    text = path.read_text()
    found = text.count(mutant.original)
    if found != mutant.count:
        raise SystemExit(f"{mutant.name}: expected {mutant.count} occurrence(s) of its text in {mutant.file}, "
                         f"found {found}; update the mutant to the code as it is now")
    path.write_text(text.replace(mutant.original, mutant.mutated))
    return text


def _pytest(repo: Path, tests: tuple[str, ...], timeout: int) -> tuple[int | None, float, str]:
    command = [str(repo / ".venv" / "bin" / "python"), "-m", "pytest", *tests, "-x", "-q", "--reuse-db",
               "-p", "no:cacheprovider", "-W", "ignore"]
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    started = time.monotonic()
    try:
        done = subprocess.run(command, cwd=repo, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, time.monotonic() - started, ""
    tail = (done.stdout + done.stderr).strip().splitlines()
    return done.returncode, time.monotonic() - started, tail[-1] if tail else ""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="*", help="mutant names to run (default: all)")
    parser.add_argument("--list", action="store_true", help="list the mutants and exit")
    parser.add_argument("--no-baseline", action="store_true", help="skip the unmutated run of the test files")
    parser.add_argument("--timeout", type=int, default=300, help="seconds per mutant's tests (a timeout counts as killed)")
    parser.add_argument("--min", type=float, default=0.9, help="exit 1 under this kill rate")
    parser.add_argument("--before", action="store_true",
                        help="leave out the test_guards_* files: the rate of the suite as it was before them")
    args = parser.parse_args()
    chosen = [m for m in MUTANTS if not args.only or m.name in args.only]
    if args.before:
        chosen = [replace(m, tests=tuple(t for t in m.tests if "/test_guards_" not in t)) for m in chosen]
    if args.list:
        for mutant in chosen:
            print(f"{mutant.name:32} {mutant.file}")
        return 0
    unknown = set(args.only or ()) - {m.name for m in MUTANTS}
    if unknown:
        raise SystemExit(f"unknown mutants: {', '.join(sorted(unknown))}")
    with tempfile.TemporaryDirectory(prefix="mutants-") as folder:
        repo = _copy_tree(Path(folder))
        for mutant in chosen:  # every text is still there before spending minutes
            (repo / mutant.file).write_text(_apply(repo, mutant))
        if not args.no_baseline:
            tests = tuple(sorted({t for m in chosen for t in m.tests}))
            code, seconds, tail = _pytest(repo, tests, timeout=args.timeout * 3)
            print(f"baseline: {len(tests)} test files, {seconds:.0f} s: {tail}", flush=True)
            if code != 0:
                raise SystemExit("the unmutated tests do not pass: fix that first")
        survivors, killed = [], 0
        for mutant in chosen:
            original = _apply(repo, mutant)
            try:
                code, seconds, tail = _pytest(repo, mutant.tests, timeout=args.timeout)
            finally:
                (repo / mutant.file).write_text(original)
            verdict = "timeout (killed)" if code is None else ("survived" if code == 0 else "killed")
            if code == 0:
                survivors.append(mutant)
            else:
                killed += 1
            print(f"{verdict:16} {mutant.name:32} {seconds:5.0f} s  {tail}", flush=True)
    rate = killed / len(chosen) if chosen else 1.0
    print(f"\nkilled {killed} of {len(chosen)} mutants: {rate:.0%}")
    for mutant in survivors:
        print(f"  survived: {mutant.name} ({mutant.file}: {mutant.original.strip()!r} -> {mutant.mutated.strip()!r})")
    return 0 if rate >= args.min else 1


if __name__ == "__main__":
    sys.exit(main())
