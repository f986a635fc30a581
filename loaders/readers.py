"""Files -> :class:`~loaders.records.Document`: the only I/O of the extraction stages.

Reads ``.txt``, ``.md``, ``.html``/``.htm`` and ``.pdf`` (text layer) files, or the same
content from memory (:func:`read_bytes`, e.g. members of an archive).

What ``Document.text`` is, per format (every offset of every stage points into it):

- plain text and markdown: the decoded file, newlines normalised to ``\\n`` as Python's
  ``open()`` does; markdown keeps its markup;
- HTML: the visible text (see :func:`loaders.html_text.html_to_text`);
- PDF: pypdf's text layer, pages joined by ``"\\n"`` + :data:`loaders.cleaning.PAGE_BREAK`
  (U+2029, which starts each page: a form feed would be a line break too, but XML cannot
  carry it).

Characters XML 1.0 cannot carry (NUL and the other C0 controls but tab, line feed and
carriage return; lone surrogates; U+FFFE and U+FFFF) are replaced when the file is read,
one character for one so that offsets stay true: a vertical tab by a line feed, a form
feed by :data:`~loaders.cleaning.PAGE_BREAK`, the others by a space. Every export and
XML query result of the text is then well formed.

Limits: ``max_chars`` (the ``max_document_chars`` setting) refuses a document with more
characters of text, and a file of more than 8 bytes per allowed character unread.

A file name that is not valid UTF-8 is shown with its bad bytes escaped (``caf\\xe9.txt``)
in ``Document.source`` and in messages.

Decoding (:mod:`loaders.decoding`): a byte-order mark wins, then a declared charset, then
strict UTF-8, then best-effort guesses, each recorded in ``Document.warnings``.

``Document.body`` is :func:`loaders.cleaning.blank_boilerplate` of the text: same length,
page furniture blanked. Metadata comes from an optional sidecar ``<file>.meta.json`` (or
``<stem>.meta.json``) next to the file (:mod:`loaders.sidecar`); markdown front matter and
``<html lang>`` supply defaults under it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from loaders import cleaning
from loaders.cleaning import PAGE_BREAK
from loaders.decoding import BinaryContentError, decode_text, sniff_html_charset
from loaders.html_text import html_to_text
from loaders.records import Document
from loaders.sidecar import (
    LANGUAGE_TAG,
    SIDECAR_FIELDS,
    SidecarError,
    check_fields,
    front_matter,
    load_sidecar,
    sidecar_paths,
    unknown_fields,
)
from ontology.namespace import slug

if TYPE_CHECKING:
    from pypdf.errors import LimitReachedError

__all__ = [
    "MEDIA_TYPES",
    "SIDECAR_FIELDS",
    "LoaderError",
    "display_path",
    "is_supported",
    "media_type_for",
    "read_bytes",
    "read_document",
    "sidecar_paths",
]

#: File name suffixes read, and the media type recorded for each.
MEDIA_TYPES: dict[str, str] = {
    ".txt": "text/plain",
    ".text": "text/plain",
    ".md": "text/markdown",
    ".markdown": "text/markdown",
    ".html": "text/html",
    ".htm": "text/html",
    ".xhtml": "application/xhtml+xml",
    ".pdf": "application/pdf",
}
_MEDIA_ALIASES = {"text/x-markdown": "text/markdown", "application/x-pdf": "application/pdf"}
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._~-]{0,199}")
#: Characters XML 1.0 cannot carry (see the module docstring).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_XML_STAND_INS = {"\x0b": "\n", "\x0c": PAGE_BREAK}
#: Bytes a file may have per character of text allowed (markup and PDF structure).
BYTES_PER_CHAR = 8


class LoaderError(Exception):
    """A file could not be read; the message names the file and the problem."""

    def __init__(self, source: str, problem: str) -> None:
        super().__init__(f"{source}: {problem}")
        self.source = source
        self.problem = problem


def is_supported(path: Path) -> bool:
    """Whether :func:`read_document` reads files named like ``path`` (sidecars are not).

    >>> is_supported(Path("speech.HTM")), is_supported(Path("speech.txt.meta.json"))
    (True, False)
    """
    return path.suffix.lower() in MEDIA_TYPES


def media_type_for(name: str) -> str:
    """The media type of a file name, from its suffix; :class:`LoaderError` if unsupported."""
    suffix = Path(_strip_query(name)).suffix.lower()
    if suffix not in MEDIA_TYPES:
        supported = ", ".join(sorted(MEDIA_TYPES))
        shown = f"'{suffix}'" if suffix else "(none)"
        raise LoaderError(name, f"unsupported file type {shown}; supported: {supported}")
    return MEDIA_TYPES[suffix]


def display_path(path: Path | str) -> str:
    """``path`` as text that can be printed and stored: bytes of a file name that are not
    UTF-8 (kept by Python as lone surrogates) shown as ``\\xNN`` escapes.

    >>> display_path(os.fsdecode(b"/tmp/caf\\xe9.txt"))
    '/tmp/caf\\\\xe9.txt'
    """
    return os.fsencode(path).decode("utf-8", errors="backslashreplace")


def read_document(path: Path | str, *, max_chars: int | None = None, doc_id: str | None = None) -> Document:
    """Read one file, and its sidecar if there is one, into a :class:`Document`.

    ``max_chars`` refuses documents with more characters of text (and files of more than
    :data:`BYTES_PER_CHAR` bytes per character, unread); ``doc_id`` wins over the
    sidecar's ``id`` and the file name.

    Raises :class:`LoaderError` naming the file and the problem: missing, a directory (or
    a folder that cannot be read), unsupported type, unreadable, empty, binary,
    undecodable PDF, too large, bad sidecar.
    """
    path = Path(path)
    source = display_path(path)
    try:
        is_dir = path.is_dir()
    except OSError as exc:
        raise LoaderError(source, f"cannot be read ({exc.strerror or exc})") from None
    if is_dir:
        try:
            os.listdir(path)
        except OSError as exc:
            raise LoaderError(
                source, f"folder cannot be read ({exc.strerror or exc}); its documents were not ingested"
            ) from None
        raise LoaderError(source, "is a directory, not a file")
    media_type_for(source)
    try:
        size = path.stat().st_size
        if max_chars is not None and size > BYTES_PER_CHAR * max_chars:
            raise LoaderError(
                source, f"file too large: {size:,} bytes, more than {BYTES_PER_CHAR} per character of the "
                f"{max_chars:,} characters allowed (setting max_document_chars)"
            )
        data = path.read_bytes()
    except FileNotFoundError:
        raise LoaderError(source, "no such file") from None
    except OSError as exc:
        raise LoaderError(source, f"cannot be read ({exc.strerror or exc})") from None
    sidecar: dict[str, Any] | None = None
    warnings: list[str] = []
    found = [p for p in sidecar_paths(path) if p.is_file()]
    if found:
        try:
            sidecar = load_sidecar(found[0])
        except SidecarError as exc:
            raise LoaderError(str(found[0]), str(exc)) from None
        except OSError as exc:
            raise LoaderError(str(found[0]), f"sidecar cannot be read ({exc.strerror or exc})") from None
        if len(found) > 1:
            warnings.append(f"{found[1]}: ignored, {found[0].name} is the sidecar used")
    document = read_bytes(data, source, sidecar=sidecar, doc_id=doc_id, max_chars=max_chars)
    if warnings:
        return _with_warnings(document, warnings)
    return document


def read_bytes(
    data: bytes,
    source: str,
    media_type: str | None = None,
    sidecar: dict[str, Any] | None = None,
    doc_id: str | None = None,
    max_chars: int | None = None,
) -> Document:
    """Read in-memory content into a :class:`Document`.

    ``source`` names the content (a path, an archive member, a URL) in ``Document.source``
    and in error messages; its suffix gives the media type unless ``media_type`` does
    (``"text/html; charset=gbk"`` declares a charset too). ``sidecar`` is checked as a
    sidecar file's content would be; ``doc_id`` wins over the sidecar's ``id`` and the slug
    of the source's stem; ``max_chars`` refuses longer texts.

    >>> doc = read_bytes("Home > News\\nChina supports the initiative.\\n".encode(), "a/b/Note 1.txt")
    >>> doc.doc_id, doc.media_type, doc.body
    ('note-1', 'text/plain', '           \\nChina supports the initiative.\\n')
    """
    kind, declared = _parse_media_type(media_type, source) if media_type else (media_type_for(source), None)
    if not data:
        raise LoaderError(source, "file is empty")
    warnings: list[str] = []
    side, problems = check_fields(sidecar if sidecar is not None else {})
    if problems:
        raise LoaderError(source, "bad sidecar: " + "; ".join(problems))
    unknown = unknown_fields(side)
    if unknown:
        warnings.append(
            f"{source}: sidecar field(s) {', '.join(map(repr, unknown))} kept but not known "
            f"(known: {', '.join(SIDECAR_FIELDS)})"
        )
    from_file: dict[str, Any] = {}
    known: list[tuple[int, int]] = []

    if kind == "application/pdf":
        text = _read_pdf(data, source, warnings)
    elif kind in _HTML_TYPES:
        markup = _decode(data, source, warnings, declared or sniff_html_charset(data))
        page = html_to_text(markup)
        text, known = page.text, list(page.furniture)
        if page.lang and LANGUAGE_TAG.fullmatch(page.lang.strip()):
            from_file["language"] = page.lang.strip().split("-")[0].lower()
        if not text.strip():
            raise LoaderError(source, "HTML page has no visible text")
    else:
        text = _decode(data, source, warnings, declared)
        if kind == "text/markdown":
            front, problems, span = front_matter(text)
            warnings.extend(f"{source}: front matter ignored: {problem}" for problem in problems)
            from_file.update(front)
            if span:
                known.append(span)
    if not text.strip():
        raise LoaderError(source, "no text (only white space)")
    if max_chars is not None and len(text) > max_chars:
        raise LoaderError(
            source, f"document too large: {len(text):,} characters of text, the limit is {max_chars:,} "
            "(setting max_document_chars)"
        )
    text, replaced = xml_safe(text)
    if replaced:
        warnings.append(f"{source}: {replaced} character(s) XML cannot carry (control characters) replaced")

    merged = {**from_file, **side}
    identifier = _document_id(doc_id, merged.get("id"), source, warnings)
    body = cleaning.blank_boilerplate(text, known=known, markdown=kind == "text/markdown")
    return Document(
        doc_id=identifier,
        source=source,
        text=text,
        body=body,
        media_type=kind,
        sha256=hashlib.sha256(data).hexdigest(),
        sidecar=merged,
        warnings=tuple(warnings),
    )


def xml_safe(text: str) -> tuple[str, int]:
    """``text`` with every character XML 1.0 cannot carry replaced by one that it can (a
    vertical tab by a line feed, a form feed by :data:`~loaders.cleaning.PAGE_BREAK`, the
    rest by a space: offsets unchanged), and how many were replaced.

    >>> xml_safe("a\\x00b\\x0cc\\ud800d\\tok")
    ('a b\\u2029c d\\tok', 3)
    """
    count = 0

    def stand_in(match: re.Match[str]) -> str:
        nonlocal count
        count += 1
        return _XML_STAND_INS.get(match.group(), " ")

    return _NOT_XML.sub(stand_in, text), count


# ---------------------------------------------------------------------------------------
# Identifiers and media types


def _strip_query(name: str) -> str:
    return re.split(r"[?#]", name, maxsplit=1)[0] if "://" in name else name


def _stem(source: str) -> str:
    name = _strip_query(source).replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
    return Path(name).stem if name else ""


def _document_id(given: str | None, from_sidecar: Any, source: str, warnings: list[str]) -> str:
    for candidate, origin in ((given, "doc_id"), (from_sidecar, "sidecar id")):
        if candidate is None or not str(candidate).strip():
            continue
        candidate = str(candidate).strip()
        if _SAFE_ID.fullmatch(candidate):
            return candidate
        safe = slug(candidate)
        warnings.append(f"{source}: {origin} {candidate!r} is not IRI-safe; using {safe!r}")
        return safe
    return slug(_stem(source))


def _parse_media_type(value: str, source: str) -> tuple[str, str | None]:
    kind, _, params = value.partition(";")
    kind = kind.strip().lower()
    kind = _MEDIA_ALIASES.get(kind, kind)
    if kind not in set(MEDIA_TYPES.values()):
        supported = ", ".join(sorted(set(MEDIA_TYPES.values())))
        raise LoaderError(source, f"unsupported media type {value!r}; supported: {supported}")
    charset = re.search(r"charset\s*=\s*\"?([A-Za-z0-9_:.\-]+)", params, re.IGNORECASE)
    return kind, charset.group(1) if charset else None


# ---------------------------------------------------------------------------------------
# PDF


def _read_pdf(data: bytes, source: str, warnings: list[str]) -> str:
    # Imported here: pypdf is a fifth of the server's start-up imports, and most corpora
    # hold no PDF.
    from pypdf import PdfReader
    from pypdf.errors import LimitReachedError

    # pypdf raises assorted exception types on malformed input; all mean "unreadable".
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise LoaderError(source, "PDF is encrypted and needs a password")
        pages = list(reader.pages)
    except LoaderError:
        raise
    except LimitReachedError as exc:
        raise LoaderError(source, _over_limit(exc)) from None
    except Exception as exc:
        raise LoaderError(source, f"not a readable PDF ({type(exc).__name__}: {exc})") from None
    texts = []
    for number, page in enumerate(pages, 1):
        try:
            page_text = page.extract_text() or ""
        except LimitReachedError as exc:
            raise LoaderError(source, f"page {number}: {_over_limit(exc)}") from None
        except Exception as exc:
            warnings.append(f"{source}: page {number}: text layer unreadable ({exc}); left empty")
            page_text = ""
        if not page_text.strip():
            _check_stream_limit(page, number, source)
        texts.append(page_text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "").rstrip())
    if not any(t.strip() for t in texts):
        raise LoaderError(
            source, f"PDF has no text layer ({len(pages)} page(s); a scanned PDF needs OCR first)"
        )
    return ("\n" + PAGE_BREAK).join(texts)


def _check_stream_limit(page: Any, number: int, source: str) -> None:
    """pypdf's text extraction swallows a stream over its decompression limit and gives an
    empty page: an empty page's content stream is decoded once more to tell that apart
    from a page with no text layer."""
    from pypdf.errors import LimitReachedError

    try:
        contents = page.get_contents()
        if contents is not None:
            contents.get_data()
    except LimitReachedError as exc:
        raise LoaderError(source, f"page {number}: {_over_limit(exc)}") from None
    except Exception:  # other damage: the page stays empty, as extract_text left it
        return


def _over_limit(exc: LimitReachedError) -> str:
    return (
        f"a PDF stream decompresses past pypdf's size limit ({exc}): a decompression bomb or a "
        "damaged file; not read"
    )


def _decode(data: bytes, source: str, warnings: list[str], declared: str | None = None) -> str:
    try:
        text, notes = decode_text(data, declared)
    except BinaryContentError as exc:
        raise LoaderError(source, str(exc)) from None
    warnings.extend(f"{source}: {note}" for note in notes)
    return text


def _with_warnings(document: Document, more: list[str]) -> Document:
    return dataclasses.replace(document, warnings=(*document.warnings, *more))
