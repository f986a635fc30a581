"""The UN General Debate Corpus (UNGDC) as :class:`~loaders.records.Document` records.

The corpus (Jankin, Baturo and Dasandi, Harvard Dataverse doi:10.7910/DVN/0TJX8Y) comes as
a tarball or a folder of plain-text speeches named ``ISO3_SESSION_YEAR.txt`` (one folder
per session) plus ``Speakers_by_session.xlsx`` (year, session, ISO code, country, speaker,
post). :class:`UngdcCorpus` streams the speeches without unpacking the tarball and gives
each one the metadata a reader cannot find in the text itself, as ``Document.sidecar``:
title, date (the session's year), genre ``speech``, actor (the state, by ISO 3166 alpha-3
code through the gazetteer), speaker, and forum "United Nations General Assembly".

Examples
--------
>>> parse_member_name("ungdc/Session 79 - 2024/USA_79_2024.txt")
('USA', 79, 2024)
>>> parse_member_name("ungdc/Session 47 - 1992/.DS_Store-to-UTF-8.txt") is None
True
>>> clean_person_name("MRS. INDIRA GANDHI")
'Indira Gandhi'
"""

from __future__ import annotations

import hashlib
import io
import multiprocessing
import re
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from loaders.cleaning import blank_boilerplate
from loaders.gazetteer import Gazetteer, load_gazetteer
from loaders.records import Document
from ontology.namespace import slug

FORUM = "United Nations General Assembly"
SPEAKERS_FILE = "Speakers_by_session.xlsx"

_MEMBER_NAME = re.compile(r"^([A-Z]{2,3})_(\d{1,3})_(\d{4})\.txt$")
_HONORIFIC = re.compile(r"^(?:(?:Mr|Mrs|Ms|Mme|Mlle|Miss|Dr|H\.?E)\.?\s+)+", re.IGNORECASE)
_NAME_PARTICLES = frozenset("de da del della di do dos das du la le van von der den bin ibn al el y".split())


class UngdcError(Exception):
    """The corpus cannot be read at all (missing file, not a tarball or folder)."""


@dataclass(frozen=True, slots=True)
class SpeakerRow:
    """One row of ``Speakers_by_session.xlsx``."""

    name: str | None
    post: str | None
    country: str | None


def parse_member_name(name: str) -> tuple[str, int, int] | None:
    """(code, session, year) from a speech's file name, or None for any other file."""
    match = _MEMBER_NAME.match(PurePosixPath(name).name)
    if match is None:
        return None
    return match.group(1), int(match.group(2)), int(match.group(3))


def clean_person_name(raw: str | None) -> str | None:
    """A speaker's name as people write it: no honorific, no all-capitals.

    >>> clean_person_name("Mr. AHMADOU AHIDJO")
    'Ahmadou Ahidjo'
    >>> clean_person_name("MR  GONZALO SANCHEZ DE LOZADA")
    'Gonzalo Sanchez de Lozada'
    >>> clean_person_name("Sheikh Sabah Al-Ahmad Al-Jaber Al-Sabah")
    'Sheikh Sabah Al-Ahmad Al-Jaber Al-Sabah'
    >>> clean_person_name("  ") is None
    True
    """
    if raw is None:
        return None
    name = re.sub(r"\s+", " ", _HONORIFIC.sub("", raw.strip())).strip(" ,.")
    if not name:
        return None
    if name.upper() == name and any(c.isalpha() for c in name):
        words = []
        for k, word in enumerate(name.split(" ")):
            lower = word.lower()
            words.append(
                lower
                if k and lower in _NAME_PARTICLES
                else "-".join(p.capitalize() for p in lower.split("-"))
            )
        name = " ".join(words)
    return name


def ordinal(number: int) -> str:
    """The English ordinal of a session number.

    >>> [ordinal(n) for n in (1, 2, 3, 11, 22, 79)]
    ['1st', '2nd', '3rd', '11th', '22nd', '79th']
    """
    if 10 <= number % 100 <= 20:
        return f"{number}th"
    return f"{number}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(number % 10, 'th') }"


