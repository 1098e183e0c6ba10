"""Whether a thread is heating up: plain Python, no Django.

A thread is a top-level comment and all its replies. Three signs, each in
[0, 1], combined as independent evidence: heat = 1 - (1 - a)(1 - b)(1 - c).

- escalation: toxicity rising along a reply chain. For every comment, how far
  its toxicity rose above the calmest of its last ``CHAIN_WINDOW`` ancestors,
  counted only once the comment itself is toxic enough to matter (>= 0.4).
  A single rude comment under calm replies does not count; calm replies under
  a rude one do not either.
- duel: two authors trading replies (A, B, A, ...) down one chain, with the
  toxicity of the exchange rising. Longer exchanges and steeper rises weigh more.
- framing spread: conspiracy framing above the site's threshold in a comment
  and again in replies to it, by other authors: a narrative catching on.

Each sign comes with a sentence saying where, so a moderator can go straight
to the comment.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

CHAIN_WINDOW = 6
TOXIC_ENOUGH = 0.4
MIN_DUEL_REPLIES = 3


@dataclass(frozen=True)
class Node:
    id: int
    parent_id: int | None
    author: str
    created_at: dt.datetime
    toxicity: float | None
    framing: float | None


@dataclass(frozen=True)
class Reason:
    sign: str  # escalation, duel, framing
    score: float
    text: str
    comment_id: int

    def as_dict(self) -> dict:
        return {"sign": self.sign, "score": round(self.score, 3), "text": self.text, "comment_id": self.comment_id}


@dataclass
class ThreadHeat:
    root_id: int
    heat: float
    reasons: list[Reason] = field(default_factory=list)
    comments: int = 0
    last_activity_at: dt.datetime | None = None


def _chains(nodes: list[Node]) -> tuple[dict[int, Node], dict[int, list[Node]]]:
    by_id = {node.id: node for node in nodes}
    children: dict[int, list[Node]] = {}
    for node in nodes:
        if node.parent_id in by_id:
            children.setdefault(node.parent_id, []).append(node)
    return by_id, children


def _ancestors(node: Node, by_id: dict[int, Node], limit: int) -> list[Node]:
    """Nearest first."""
    out: list[Node] = []
    current = by_id.get(node.parent_id) if node.parent_id is not None else None
    while current is not None and len(out) < limit:
        out.append(current)
        current = by_id.get(current.parent_id) if current.parent_id is not None else None
    return out


def _tox(node: Node) -> float:
    return node.toxicity or 0.0


def _escalation(nodes: list[Node], by_id: dict[int, Node]) -> Reason | None:
    best: Reason | None = None
    for node in nodes:
        if _tox(node) < TOXIC_ENOUGH:
            continue
        chain = _ancestors(node, by_id, CHAIN_WINDOW)
        if len(chain) < 2:
            continue
        calmest = min(chain, key=_tox)
        rise = _tox(node) - _tox(calmest)
        # Longer climbs are stronger evidence than a single jump.
        steps = chain.index(calmest) + 1
        score = max(0.0, min(1.0, rise * (0.6 + 0.1 * min(steps, 4))))
        if score > 0.1 and (best is None or score > best.score):
            best = Reason("escalation", score, f"toxicity rose from {_tox(calmest):.2f} to {_tox(node):.2f} over {steps} repl{'y' if steps == 1 else 'ies'}", node.id)
    return best


def _duel(nodes: list[Node], by_id: dict[int, Node]) -> Reason | None:
    best: Reason | None = None
    for node in nodes:
        # Walk up while two authors alternate.
        run = [node]
        current = node
        while current.parent_id is not None and current.parent_id in by_id:
            parent = by_id[current.parent_id]
            if parent.author == current.author or (len(run) >= 2 and parent.author != run[-2].author):
                break
            run.append(parent)
            current = parent
        if len(run) < MIN_DUEL_REPLIES or not node.author or not run[1].author:
            continue
        first, last = run[-1], run[0]
        rise = _tox(last) - _tox(first)
        if rise <= 0.15:
            continue
        score = min(1.0, rise * (0.5 + 0.15 * min(len(run), 6)))
        if best is None or score > best.score:
            best = Reason("duel", score, f"{run[-1].author} and {run[-2].author} traded {len(run)} replies; toxicity {_tox(first):.2f} → {_tox(last):.2f}", node.id)
    return best


def _framing(nodes: list[Node], by_id: dict[int, Node], children: dict[int, list[Node]], threshold: float) -> Reason | None:
    best: Reason | None = None
    for node in nodes:
        if (node.framing or 0.0) < threshold:
            continue
        spread: list[Node] = []
        stack = list(children.get(node.id, []))
        while stack:
            reply = stack.pop()
            if (reply.framing or 0.0) >= threshold and reply.author != node.author:
                spread.append(reply)
            stack.extend(children.get(reply.id, []))
        if not spread:
            continue
        authors = {reply.author for reply in spread}
        score = min(1.0, 0.35 * len(spread) + 0.15 * (len(authors) - 1))
        if best is None or score > best.score:
            best = Reason("framing", score, f"conspiracy framing spread from one comment to {len(spread)} repl{'y' if len(spread) == 1 else 'ies'} by {len(authors)} other author{'' if len(authors) == 1 else 's'}", node.id)
    return best


def thread_heat(*, root_id: int, nodes: list[Node], framing_threshold: float = 0.6) -> ThreadHeat:
    """The heat of one thread; ``nodes`` are its comments (the root included), any order."""
    by_id, children = _chains(nodes)
    reasons = [r for r in (_escalation(nodes, by_id), _duel(nodes, by_id), _framing(nodes, by_id, children, framing_threshold)) if r]
    cool = 1.0
    for reason in reasons:
        cool *= 1.0 - reason.score
    reasons.sort(key=lambda r: -r.score)
    return ThreadHeat(
        root_id=root_id, heat=round(1.0 - cool, 4), reasons=reasons, comments=len(nodes),
        last_activity_at=max((n.created_at for n in nodes), default=None),
    )


def threads_heat(*, nodes: list[Node], framing_threshold: float = 0.6) -> list[ThreadHeat]:
    """Every thread among ``nodes`` (one article's comments), hottest first."""
    by_id = {node.id: node for node in nodes}
    roots: dict[int, list[Node]] = {}
    for node in nodes:
        top = node
        seen = 0
        while top.parent_id is not None and top.parent_id in by_id and seen < 10_000:
            top = by_id[top.parent_id]
            seen += 1
        roots.setdefault(top.id, []).append(node)
    out = [thread_heat(root_id=root, nodes=members, framing_threshold=framing_threshold) for root, members in roots.items()]
    return sorted(out, key=lambda t: -t.heat)
