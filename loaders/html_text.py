"""Visible text of an HTML page, and where its navigation, footers and banners are.

:func:`html_to_text` parses with the standard library's forgiving ``html.parser``, builds a
small element tree (closing what HTML closes implicitly: ``<p>``, ``<li>``, cells, ...),
and renders the text a reader sees: ``<head>``, scripts, styles, templates and hidden
elements dropped, block elements as line breaks (paragraph-level blocks as blank lines),
table cells separated by tabs, white space collapsed as a browser does except inside
``<pre>``. It also returns the spans of that text which came from page furniture:
``<nav>``, ``<aside>``, ``<footer>``, a page ``<header>`` without the heading, ARIA
landmarks such as ``role="navigation"``, and elements whose class or id names a menu,
breadcrumb, share bar, cookie banner, pager and the like. The text keeps them (it is the
page as read); :func:`loaders.cleaning.blank_boilerplate` blanks them in the body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

_VOID = frozenset("area base br col embed hr img input keygen link meta param source track wbr".split())
#: Never rendered: metadata, code, embedded media and form widgets.
_SKIP = frozenset(
    """head title script style noscript template svg math iframe object embed canvas select
    datalist audio video map""".split()
)
#: Blocks set off by a blank line.
_PARAGRAPH_BLOCKS = frozenset(
    """p h1 h2 h3 h4 h5 h6 blockquote pre table ul ol dl section article header footer nav
    aside figure hr main form address details fieldset""".split()
)
#: Blocks set off by a line break.
_LINE_BLOCKS = frozenset(
    "div li dt dd tr caption figcaption legend summary option center dialog hgroup menu dir".split()
)
_CELLS = frozenset({"td", "th"})
#: Starting one of these closes an open <p> (HTML's implied end tags).
_CLOSES_P = _PARAGRAPH_BLOCKS | _LINE_BLOCKS - {"option", "caption", "legend"}
#: An element holding one of these is the content, never furniture. (Not <article>:
#: sidebars list related stories as <article> teasers.)
_CONTENT_MARKERS = frozenset({"main", "h1"})

_FURNITURE_TAGS = frozenset({"nav", "aside", "footer"})
_FURNITURE_ROLES = frozenset(
    {"navigation", "contentinfo", "complementary", "search", "menu", "menubar", "toolbar", "banner"}
)
_FURNITURE_NAME_TOKENS = frozenset(
    """nav navbar navigation navi menu menubar submenu megamenu breadcrumb breadcrumbs crumb
    crumbs footer share sharing sharebar social socials cookie cookies consent gdpr sidebar
    pagination pager paging related recommend recommended skip skiplink toolbar topbar
    subscribe newsletter comments advert advertisement ads sponsor sponsored promo popup
    masthead copyright languages langswitch widget tags""".split()
)
#: Class names of text meant only for screen readers or switched off.
_HIDDEN_CLASSES = frozenset(
    """sr-only visually-hidden visuallyhidden screen-reader-text screen-reader-only
    element-invisible offscreen d-none""".split()
)
#: Never furniture by class name: a body class such as "has-sidebar" says nothing.
_NEVER_FURNITURE_BY_NAME = frozenset({"html", "body", "main", "article"})
_NAME_SPLIT = re.compile(r"[\s_\-]+|(?<=[a-z])(?=[A-Z])")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")


@dataclass(eq=False)
class _Element:
    tag: str
    attrs: dict[str, str]
    children: list[_Element | str] = field(default_factory=list)


@dataclass
class _Candidate:
    """An open element that looks like furniture, unless it turns out to hold the content."""

    start: int
    vetoed: bool = False


class _TreeBuilder(HTMLParser):
    """A forgiving tree builder: unknown end tags are ignored, open elements are closed
    by the end tag of an ancestor, and the common implied end tags are applied."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Element("#root", {})
        self.stack: list[_Element] = [self.root]

    def _close_to(self, index: int) -> None:
        del self.stack[index:]

    def _open_index(self, tags: frozenset[str] | set[str], boundary: frozenset[str] | set[str]) -> int | None:
        for index in range(len(self.stack) - 1, 0, -1):
            tag = self.stack[index].tag
            if tag in tags:
                return index
            if tag in boundary:
                return None
        return None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"li"}:
            found = self._open_index({"li"}, {"ul", "ol", "menu"})
        elif tag in {"dt", "dd"}:
            found = self._open_index({"dt", "dd"}, {"dl"})
        elif tag == "tr":
            found = self._open_index({"tr"}, {"table"})
        elif tag in _CELLS:
            found = self._open_index(set(_CELLS), {"tr", "table"})
        elif tag == "option":
            found = self._open_index({"option"}, {"select", "datalist"})
        elif tag in _CLOSES_P:
            found = self._open_index({"p"}, {"div", "li", "td", "th", "blockquote", "section", "article"})
        else:
            found = None
        if found is not None:
            self._close_to(found)
        element = _Element(tag, {name: value or "" for name, value in attrs})
        self.stack[-1].children.append(element)
        if tag not in _VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # "<br/>" is one line break; "<div/>" is an empty element.
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "br":  # "</br>" is read as "<br>" by browsers
            self.stack[-1].children.append(_Element("br", {}))
            return
        for index in range(len(self.stack) - 1, 0, -1):
            if self.stack[index].tag == tag:
                self._close_to(index)
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


