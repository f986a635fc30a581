"""Document metadata from the text itself: title, date, genre, actor, speaker, forum.

The rules read data (:mod:`loaders.metadata_profiles`): genre descriptions, publisher
profiles, person titles, groups. First the page is placed (:class:`Page`: front matter, the
URL and the publisher whose host it is, a file named by the UN General Debate corpus
convention ``ISO3_SESSION_YEAR.txt``); then each field has its own small function, and a
sidecar ``<file>.meta.json`` (read by the reader into ``Document.sidecar``) supplies or
overrides any field, e.g. the year of a news report datelined only "May 23". Who speaks
(actor, speaker, forum) is in :mod:`loaders.metadata_voice`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from loaders.dates import find_dates
from loaders.gazetteer import Gazetteer
from loaders.metadata_profiles import NEWS_KINDS, Profiles, Publisher, load_profiles
from loaders.metadata_voice import extract_actor, extract_forum, extract_speaker, lines_of
from loaders.records import Document, DocumentMeta
from loaders.sidecar import front_matter_values
from loaders.ungdc import FORUM as UN_GENERAL_ASSEMBLY
from loaders.ungdc import parse_member_name

#: How far into the document the header (title, dateline, byline) may reach.
HEADER_CHARS = 1200
#: How far a page's furniture (URL line, site name, section labels) may reach.
PAGE_HEAD_CHARS = 3000

_SALUTATION = re.compile(
    r"^\s*(?:(?:Mr\.?|Madam|Madame|Mister|Dear)\s+)?(?:Your\s+Excellency|Excellencies|"
    r"(?:Vice[- ])?President|Chair(?:man|person|woman)?|Co-Chairs?|Secretary-General|Moderator|"
    r"Distinguished\s+delegates|Colleagues)\s*[,:]\s*$",
    re.MULTILINE | re.IGNORECASE,
)
_NEWS_DATELINE = re.compile(
    r"^\s*(?:[A-Z][\w.&' -]{1,40}(?:News|Agency|Press|Xinhua|Reuters|AFP|AP|TASS|Kyodo|"
    r"Yonhap|Daily|Times|Post)\b[^\n.]{0,60}?,\s*)?[A-Z][\w .'-]{1,40},\s*(?:"
    + r"January|February|March|April|May|June|July|August|September|October|November|December"
    + r")\s+\d{1,2}\s*(?:\(|\.|--|—|-)",
)
#: An agency credit in a byline: "(Viet Nam News/ANN)".
_AGENCY_CREDIT = re.compile(r"^\s*\([A-Z][^()\n]{1,40}/[A-Z][^()\n]{1,20}\)\s*$", re.MULTILINE)
_REPORTED = re.compile(r"\b(?:said|stated|pointed out|emphasi[sz]ed|stressed|noted)\s+that\b")
_FIRST_PERSON = re.compile(r"\b(?:I|we|We|our|Our|my|My|us)\b")
_URL = re.compile(r"https?://[^\s<>\"')\]]+")
_ROMAN_HEADINGS = (re.compile(r"^\s*I\.\s+\S", re.MULTILINE), re.compile(r"^\s*II\.\s", re.MULTILINE))
#: "the 79th session" of the General Assembly: the session's year is 1945 + its number.
_SESSION = re.compile(r"\b(\d{2})(?:st|nd|rd|th)\s+[Ss]ession\b")
_FIRST_UN_YEAR = 1945


@dataclass(frozen=True, slots=True)
class Page:
    """Where a document comes from, as far as its file and header tell."""

    front: dict[str, str] = field(default_factory=dict)  # front matter, every key
    url: str | None = None
    publisher: Publisher | None = None
    tags: str = ""  # front matter tags and categories, lower case
    un_file: tuple[str, int, int] | None = None  # (ISO3, session, year) of ISO3_SESSION_YEAR.txt


def read_page(doc: Document, profiles: Profiles) -> Page:
    """The page's front matter, URL, publisher and file-name convention."""
    front, _ = front_matter_values(doc.text) if doc.text.startswith("---") else ({}, None)
    head = doc.text[:PAGE_HEAD_CHARS]
    url = doc.sidecar.get("url") or front.get("source_url") or front.get("url") or front.get("canonical_url")
    if not url:
        found = _URL.search(head)
        url = found.group(0) if found else None
    publisher = profiles.publisher_for_url(url) if url else None
    if publisher is None and not ({"actor", "genre"} <= doc.sidecar.keys()):
        # Header cues only matter when the sidecar leaves who speaks, or how, open (a
        # corpus loader such as UngdcCorpus states both for each of its ten thousand files).
        publisher = profiles.publisher_for_header(head)
    tags = " ".join(front.get(key, "") for key in ("tags", "categories", "category", "section")).lower()
    un_file = parse_member_name(PurePosixPath(doc.source.replace("\\", "/")).name)
    if un_file is not None and un_file[2] != _FIRST_UN_YEAR + un_file[1]:
        un_file = None  # not the corpus's naming: session N is held in 1945 + N
    return Page(front=front, url=url, publisher=publisher, tags=tags, un_file=un_file)


