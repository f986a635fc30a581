"""Site-junk descriptions of ``ontology/boilerplate.toml``, checked and compiled once.

:mod:`loaders.cleaning` applies them: whole junk lines (gift and share widgets, newsletter
sign-ups), multi-line boxes, photo captions with their credits, and related-headline lists
after their heading. A bad file raises :class:`BoilerplateDataError` naming the entry.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any


class BoilerplateDataError(ValueError):
    """``ontology/boilerplate.toml`` cannot be used; the message says where."""


@dataclass(frozen=True, slots=True)
class Box:
    start: re.Pattern[str]
    before: int
    end: re.Pattern[str]
    max_lines: int


@dataclass(frozen=True, slots=True)
class SiteJunk:
    junk_line: re.Pattern[str]  # fullmatch on a stripped line
    caption_credit: re.Pattern[str]  # search at a line's end
    related_heading: re.Pattern[str]  # fullmatch on a stripped line
    boxes: tuple[Box, ...]


_WHERE = "ontology/boilerplate.toml"


def _patterns(data: dict[str, Any], key: str) -> list[str]:
    value = data.get(key)
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
        raise BoilerplateDataError(f"{_WHERE}: '{key}' must be a non-empty list of patterns")
    return value


def _compile(pattern: str, where: str, flags: int = re.IGNORECASE) -> re.Pattern[str]:
    try:
        return re.compile(pattern, flags)
    except re.error as exc:
        raise BoilerplateDataError(f"{where}: bad regular expression {pattern!r} ({exc})") from None


def _alternation(patterns: list[str], key: str) -> re.Pattern[str]:
    for pattern in patterns:
        _compile(pattern, f"{_WHERE} {key}")  # each on its own, for a precise message
    return _compile("(?:" + ")|(?:".join(patterns) + ")", f"{_WHERE} {key}")


def parse_site_junk(data: dict[str, Any]) -> SiteJunk:
    """The checked, compiled form of the file's content."""
    credit = data.get("caption_credit")
    if not isinstance(credit, str) or not credit:
        raise BoilerplateDataError(f"{_WHERE}: 'caption_credit' must be a pattern")
    boxes = []
    for k, box in enumerate(data.get("box", [])):
        where = f"{_WHERE} box #{k + 1}"
        if not all(isinstance(box.get(key), int) and box[key] >= 0 for key in ("before", "max_lines")):
            raise BoilerplateDataError(f"{where}: 'before' and 'max_lines' must be numbers of lines")
        if not isinstance(box.get("start"), str) or not isinstance(box.get("end"), str):
            raise BoilerplateDataError(f"{where}: 'start' and 'end' must be patterns")
        boxes.append(
            Box(_compile(box["start"], where), box["before"], _compile(box["end"], where), box["max_lines"])
        )
    return SiteJunk(
        junk_line=_alternation(_patterns(data, "junk_lines"), "junk_lines"),
        caption_credit=_compile(credit, f"{_WHERE} caption_credit", flags=0),
        related_heading=_alternation(_patterns(data, "related_headings"), "related_headings"),
        boxes=tuple(boxes),
    )


@cache
def load_site_junk() -> SiteJunk:
    """The site-junk descriptions (read once per process)."""
    try:
        raw = resources.files("ontology").joinpath("boilerplate.toml").read_bytes()
        data = tomllib.loads(raw.decode("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise BoilerplateDataError(f"{_WHERE}: cannot be read ({exc})") from None
    return parse_site_junk(data)
