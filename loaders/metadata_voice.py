"""Who speaks in a document, and where: actor, speaker and forum.

The rules follow the genre description (:class:`~loaders.metadata_profiles.GenreProfile`):
whether the genre has a speaker and where it is found (a titled person in the title, a
byline, the person a report quotes most), how the forum is found. The actor is, in order,
the group a joint statement speaks for, the voice of the publishing site (a foreign
ministry speaks for its state), the state an op-ed's author serves, the state of the person
the title names, and the older text rules (the state in the title, "on behalf of", the
state a representative represents, the state named most).
"""

from __future__ import annotations

import re
from collections import Counter

from loaders import person_names
from loaders.gazetteer import Gazetteer, GazetteerEntry
from loaders.metadata_profiles import GenreProfile, Profiles, Publisher
from loaders.records import Document

#: How far into the document the header (title, dateline, byline) may reach.
HEADER_CHARS = 1200
#: How far a byline may be from the top (newspaper pages put share buttons first).
BYLINE_CHARS = 2500
#: How much of a report is read for the person it is about.
REPORT_CHARS = 20000
#: Where an op-ed names its author's post ("The writer is ..."): the last part of the text.
WRITER_TAIL_CHARS = 12000

_ON_BEHALF = re.compile(r"\bon\s+behalf\s+of\s+(?:the\s+)?([A-Z][\w'’ -]{1,60}?)(?=\s+(?:and|,)|[,.;]|$)")
_BYLINE = re.compile(
    r"^\s*(?P<name>[A-Z][a-zà-ÿ]+(?:\s+[A-Z]\.)?(?:\s+[A-Z][a-zà-ÿ'-]+){1,2}),\s+"
    r"(?:the\s+)?(?:Secretary|Minister|Ambassador|President|Prime Minister|Spokes\w+|"
    r"Permanent Representative|Deputy|Director|Head|Chair|High Representative|Under-Secretary)",
    re.MULTILINE,
)
_BY_LINE = re.compile(r"^\s*[Bb]y\s+(?P<name>[A-Z][\w'’.-]+(?:\s+[A-Z][\w'’.-]+){1,3})\s*$")
_NAME_LINE = re.compile(r"^(?P<name>[A-Z][\w'’-]*\.?(?:\s+(?:[A-Z]\.|[A-Z][\w'’-]+)){1,3})$")
_SUBMITTED_TO = re.compile(r"\bsubmit\w*\b[^.]{0,120}?\bto\s+the\s+", re.IGNORECASE)
_FORUM_VERBS = re.compile(r"^\s+(?:held|convened|hosted|opened|met|adopted)\b")
_MET = re.compile(r"\bmet\b|\bgathered\b|\bconvened\b")
_HOST_BEFORE = re.compile(r"\b(?:to|in|at|for)\s+(?:the\s+)?$")
_DATEISH = re.compile(
    r"\b(?:19|20)\d\d\b|\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,|\b\d{1,2}:\d\d\b", re.IGNORECASE
)


def lines_of(text: str) -> list[tuple[int, str]]:
    """(offset, line) of every non-blank line of ``text``."""
    out: list[tuple[int, str]] = []
    pos = 0
    for line in text.splitlines(keepends=True):
        if line.strip():
            out.append((pos, line.rstrip("\r\n")))
        pos += len(line)
    return out


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


# ---------------------------------------------------------------------------------------
# Persons


def titled_person(text: str, profiles: Profiles) -> tuple[str, str] | None:
    """(title, name) of the first person named with an office in ``text``.

    >>> from loaders.metadata_profiles import load_profiles
    >>> titled_person("Remarks by Vice President Jane Roe at the Summit", load_profiles())
    ('Vice President', 'Jane Roe')
    """
    for match in profiles.titles.titled_name.finditer(text):
        name = _trim_name(match.group("name"))
        if name:
            return " ".join(match.group("title").split()), name
    return None


