"""Bytes -> text: byte-order marks, declared charsets, and best-effort guesses.

Order of evidence: a byte-order mark (UTF-8, UTF-16, UTF-32) wins; then a charset the
caller declares (an HTML ``<meta charset>``, an HTTP ``Content-Type``), read the way
browsers read labels; then strict UTF-8. Past that every step is a guess and says so in a
note: UTF-8 with a few stray bytes (kept as UTF-8, bad bytes replaced), UTF-16 without a
byte-order mark, GB 18030 (Chinese pages), and finally windows-1252, which decodes any
byte. Newlines are normalised to ``\\n`` as Python's ``open()`` does, so the text is the
file as Python reads it.
"""

from __future__ import annotations

import codecs
import re

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
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_GB_PAIR = re.compile(rb"[\xa1-\xf7][\xa1-\xfe]")
_HIGH_BYTES = bytes(range(0x80, 0x100))
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1b\x7f]")


class BinaryContentError(ValueError):
    """The bytes decode, but to control characters: this is not a text file."""


def _c1_fallback(error: UnicodeError) -> tuple[str, int]:
    """windows-1252 leaves five bytes undefined; browsers read them as C1 controls."""
    assert isinstance(error, UnicodeDecodeError)
    return error.object[error.start : error.end].decode("latin-1"), error.end


codecs.register_error("policykg-c1", _c1_fallback)


def codec_for_label(label: str) -> str | None:
    """Python's codec for a charset label as the web reads it, or None if unknown.

    >>> codec_for_label("ISO-8859-1"), codec_for_label("GB2312"), codec_for_label("klingon")
    ('cp1252', 'gb18030', None)
    """
    label = label.strip().lower()
    label = _LABEL_ALIASES.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def sniff_html_charset(data: bytes) -> str | None:
    """The charset an HTML or XHTML page declares in its first 4 KB, if any.

    >>> sniff_html_charset(b'<html><head><meta charset="gbk">')
    'gbk'
    """
    head = data[:4096]
    found = _XML_ENCODING.search(head) or _HTML_CHARSET.search(head)
    return found.group(1).decode("ascii") if found else None


def decode_text(data: bytes, declared: str | None = None) -> tuple[str, list[str]]:
    """Decode ``data`` to text; returns the text and notes on any guess made.

    Raises :class:`BinaryContentError` when the result is full of control characters.

    >>> text, notes = decode_text("Délégation\\r\\n".encode("cp1252"))
    >>> text, notes[0][:59]
    ('Délégation\\n', 'not valid UTF-8 (byte 0xe9 at offset 1); decoded as windows')
    """
    notes: list[str] = []
    text = _decode_raw(data, notes, declared)
    if text.startswith("\ufeff"):
        text = text[1:]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    sample = text[:20000]
    controls = len(_CONTROL.findall(sample))
    if "\x00" in sample or controls > max(3, len(sample) // 100):
        raise BinaryContentError("looks like binary data, not text (control characters)")
    return text, notes


def _decode_raw(data: bytes, notes: list[str], declared: str | None) -> str:
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(codec)
            except UnicodeDecodeError as exc:
                notes.append(
                    f"{codec} byte-order mark but invalid {codec} at byte {exc.start}; "
                    "undecodable bytes replaced with U+FFFD"
                )
                return data[len(bom) :].decode(codec, errors="replace")
    if declared:
        declared_codec = codec_for_label(declared)
        if declared_codec is None:
            notes.append(f"unknown declared charset {declared!r}; ignored")
        elif declared_codec.startswith(("utf-16", "utf-32")):
            pass  # a declared UTF-16 without a byte-order mark is a mislabelled page
        else:
            errors = "policykg-c1" if declared_codec == "cp1252" else "strict"
            try:
                return data.decode(declared_codec, errors=errors)
            except UnicodeDecodeError as exc:
                notes.append(
                    f"declared charset {declared!r} does not fit the bytes "
                    f"(invalid at byte {exc.start}); guessing"
                )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    damaged = _damaged_utf8(data)
    if damaged is not None:
        notes.append(
            f"mostly UTF-8 but {damaged} invalid byte(s), the first at offset {first_bad}; "
            "replaced with U+FFFD"
        )
        return data.decode("utf-8", errors="replace")
    guessed = _guess_utf16(data) or _guess_gb18030(data)
    if guessed:
        codec, text = guessed
        notes.append(f"not UTF-8 and no byte-order mark; decoded as {codec} (best guess)")
        return text
    notes.append(
        f"not valid UTF-8 (byte 0x{data[first_bad]:02x} at offset {first_bad}); "
        "decoded as windows-1252 (best effort: check quotes and accented letters)"
    )
    return data.decode("cp1252", errors="policykg-c1")


def _high_bytes(data: bytes) -> int:
    return len(data) - len(data.translate(None, _HIGH_BYTES))


def _damaged_utf8(data: bytes) -> int | None:
    """The number of invalid bytes when ``data`` is UTF-8 with a few stray bytes (most
    bytes above 0x7F form valid UTF-8 sequences), else None."""
    high = _high_bytes(data)
    in_sequences = sum(len(m) for m in _UTF8_SEQUENCE.findall(data))
    if high == 0 or in_sequences < 0.8 * high:
        return None
    return high - in_sequences


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
    high = _high_bytes(data)
    if high < 8 or 2 * len(_GB_PAIR.findall(data)) < 0.8 * high:
        return None
    try:
        return "gb18030", data.decode("gb18030")
    except UnicodeDecodeError:
        return None
