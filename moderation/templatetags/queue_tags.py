"""Rendering comment text safely: evidence highlights, visible direction controls."""
from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache

from django import template
from django.conf import settings
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

from comments.layout import percent_class

register = template.Library()

# Characters that reorder or hide text. Shown as visible markers, so a
# right-to-left override cannot disguise a comment or scramble the page.
_CONTROLS = {
    "\u202a": "LRE", "\u202b": "RLE", "\u202c": "PDF", "\u202d": "LRO", "\u202e": "RLO",
    "\u2066": "LRI", "\u2067": "RLI", "\u2068": "FSI", "\u2069": "PDI",
    "\u200e": "LRM", "\u200f": "RLM", "\u061c": "ALM", "\u200b": "ZWSP", "\u2060": "WJ", "\ufeff": "BOM",
}


def family_group(family: str) -> str:
    """The colour a highlight gets: word-list hits stand apart from framing evidence."""
    if family == "banned_word":
        return "banned"
    if family == "suspect_word":
        return "suspect"
    if family in ("toxicity", "insult", "threat", "obscene", "identity_attack"):
        return "toxic"
    return "framing"


_CONTROL_PATTERN = re.compile("[" + "".join(_CONTROLS) + "]")


def _marker(match: re.Match) -> str:
    char = match.group(0)
    return format_html('<span class="ctl" title="U+{} {}">[{}]</span>', f"{ord(char):04X}", unicodedata.name(char, ""), _CONTROLS[char])


def visible_text(text: str) -> SafeString:
    """Escape the text and turn direction and invisible controls into visible markers."""
    return mark_safe(_CONTROL_PATTERN.sub(_marker, str(conditional_escape(text))))


@register.filter
def plain(text: str) -> SafeString:
    return visible_text(text or "")


def preview_chars() -> int:
    """How much of a long body a page shows before "show all" (settings.QUEUE_BODY_PREVIEW_CHARS)."""
    return settings.QUEUE_BODY_PREVIEW_CHARS


@register.filter
def preview(text: str) -> str:
    """The first QUEUE_BODY_PREVIEW_CHARS characters: a page of 100,000-character
    bodies would be megabytes of markup and take the browser seconds to lay out."""
    return (text or "")[:preview_chars()]


@register.filter
def is_long(text: str) -> bool:
    """Whether `preview` cuts the text."""
    return len(text or "") > preview_chars()


@register.simple_tag
def highlight(text: str, spans: list[dict], preview: bool = False) -> SafeString:
    """The text with each evidence span in a <mark> named by its family.
    Overlapping spans are cut at every boundary; each piece is marked with
    the families covering it. With preview=True only the first
    QUEUE_BODY_PREVIEW_CHARS characters (spans beyond them are clipped)."""
    text = text or ""
    if preview:
        text = text[:preview_chars()]
    cuts = {0, len(text)}
    usable = []
    for span in spans or ():
        start, end = int(span.get("start", 0)), int(span.get("end", 0))
        start, end = max(0, start), min(len(text), end)
        if start < end:
            usable.append((start, end, span))
            cuts.update((start, end))
    points = sorted(cuts)
    pieces = []
    for left, right in zip(points, points[1:]):
        covering = [span for start, end, span in usable if start <= left and right <= end]
        piece = visible_text(text[left:right])
        if not covering:
            pieces.append(piece)
            continue
        families = sorted({str(span.get("family", "")) for span in covering})
        groups = sorted({family_group(f) for f in families})
        roles = sorted({str(span.get("role", "")) for span in covering if span.get("role")})
        label = ", ".join(f.replace("_", " ") for f in families) + (f" ({', '.join(roles)})" if roles else "")
        pieces.append(format_html(
            '<mark class="hl {}" data-family="{}" title="{}">{}</mark>',
            " ".join(f"hl-{g}" for g in groups), " ".join(families), label, piece,
        ))
    return mark_safe("".join(pieces))


@register.filter
def rule_label(reason: dict) -> str:
    rule = reason.get("rule", "")
    if rule.startswith("label:"):
        return f"{reason.get('label', '').replace('_', ' ')} {reason.get('score', 0):.2f} ≥ {reason.get('threshold', 0):.2f}"
    words = ", ".join(reason.get("words", []))
    return f"{rule.replace('_', ' ')}: {words}" if words else rule.replace("_", " ")


@register.filter
def claimed_by_other(item, user) -> bool:
    return item.claimed_by_other(user)


@register.filter
def lookup(mapping: dict, key):
    return mapping.get(key, "") if mapping else ""