def read_speakers(data: bytes) -> dict[tuple[str, int], list[SpeakerRow]]:
    """The speaker table, by (ISO code, session). A few files hold two speeches of one
    delegation, hence lists."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheet = book.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = [str(cell or "").strip().lower() for cell in next(rows, ())]

        def column(*names: str) -> int | None:
            return next((header.index(n) for n in names if n in header), None)

        code_col, session_col = column("iso code", "iso_code", "iso3"), column("session")
        name_col, post_col = column("name of person speaking", "speaker"), column("post")
        country_col = column("country")
        if code_col is None or session_col is None:
            raise UngdcError(f"{SPEAKERS_FILE}: no 'ISO Code' and 'Session' columns in {header}")
        table: dict[tuple[str, int], list[SpeakerRow]] = {}
        for row in rows:
            code, session = row[code_col], row[session_col]
            if not code or session is None or not str(session).strip().isdigit():
                continue

            def text(col: int | None, row: tuple[Any, ...] = row) -> str | None:
                value = row[col] if col is not None and col < len(row) else None
                return str(value).strip() or None if value is not None else None

            table.setdefault((str(code).strip().upper(), int(str(session).strip())), []).append(
                SpeakerRow(clean_person_name(text(name_col)), text(post_col), text(country_col))
            )
        return table
    finally:
        book.close()


def decode_speech(member: tuple[str, bytes, bool]) -> tuple[str, str, str, str, str | None]:
    """(name, sha256, text, body, problem) of one archive member ``(name, bytes, known)``:
    the bytes decoded (UTF-8, else Windows-1252 with a problem noted) and boilerplate
    blanked in ``body`` -- unless ``known`` (stored already, unchanged), then ``body`` is
    the text as is, since nobody will extract from it."""
    name, raw, known = member
    problem = None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        text = raw.decode("cp1252", errors="replace")
        problem = f"not UTF-8 ({exc.reason} at byte {exc.start}); read as Windows-1252"
    body = text if known else blank_boilerplate(text)
    return name, hashlib.sha256(raw).hexdigest(), text, body, problem


@dataclass
class UngdcCorpus:
    """The speeches of a UNGDC tarball (``.tar.gz``) or unpacked folder, as Documents.

    Iterating streams the speeches in archive order, one decoded Document at a time; files
    that are not speeches are listed in :attr:`skipped` with the reason, and
    :attr:`warnings` collects problems that did not stop a speech (undecodable bytes,
    no speaker row).

    Parameters
    ----------
    path
        The tarball or folder.
    limit
        Stop after this many speeches.
    years
        Only speeches of these years (inclusive range).
    gazetteer
        Maps ISO codes to states; the project's gazetteer by default.
    workers
        Processes that decode and clean the speeches (0: in this process). Cleaning
        costs a few ms a speech, a tenth of extraction: one process keeps up with two
        extraction workers.
    known_sha256
        ``{doc_id: sha256}`` of speeches already stored. Such a speech, unchanged, is
        handed on without the boilerplate pass (its ``body`` is its text): ingest skips it
        by its hash anyway, so resuming an interrupted ingest costs a read, not a cleaning.
        Leave empty when documents are to be re-extracted (``--force``).

    Examples
    --------
    >>> import tarfile, tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> speech = folder / "Session 75 - 2020" / "FRA_75_2020.txt"
    >>> speech.parent.mkdir()
    >>> _ = speech.write_text("Mr. President, France supports multilateralism.")
    >>> doc = next(iter(UngdcCorpus(folder)))
    >>> doc.doc_id, doc.sidecar["actor"], doc.sidecar["date"], doc.sidecar["forum"]
    ('fra-75-2020', 'France', '2020', 'United Nations General Assembly')
    """

    path: Path
    limit: int | None = None
    years: tuple[int, int] | None = None
    gazetteer: Gazetteer | None = None
    workers: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    known_sha256: dict[str, str] = field(default_factory=dict, repr=False)
    _speakers: dict[tuple[str, int], list[SpeakerRow]] | None = field(default=None, repr=False)
    _count: int | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.path = Path(self.path)
        if not self.path.exists():
            raise UngdcError(f"{self.path}: no such file or folder")
        if not self.path.is_dir() and not tarfile.is_tarfile(self.path):
            raise UngdcError(
                f"{self.path}: neither a folder nor a tar archive of the UN General Debate Corpus"
            )

    # -- the scan: speaker table and speech count ---------------------------------------------

    def _wanted(self, name: str) -> bool:
        parsed = parse_member_name(name)
        return parsed is not None and (not self.years or self.years[0] <= parsed[2] <= self.years[1])

    def _scan(self) -> None:
        """One pass over the corpus: read the speaker table, count the speeches to come."""
        data: bytes | None = None
        count = 0
        if self.path.is_dir():
            found = sorted(self.path.rglob(SPEAKERS_FILE))
            data = found[0].read_bytes() if found else None
            count = sum(1 for file in self.path.rglob("*.txt") if self._wanted(file.name))
        else:
            # The table sits at the end of the published tarball: a streaming pass finds it.
            with tarfile.open(self.path, "r|*") as archive:
                for member in archive:
                    if not member.isfile():
                        continue
                    if PurePosixPath(member.name).name == SPEAKERS_FILE:
                        handle = archive.extractfile(member)
                        data = handle.read() if handle else None
                    elif self._wanted(member.name):
                        count += 1
        self._count = min(count, self.limit) if self.limit is not None else count
        if data is None:
            self.warnings.append(f"{self.path}: no {SPEAKERS_FILE}; speakers unknown")
            self._speakers = {}
        else:
            self._speakers = read_speakers(data)

    @property
    def speakers(self) -> dict[tuple[str, int], list[SpeakerRow]]:
        """The speaker table by (ISO code, session)."""
        if self._speakers is None:
            self._scan()
        assert self._speakers is not None
        return self._speakers

    def __len__(self) -> int:
        """How many speeches iterating yields (after ``years`` and ``limit``)."""
        if self._count is None:
            self._scan()
        assert self._count is not None
        return self._count

    # -- the speeches ------------------------------------------------------------------------

    def _raw_members(self) -> Iterator[tuple[str, bytes]]:
        if self.path.is_dir():
            for file in sorted(self.path.rglob("*.txt")):
                yield str(file.relative_to(self.path)), file.read_bytes()
            return
        with tarfile.open(self.path, "r|*") as archive:
            for member in archive:
                if not member.isfile() or not member.name.endswith(".txt"):
                    continue
                handle = archive.extractfile(member)
                if handle is not None:
                    yield member.name, handle.read()

    def _speech_members(self) -> Iterator[tuple[str, bytes, bool]]:
        """(name, bytes, known) of each speech to yield; ``known``: stored and unchanged."""
        count = 0
        for name, raw in self._raw_members():
            parsed = parse_member_name(name)
            if parsed is None:
                self.skipped.append((name, "not a speech file named ISO3_SESSION_YEAR.txt"))
                continue
            if self.years and not self.years[0] <= parsed[2] <= self.years[1]:
                continue
            if self.limit is not None and count >= self.limit:
                return
            count += 1
            stored = self.known_sha256.get(slug(PurePosixPath(name).stem))
            yield name, raw, stored is not None and stored == hashlib.sha256(raw).hexdigest()

    def __iter__(self) -> Iterator[Document]:
        gaz = self.gazetteer or load_gazetteer()
        speakers = self.speakers
        members = self._speech_members()
        decoded: Iterator[tuple[str, str, str, str, str | None]]
        if self.workers < 1:
            decoded = map(decode_speech, members)
            for name, sha256, text, body, problem in decoded:
                yield self._document(name, sha256, text, body, problem, speakers, gaz)
            return
        # Decoding and boilerplate blanking (a few ms a speech) run in worker processes, so
        # that reading the archive never holds up the extraction workers downstream.
        context = multiprocessing.get_context("spawn")
        with context.Pool(self.workers) as pool:
            decoded = pool.imap(decode_speech, members, chunksize=8)
            for name, sha256, text, body, problem in decoded:
                yield self._document(name, sha256, text, body, problem, speakers, gaz)

    def _document(
        self,
        name: str,
        sha256: str,
        text: str,
        body: str,
        problem: str | None,
        speakers: dict[tuple[str, int], list[SpeakerRow]],
        gaz: Gazetteer,
    ) -> Document:
        code, session, year = parse_member_name(name) or ("", 0, 0)
        rows = speakers.get((code, session), [])
        source = str(self.path / name) if self.path.is_dir() else f"{self.path}/{name}"
        warnings = [f"{source}: {problem}"] if problem else []
        actor = self._actor(code, rows, gaz)
        names = list(dict.fromkeys(row.name for row in rows if row.name))
        sidecar: dict[str, Any] = {
            "title": (
                f"Statement by {actor} in the general debate of the {ordinal(session)} session "
                f"of the {FORUM} ({year})"
            ),
            "date": str(year),
            "genre": "speech",
            "actor": actor,
            "forum": FORUM,
            "session": session,
            "country_code": code,
        }
        if len(names) == 1:
            sidecar["speaker"] = names[0]
            posts = [row.post for row in rows if row.post]
            if posts:
                sidecar["speaker_post"] = posts[0]
        elif len(names) > 1:
            # Two speeches of one delegation in one file: no single speaker to name.
            sidecar["speaker"] = None
            sidecar["speakers"] = names
        else:
            warnings.append(f"{source}: no row in {SPEAKERS_FILE}; speaker unknown")
        return Document(
            doc_id=slug(PurePosixPath(name).stem),
            source=source,
            text=text,
            body=body,
            media_type="text/plain",
            sha256=sha256,
            sidecar=sidecar,
            warnings=tuple(warnings),
        )

    @staticmethod
    def _actor(code: str, rows: list[SpeakerRow], gaz: Gazetteer) -> str:
        """The speaker's gazetteer label: a state by its ISO alpha-3 code, the European
        Union by its acronym "EU"; else the table's country name, else the code itself."""
        entry = gaz.by_iso3(code) or (gaz.lookup(code) if len(code) == 2 else None)
        if entry is not None:
            return entry.label
        for row in rows:
            if row.country:
                known = gaz.lookup(row.country)
                return known.label if known is not None else row.country
        return code