_NAME_STOP = frozenset(
    "At In On Of To For With And The Before During On Regarding About After From Call Meeting "
    "Visit Statement Remarks Speech Readout Press Conference Summit Session Forum".split()
)


def _trim_name(name: str) -> str | None:
    """A name cut at the first word that is no part of it ("Jane Roe At the ...")."""
    words = []
    for word in name.split():
        bare = word.rstrip("’'s") if word.endswith(("’s", "'s")) else word
        if bare in _NAME_STOP:
            break
        words.append(bare)
        if bare != word:
            break  # "Biden's Call": the possessive ends the name
    return " ".join(words) if words else None


def _full_name(name: str, doc: Document, gaz: Gazetteer) -> str:
    """A surname alone ("Harris") completed from the gazetteer's persons or the text."""
    if " " in name:
        return name
    known = [
        e.label
        for e in gaz.entries.values()
        if e.type == "Person" and e.label.split()[-1] == name and len(e.label.split()) > 1
    ]
    if len(set(known)) == 1:
        return known[0]
    found = re.search(rf"\b((?:[A-Z][a-z]+\.?\s+){{1,2}}){re.escape(name)}\b", doc.body[:20000])
    if found and not any(w.rstrip(".") in _NAME_STOP for w in found.group(1).split()):
        first = found.group(1).split()
        return " ".join([w for w in first if w not in {"President", "Minister", "Secretary"}] + [name])
    return name


def _person_state(name: str, gaz: Gazetteer) -> GazetteerEntry | None:
    entry = gaz.lookup(name)
    if entry is not None and entry.type == "Person" and entry.state:
        return gaz.get(entry.state)
    return None


def _byline_name(doc: Document, profiles: Profiles) -> str | None:
    """The author's name in the header: "Name, Title", a "By ..." line, or a line that is
    only a name with a date line a few lines below it (a newspaper byline)."""
    byline = _BYLINE.search(doc.body[:HEADER_CHARS])
    if byline:
        return re.sub(r"\s+[A-Z]\.(?=\s)", "", byline.group("name"))
    head = lines_of(doc.body[:BYLINE_CHARS])
    for k, (_, raw) in enumerate(head):
        line = profiles.titles.honorific.sub("", raw.strip().lstrip("#*> ").rstrip("*").strip())
        by = _BY_LINE.match(line)
        candidate = profiles.titles.honorific.sub("", by.group("name")) if by else None
        if candidate is None and _NAME_LINE.match(line) and len(line) <= 50:
            following = " ".join(text for _, text in head[k + 1 : k + 5])
            if _DATEISH.search(following):
                candidate = line
        if candidate and _may_be_person(candidate, profiles):
            return candidate
    return None


def _may_be_person(name: str, profiles: Profiles) -> bool:
    """Not a desk, an agency, a section label ("Press Statement") or a known title."""
    words = name.split()
    if name.lower() in profiles.byline_not_persons or any(
        w.lower() in profiles.byline_not_persons for w in words
    ):
        return False
    if any(w in _NAME_STOP for w in words):
        return False
    return not any(name.lower() in genre.header_lines for genre in profiles.genres)


def _most_reported(doc: Document, gaz: Gazetteer) -> str | None:
    """The person a report is about: of the persons named in full (with a title, or known
    to the gazetteer), the one whose surname recurs most ("Putin said ...")."""
    body = doc.body[:REPORT_CHARS]
    names = {f.name for f in person_names.find_persons(body)}
    for match in gaz.find_names(body):
        entries = [gaz.get(key) for key in match.keys]
        if any(e is not None and e.type == "Person" for e in entries):
            # As the report writes it ("Edouard Philippe"), when it writes it in full.
            surface = " ".join(body[match.start : match.end].split())
            person = next(e for e in entries if e is not None and e.type == "Person")
            names.add(surface if " " in surface else person.label)
    best: tuple[int, int, str] | None = None
    for k, name in enumerate(sorted(names)):
        last = name.split()[-1]
        count = len(re.findall(rf"\b{re.escape(last)}\b", body))
        if best is None or (count, -k) > best[:2]:
            best = (count, -k, name)
    return best[2] if best else None