class _Writer:
    """Accumulates rendered text, turning requested breaks and spaces into characters
    only when more text follows (so the text neither starts nor ends with blank lines)."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.trailing_newlines = 0
        self.at_line_start = True
        self.pending_newlines = 0
        self.pending_hard = 0
        self.pending_space = False
        self.pending_tab = False

    def _emit(self, chunk: str) -> None:
        self.parts.append(chunk)
        self.length += len(chunk)
        stripped = chunk.rstrip("\n")
        if stripped:
            self.trailing_newlines = len(chunk) - len(stripped)
        else:
            self.trailing_newlines += len(chunk)
        self.at_line_start = chunk.endswith("\n")

    def request_break(self, newlines: int) -> None:
        self.pending_newlines = max(self.pending_newlines, newlines)
        self.pending_space = self.pending_tab = False

    def request_cell(self) -> None:
        if not self.at_line_start:
            self.pending_tab = True

    def line_break(self) -> None:
        """<br>: a hard line break, kept even when repeated (but not at the very end)."""
        if self.length:
            self.pending_hard += 1
        self.pending_space = self.pending_tab = False

    def _flush_breaks(self) -> None:
        if self.length:
            if self.pending_hard:
                self._emit("\n" * self.pending_hard)
            missing = self.pending_newlines - self.trailing_newlines
            if missing > 0:
                self._emit("\n" * missing)
        self.pending_newlines = self.pending_hard = 0

    def text(self, data: str, preformatted: bool) -> None:
        if preformatted:
            if data:
                self._flush_breaks()
                self._emit(data)
            return
        collapsed = _HTML_SPACE.sub(" ", data)
        core = collapsed.strip(" ")
        if not core:
            if collapsed:
                self.pending_space = True
            return
        if (self.pending_newlines or self.pending_hard) and self.length:
            self._flush_breaks()
        elif self.pending_tab and not self.at_line_start:
            self._emit("\t")
        elif (self.pending_space or collapsed[0] == " ") and not self.at_line_start:
            self._emit(" ")
        self.pending_newlines = 0
        self.pending_tab = False
        self._emit(core)
        self.pending_space = collapsed[-1] == " "

    def result(self) -> str:
        return "".join(self.parts)


@dataclass(frozen=True, slots=True)
class HtmlText:
    """Rendered text of a page and the spans of it that are page furniture."""

    text: str
    furniture: tuple[tuple[int, int], ...]
    lang: str | None = None


def _is_hidden(element: _Element) -> bool:
    attrs = element.attrs
    if "hidden" in attrs or attrs.get("aria-hidden", "").lower() == "true":
        return True
    if _HIDDEN_STYLE.search(attrs.get("style", "")):
        return True
    return bool(_HIDDEN_CLASSES.intersection(attrs.get("class", "").split()))


def _is_furniture(element: _Element) -> bool:
    tag = element.tag
    if tag in _FURNITURE_TAGS:
        return True
    role = element.attrs.get("role", "").lower()
    if role in _FURNITURE_ROLES:
        return True
    if tag == "header":
        return True  # vetoed below when it holds the page heading
    if tag in _NEVER_FURNITURE_BY_NAME:
        return False
    names = element.attrs.get("class", "") + " " + element.attrs.get("id", "")
    tokens = {token.lower() for token in _NAME_SPLIT.split(names) if token}
    return bool(tokens & _FURNITURE_NAME_TOKENS)


def html_to_text(markup: str) -> HtmlText:
    """Render the visible text of ``markup`` and locate its page furniture.

    >>> page = html_to_text("<nav><a href='/'>Home</a> | <a>News</a></nav>"
    ...                     "<h1>Statement  on\\n cyber</h1><p>We <b>support</b> it.</p>")
    >>> page.text
    'Home | News\\n\\nStatement on cyber\\n\\nWe support it.'
    >>> page.furniture
    ((0, 11),)
    """
    builder = _TreeBuilder()
    builder.feed(markup)
    builder.close()
    lang = None
    writer = _Writer()
    furniture: list[tuple[int, int]] = []
    open_candidates: list[_Candidate] = []
    pre_depth = 0
    pre_fresh = False

    # Iterative walk: a page may nest deeper than Python's recursion limit.
    work: list[tuple[_Element | str, bool]] = [(builder.root, True)]
    while work:
        node, entering = work.pop()
        if isinstance(node, str):
            if pre_fresh and node.startswith("\n"):
                node = node[1:]  # HTML drops the line break right after <pre>
            pre_fresh = False
            writer.text(node, pre_depth > 0)
            continue
        tag = node.tag
        if entering:
            if tag == "html" and lang is None:
                lang = node.attrs.get("lang") or node.attrs.get("xml:lang") or None
            if tag in _SKIP or _is_hidden(node):
                continue
            if tag in _CONTENT_MARKERS:
                for open_candidate in open_candidates:
                    open_candidate.vetoed = True
            if tag == "br":
                writer.line_break()
                continue
            if tag == "hr":
                writer.request_break(2)
                continue
            if tag in _PARAGRAPH_BLOCKS:
                writer.request_break(2)
            elif tag in _LINE_BLOCKS:
                writer.request_break(1)
            elif tag in _CELLS:
                writer.request_cell()
            if tag == "pre":
                pre_depth += 1
                pre_fresh = True
            if _is_furniture(node):
                open_candidates.append(_Candidate(writer.length))
            work.append((node, False))
            work.extend((child, True) for child in reversed(node.children))
            continue
        # leaving
        if tag == "pre":
            pre_depth -= 1
        if tag in _PARAGRAPH_BLOCKS:
            writer.request_break(2)
        elif tag in _LINE_BLOCKS:
            writer.request_break(1)
        if _is_furniture(node):
            closed = open_candidates.pop()
            if not closed.vetoed and writer.length > closed.start:
                furniture.append((closed.start, writer.length))

    text = writer.result()
    # Furniture covering most of the page is a mislabelled wrapper, not furniture.
    if len(text) > 200:
        furniture = [(s, e) for s, e in furniture if e - s <= 0.5 * len(text)]
    return HtmlText(text=text, furniture=tuple(_merge(furniture)), lang=lang)


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