def _strip_markup(line: str) -> str:
    return re.sub(r"\s+", " ", line.replace("**", "").replace("__", "").lstrip("#> ")).strip()


def _is_date_line(text: str) -> bool:
    """'2022-05-23 13:25', 'Updated: 2025-11-28': a line that is little more than a date."""
    rest = text
    for found in find_dates(text):
        rest = rest.replace(found.span.text, " ")
    return len(re.findall(r"[A-Za-z]{2,}", rest)) < 3


def is_heading(title: str | None) -> bool:
    """Whether a title is a heading, not the first sentence of a text without one.

    >>> is_heading("Remarks by the Minister at the Conference"), is_heading("We met in May.")
    (True, False)
    """
    return bool(title) and not str(title).rstrip().endswith((".", "!", "?", ";", ","))


def extract_title(body: str) -> str | None:
    """The first title-like line of the header: several words, no full stop at its end,
    not a date or a salutation; a markdown bold title may run over two lines.

    >>> extract_title("**Remarks by Ambassador Li Song  \\nAt the CD Plenary Meeting**\\n\\nMr. President,")
    'Remarks by Ambassador Li Song At the CD Plenary Meeting'
    """
    lines = lines_of(body)
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
            return text.split(". ")[0][:200] + "."
        return text
    return None


def _foreign_date(header: str, months: dict[str, int]) -> str | None:
    """'den 22 september 2024', '12 mai 2023': a day, a month of another language, a year."""
    for match in re.finditer(r"\b(\d{1,2})\.?\s+([^\W\d_]{3,10})\.?\s+((?:19|20)\d\d)\b", header):
        month = months.get(match.group(2).lower())
        if month is not None and 1 <= int(match.group(1)) <= 31:
            return f"{match.group(3)}-{month:02d}-{int(match.group(1)):02d}"
    return None


def extract_date(body: str, profiles: Profiles | None = None) -> tuple[str | None, str | None]:
    """(date, datetime) from the header: the first absolute date there, preferring one
    with a month; ``datetime`` only when a time of day is given. Month names of other
    languages (``ontology/month_names.toml``) are read when no English date is found."""
    header = body[:HEADER_CHARS]
    found = [d for d in find_dates(header) if not d.relative]
    with_month = [d for d in found if len(d.value) >= 7]
    if not with_month and profiles is not None:
        foreign = _foreign_date(header, profiles.months)
        if foreign:
            return foreign, None
    if not found:
        return None, None
    best = with_month[0] if with_month else found[0]
    when = None
    m = re.match(r"\d{4}-\d\d-\d\d[ T](\d\d:\d\d)", best.span.text)
    if m:
        when = f"{best.value}T{m.group(1)}"
    return best.value, when


def _front_date(front: dict[str, str]) -> tuple[str | None, str | None]:
    for key in ("date", "published_time", "published", "datetime"):
        value = front.get(key, "")
        m = re.match(r"(\d{4}-\d\d-\d\d)(?:[T ](\d\d:\d\d))?", value)
        if m:
            return m.group(1), f"{m.group(1)}T{m.group(2)}" if m.group(2) else None
    return None, None


def _header_lines(doc: Document, title: str | None) -> list[str]:
    """The short lines of the page head (section labels such as "Opinion"), lower case."""
    out = []
    for _, line in lines_of(doc.body[:HEADER_CHARS]):
        text = _strip_markup(line)
        if title and text == title:
            break
        if 0 < len(text) <= 40:
            out.append(text.lower())
    return out