def extract_speaker(
    doc: Document, title: str | None, genre: str, gaz: Gazetteer, profiles: Profiles
) -> str | None:
    """The person speaking or signing, where the genre says to look."""
    profile = profiles.genre(genre)
    if not profile.has_speaker:
        return None
    for source in profile.speaker_from:
        name: str | None = None
        if source == "title" and title:
            person = titled_person(title, profiles)
            if person:
                name = person[1]
            elif genre not in ("transcript", "op_ed"):
                persons = person_names.find_persons(title)
                name = persons[0].name if persons else None
        elif source == "lead":
            lead = _lead(doc, title)
            person = titled_person(lead, profiles) if lead else None
            name = person[1] if person else None
        elif source == "byline":
            name = _byline_name(doc, profiles)
        elif source == "reported":
            name = _most_reported(doc, gaz)
        if name:
            return _full_name(name, doc, gaz)
    return None


# ---------------------------------------------------------------------------------------
# Actor


def _group_named(text: str, profiles: Profiles) -> str | None:
    for group in profiles.groups:
        if any(p.search(text) for p in group.names):
            return group.label
    return None


def _writer_state(doc: Document, profiles: Profiles, gaz: Gazetteer) -> GazetteerEntry | None:
    """The state an op-ed's author serves: "The writer is Ruritania's ambassador to ...",
    "... defence attaché at the Embassy of Ruritania in ..." (the host state follows "to"/"in")."""
    tail = doc.body[-WRITER_TAIL_CHARS:]
    for pattern in profiles.titles.writer_lines:
        for match in pattern.finditer(tail):
            post = match.group("post")
            for start, entry in _entries_in(post, gaz, {"State"}):
                if not _HOST_BEFORE.search(post[:start]):
                    return entry
    return None


def extract_actor(
    doc: Document,
    title: str | None,
    genre: str,
    publisher: Publisher | None,
    gaz: Gazetteer,
    profiles: Profiles,
    speaker: str | None = None,
) -> str | None:
    """Who speaks: see the module's docstring for the order of the rules. A report of
    others speaks of the state of the person it reports (``speaker``) when the gazetteer
    knows that person's state."""
    profile = profiles.genre(genre)
    if genre == "joint_statement":
        group = (title and _group_named(title, profiles)) or _group_named(doc.body[:1500], profiles)
        if group:
            return group
    if publisher is not None and publisher.voice and not profile.reports_others:
        return publisher.voice
    if genre in ("op_ed", "other", "news_report") and (writer := _writer_state(doc, profiles, gaz)):
        return writer.label
    if profile.reports_others and speaker and (state := _person_state(speaker, gaz)) is not None:
        return state.label
    if title and genre != "news_report":
        person = titled_person(title, profiles)
        if person and (state := _person_state(_full_name(person[1], doc, gaz), gaz)) is not None:
            return state.label
    if genre == "op_ed" and (name := _byline_name(doc, profiles)) and (state := _person_state(name, gaz)):
        return state.label
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


# ---------------------------------------------------------------------------------------
# Forum


def _lead(doc: Document, title: str | None) -> str | None:
    """The paragraph under the title when it describes the occasion (it carries a date or
    a titled person): "Speech by the Minister at the Summit in New York on 22 May 2024"."""
    body = doc.body
    start = 0
    if title:
        first_words = " ".join(title.split()[:4])
        at = body.find(first_words[:40]) if first_words else -1
        if at >= 0:
            start = body.find("\n", at)
            start = start if start >= 0 else len(body)
    for _, line in lines_of(body[start : start + HEADER_CHARS]):
        text = line.strip().lstrip("#*> ")
        if len(text.split()) < 5:
            continue
        return text if _DATEISH.search(text) else None
    return None


