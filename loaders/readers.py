"""Files -> :class:`~loaders.records.Document`: the only I/O of the extraction stages.

Reads ``.txt``, ``.md``, ``.html``/``.htm`` and ``.pdf`` (text layer) files, or the same
content from memory (:func:`read_bytes`, e.g. members of an archive).

What ``Document.text`` is, per format (every offset of every stage points into it):

- plain text and markdown: the decoded file, newlines normalised to ``\\n`` as Python's
  ``open()`` does; markdown keeps its markup;
- HTML: the visible text (see :func:`loaders.html_text.html_to_text`);
- PDF: pypdf's text layer, pages joined by ``"\\n\\f"`` (a form feed starts each page).

Decoding: a byte-order mark wins (UTF-8, UTF-16, UTF-32); then the charset an HTML page or
a caller declares; then strict UTF-8; then best-effort guesses (UTF-16 without a BOM,
GB 18030, windows-1252), each recorded in ``Document.warnings``.

``Document.body`` is :func:`loaders.cleaning.blank_boilerplate` of the text: same length,
page furniture blanked. Metadata comes from an optional sidecar ``<file>.meta.json`` (or
``<stem>.meta.json``) next to the file, a JSON object with any of :data:`SIDECAR_FIELDS`;
markdown front matter and ``<html lang>`` supply defaults under it.
"""

from __future__ import annotations

import codecs
import dataclasses
import datetime as dt
import hashlib
import io
import json
import re
from pathlib import Path
from typing import Any, get_args

from pypdf import PdfReader

from loaders import cleaning
from loaders.html_text import html_to_text
from loaders.records import Document, Genre
from ontology.namespace import slug

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

#: Metadata fields a sidecar (or markdown front matter) may give.
SIDECAR_FIELDS = (
    "id",
    "title",
    "date",
    "datetime",
    "genre",
    "actor",
    "speaker",
    "forum",
    "url",
    "publisher",
    "language",
)
_GENRES = frozenset(get_args(Genre))
_ISO_DATE = re.compile(
    r"(?P<date>\d{4}(?:-\d{2}(?:-\d{2})?)?)"
    r"(?:[T ](?P<time>\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(?P<zone>Z|[+-]\d{2}:?\d{2})?)?"
)
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:\S+")
_SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._~-]{0,199}")

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: its BOM starts the same way
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
#: How the web reads declared labels (WHATWG Encoding): Latin-1 and ASCII mean
#: windows-1252, the GB family means GB 18030.
_LABEL_ALIASES = {
    "iso-8859-1": "cp1252",
    "latin-1": "cp1252",
    "latin1": "cp1252",
    "l1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "windows-1252": "cp1252",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
}
_HTML_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_:.\-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]{0,100}?encoding\s*=\s*["']([A-Za-z0-9_.\-]+)""")
_GB_PAIR = re.compile(rb"[\xa1-\xf7][\xa1-\xfe]")
_HIGH_BYTES = bytes(range(0x80, 0x100))
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1b\x7f]")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(?P<block>(?:.*\n){0,200}?)(?:---|\.\.\.)[ \t]*(?:\n|\Z)")
_FRONT_MATTER_LINE = re.compile(r"(?P<key>[A-Za-z_][\w-]*)\s*:\s*(?P<value>.*?)\s*")


def _c1_fallback(error: UnicodeError) -> tuple[str, int]:
    """windows-1252 leaves five bytes undefined; browsers read them as C1 controls."""
    assert isinstance(error, UnicodeDecodeError)
    return error.object[error.start : error.end].decode("latin-1"), error.end


codecs.register_error("policykg-c1", _c1_fallback)


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


def sidecar_paths(path: Path) -> tuple[Path, Path]:
    """Where a sidecar of ``path`` may be: ``speech.txt.meta.json``, then ``speech.meta.json``."""
    return path.with_name(path.name + ".meta.json"), path.with_name(path.stem + ".meta.json")