@register.filter
def author_name(comment) -> SafeString:
    """The commenter's name as the site knows them, escaped, controls made visible."""
    author = getattr(comment, "author", None)
    if author is None:
        return mark_safe("anonymous")
    return visible_text(author.display_name or author.external_id)


_PLACEHOLDER = 987654321


@lru_cache(maxsize=64)
def _url_pattern(name: str, prefix: str) -> str:
    return reverse(name, args=[_PLACEHOLDER])


@register.simple_tag
def item_url(name: str, pk: int) -> str:
    """reverse() for the per-item URLs, done once per name: a page of cards
    needs hundreds of them and reverse() is the slowest part of rendering."""
    return _url_pattern(f"moderation:{name}", get_script_prefix()).replace(str(_PLACEHOLDER), str(int(pk)))


# score_bars and reject_menu build their HTML in Python, not in the template,
# because `python -m bench.queue_page --comments 20000` measures it: page 1's 25 cards
# (175 bars) from the same HTML as a template (bench/queue_page.py TEMPLATE_EQUIVALENT,
# both rendered through the template engine) take 8.0x to 9.2x as long as built
# here (three runs; 2.5 ms against 23 ms in the last, of an 87 ms page; the
# bench prints "the template takes Nx as long"). Keep it while that ratio holds.
# Every value from stored data goes through _e (the same escaping as the
# template's autoescape): tests/moderation/test_card_html.py feeds them hostile
# text and checks the bytes equal the template's.
_BAR = (
    '<div class="bar{over}"><span class="bl">{label}</span>'
    '<span class="track" role="img" aria-label="{label} {text}"><span class="fill {percent}"></span>{thr}</span>'
    '<span class="bv">{text}</span>'
    '<button class="linklike fb" form="fb-{pk}" name="feedback" value="{score_id}:{label}:{expected}" '
    'title="The score was wrong: {label} {verdict}">wrong?</button></div>'
)
_THRESHOLD = '<span class="thr {percent}" title="threshold {value}"></span>'
_CARD = '<div class="scorecard"><div class="model">{scorer} <small>{version}</small></div>{bars}</div>'


def _e(value) -> str:
    """The standard library's escape: the same five characters as Django's
    conditional_escape, without its lazy-string machinery (a page has ~200 bars)."""
    return html.escape(str(value), quote=True)


@register.simple_tag
def score_bars(item) -> SafeString:
    """Each model's label scores as bars, with the threshold marked and a
    'wrong?' button per label. Built in Python, every value escaped (see above)."""
    cards = []
    for card in item.scores:
        bars = "".join(
            _BAR.format(
                over=" over" if bar.over else "", label=_e(bar.label), text=_e(bar.text), percent=percent_class(bar.percent),
                thr=_THRESHOLD.format(percent=percent_class(bar.threshold_percent), value=_e(bar.threshold))
                if bar.threshold is not None else "",
                pk=int(item.pk), score_id=int(card.score_id), expected=0 if bar.likely else 1,
                verdict="does not apply" if bar.likely else "applies",
            )
            for bar in card.bars
        )
        cards.append(_CARD.format(scorer=_e(card.scorer), version=_e(card.version), bars=bars))
    return mark_safe("".join(cards))


_REASON = '<button class="btn" role="menuitem" name="decision" value="reject:{pk}"><kbd>{n}</kbd> {label}</button>'
_NO_REASONS = '<span class="note">This site has no rejection reasons; an owner adds them in its settings.</span>'


@register.simple_tag(takes_context=True)
def reject_menu(context, item) -> SafeString:
    """The site's rejection reasons as menu buttons: the same for every card
    of a site, so built once per page and site."""
    menus = context.render_context.setdefault("reject_menus", {})
    key = tuple(reason.pk for reason in item.reject_reasons)
    if key not in menus:
        menus[key] = "".join(
            _REASON.format(pk=int(reason.pk), n=n, label=_e(reason.label)) for n, reason in enumerate(item.reject_reasons, 1)
        ) or _NO_REASONS
    return mark_safe(menus[key])


@lru_cache(maxsize=32)
def _plain_url(name: str, prefix: str) -> str:
    return reverse(name)


@register.simple_tag
def named_url(name: str) -> str:
    """reverse() without arguments, once per name (see item_url)."""
    return _plain_url(name, get_script_prefix())


@register.filter
def ago(when) -> str:
    """'5 min ago': a compact, cheap timesince for the cards."""
    if when is None:
        return ""
    seconds = max(0, int((timezone.now() - when).total_seconds()))
    for size, unit in ((86400, "d"), (3600, "h"), (60, "min")):
        if seconds >= size:
            return f"{seconds // size} {unit} ago"
    return "just now"
