"""Boilerplate blanking: web-page and print junk replaced by spaces, offsets kept.

:func:`blank_boilerplate` returns a string of the same length as its input in which every
character of a boilerplate line (site navigation, breadcrumbs, share/print links, pagers,
language switchers, copyright and licence footers, cookie banners, spam keyword lines,
agency end markers, running page headers) is replaced by a space. Line breaks are kept, so
line numbers and every character offset found in the result are offsets into the input.

The rules work line by line on the *shape* of a line, never on one site's exact strings:
a line is junk when it is made only of junk vocabulary and separators, when it is a run of
short Title-Case menu items, a breadcrumb trail, a keyword list in a script other than the
document's, and so on. Lines that carry metadata are kept on purpose: titles, datelines
("2022-05-23 13:25"), bylines ("China Daily | Updated: 2025-11-28 07:22"), issuer lines
("The State Council Information Office ... November 2025") and markdown bold titles.
"""

from __future__ import annotations

import bisect
import math
import re
from collections import Counter
from collections.abc import Iterable

#: Characters that end a line; they are never blanked.
_LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_NON_BREAK = re.compile(f"[^{_LINE_BREAKS}]")

# ---------------------------------------------------------------------------------------
# Scripts. A line in another script than the document's, shaped like a keyword list, is
# spam injected into the page (SEO keyword stuffing).
_LATIN = re.compile(r"[\u00c0-\u024f]")  # ASCII letters are counted apart
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_ASCII_NON_LETTERS = bytes(b for b in range(256) if not (65 <= b <= 90 or 97 <= b <= 122))
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_ARABIC = re.compile(r"[\u0600-\u06ff]")
_SCRIPTS = {"latin": _LATIN, "cjk": _CJK, "cyrillic": _CYRILLIC, "arabic": _ARABIC}
_KEYWORD_SEPARATORS = re.compile(r"[,，、;；|/]+|\s{2,}")
_SENTENCE_END = re.compile(r"[.!?。！？…]\s*$")

# ---------------------------------------------------------------------------------------
# Vocabularies of junk tokens. A line made only of such tokens and separators is junk.
# Tokens match at word edges; a camel-case edge counts too ("Global EditionASIA").
_START = r"(?:(?<![A-Za-z])|(?<=[a-z])(?=[A-Z]))"
_END = r"(?![a-z])"
_SEPARATORS_ONLY = re.compile(
    r"[\s|·•/\\:;,.\-–—_<>«»‹›()\[\]{}*+#!?\"'’‘“”=~^…→←↑↓▲▼►◄▶◀☰✕✖×"
    r"\ue000-\uf8ff\u2190-\u2bff\U0001f300-\U0001faff]*"
)


def _vocabulary(*, caseless: Iterable[str], cased: Iterable[str] = ()) -> re.Pattern[str]:
    alternatives = []
    caseless = list(caseless)
    if caseless:
        alternatives.append("(?i:" + "|".join(caseless) + ")")
    alternatives.extend(cased)
    return re.compile(_START + "(?:" + "|".join(alternatives) + ")" + _END)


