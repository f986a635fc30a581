"""Document metadata from the text itself: title, date, genre, actor, speaker, forum.

Each field has its own small function over the document; a sidecar ``<file>.meta.json``
(read by the reader into ``Document.sidecar``) supplies or overrides any field, e.g. the
year of a news report datelined only "May 23".
"""

from __future__ import annotations

import re
from collections import Counter

from loaders import name_patterns
from loaders.dates import find_dates
from loaders.gazetteer import Gazetteer, GazetteerEntry
from loaders.records import Document, DocumentMeta

#: How far into the document the header (title, dateline, byline) may reach.
HEADER_CHARS = 1200

_SALUTATION = re.compile(
    r"^\s*(?:(?:Mr\.?|Madam|Madame|Mister|Dear)\s+)?(?:Your\s+Excellency|Excellencies|"
    r"(?:Vice[- ])?President|Chair(?:man|person|woman)?|Co-Chairs?|Secretary-General|Moderator|"
    r"Distinguished\s+delegates|Colleagues)\s*[,:]\s*$",
    re.MULTILINE | re.IGNORECASE,
)
#: A header line that names the genre: "Press Statement", "Remarks", "Readout".
_GENRE_LINE = re.compile(
    r"^\s*(?:(?P<statement>(?:Press|Joint|Media|Official)\s+Statement|Statement|Press\s+Release|Readout|"
    r"Communiqu[ée]|Declaration)|(?P<speech>Remarks|Speech|Keynote\s+Address|Address))\s*$",
    re.MULTILINE | re.IGNORECASE,
)
#: "Antony J. Blinken, Secretary of State": a byline naming the person speaking.
_BYLINE = re.compile(
    r"^\s*(?P<name>[A-Z][a-zà-ÿ]+(?:\s+[A-Z]\.)?(?:\s+[A-Z][a-zà-ÿ'-]+){1,2}),\s+"
    r"(?:the\s+)?(?:Secretary|Minister|Ambassador|President|Prime Minister|Spokes\w+|"
    r"Permanent Representative|Deputy|Director|Head|Chair|High Representative|Under-Secretary)",
    re.MULTILINE,
)
_ON_BEHALF = re.compile(r"\bon\s+behalf\s+of\s+(?:the\s+)?([A-Z][\w'’ -]{1,60}?)(?=\s+(?:and|,)|[,.;]|$)")
_SPEECH_TITLE = re.compile(
    r"^\s*(?:Remarks|Speech|Address|Keynote|Statement|Intervention|Explanation of Vote|"
    r"Opening Remarks|Closing Remarks)\b",
    re.IGNORECASE,
)
_NEWS_DATELINE = re.compile(
    r"^\s*(?:[A-Z][\w.&' -]{1,40}(?:News|Agency|Press|Xinhua|Reuters|AFP|AP|TASS|Kyodo|"
    r"Yonhap|Daily|Times|Post)\b[^\n.]{0,60}?,\s*)?[A-Z][\w .'-]{1,40},\s*(?:"
    + r"January|February|March|April|May|June|July|August|September|October|November|December"
    + r")\s+\d{1,2}\s*(?:\(|\.|--|—|-)",
)
_REPORTED = re.compile(r"\b(?:said|stated|pointed out|emphasi[sz]ed|stressed|noted)\s+that\b")
_POSITION_TITLE = re.compile(
    r"\b(?:Position Paper|Views and Recommendations|Views on|Working Paper|Non-Paper|"
    r"Submission|National Report|Position on)\b",
    re.IGNORECASE,
)
_WHITE_PAPER = re.compile(r"\b(?:white paper|Information Office)\b", re.IGNORECASE)
_SUBMITTED_TO = re.compile(r"\bsubmit\w*\b[^.]{0,120}?\bto\s+the\s+", re.IGNORECASE)
_FORUM_VERBS = re.compile(r"^\s+(?:held|convened|hosted|opened|met|adopted)\b")


def _lines(text: str) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    pos = 0
    for line in text.splitlines(keepends=True):
        if line.strip():
            out.append((pos, line.rstrip("\r\n")))
        pos += len(line)
    return out


def _strip_markup(line: str) -> str:
    return re.sub(r"\s+", " ", line.replace("**", "").replace("__", "").lstrip("#> ")).strip()


def _is_date_line(text: str) -> bool:
    """'2022-05-23 13:25', 'Updated: 2025-11-28': a line that is little more than a date."""
    rest = text
    for found in find_dates(text):
        rest = rest.replace(found.span.text, " ")
    return len(re.findall(r"[A-Za-z]{2,}", rest)) < 3