def _forum_in_title(
    doc: Document, title: str, gaz: Gazetteer, actor: str | None, exclude: set[str]
) -> GazetteerEntry | None:
    text_lower = doc.body.lower()
    candidates: list[tuple[int, GazetteerEntry]] = []
    for match in gaz.find_names(title):
        for key in sorted(match.keys):
            entry = gaz.get(key)
            if entry is None or entry.type != "Forum" or entry.label == actor or entry.label in exclude:
                continue
            if match.kind == "ambiguous_acronym" and not any(
                w in text_lower for w in entry.label.lower().split() if len(w) > 5
            ):
                continue
            # "... at the UN Security Council ..." names the forum addressed.
            addressed = re.search(r"\b(?:at|to|before|in|of|vid)\s+(?:the\s+)?$", title[: match.start])
            candidates.append((0 if addressed else 1, entry))
    # The United Nations as such only when no more specific body is named.
    specific = [c for c in candidates if c[1].parent is not None or c[1].key != "united-nations"]
    ranked = sorted(specific or candidates, key=lambda c: c[0])
    return ranked[0][1] if ranked else None


def _group_meeting(doc: Document, actor: str | None, gaz: Gazetteer) -> GazetteerEntry | None:
    """A joint statement of leaders who "met": the group's own summit, if the gazetteer
    knows one (a forum whose parent is the group, named a summit)."""
    group = gaz.lookup(actor) if actor else None
    opening = doc.body[:1500]
    if group is None or not _MET.search(opening):
        return None
    children = [e for e in gaz.entries.values() if e.parent == group.key and e.type == "Forum"]
    summits = [e for e in children if re.search(r"\b(?:Summit|Leaders' Meeting)\b", e.label)]
    return summits[0] if len(summits) == 1 else None


def extract_forum(
    doc: Document,
    title: str | None,
    genre: str,
    gaz: Gazetteer,
    profiles: Profiles,
    actor: str | None = None,
) -> str | None:
    """The forum addressed, found where the genre description says (``forum_from``)."""
    profile: GenreProfile = profiles.genre(genre)
    exclude = {actor} if actor else set()
    forums = {"Forum"}
    for source in profile.forum_from:
        if source == "title" and title:
            entry = _forum_in_title(doc, title, gaz, actor, exclude)
            if entry is not None:
                return entry.label
        elif source == "lead":
            lead = _lead(doc, title)
            found = _entries_in(lead, gaz, forums) if lead else []
            specific = [e for _, e in found if e.label not in exclude and e.parent is not None]
            if specific:
                return specific[0].label
        elif source == "convened":
            lead_text = doc.body[:HEADER_CHARS]
            for start, entry in _entries_in(lead_text, gaz, forums):
                end = start
                tail = lead_text[start:]
                for name in entry.names + entry.acronyms:
                    if tail.lower().startswith(name.lower()):
                        end = start + len(name)
                        break
                if end > start and _FORUM_VERBS.match(lead_text[end:]) and entry.label not in exclude:
                    return entry.label
        elif source == "submitted":
            for m in _SUBMITTED_TO.finditer(doc.body[:3000]):
                after = _entries_in(doc.body[m.end() : m.end() + 80], gaz, forums)
                if after and after[0][0] == 0:
                    return after[0][1].label
        elif source == "breadcrumb":
            for _, line in lines_of(doc.text[:HEADER_CHARS]):
                if ">" in line:
                    entry = gaz.lookup(line.rsplit(">", 1)[1].strip())
                    if entry is not None and entry.type in forums:
                        return entry.label
        elif source == "meeting":
            entry = _group_meeting(doc, actor, gaz)
            if entry is not None:
                return entry.label
        elif source == "cues":
            sample = doc.body[:30000]
            for cue in profiles.forum_cues:
                if cue.pattern.search(sample):
                    return cue.forum
    return None
