"""Platform HTML (Discourse's cooked, WordPress's rendered, Coral's body) to the plain text we score."""
from __future__ import annotations

import html
import re

from django.utils.html import strip_tags

_BLOCK_END = re.compile(r"(?i)</(p|div|blockquote|li|h[1-6])\s*>|<br\s*/?>")


def html_to_text(value: str) -> str:
    text = _BLOCK_END.sub("\n", value)
    return html.unescape(strip_tags(text)).strip()