# Page tools, sharing, social follow, "top" links, related-content widgets, site footers.
_TOOLS_PHRASES = [
    r"share(?:\s+(?:this|it))?(?:\s+(?:article|page|story|post))?(?:\s+(?:on|via|to|with))?",
    r"print(?:\s+this(?:\s+(?:page|article|story))?)?",
    r"print(?:er)?[\s-]*(?:friendly|version)(?:\s+version)?",
    r"e-?mail(?:\s+(?:this(?:\s+(?:page|article|story))?|to\s+a\s+friend))?",
    r"(?:suggest|send|recommend|forward|tell)(?:\s+(?:it|this))?\s+to\s+a\s+friend|tell\s+a\s+friend",
    r"wechat|weibo|qzone|facebook|twitter|linkedin|whatsapp|telegram|reddit|instagram|youtube",
    r"tiktok|douyin|flickr|pinterest|tumblr|vk|line\s+it|tweet|pin\s+it|rss(?:\s+feeds?)?",
    r"copy\s+(?:the\s+)?(?:link|url)|bookmark|favou?rites?|(?:font|text)\s+size|a\s?[+-]",
    r"(?:back|go|return|scroll|jump)\s+to\s+(?:the\s+)?top|to\s+top|top",
    r"most\s+(?:viewed|read|popular|shared|commented)(?:\s+(?:stories|articles|news))?"
    r"(?:\s+in\s+(?:the\s+)?(?:last\s+|past\s+)?\d+\s*(?:hours?|h|days?))?",
    r"(?:related|recommended|latest|popular|trending|more)\s+"
    r"(?:news|stories|articles|content|reading|links|posts|videos|topics)",
    r"you\s+(?:may|might)\s+(?:also\s+)?like|read\s+more|learn\s+more|see\s+more|more|trending",
    r"follow\s+us(?:\s+on)?|subscribe(?:\s+now)?|sign\s+up|newsletter|log\s?in|sign\s+in|register",
    r"close(?:\s+window)?|back|comments?|leave\s+a\s+(?:comment|reply)|like|download(?:\s+pdf)?|pdf",
    r"skip\s+to\s+(?:the\s+)?(?:main\s+)?(?:content|navigation)|skip\s+navigation",
    r"jump\s+to\s+(?:navigation|content)|main\s+menu|menu|search|home",
    r"sitemap|site\s+map|contact(?:\s+us)?|about\s+us|privacy(?:\s+(?:policy|notice|statement))?",
    r"terms(?:\s+(?:of\s+(?:use|service)|and\s+conditions))?|accessibility|disclaimer|legal\s+notice",
    r"imprint|feedback|help|faq|cookies?(?:\s+(?:policy|settings|preferences))?",
    r"(?:accept|reject|decline|allow)\s+(?:all(?:\s+cookies)?|cookies)|manage\s+(?:preferences|cookies|settings)",
    r"got\s+it|i\s+agree|ok",
]
_TOOLS = _vocabulary(caseless=_TOOLS_PHRASES)

# Language and edition switchers ("English", "中文", "Global Edition", "Fran?ais"): the
# mangled "?" or U+FFFD stands for a character lost to a bad encoding on the way.
_LANGUAGE_STRONG = [
    r"english|fran[çc?\ufffd]ais|espa[ñn?\ufffd]ol|deutsch|portugu[êe?\ufffd]s|italiano|русский",
    r"bahasa(?:\s+\w+)?|türkçe|global\s+edition|edition|language|languages",
]
_LANGUAGE_SCRIPTS = [
    r"中文|简体中文|繁體中文|简体|繁體|繁体|雙語|双语|中英|日本語|日本语|한국어|العربية|عربي|فارسی",
]
_LANGUAGE_WEAK = [r"ASIA|EUROPE|AFRICA|AMERICAS|US|UK|EN|ZH|FR|ES|RU|AR|DE|JA|KO|PT"]
_LANGUAGE_TOKENS = _vocabulary(caseless=_LANGUAGE_STRONG, cased=_LANGUAGE_SCRIPTS + _LANGUAGE_WEAK)
_LANGUAGE_STRONG_TOKENS = _vocabulary(caseless=_LANGUAGE_STRONG, cased=_LANGUAGE_SCRIPTS)

# Pagers: "|<< Previous 1 2 3 Next >>|", "Page 3 of 10", "« First ‹ Prev 1 2 Next › Last »".
_PAGER_TOKENS = re.compile(
    _START + r"(?:(?i:first|last|prev(?:ious)?|next|page|of|go)|\d{1,4})" + _END + r"|<<|>>|«|»|‹|›"
)
_PAGER_WORD = re.compile(_START + r"(?i:prev(?:ious)?|next|page)" + _END)
_PAGER_ARROW = re.compile(r"<<|>>|«|»|‹|›")