def extract_title(body: str) -> str | None:
    """The first title-like line of the header: several words, no full stop at its end,
    not a date or a salutation; a markdown bold title may run over two lines.

    >>> extract_title("**Remarks by Ambassador Li Song  \\nAt the CD Plenary Meeting**\\n\\nMr. President,")
    'Remarks by Ambassador Li Song At the CD Plenary Meeting'
    """
    lines = _lines(body)
    for k, (_, line) in enumerate(lines[:15]):
        text = _strip_markup(line)
        if line.lstrip().startswith("**") and not line.rstrip().endswith("**"):
            for _, more in lines[k + 1 : k + 4]:
                text += " " + _strip_markup(more)
                if more.rstrip().endswith("**"):
                    break
        words = text.split()
        if len(words) < 4 or len(text) > 300 or _SALUTATION.match(line):
            continue
        if re.match(r"^[IVX]+\.\s", text) or _is_date_line(text):
            continue
        if text.endswith(".") and len(words) > 25:
            # A news lead: its first sentence is the best title there is.
            return text.split(". ")[0][:200]
        return text
    return None


def extract_date(body: str) -> tuple[str | None, str | None]:
    """(date, datetime) from the header: the first absolute date there, preferring one
    with a month; ``datetime`` only when a time of day is given."""
    header = body[:HEADER_CHARS]
    found = [d for d in find_dates(header) if not d.relative]
    if not found:
        return None, None
    with_month = [d for d in found if len(d.value) >= 7]
    best = with_month[0] if with_month else found[0]
    when = None
    m = re.match(r"\d{4}-\d\d-\d\d[ T](\d\d:\d\d)", best.span.text)
    if m:
        when = f"{best.value}T{m.group(1)}"
    return best.value, when


def extract_genre(doc: Document, title: str | None) -> str:
    head = doc.text[:HEADER_CHARS]
    if (title and _WHITE_PAPER.search(title)) or _WHITE_PAPER.search(head):
        return "white_paper"
    if title and _POSITION_TITLE.search(title):
        return "position_paper"
    genre_line = _GENRE_LINE.search(doc.body[:HEADER_CHARS])
    if genre_line and not _SALUTATION.search(doc.body):
        return "statement" if genre_line.group("statement") else "speech"
    first = next((line for _, line in _lines(doc.body)), "")
    if _NEWS_DATELINE.match(first) or (
        len(_REPORTED.findall(doc.body)) >= 2 and not _SALUTATION.search(doc.body)
    ):
        return "news_report"
    if _SALUTATION.search(doc.body):
        return "speech"
    if title and _SPEECH_TITLE.match(title):
        return "statement" if title.lower().startswith(("statement", "joint statement")) else "speech"
    if re.search(r"^\s*I\.\s+\S", doc.body, re.MULTILINE) and re.search(
        r"^\s*II\.\s", doc.body, re.MULTILINE
    ):
        return "position_paper"
    return "other"


def _entries_in(text: str, gaz: Gazetteer, types: set[str]) -> list[tuple[int, GazetteerEntry]]:
    out: list[tuple[int, GazetteerEntry]] = []
    for match in gaz.find_names(text):
        if match.kind == "ambiguous_acronym":
            continue
        for key in sorted(match.keys):
            entry = gaz.get(key)
            if entry is not None and entry.type in types:
                out.append((match.start, entry))
                break
    return out


def _speaking_body(text: str, gaz: Gazetteer) -> GazetteerEntry | None:
    """A state or an intergovernmental body that a phrase names ("the European Union")."""
    entry = gaz.lookup(text)
    if entry is not None and (entry.type == "State" or (entry.type == "Forum" and entry.parent is None)):
        return entry
    return None


def extract_actor(doc: Document, title: str | None, gaz: Gazetteer) -> str | None:
    """Who speaks: the state named in the title, the body spoken for ("on behalf of the
    European Union"), a title such as "EU Statement at ...", the state a representative
    represents, else the state the body names most."""
    if title:
        in_title = _entries_in(title, gaz, {"State"})
        if len({e.key for _, e in in_title}) == 1:
            return in_title[0][1].label
        lead = re.match(
            r"\s*(.{2,60}?)(?:'s|’s)?\s+(?:Statement|Remarks|Position|Views|Explanation|Intervention)\b",
            title,
        )
        if lead and (entry := _speaking_body(lead.group(1), gaz)) is not None:
            return entry.label
    behalf = _ON_BEHALF.search(doc.body[:5000])
    if behalf and (entry := _speaking_body(behalf.group(1), gaz)) is not None:
        return entry.label
    rep = re.search(r"Permanent Representative of ([A-Z][\w' ]+?)(?: to|,|\.)", doc.body)
    if rep and (entry := gaz.lookup(rep.group(1))) is not None and entry.type == "State":
        return entry.label
    counts = Counter(e.label for _, e in _entries_in(doc.body, gaz, {"State"}))
    if counts:
        return counts.most_common(1)[0][0]
    return None