def extract_genre(doc: Document, title: str | None, page: Page, profiles: Profiles) -> str:
    """The genre: the title's cues, the body's cues, the publisher's section, a section
    label in the page head, then the shape of the text (a dateline, a salutation, reported
    speech, numbered parts, a first-person voice), then the publisher's usual genre. On a
    newspaper's page only genres a newspaper carries count (a headline saying "speech"
    reports one)."""
    if page.un_file is not None:
        return "speech"
    newspaper = page.publisher is not None and page.publisher.kind in NEWS_KINDS
    genres = [g for g in profiles.genres if g.in_newspapers or not newspaper]
    heading = title if is_heading(title) else None
    if heading:
        for genre in genres:
            if any(cue.search(heading) for cue in genre.title_cues):
                return genre.name
    for genre in genres:
        for cue in genre.body_cues:
            if len(cue.pattern.findall(doc.body, 0, cue.within)) >= cue.min_count:
                return genre.name
    if page.publisher is not None:
        path = (page.url or "").lower()
        for section in page.publisher.sections:
            if section.match in path or section.match in page.tags:
                return section.genre
    labels = set(_header_lines(doc, title)) | set(re.findall(r"[\w-]+", page.tags))
    for genre in genres:
        if genre.header_lines & labels:
            return genre.name
    if newspaper and page.publisher is not None:
        return page.publisher.default_genre
    salutation = _SALUTATION.search(doc.body) is not None
    first = next((line for _, line in lines_of(doc.body)), "")
    if (
        _NEWS_DATELINE.match(first)
        or _AGENCY_CREDIT.search(doc.body[:HEADER_CHARS])
        or (len(_REPORTED.findall(doc.body)) >= 2 and not salutation)
    ):
        return "news_report"
    if salutation:
        return "speech"
    if _ROMAN_HEADINGS[0].search(doc.body) and _ROMAN_HEADINGS[1].search(doc.body):
        return "position_paper"
    if page.publisher is not None:
        return page.publisher.default_genre
    if not heading and _first_person(doc.body):
        # No header at all, an "I"/"we" voice throughout: a speech as delivered.
        return "speech"
    return "other"


def _first_person(body: str) -> bool:
    sample = body[:6000]
    words = len(sample.split())
    return words >= 150 and len(_FIRST_PERSON.findall(sample)) >= max(5, 0.008 * words)


def _session_year(body: str) -> str | None:
    """The year of "the 79th session" a General Assembly speech names (1945 + 79)."""
    m = _SESSION.search(body[:8000])
    return str(_FIRST_UN_YEAR + int(m.group(1))) if m else None


_NAME_YEAR = re.compile(r"(?<![0-9])(19[4-9][0-9]|20[0-9]{2})(?![0-9])")


def file_name_year(source: str) -> str | None:
    """The one year a file's name gives (``speech_2023.txt``), a last resort for a
    document whose text carries no date; none when the name gives several or none.

    >>> file_name_year("corpus/07_pm_address_2023.txt"), file_name_year("/tmp/2019-2021 review.txt")
    ('2023', None)
    >>> file_name_year("notes_12345.txt") is None
    True
    """
    stem = PurePosixPath(source.replace("\\", "/")).stem
    years = set(_NAME_YEAR.findall(stem))
    return years.pop() if len(years) == 1 else None


def extract_metadata(doc: Document, gaz: Gazetteer) -> DocumentMeta:
    """Metadata of one document; sidecar fields win over what the text says."""
    profiles = load_profiles()
    side = doc.sidecar
    page = read_page(doc, profiles)
    title = side.get("title") or page.front.get("title") or extract_title(doc.body)
    date: str | None
    when: str | None
    if side.get("date"):
        date, when = str(side["date"])[:10], side.get("datetime")
    else:
        date, when = _front_date(page.front)
        if not date:
            date, when = extract_date(doc.body, profiles)
    genre = side.get("genre") or extract_genre(doc, title, page, profiles)
    heading = title if is_heading(title) else None
    speaker = (
        side.get("speaker") if "speaker" in side else extract_speaker(doc, heading, genre, gaz, profiles)
    )
    if page.un_file is not None:
        code, _, year = page.un_file
        state = gaz.by_iso3(code)
        date = date if date and date.startswith(str(year)) else str(year)
        actor = side.get("actor") or (state.label if state is not None else None)
        forum = side.get("forum") if "forum" in side else UN_GENERAL_ASSEMBLY
    else:
        actor = side.get("actor") or extract_actor(
            doc, heading, genre, page.publisher, gaz, profiles, speaker=speaker
        )
        forum = (
            side.get("forum")
            if "forum" in side
            else extract_forum(doc, heading, genre, gaz, profiles, actor=actor)
        )
    if actor and (entry := gaz.lookup(actor)) is not None:
        actor = entry.label
    if forum and (entry := gaz.lookup(forum)) is not None:
        forum = entry.label
    if not date and genre == "speech" and forum == UN_GENERAL_ASSEMBLY:
        date = _session_year(doc.body)
    if not date:
        date = file_name_year(doc.source)
    publisher = side.get("publisher") or (page.publisher.name if page.publisher is not None else None)
    return DocumentMeta(
        title=title,
        date=date,
        datetime=when,
        genre=genre,
        actor=actor,
        speaker=speaker or None,
        forum=forum or None,
        publisher=publisher,
        language=side.get("language", "en"),
    )
