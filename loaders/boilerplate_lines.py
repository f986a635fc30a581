"""What a boilerplate line looks like, judged one line at a time.

The rules read the *shape* of a line, never one site's exact strings: a line made only of
junk vocabulary and separators (share/print links, "Back to top", language switchers,
pagers), a run of short Title-Case menu items, a breadcrumb trail, a copyright or licence
footer, a cookie notice, an agency end marker ("(End)"), an editor or photo credit, a page
number, a markup rule, or a keyword list written in another script than the document's
(SEO spam). Lines of running prose (four lower-case words in a row) are never junk
except for copyright and cookie notices. :mod:`loaders.cleaning` applies these rules to a
whole document and adds the rules that need context.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

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
    r"^\s*(?:©|\(c\)\s*\d)|all\s+rights\s+reserved|\bcopyright\s*(?:©|\(c\)|\d{4})",
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
_HOME_WORDS = re.compile(r"^\s*(?:(?i:home(?:page)?|main|start|accueil|inicio|главная)|首页|主页)\s*$")
_CRUMB_PREFIX = re.compile(
    r"^\s*(?:(?i:you\s+are\s+here|current\s+location|location|breadcrumbs?)|当前位置|您的位置|位置)\s*[:：]\s*"
)
_CRUMB_SPLIT = re.compile(r"\s+(?:>|/|\\|→)\s+|\s*(?:»|›|＞|>>)\s*")
_MENU_SPLIT = re.compile(r"\s*[|·•｜]\s*")
_WORD = re.compile(r"[^\s&|/·•]+")
_CONNECTORS = frozenset({"&", "and", "of", "the", "for", "to", "in", "on", "at", "us", "de", "la", "du"})
_HAS_DIGIT = re.compile(r"\d")
_MENU_PUNCTUATION = re.compile(r"[.,:;!?\"“”()]")
_POSSESSIVE = re.compile(r"['’]s$")


def _script_counts(text: str) -> dict[str, int]:
    """Letters per script. ASCII letters are counted with bytes.translate and only the
    non-ASCII rest goes through the regexes, which keeps this fast on long texts."""
    ascii_letters = len(text.encode("ascii", "ignore").translate(None, _ASCII_NON_LETTERS))
    rest = "" if text.isascii() else "".join(_NON_ASCII.findall(text))
    counts = {name: len(pattern.findall(rest)) for name, pattern in _SCRIPTS.items()}
    counts["latin"] += ascii_letters
    return counts


def footer_hint_positions(text: str) -> list[int]:
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
    # A Han character or Hangul syllable carries about a word: weigh it like three letters.
    counts["cjk"] *= 3
    return max(counts, key=lambda name: counts[name]) if any(counts.values()) else "latin"


def _composed_of(line: str, tokens: re.Pattern[str], strong: re.Pattern[str]) -> bool:
    """True when ``line`` holds at least one ``strong`` token and nothing but ``tokens`` and
    separators."""
    # Cheap test first: the line must begin (after separators) with a token.
    first = _SEPARATORS_ONLY.match(line)
    if not tokens.match(line, first.end() if first else 0) or not strong.search(line):
        return False
    return _SEPARATORS_ONLY.fullmatch(tokens.sub(" ", line)) is not None


def words_of(text: str) -> list[str]:
    return _WORD.findall(text)


def _is_menu_item(word: str) -> bool:
    first = word[0]
    return first.isupper() or bool(_CJK.match(first)) or word.lower() in _CONNECTORS


def nav_word_count(words: Iterable[str]) -> int:
    return sum(1 for w in words if _POSSESSIVE.sub("", w.lower()) in _NAV_WORDS)


def _is_title_case_menu(line: str) -> bool:
    """Short Title-Case items with no sentence punctuation, several of them menu words:
    "Home Meetings & Statements Events & Activities China & UN 中文"."""
    if len(line) > 250 or _HAS_DIGIT.search(line) or _MENU_PUNCTUATION.search(line):
        return False
    words = words_of(line)
    if len(words) < 3 or not all(_is_menu_item(w) for w in words):
        return False
    nav = nav_word_count(words)
    starts_home = words[0].lower() in {"home", "homepage", "首页", "主页", "menu"}
    return nav >= 3 or (starts_home and nav >= 2)


def _is_breadcrumb(line: str) -> bool:
    """A breadcrumb trail: "Home > Meetings & Statements", "Home / Opinion / Specials",
    "You are here: News » Press releases"."""
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
    return len(segments) >= 3 and initials_ok and nav_word_count(words_of(rest)) >= 1


def _is_pipe_menu(line: str) -> bool:
    """Three or more short items between bars or dots: "Home | About Us | Contact"."""
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
    items = [item.strip() for item in _KEYWORD_SEPARATORS.split(line.strip()) if item.strip()]
    if len(items) < 3 or any(len(item) > 40 for item in items):
        return False
    if sum(map(len, items)) < 4 * len(items):
        return False  # "UN, WTO, IMF": acronyms, not search phrases
    if script in {"latin", "cyrillic"}:
        # Search phrases are written in lower case; "Arms Control, Disarmament, and
        # Nonproliferation" in a Chinese page is a title.
        return 2 * sum(1 for item in items if item[0].islower()) >= len(items)
    return True


def is_menu_line(line: str) -> bool:
    """One item of a vertical menu: a few Title-Case words, no digits or punctuation."""
    stripped = line.strip()
    if not stripped or len(stripped) > 40 or _HAS_DIGIT.search(stripped):
        return False
    if _MENU_PUNCTUATION.search(stripped):
        return False
    words = words_of(stripped)
    return 0 < len(words) <= 4 and all(_is_menu_item(w) for w in words)


def is_short_label(line: str) -> bool:
    """A short leftover such as a section label ("Opinion") between junk lines."""
    stripped = line.strip()
    return (
        0 < len(stripped) <= 40
        and len(stripped.split()) <= 3
        and not _HAS_DIGIT.search(stripped)
        and not re.search(r"[.,;:!?。！？；：，]$", stripped)
    )


def classification_form(line: str, markdown: bool) -> str:
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
    return classify_line(line, document_script, markdown, footer_hint=bool(footer_hint_positions(line)))


def classify_line(line: str, document_script: str, markdown: bool, *, footer_hint: bool) -> bool:
    """:func:`is_boilerplate_line`, told whether the line holds a footer hint (a caller
    with a whole document finds those with one scan, see :func:`footer_hint_positions`)."""
    raw = line.strip()
    if not raw:
        return False
    if markdown and (_MD_IMAGE_LINE.match(raw) or _MD_COMMENT_LINE.match(raw)):
        return True
    if raw[0] in _RULE_STARTS and (_RULE_LINE.match(raw) or _TABLE_RULE.match(raw)):
        return True
    text = classification_form(raw, markdown).strip()
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