# ---------------------------------------------------------------------------------------
# Single-pattern line rules.
_COPYRIGHT = re.compile(
    r"^\s*(?:©|\(c\)\s*\d|copyright\b)|all\s+rights\s+reserved|\bcopyright\s*(?:©|\(c\)|\d{4})",
    re.IGNORECASE,
)
_LICENCE = re.compile(
    r"^\s*(?:licen[cs]e|registration|record|filing|permit|icp|备案|许可证|网站标识码)[^\n]{0,80}?\d{5,}"
    r"|ICP\s*(?:备|证)?\s*\d{5,}|公网安备\s*\d{5,}"
    r"|\b(?:best\s+viewed|browsers?\s+with\s+\S+\s+or\s+higher\s+resolution)",
    re.IGNORECASE,
)
_COOKIE_BANNER = re.compile(
    r"\b(?:this|our)\s+(?:web)?site\s+uses\s+cookies|\bwe\s+use\s+cookies\b"
    r"|\b(?:accept|allow|reject|decline|manage)(?:\s+all)?\s+cookies\b"
    r"|\bcookie\s+(?:policy|settings|preferences|notice|consent|banner)\b"
    r"|\bby\s+(?:continuing\s+to\s+(?:use|browse)|using)\s+(?:this|our)\s+(?:web)?site\b",
    re.IGNORECASE,
)
_END_MARKER = re.compile(
    r"^\s*(?:[(\[（【]\s*(?i:finish|end|ends|完|终|完毕)\s*[)\]）】]"
    r"|[-–—=*]+\s*(?i:the\s+end|end|ends)\s*[-–—=*]+|-\s*30\s*-|(?i:ends))\s*$"
)
_EDITOR_LINE = re.compile(
    r"^\s*[\[(（【]?\s*(?:(?i:(?:responsible|web|chief)\s+editor|editor|edited\s+by)|责任编辑|编辑)"
    r"\s*[:：]\s*[^\n]{1,60}?[\])）】]?\s*$"
)
_PHOTO_CREDIT = re.compile(r"^\s*[\[(](?i:photos?|images?|file\s+photo|video)\s*[/:][^\])\n]{0,60}[\])]\s*$")
_TAGS_LINE = re.compile(r"^\s*(?i:tags|tagged|topics|keywords)\s*[:：]")
_RULE_STARTS = frozenset("-=*_~#•·.+|:")
_FOOTER_NEEDLES = ("©", "(c)", "copyright", "rights reserved", "viewed", "resolution", "icp", "备")
_FIVE_DIGITS = re.compile(r"[0-9][0-9][0-9][0-9][0-9]")  # faster than \d{5} in CPython
#: Four lower-case words in a row: a line of running text, not a menu or a marker.
_PROSE = re.compile(r"(?:\s[a-z][\w'’-]*){4}")
_FIRST_LETTER = re.compile(r"[^\W\d_]")
_RULE_LINE = re.compile(r"^\s*([-=*_~#•·.+])(?:\s*\1){2,}\s*$")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")
_PAGE_NUMBER = re.compile(
    r"^\s*(?:(?i:page)\s+\d{1,4}(?:\s*(?:/|(?i:of))\s*\d{1,4})?"
    r"|\d{1,4}\s*(?:/|(?i:of))\s*\d{1,4}|[-–—]\s*\d{1,4}\s*[-–—]|(?!1[89]\d\d\b|20\d\d\b)\d{1,4})\s*$"
)

# Markdown: markup-only lines (images, HTML comments) and link-only menu items.
_MD_IMAGE_LINE = re.compile(r"^\s*(?:!\[[^\]]*\]\([^)]*\)\s*)+$")
_MD_COMMENT_LINE = re.compile(r"^\s*<!--.*-->\s*$")
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_PREFIX = re.compile(r"^\s*(?:[-*+]\s+|#{1,6}\s+|>\s*)")

