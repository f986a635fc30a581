"""Metadata given beside a document: sidecar ``.meta.json`` files and markdown front matter.

A sidecar is a JSON object with any of :data:`SIDECAR_FIELDS`; each known field is a
string or null and is checked (ISO 8601 dates, a known genre, a language tag, an
absolute URL). A ``date`` with a time of day is split into ``date`` and ``datetime``.
Unknown keys are kept as they are. Markdown front matter (``---`` ... ``---``) may give
the same fields; there a bad value is a note, not an error, since the block also serves
other tools.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any, get_args

from loaders.records import Genre

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
GENRES = frozenset(get_args(Genre))
_ISO_DATE = re.compile(
    r"(?P<date>\d{4}(?:-\d{2}(?:-\d{2})?)?)"
    r"(?:[T ](?P<time>\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(?P<zone>Z|[+-]\d{2}:?\d{2})?)?"
)
LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:\S+")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(?P<block>(?:.*\n){0,200}?)(?:---|\.\.\.)[ \t]*(?:\n|\Z)")
_FRONT_MATTER_LINE = re.compile(r"(?P<key>[A-Za-z_][\w-]*)\s*:\s*(?P<value>.*?)\s*")


class SidecarError(ValueError):
    """A sidecar that cannot be used; the message says why."""


def sidecar_paths(path: Path) -> tuple[Path, Path]:
    """Where a sidecar of ``path`` may be: ``speech.txt.meta.json``, then ``speech.meta.json``.

    >>> [p.name for p in sidecar_paths(Path("x/speech.txt"))]
    ['speech.txt.meta.json', 'speech.meta.json']
    """
    return path.with_name(path.name + ".meta.json"), path.with_name(path.stem + ".meta.json")


def load_sidecar(path: Path) -> dict[str, Any]:
    """The checked fields of a sidecar file; :class:`SidecarError` if it is unusable,
    :class:`OSError` if it cannot be read."""
    try:
        value = json.loads(path.read_bytes().decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise SidecarError("sidecar is not UTF-8 JSON") from None
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        raise SidecarError(f"sidecar is not valid JSON ({where}: {exc.msg})") from None
    if not isinstance(value, dict):
        raise SidecarError(f"sidecar must be a JSON object, not {type(value).__name__}")
    return checked_sidecar(value)


def checked_sidecar(raw: dict[str, Any]) -> dict[str, Any]:
    """``raw`` checked and normalised; :class:`SidecarError` listing every problem.

    >>> checked_sidecar({"date": "2022-05-23 13:25", "genre": "Speech", "note": 1})
    {'date': '2022-05-23', 'genre': 'speech', 'note': 1, 'datetime': '2022-05-23T13:25'}
    """
    fields, problems = check_fields(raw)
    if problems:
        raise SidecarError("bad sidecar: " + "; ".join(problems))
    return fields


def unknown_fields(fields: dict[str, Any]) -> list[str]:
    """Keys of ``fields`` that are not metadata fields (typos, or data for other tools)."""
    return sorted(set(fields) - set(SIDECAR_FIELDS))


def check_fields(raw: Any) -> tuple[dict[str, Any], list[str]]:
    """Check and normalise metadata fields; returns (fields, problems). Unknown keys are
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
            value = str(value)  # "date": 2021
        if value is not None and not isinstance(value, str):
            problems.append(f"'{key}' must be a string or null, not {json.dumps(value)[:60]}")
            continue
        value = value.strip() if isinstance(value, str) else None
        problem = _field_problem(key, value) if value else None
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
    elif key == "genre" and value.lower() not in GENRES:
        return f"'genre' must be one of {', '.join(sorted(GENRES))}, not {value!r}"
    elif key == "language" and not LANGUAGE_TAG.fullmatch(value):
        return f"'language' must be a language tag such as 'en' or 'zh-Hans', not {value!r}"
    elif key == "url" and not _URL.fullmatch(value):
        return f"'url' must be an absolute URL, not {value!r}"
    return None


def front_matter(text: str) -> tuple[dict[str, Any], list[str], tuple[int, int] | None]:
    """Metadata fields of a YAML front matter block at the top of a markdown text, the
    problems met, and the block's span. Only plain ``key: value`` lines of known fields
    are read; the rest of the block (layout, tags, ...) is for other tools.

    >>> front_matter('---\\ntitle: "Remarks"\\nlayout: post\\n---\\nMr. President,\\n')
    ({'title': 'Remarks'}, [], (0, 38))
    """
    every, span = front_matter_values(text)
    if span is None:
        return {}, [], None
    values = {key: value for key, value in every.items() if key in SIDECAR_FIELDS}
    fields, problems = check_fields(values)
    return fields, problems, span


def front_matter_span(text: str) -> tuple[int, int] | None:
    r"""The span of a front matter block at the very top of ``text``, if there is one.

    >>> front_matter_span("---\ntitle: x\n---\nBody")
    (0, 17)
    """
    block = _FRONT_MATTER.match(text)
    return (block.start(), block.end()) if block else None


def front_matter_values(text: str) -> tuple[dict[str, str], tuple[int, int] | None]:
    r"""Every plain ``key: value`` of a front matter block (keys lower-cased) and its span.
    A double-quoted value may run over several lines (YAML folds them); its escapes
    (``\u2019``, ``\_`` for a no-break space, a line-ending ``\``) are decoded. Any
    text may carry such a block, not only markdown (pages saved by site scrapers do).

    >>> front_matter_values('---\ntitle: "Readout of the\\\n  \\ Call\\u2019s"\ntags: [News]\n---\n')[0]
    {'title': 'Readout of the Call’s', 'tags': '[News]'}
    """
    block = _FRONT_MATTER.match(text)
    if not block:
        return {}, None
    values: dict[str, str] = {}
    lines = block.group("block").splitlines()
    k = 0
    while k < len(lines):
        entry = _FRONT_MATTER_LINE.fullmatch(lines[k])
        k += 1
        if not entry:
            continue
        value = entry.group("value")
        if value.startswith('"'):
            while not _closed_double_quote(value) and k < len(lines) and lines[k][:1] in " \t":
                # A line-ending backslash escapes the line break: the lines join with no space.
                joined = value[:-1] if value.endswith("\\") else value + "\n"
                value = joined + lines[k].strip()
                k += 1
            value = _yaml_double_quoted(value)
        elif len(value) >= 2 and value[0] == value[-1] == "'":
            value = value[1:-1].replace("''", "'")
        if value:
            values[entry.group("key").lower()] = value
    return values, (block.start(), block.end())


def _closed_double_quote(value: str) -> bool:
    return len(value) >= 2 and value.endswith('"') and not value.endswith('\\"')


_YAML_ESCAPE = re.compile(r'\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|x[0-9A-Fa-f]{2}|.)', re.DOTALL)
_YAML_SIMPLE = {"_": " ", "n": " ", "t": " ", '"': '"', "\\": "\\", "/": "/", " ": " ", "N": " ", "0": ""}


def _yaml_double_quoted(value: str) -> str:
    """A YAML double-quoted scalar's text: escapes decoded, folded lines joined by spaces."""
    inner = value[1:-1] if _closed_double_quote(value) else value[1:]
    inner = inner.replace("\n", " ")

    def decode(match: re.Match[str]) -> str:
        code = match.group(1)
        if code[0] in "uUx" and len(code) > 1:
            return chr(int(code[1:], 16))
        return _YAML_SIMPLE.get(code, code)

    return re.sub(r"\s+", " ", _YAML_ESCAPE.sub(decode, inner)).strip()