def read_document(path: Path | str) -> Document:
    """Read one file, and its sidecar if there is one, into a :class:`Document`.

    Raises :class:`LoaderError` naming the file and the problem: missing, a directory,
    unsupported type, unreadable, empty, binary, undecodable PDF, bad sidecar.
    """
    path = Path(path)
    source = str(path)
    media_type_for(path.name)
    if path.is_dir():
        raise LoaderError(source, "is a directory, not a file")
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise LoaderError(source, "no such file") from None
    except OSError as exc:
        raise LoaderError(source, f"cannot be read ({exc.strerror or exc})") from None
    sidecar: dict[str, Any] | None = None
    warnings: list[str] = []
    found = [p for p in sidecar_paths(path) if p.is_file()]
    if found:
        sidecar = _load_sidecar(found[0])
        if len(found) > 1:
            warnings.append(f"{found[1]}: ignored, {found[0].name} is the sidecar used")
    document = read_bytes(data, source, sidecar=sidecar)
    if warnings:
        return _with_warnings(document, warnings)
    return document


def read_bytes(
    data: bytes,
    source: str,
    media_type: str | None = None,
    sidecar: dict[str, Any] | None = None,
    doc_id: str | None = None,
) -> Document:
    """Read in-memory content into a :class:`Document`.

    ``source`` names the content (a path, an archive member, a URL) in ``Document.source``
    and in error messages; its suffix gives the media type unless ``media_type`` does
    (``"text/html; charset=gbk"`` declares a charset too). ``sidecar`` is checked as a
    sidecar file's content would be; ``doc_id`` wins over the sidecar's ``id`` and the slug
    of the source's stem.

    >>> doc = read_bytes("Home > News\\nChina supports the initiative.\\n".encode(), "a/b/Note 1.txt")
    >>> doc.doc_id, doc.media_type, doc.body
    ('note-1', 'text/plain', '           \\nChina supports the initiative.\\n')
    """
    kind, declared = _parse_media_type(media_type, source) if media_type else (media_type_for(source), None)
    if not data:
        raise LoaderError(source, "file is empty")
    warnings: list[str] = []
    side, problems = _check_fields(sidecar if sidecar is not None else {}, f"{source} (sidecar)")
    if problems:
        raise LoaderError(source, "bad sidecar: " + "; ".join(problems))
    from_file: dict[str, Any] = {}
    known: list[tuple[int, int]] = []

    if kind == "application/pdf":
        text = _read_pdf(data, source, warnings)
    elif kind in _HTML_TYPES:
        markup = _decode(data, source, warnings, declared or _sniff_html_charset(data))
        page = html_to_text(markup)
        text, known = page.text, list(page.furniture)
        if page.lang and _LANGUAGE_TAG.fullmatch(page.lang.strip()):
            from_file["language"] = page.lang.strip().split("-")[0].lower()
        if not text.strip():
            raise LoaderError(source, "HTML page has no visible text")
    else:
        text = _decode(data, source, warnings, declared)
        if kind == "text/markdown":
            front, span = _front_matter(text, source, warnings)
            from_file.update(front)
            if span:
                known.append(span)
    if not text.strip():
        raise LoaderError(source, "no text (only white space)")

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
# Decoding


def _codec(label: str) -> str | None:
    label = label.strip().lower()
    label = _LABEL_ALIASES.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def _sniff_html_charset(data: bytes) -> str | None:
    head = data[:4096]
    found = _XML_ENCODING.search(head) or _HTML_CHARSET.search(head)
    return found.group(1).decode("ascii") if found else None