def extract_speaker(doc: Document, title: str | None, genre: str) -> str | None:
    """The person speaking: named in the title, else (news) the most reported voice."""
    if genre not in ("speech", "statement", "news_report", "transcript", "op_ed", "other"):
        return None
    if title:
        persons = name_patterns.find_persons(title)
        if persons:
            return persons[0].name
    byline = _BYLINE.search(doc.body[:HEADER_CHARS])
    if byline:
        return re.sub(r"\s+[A-Z]\.(?=\s)", "", byline.group("name"))
    if genre == "news_report":
        counts = Counter(f.name for f in name_patterns.find_persons(doc.body))
        if counts:
            return counts.most_common(1)[0][0]
    return None


def extract_forum(
    doc: Document, title: str | None, genre: str, gaz: Gazetteer, actor: str | None = None
) -> str | None:
    """The forum addressed: named in the title, held/convened in a news lead, the body a
    paper is submitted to, or the last step of the page's breadcrumb."""
    if genre == "white_paper":
        return None
    forums = {"Forum"}
    if title:
        text_lower = doc.body.lower()
        candidates: list[tuple[int, GazetteerEntry]] = []
        for match in gaz.find_names(title):
            for key in sorted(match.keys):
                entry = gaz.get(key)
                if entry is None or entry.type not in forums or entry.label == actor:
                    continue
                if match.kind == "ambiguous_acronym" and not any(
                    w in text_lower for w in entry.label.lower().split() if len(w) > 5
                ):
                    continue
                # "... at the UN Security Council ..." names the forum addressed.
                addressed = re.search(r"\b(?:at|to|before|in|of)\s+(?:the\s+)?$", title[: match.start])
                candidates.append((0 if addressed else 1, entry))
        # The United Nations as such only when no more specific body is named.
        specific = [c for c in candidates if c[1].parent is not None or c[1].key != "united-nations"]
        ranked = sorted(specific or candidates, key=lambda c: c[0])
        if ranked:
            return ranked[0][1].label
    lead = doc.body[:HEADER_CHARS]
    for start, entry in _entries_in(lead, gaz, forums):
        end = start + lead[start:].find(" ") if " " in lead[start:] else start
        tail = lead[start:]
        for name in entry.names + entry.acronyms:
            if tail.lower().startswith(name.lower()):
                end = start + len(name)
                break
        if _FORUM_VERBS.match(lead[end:]):
            return entry.label
    if genre == "position_paper":
        for m in _SUBMITTED_TO.finditer(doc.body[:3000]):
            after = _entries_in(doc.body[m.end() : m.end() + 80], gaz, forums)
            if after and after[0][0] == 0:
                return after[0][1].label
        for _, line in _lines(doc.text[:HEADER_CHARS]):
            if ">" in line:
                last = line.rsplit(">", 1)[1].strip()
                entry = gaz.lookup(last)
                if entry is not None and entry.type in forums:
                    return entry.label
    return None


def extract_metadata(doc: Document, gaz: Gazetteer) -> DocumentMeta:
    """Metadata of one document; sidecar fields win over what the text says."""
    side = doc.sidecar
    title = side.get("title") or extract_title(doc.body)
    date, when = extract_date(doc.body)
    if side.get("date"):
        date, when = str(side["date"])[:10], side.get("datetime")
    genre = side.get("genre") or extract_genre(doc, title)
    actor = side.get("actor") or extract_actor(doc, title, gaz)
    if actor and (entry := gaz.lookup(actor)) is not None:
        actor = entry.label
    speaker = side.get("speaker") if "speaker" in side else extract_speaker(doc, title, genre)
    forum = side.get("forum") if "forum" in side else extract_forum(doc, title, genre, gaz, actor)
    if forum and (entry := gaz.lookup(forum)) is not None:
        forum = entry.label
    return DocumentMeta(
        title=title,
        date=date,
        datetime=when,
        genre=genre,
        actor=actor,
        speaker=speaker or None,
        forum=forum or None,
        publisher=side.get("publisher"),
        language=side.get("language", "en"),
    )