# ---------------------------------------------------------------------------------------
# Navigation: menus and breadcrumbs.
_NAV_WORDS = frozenset(
    """home homepage about contact news newsroom media press events activities meetings
    statements speeches briefings interviews releases documents resources publications
    multimedia photos photo videos video gallery search login register subscribe sitemap help
    faq menu topics services careers jobs opinion world business sports sport culture travel
    lifestyle tech politics society features specials archive archives links blog blogs
    podcasts shop donate español français english 中文 首页 新闻""".split()
)
_HOME_WORDS = re.compile(
    r"^\s*(?:(?i:home(?:page)?|main|start|accueil|inicio|главная)|首页|主页)\s*$"
)
_CRUMB_PREFIX = re.compile(
    r"^\s*(?:(?i:you\s+are\s+here|current\s+location|location|breadcrumbs?)|当前位置|您的位置|位置)\s*[:：]\s*"
)
_CRUMB_SPLIT = re.compile(r"\s+(?:>|/|\\|→)\s+|\s*(?:»|›|＞|>>)\s*")
_MENU_SPLIT = re.compile(r"\s*[|·•｜]\s*")
_WORD = re.compile(r"[^\s&|/·•]+")
_CONNECTORS = frozenset({"&", "and", "of", "the", "for", "to", "in", "on", "at", "us", "de", "la", "du"})
_HAS_DIGIT = re.compile(r"\d")
_POSSESSIVE = re.compile(r"['’]s$")


def _script_counts(text: str) -> dict[str, int]:
    """Letters per script. ASCII letters are counted with bytes.translate and only the
    non-ASCII rest goes through the regexes, which keeps this fast on long texts."""
    ascii_letters = len(text.encode("ascii", "ignore").translate(None, _ASCII_NON_LETTERS))
    rest = "" if text.isascii() else "".join(_NON_ASCII.findall(text))
    counts = {name: len(pattern.findall(rest)) for name, pattern in _SCRIPTS.items()}
    counts["latin"] += ascii_letters
    return counts


def _footer_hint_positions(text: str) -> list[int]:
    """Where copyright or licence footers may be: one pass of fast substring searches
    over the whole text instead of a regex per line."""
    lowered = text.lower()
    positions = []
    for needle in _FOOTER_NEEDLES:
        at = lowered.find(needle)
        while at >= 0:
            positions.append(at)
            at = lowered.find(needle, at + 1)
    positions.extend(m.start() for m in _FIVE_DIGITS.finditer(text))
    return positions


def dominant_script(text: str) -> str:
    """The script most letters of ``text`` are written in: latin, cjk, cyrillic or arabic.

    >>> dominant_script("Remarks by Ambassador 张军")
    'latin'
    """
    if text.isascii():
        return "latin"
    counts = _script_counts(text)
    return max(counts, key=lambda name: counts[name]) if any(counts.values()) else "latin"


def _composed_of(line: str, tokens: re.Pattern[str], strong: re.Pattern[str]) -> bool:
    """True when ``line`` holds at least one ``strong`` token and nothing but ``tokens`` and
    separators."""
    if not strong.search(line):
        return False
    return _SEPARATORS_ONLY.fullmatch(tokens.sub(" ", line)) is not None


def _words(text: str) -> list[str]:
    return _WORD.findall(text)


def _is_menu_item(word: str) -> bool:
    first = word[0]
    return first.isupper() or bool(_CJK.match(first)) or word.lower() in _CONNECTORS


def _nav_word_count(words: Iterable[str]) -> int:
    return sum(1 for w in words if _POSSESSIVE.sub("", w.lower()) in _NAV_WORDS)


def _is_title_case_menu(line: str) -> bool:
    """"Home Meetings & Statements Events & Activities China & UN 中文": short Title-Case
    items with no sentence punctuation, several of them menu words."""
    if len(line) > 250 or _HAS_DIGIT.search(line) or re.search(r"[.,:;!?\"“”()]", line):
        return False
    words = _words(line)
    if len(words) < 3 or not all(_is_menu_item(w) for w in words):
        return False
    nav = _nav_word_count(words)
    starts_home = words[0].lower() in {"home", "homepage", "首页", "主页", "menu"}
    return nav >= 3 or (starts_home and nav >= 2)