def _decode(data: bytes, source: str, warnings: list[str], declared: str | None = None) -> str:
    text = _decode_raw(data, source, warnings, declared)
    if text.startswith("\ufeff"):
        text = text[1:]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    sample = text[:20000]
    controls = len(_CONTROL.findall(sample))
    if "\x00" in sample or controls > max(3, len(sample) // 100):
        raise LoaderError(source, "looks like binary data, not text (control characters)")
    return text


def _decode_raw(data: bytes, source: str, warnings: list[str], declared: str | None) -> str:
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(codec)
            except UnicodeDecodeError as exc:
                warnings.append(
                    f"{source}: {codec} byte-order mark but invalid {codec} at byte {exc.start}; "
                    "undecodable bytes replaced with U+FFFD"
                )
                return data[len(bom) :].decode(codec, errors="replace")
    if declared:
        declared_codec = _codec(declared)
        if declared_codec is None:
            warnings.append(f"{source}: unknown declared charset {declared!r}; ignored")
        elif declared_codec.startswith(("utf-16", "utf-32")):
            pass  # a declared UTF-16 without a byte-order mark is a mislabelled page
        else:
            errors = "policykg-c1" if declared_codec == "cp1252" else "strict"
            try:
                return data.decode(declared_codec, errors=errors)
            except UnicodeDecodeError as exc:
                warnings.append(
                    f"{source}: declared charset {declared!r} does not fit the bytes "
                    f"(invalid at byte {exc.start}); guessing"
                )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    guessed = _guess_utf16(data) or _guess_gb18030(data)
    if guessed:
        codec, text = guessed
        warnings.append(f"{source}: not UTF-8 and no byte-order mark; decoded as {codec} (best guess)")
        return text
    warnings.append(
        f"{source}: not valid UTF-8 (byte 0x{data[first_bad]:02x} at offset {first_bad}); "
        "decoded as windows-1252 (best effort: check quotes and accented letters)"
    )
    return data.decode("cp1252", errors="policykg-c1")


def _guess_utf16(data: bytes) -> tuple[str, str] | None:
    """UTF-16 without a byte-order mark: mostly-Latin text has a NUL in every other byte."""
    if len(data) < 4 or len(data) % 2:
        return None
    even_nuls, odd_nuls = data[0::2].count(0), data[1::2].count(0)
    half = len(data) // 2
    for nuls, codec in ((odd_nuls, "utf-16-le"), (even_nuls, "utf-16-be")):
        if nuls > 0.4 * half:
            try:
                return codec, data.decode(codec)
            except UnicodeDecodeError:
                return None
    return None


def _guess_gb18030(data: bytes) -> tuple[str, str] | None:
    """Chinese in GB 2312/GBK/GB 18030: nearly every byte above 0x7F pairs with another in
    the GB 2312 range, which text in a Western single-byte encoding hardly ever does."""
    high = len(data) - len(data.translate(None, _HIGH_BYTES))
    if high < 8 or 2 * len(_GB_PAIR.findall(data)) < 0.8 * high:
        return None
    try:
        return "gb18030", data.decode("gb18030")
    except UnicodeDecodeError:
        return None


# ---------------------------------------------------------------------------------------
# PDF


def _read_pdf(data: bytes, source: str, warnings: list[str]) -> str:
    # pypdf raises assorted exception types on malformed input; all mean "unreadable".
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise LoaderError(source, "PDF is encrypted and needs a password")
        pages = list(reader.pages)
    except LoaderError:
        raise
    except Exception as exc:
        raise LoaderError(source, f"not a readable PDF ({type(exc).__name__}: {exc})") from None
    texts = []
    for number, page in enumerate(pages, 1):
        try:
            page_text = page.extract_text() or ""
        except Exception as exc:
            warnings.append(f"{source}: page {number}: text layer unreadable ({exc}); left empty")
            page_text = ""
        texts.append(page_text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "").rstrip())
    if not any(t.strip() for t in texts):
        raise LoaderError(
            source, f"PDF has no text layer ({len(pages)} page(s); a scanned PDF needs OCR first)"
        )
    return "\n\f".join(texts)


# ---------------------------------------------------------------------------------------
# Sidecars and front matter


