"""Parse an article page saved as plain text, with its reader comments.

The form (see README.md, "Importing an article page"): the title on the first
line, the article body in paragraphs, page chrome such as "About the author"
blocks, then the comment section as a numbered list. A comment's text may
span several paragraphs, indented under its number; a numbered item indented
deeper than its predecessor is a reply to it.

A comment's first line may be a byline, as pages print one above the text:
"Jane Doe on September 10, 2017 at 3:12 pm said:", "Jane Doe - 2017-09-10 15:12",
"Jane Doe said:". Only a whole line of that shape counts, and only when text
follows it; the name and the date are kept (the date as an ISO 8601 string,
for comments.fields to bound), otherwise the line is left in the text.

Plain Python, no Django: the framing analyzer's tests use it too.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

_NUMBERED = re.compile(r"^(?P<indent>[ \t]*)(?P<number>\d{1,4})[.)]\s+(?P<text>\S.*)$")
# Paragraphs that start a page's chrome: what follows them is not the story.
_CHROME = re.compile(
    r"^(About (the )?\S.{0,60}$|DISCLOSURES?:|Comments are closed|Share this|Related (posts|articles)|Leave a (reply|comment))",
    re.IGNORECASE,
)


_MONTHS = {name: number for number, name in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august",
     "september", "october", "november", "december"], start=1)}
_MONTH_NAMES = "|".join([*_MONTHS, *(name[:3] for name in _MONTHS), "sept"])
_WRITTEN_DATE = (
    rf"(?P<month>{_MONTH_NAMES})\.?\s+(?P<day>\d{{1,2}}),?\s+(?P<year>\d{{4}})"
    r"(?:,?\s+(?:at\s+)?(?P<hour>\d{1,2}):(?P<minute>\d{2})\s*(?P<ampm>[ap]\.?m\.?)?)?"
)
_ISO_DATE = r"(?P<iso>\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2})?)?)"
_BYLINE = re.compile(
    rf"^(?P<name>[^\s\d\W][^\n]{{0,79}}?)\s*(?:"
    rf"(?:\s(?:on|[-–—·|,])\s*|\s+)(?:{_WRITTEN_DATE}|{_ISO_DATE})\s*(?:said:?)?"
    r"|\s+said:"
    r")\s*$",
    re.IGNORECASE,
)


@dataclass
class Byline:
    name: str
    written_at: str  # ISO 8601, or "" when the byline gives no date; may be out of range


def parse_byline(line: str) -> Byline | None:
    match = _BYLINE.match(line.strip())
    if not match:
        return None
    name = match["name"].strip(" -–—·|,")
    if not name or name[-1] in ".!?;:":
        return None  # a sentence, not a name
    if match["iso"]:
        return Byline(name=name, written_at=match["iso"].replace(" ", "T"))
    if not match["year"]:
        return Byline(name=name, written_at="")
    hour, minute = int(match["hour"] or 0), int(match["minute"] or 0)
    ampm = (match["ampm"] or "").replace(".", "").lower()
    if ampm == "pm" and hour < 12:
        hour += 12
    elif ampm == "am" and hour == 12:
        hour = 0
    month = _MONTHS.get(match["month"].lower()) or next(
        number for full, number in _MONTHS.items() if full.startswith(match["month"].lower()[:3]))
    return Byline(
        name=name,
        written_at=f"{int(match['year']):04d}-{month:02d}-{int(match['day']):02d}T{hour:02d}:{minute:02d}:00",
    )


@dataclass
class ParsedComment:
    number: str  # "2" for the second top-level comment, "2.1" for its first reply
    text: str
    author_name: str = ""  # from the byline; "" when the page gives none
    written_at: str = ""  # ISO 8601 from the byline (not yet bounded); "" when the page gives none
    replies: list["ParsedComment"] = field(default_factory=list)


@dataclass
class ParsedArticle:
    title: str
    body: str
    comments: list[ParsedComment]

    def all_comments(self) -> list[tuple[ParsedComment, ParsedComment | None]]:
        """Every comment with its parent (None at the top), parents first."""
        out: list[tuple[ParsedComment, ParsedComment | None]] = []

        def walk(items: list[ParsedComment], parent: ParsedComment | None) -> None:
            for item in items:
                out.append((item, parent))
                walk(item.replies, item)

        walk(self.comments, None)
        return out


def _indent(line: str) -> int:
    return len(line.expandtabs(4)) - len(line.expandtabs(4).lstrip())


def _comment_start(lines: list[str]) -> int:
    """Index of the comment section's "1." line.

    It is the last "1." whose numbered siblings run on consecutively and that
    no shallower numbered line follows: a numbered list inside the story, or
    the first reply of a comment, is not the start.
    """
    start = len(lines)
    for index, line in enumerate(lines):
        match = _NUMBERED.match(line)
        if not match or match["number"] != "1":
            continue
        indent, expected, ok = _indent(line), 2, True
        for later in lines[index + 1 :]:
            later_match = _NUMBERED.match(later)
            if not later_match:
                continue
            if _indent(later) < indent:
                ok = False
                break
            if _indent(later) == indent:
                if int(later_match["number"]) != expected:
                    ok = False
                    break
                expected += 1
        if ok:
            start = index
    return start


def _paragraphs(lines: list[str]) -> list[str]:
    paragraphs, current = [], []
    for line in lines:
        if line.strip():
            if not current or current[-1] != line.strip():  # scraped captions often repeat
                current.append(line.strip())
        elif current:
            paragraphs.append("\n".join(current))
            current = []
    if current:
        paragraphs.append("\n".join(current))
    return paragraphs


def _join_comment_lines(lines: list[str]) -> str:
    text = "\n".join(line.strip() for line in lines).strip()
    return re.sub(r"\n{3,}", "\n\n", text)


def _parse_comments(lines: list[str]) -> list[ParsedComment]:
    top: list[ParsedComment] = []
    # (indent, comment, its lines) for the open chain of comments
    stack: list[tuple[int, ParsedComment, list[str]]] = []
    base_indent: int | None = None

    def close_until(indent: int) -> None:
        while stack and stack[-1][0] >= indent:
            _, comment, body = stack.pop()
            byline = parse_byline(body[0]) if len(body) > 1 else None
            if byline and _join_comment_lines(body[1:]):
                comment.author_name, comment.written_at = byline.name, byline.written_at
                body = body[1:]
            comment.text = _join_comment_lines(body)

    for line in lines:
        match = _NUMBERED.match(line)
        indent = _indent(line)
        if base_indent is None and match:
            base_indent = indent
        if match:
            if stack and indent > stack[-1][0] and not _is_reply_number(match["number"], stack[-1][1]):
                stack[-1][2].append(line)  # a numbered list inside a comment's text
                continue
            close_until(indent)
            parent = stack[-1][1] if stack else None
            number = f"{parent.number}.{match['number']}" if parent else match["number"]
            comment = ParsedComment(number=number, text="")
            (parent.replies if parent else top).append(comment)
            stack.append((indent, comment, [match["text"]]))
        elif stack:
            if line.strip() and base_indent is not None and indent <= base_indent:
                break  # back at the page's margin: the comment section is over
            stack[-1][2].append(line)
    close_until(-1)
    return top


def _is_reply_number(number: str, parent: ParsedComment) -> bool:
    """A deeper "1." opens the replies; later numbers continue them."""
    return number == "1" or len(parent.replies) + 1 == int(number)


def parse_article_text(text: str) -> ParsedArticle:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    title_index = next((i for i, line in enumerate(lines) if line.strip()), None)
    if title_index is None:
        raise ValueError("the file is empty")
    title = lines[title_index].strip()
    start = _comment_start(lines)
    body_paragraphs = []
    for paragraph in _paragraphs(lines[title_index + 1 : start]):
        if _CHROME.match(paragraph.split("\n", 1)[0]):
            break
        body_paragraphs.append(paragraph)
    return ParsedArticle(title=title, body="\n\n".join(body_paragraphs), comments=_parse_comments(lines[start:]))