def _is_breadcrumb(line: str) -> bool:
    """"Home > Meetings & Statements", "Home / Opinion / Specials", "You are here: News »
    Press releases"."""
    if len(line) > 250:
        return False
    prefixed = _CRUMB_PREFIX.match(line)
    rest = line[prefixed.end() :] if prefixed else line
    segments = [s.strip() for s in _CRUMB_SPLIT.split(rest.strip())]
    if len(segments) < 2 or not all(segments):
        return False
    if any(len(s) > 70 or len(s.split()) > 9 or _SENTENCE_END.search(s) for s in segments):
        return False
    if prefixed or _HOME_WORDS.match(segments[0]):
        return True
    initials_ok = all(_is_menu_item(s) for s in segments)
    return len(segments) >= 3 and initials_ok and _nav_word_count(_words(rest)) >= 1


def _is_pipe_menu(line: str) -> bool:
    """"Home | About Us | Contact": three or more short items between bars or dots."""
    if len(line) > 250 or _HAS_DIGIT.search(line) or ":" in line:
        return False
    segments = [s for s in _MENU_SPLIT.split(line.strip()) if s]
    if len(segments) < 3:
        return False
    return all(len(s) <= 40 and len(s.split()) <= 5 and _is_menu_item(s) for s in segments)


def _is_keyword_spam(line: str, document_script: str) -> bool:
    """A list of keyword phrases written in another script than the document's, like the
    comma-separated Chinese search terms injected at the top of some mirrored pages."""
    counts = _script_counts(line)
    letters = sum(counts.values())
    if letters < 4:
        return False
    script = max(counts, key=lambda name: counts[name])
    if script == document_script or counts[script] < 0.7 * letters or _SENTENCE_END.search(line):
        return False
    items = [item for item in _KEYWORD_SEPARATORS.split(line.strip()) if item.strip()]
    return len(items) >= 3 and all(len(item.strip()) <= 40 for item in items)


def _is_menu_line(line: str) -> bool:
    """One item of a vertical menu: a few Title-Case words, no digits or punctuation."""
    stripped = line.strip()
    if not stripped or len(stripped) > 40 or _HAS_DIGIT.search(stripped):
        return False
    if re.search(r"[.,:;!?\"“”()]", stripped):
        return False
    words = _words(stripped)
    return 0 < len(words) <= 4 and all(_is_menu_item(w) for w in words)


def _is_short_label(line: str) -> bool:
    """A short leftover such as a section label ("Opinion") between junk lines."""
    stripped = line.strip()
    return (
        0 < len(stripped) <= 40
        and len(stripped.split()) <= 3
        and not _HAS_DIGIT.search(stripped)
        and not re.search(r"[.,;:!?]$", stripped)
    )


def _classification_form(line: str, markdown: bool) -> str:
    """The line as a reader sees it: markdown links reduced to their text, list and
    heading markers dropped."""
    if markdown or "](" in line:
        line = _MD_LINK.sub(r"\1", line)
        line = _MD_PREFIX.sub("", line)
    return line.replace("**", "").replace("__", "")


def is_boilerplate_line(line: str, document_script: str = "latin", *, markdown: bool = False) -> bool:
    """Whether one line, on its own, is boilerplate.

    >>> is_boilerplate_line("Home > Meetings & Statements")
    True
    >>> is_boilerplate_line("2022-05-23 13:25")
    False
    """
    return _classify(line, document_script, markdown, footer_hint=bool(_footer_hint_positions(line)))