def _load_sidecar(path: Path) -> dict[str, Any]:
    try:
        raw = path.read_bytes().decode("utf-8-sig")
        value = json.loads(raw)
    except UnicodeDecodeError:
        raise LoaderError(str(path), "sidecar is not UTF-8 JSON") from None
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        raise LoaderError(str(path), f"sidecar is not valid JSON ({where}: {exc.msg})") from None
    except OSError as exc:
        raise LoaderError(str(path), f"sidecar cannot be read ({exc.strerror or exc})") from None
    if not isinstance(value, dict):
        raise LoaderError(str(path), f"sidecar must be a JSON object, not {type(value).__name__}")
    fields, problems = _check_fields(value, str(path))
    if problems:
        raise LoaderError(str(path), "bad sidecar: " + "; ".join(problems))
    return fields


def _check_fields(raw: Any, origin: str) -> tuple[dict[str, Any], list[str]]:
    """Validate and normalise metadata fields; returns (fields, problems). Unknown keys are
    kept as they are (other tools may want them); known ones must be strings or null."""
    if not isinstance(raw, dict):
        return {}, [f"must be a JSON object, not {type(raw).__name__}"]
    fields: dict[str, Any] = {}
    problems: list[str] = []
    for key, value in raw.items():
        if key not in SIDECAR_FIELDS:
            fields[key] = value
            continue
        if isinstance(value, int) and not isinstance(value, bool) and key == "date":
            value = str(value)
        if value is not None and not isinstance(value, str):
            problems.append(f"'{key}' must be a string or null, not {json.dumps(value)[:60]}")
            continue
        value = value.strip() if isinstance(value, str) else None
        if value:
            problem = _field_problem(key, value)
            if problem:
                problems.append(problem)
                continue
        fields[key] = value
    date = fields.get("date")
    if date:
        found = _ISO_DATE.fullmatch(date)
        assert found is not None  # checked above
        fields["date"] = found.group("date")
        if found.group("time") and not fields.get("datetime"):
            fields["datetime"] = f"{found.group('date')}T{found.group('time')}"
    if fields.get("datetime"):
        fields["datetime"] = fields["datetime"].replace(" ", "T", 1)
    if fields.get("genre"):
        fields["genre"] = fields["genre"].lower()
    return fields, problems


def _field_problem(key: str, value: str) -> str | None:
    if key in {"date", "datetime"}:
        found = _ISO_DATE.fullmatch(value)
        if not found or (key == "datetime" and not found.group("time")):
            shape = "YYYY, YYYY-MM or YYYY-MM-DD" if key == "date" else "YYYY-MM-DDTHH:MM[:SS]"
            return f"'{key}' must be ISO 8601 ({shape}), not {value!r}"
        parts = [int(p) for p in found.group("date").split("-")]
        try:
            dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
        except ValueError:
            return f"'{key}' is not a real date: {value!r}"
    elif key == "genre" and value.lower() not in _GENRES:
        return f"'genre' must be one of {', '.join(sorted(_GENRES))}, not {value!r}"
    elif key == "language" and not _LANGUAGE_TAG.fullmatch(value):
        return f"'language' must be a language tag such as 'en' or 'zh-Hans', not {value!r}"
    elif key == "url" and not _URL.fullmatch(value):
        return f"'url' must be an absolute URL, not {value!r}"
    return None


def _front_matter(
    text: str, source: str, warnings: list[str]
) -> tuple[dict[str, Any], tuple[int, int] | None]:
    """Metadata fields of a YAML front matter block (``---`` ... ``---``) at the top of a
    markdown file, and its span. Only plain ``key: value`` lines of known fields are read;
    invalid values become warnings, not errors (the block serves other tools too)."""
    block = _FRONT_MATTER.match(text)
    if not block:
        return {}, None
    values: dict[str, str] = {}
    for line in block.group("block").splitlines():
        entry = _FRONT_MATTER_LINE.fullmatch(line)
        if entry and entry.group("key").lower() in SIDECAR_FIELDS:
            value = entry.group("value")
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
                value = value[1:-1]
            if value:
                values[entry.group("key").lower()] = value
    fields, problems = _check_fields(values, source)
    for problem in problems:
        warnings.append(f"{source}: front matter ignored: {problem}")
    return fields, (block.start(), block.end())


def _with_warnings(document: Document, more: list[str]) -> Document:
    return dataclasses.replace(document, warnings=(*document.warnings, *more))