def _classify(line: str, document_script: str, markdown: bool, *, footer_hint: bool) -> bool:
    """:func:`is_boilerplate_line`, told whether the line holds a footer hint (the caller
    finds those with one scan of the whole text)."""
    raw = line.strip()
    if not raw:
        return False
    if markdown and (_MD_IMAGE_LINE.match(raw) or _MD_COMMENT_LINE.match(raw)):
        return True
    if raw[0] in _RULE_STARTS and (_RULE_LINE.match(raw) or _TABLE_RULE.match(raw)):
        return True
    text = _classification_form(raw, markdown).strip()
    if not text:
        return False
    if footer_hint and len(text) <= 1000 and (_COPYRIGHT.search(text) or _LICENCE.search(text)):
        return True
    if len(text) <= 500 and "ookie" in text and _COOKIE_BANNER.search(text):
        return True
    if len(text) > 300 or _PROSE.search(text):
        # Running prose: every rule below is for menus, markers and lists.
        return False
    words = text.split()
    if (
        _END_MARKER.match(text)
        or _EDITOR_LINE.match(text)
        or _PHOTO_CREDIT.match(text)
        or (_TAGS_LINE.match(text) and len(text) <= 200)
        or _PAGE_NUMBER.match(text)
    ):
        return True
    if (
        len(text) <= 160
        and len(words) <= 16
        and _looks_like_a_control(text)
        and (
            _composed_of(text, _TOOLS, _TOOLS)
            or _composed_of(text, _LANGUAGE_TOKENS, _LANGUAGE_STRONG_TOKENS)
            or _is_pager(text)
        )
    ):
        return True
    return (
        _is_breadcrumb(text)
        or _is_pipe_menu(text)
        or _is_title_case_menu(text)
        or ((document_script != "latin" or not text.isascii()) and _is_keyword_spam(text, document_script))
    )


def _looks_like_a_control(text: str) -> bool:
    """Links and buttons start with a capital or a symbol and do not end a sentence
    ("Share", "BACK TO THE TOP", "|<< Previous"); a lower-case word or a full stop is a
    wrapped line of prose ("share.")."""
    first_letter = _FIRST_LETTER.search(text)
    if first_letter and first_letter.group().islower():
        return False
    return not text.endswith((".", ",", ";", "!", "?"))


def _is_pager(text: str) -> bool:
    if not _composed_of(text, _PAGER_TOKENS, _PAGER_TOKENS):
        return False
    return bool(_PAGER_WORD.search(text)) or (
        bool(_PAGER_ARROW.search(text)) and len(_HAS_DIGIT.findall(text)) >= 2
    )


def _lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of every line's content, line breaks excluded."""
    spans = []
    pos = 0
    for line in text.splitlines(keepends=True):
        content = line.rstrip(_LINE_BREAKS)
        spans.append((pos, pos + len(content)))
        pos += len(line)
    return spans


def _running_headers(text: str, lines: list[tuple[int, int]]) -> set[int]:
    """Indices of lines repeated at the top or bottom of most pages (form-feed separated):
    running headers and footers of a PDF, all but their first occurrence."""
    pages: list[list[int]] = [[]]
    for index, (start, end) in enumerate(lines):
        if end < len(text) and text[end] == "\f" and start == end:
            pages.append([])
            continue
        if text[start:end].strip():
            pages[-1].append(index)
        if end < len(text) and text[end] == "\f":
            pages.append([])
    pages = [page for page in pages if page]
    if len(pages) < 2:
        return set()

    def key(index: int) -> str:
        start, end = lines[index]
        return re.sub(r"\d+", "#", " ".join(text[start:end].split())).lower()

    edges = [list(dict.fromkeys(page[:3] + page[-3:])) for page in pages]
    seen = Counter(k for edge in edges for k in {key(i) for i in edge if len(key(i)) <= 150})
    needed = max(2, math.ceil(0.5 * len(pages)))
    repeated: set[int] = set()
    first_seen: set[str] = set()
    for edge in edges:
        for i in edge:
            k = key(i)
            if seen.get(k, 0) < needed:
                continue
            # The first occurrence stays: on page one a running header is the letterhead
            # ("Permanent Mission of ...") and says who speaks.
            if k in first_seen:
                repeated.add(i)
            first_seen.add(k)
    return repeated


def boilerplate_spans(
    text: str, *, known: Iterable[tuple[int, int]] = (), markdown: bool = False
) -> list[tuple[int, int]]:
    """The (start, end) spans of ``text`` that :func:`blank_boilerplate` blanks, in order.

    ``known`` adds spans the caller already knows are boilerplate (a reader that saw
    ``<nav>`` or ``<footer>`` elements); ``markdown`` also blanks markup-only lines.

    >>> boilerplate_spans("Home > News\\nChina supports the initiative.\\nPrint")
    [(0, 11), (43, 48)]
    """
    lines = _lines(text)
    script = dominant_script(text)
    contents = [text[start:end] for start, end in lines]
    starts = [start for start, _ in lines]
    hinted = {bisect.bisect_right(starts, at) - 1 for at in _footer_hint_positions(text)}
    junk = [
        _classify(line, script, markdown, footer_hint=index in hinted) for index, line in enumerate(contents)
    ]

    for index in range(len(contents) - 1):
        # "Allow\nme first to convey ...": a word or two of hard-wrapped prose that
        # happens to look like a button; the next line goes on in lower case.
        if junk[index] and len(contents[index].split()) <= 3 and contents[index + 1].lstrip()[:1].islower():
            junk[index] = False

    for index in _running_headers(text, lines) if "\f" in text else ():
        junk[index] = True

    known_spans = sorted((s, e) for s, e in known if e > s)
    if known_spans:
        # A line wholly inside a known span is junk; this lets the context rules below
        # see structural junk as well.
        k = 0
        for index, (start, end) in enumerate(lines):
            while k < len(known_spans) and known_spans[k][1] <= start:
                k += 1
            inside = k < len(known_spans) and known_spans[k][0] <= start and end <= known_spans[k][1]
            if inside and contents[index].strip():
                junk[index] = True

    nonblank = [i for i, line in enumerate(contents) if line.strip()]
    _blank_menu_runs(contents, nonblank, junk, markdown)
    _blank_sandwiched_labels(contents, nonblank, junk)

    spans = [(lines[i][0], lines[i][1]) for i in nonblank if junk[i]]
    return _merge(spans + known_spans)


def _blank_menu_runs(contents: list[str], nonblank: list[int], junk: list[bool], markdown: bool) -> None:
    """A vertical menu: three or more consecutive short Title-Case lines, two or more of
    them menu words ("Home", "News", "Contact")."""
    run: list[int] = []

    def close_run() -> None:
        words = [w for i in run for w in _words(_classification_form(contents[i], markdown))]
        if len(run) >= 3 and _nav_word_count(words) >= 2:
            for i in run:
                junk[i] = True
        run.clear()

    for i in nonblank:
        if not junk[i] and _is_menu_line(_classification_form(contents[i], markdown)):
            run.append(i)
        else:
            close_run()
    close_run()


def _blank_sandwiched_labels(contents: list[str], nonblank: list[int], junk: list[bool]) -> None:
    """A short label between junk lines (a section name between the language switcher and
    the breadcrumb), or after the last junk line at the end, is junk too."""
    for position, i in enumerate(nonblank):
        if junk[i] or not _is_short_label(contents[i]):
            continue
        before = nonblank[position - 1] if position > 0 else None
        after = nonblank[position + 1] if position + 1 < len(nonblank) else None
        if before is not None and junk[before] and (after is None or junk[after]):
            junk[i] = True


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def blank_spans(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """``text`` with every character inside ``spans`` except line breaks replaced by a space.

    >>> blank_spans("ab\\ncd", [(1, 4)])
    'a \\n d'
    """
    out: list[str] = []
    pos = 0
    for start, end in _merge([(max(0, s), min(len(text), e)) for s, e in spans if e > s]):
        out.append(text[pos:start])
        out.append(_NON_BREAK.sub(" ", text[start:end]))
        pos = end
    out.append(text[pos:])
    return "".join(out)


def blank_boilerplate(text: str, *, known: Iterable[tuple[int, int]] = (), markdown: bool = False) -> str:
    """``text`` with boilerplate replaced by spaces: same length, same line breaks.

    >>> body = blank_boilerplate("Home > Meetings\\nRemarks by the Ambassador\\nSuggest to a friend")
    >>> body
    '               \\nRemarks by the Ambassador\\n                   '
    >>> len(body) == len("Home > Meetings\\nRemarks by the Ambassador\\nSuggest to a friend")
    True
    """
    return blank_spans(text, boilerplate_spans(text, known=known, markdown=markdown))
