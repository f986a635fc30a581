"""Date expressions: found with their offsets, normalised to ISO 8601 at their precision.

Absolute dates keep the precision the text gives ("2020" -> ``2020``, "September 2020"
-> ``2020-09``, "8 September 2020" -> ``2020-09-08``). Relative ones ("today", "last
July", "at the end of last year", "In May last year", "on the 23rd") are resolved against
the document's own date, as Graphiti and dateparser's RELATIVE_BASE do; without a
reference date they are left out rather than guessed.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from itertools import pairwise

from loaders.records import DateMention, Span

MONTHS = {
    name: i
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
# A month name ends at a word end or an abbreviation's dot: "this Dec" is not "this Declaration".
_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)(?:\.|\b)"
)
_MONTH_FULL = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
# Full month names in lower case, only inside a full day-month-year date ("22 september 2024",
# as Swedish and French pages write them), where the day and year rule out the verb "may".
_MONTH_ANY_CASE = (
    r"(?:(?i:january|february|march|april|may|june|july|august|september|october|november|december)\b"
    rf"|{_MONTH})"
)
WEEKDAYS = {
    name: i
    for i, name in enumerate(("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"))
}
_WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"
NUMBER_WORDS = {
    word: i
    for i, word in enumerate(
        (
            "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen"
            " sixteen seventeen eighteen nineteen twenty"
        ).split()
    )
} | {"a": 1, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_COUNT = r"(?:\d{1,3}|" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + ")"
#: "years ago" before the word "ago" (found with str.find: a literal scan is far cheaper).
_AGO = re.compile(r"\b(years?|decades?)\s+$")
_COUNT_BEFORE = re.compile(rf"\b({_COUNT})\s+$", re.IGNORECASE)
_YEAR = r"(?:19|20)\d\d"
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"

# One alternation, most specific first; each branch names its groups.
# The shared prefix (a word start whose first character can begin some branch) lets the
# engine reject most positions once instead of trying every branch: 5x faster on speeches.
_PATTERN = re.compile(
    rf"""
    \b(?=[0-9JFMASONDLlTtNnPpYyaebsmoW])
  (?:
    (?P<iso>\b(?P<iy>{_YEAR})-(?P<im>0[1-9]|1[0-2])-(?P<id>0[1-9]|[12]\d|3[01])
        (?:[ T](?P<time>[01]\d|2[0-3]):(?P<min>[0-5]\d))?\b)
  | (?P<dmy>\b(?P<d1>{_DAY})\s+(?:of\s+)?(?P<m1>{_MONTH_ANY_CASE})\s*,?\s+(?P<y1>{_YEAR})\b)
  | (?P<mdy>\b(?P<m2>{_MONTH})\s+(?P<d2>{_DAY}),?\s+(?P<y2>{_YEAR})\b)
  | (?P<my>\b(?P<m3>{_MONTH})\s*,?\s+(?P<y3>{_YEAR})\b)
  | (?P<rel_month_year>\b(?P<m4>{_MONTH})\s+(?P<which4>last|this|next)\s+year\b)
  | (?P<end_year>\b(?:at\s+the\s+)?(?P<part>end|beginning|start|middle)\s+of
        \s+(?P<which5>last|this|next)\s+year\b)
  | (?P<rel_month>\b(?P<which6>[Ll]ast|[Tt]his|[Nn]ext)\s+(?P<m6>{_MONTH})(?!\s+\d))
  | (?P<rel_year>\b(?P<which7>[Ll]ast|[Tt]his|[Nn]ext|[Pp]revious)\s+year\b)
  | (?P<rel_unit>\b(?P<which8>[Ll]ast|[Tt]his|[Nn]ext)\s+(?P<unit8>month|week)\b)
  | (?P<today>\b(?:[Tt]oday|[Yy]esterday|[Tt]omorrow)\b)
  | (?P<weekday>(?=[LlNnTtMWFS])\b(?:(?P<which13>[Ll]ast|[Nn]ext|[Tt]his)\s+)?
        (?P<wd13>{_WEEKDAY})(?!\s+[A-Z][a-z]))
  | (?P<md>\b(?P<m9>{_MONTH})\s+(?P<d9>{_DAY})\b(?!\s*,?\s*\d))
  | (?P<in_month>(?=[JFMASOND])(?:(?<=\b[Ii]n\s)|(?<=\b[Ss]ince\s)|(?<=\b[Uu]ntil\s)
        |(?<=\bearly\s)|(?<=\bmid-)|(?<=\blate\s))(?P<m14>{_MONTH_FULL})\b
        (?!\s*,?\s*\d|\s+(?:of\s+)?(?:last|this|next|previous)\s+year))
  | (?P<the_day>\bon\s+the\s+(?P<d10>{_DAY})\b)
  | (?P<year>(?<![/\d.-])(?<!resolution\s)(?<!resolutions\s)(?<!No\.\s)
        \b(?P<y11>{_YEAR})\b(?![/\d]|-\d|\s+[A-Z][a-z]))
  )
    """,
    re.VERBOSE,
)


def parse_iso(value: str | None) -> date | None:
    """The first day of an ISO date of any precision (``2020``, ``2020-09``, ``2020-09-08``).

    >>> parse_iso("2020-09")
    datetime.date(2020, 9, 1)
    """
    if not value:
        return None
    m = re.match(r"^(\d{4})(?:-(\d\d))?(?:-(\d\d))?", value)
    if not m:
        return None
    return date(int(m.group(1)), int(m.group(2) or 1), int(m.group(3) or 1))


def precision(value: str) -> str:
    """``year``, ``month`` or ``day``."""
    return {4: "year", 7: "month"}.get(len(value[:10]), "day")


def _day(text: str) -> int:
    return int(re.match(r"\d+", text).group())  # type: ignore[union-attr]


def _month(text: str) -> int:
    return MONTHS[text.rstrip(".").lower()]


def _ym(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def _valid(year: int, month: int, day: int) -> str | None:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def _shift(which: str) -> int:
    return {"last": -1, "previous": -1, "this": 0, "next": 1}[which.lower()]


def _resolve(m: re.Match[str], ref: date | None, ref_year: int | None) -> tuple[str | None, bool]:
    """(ISO value, relative?) for one match; value None when it cannot be resolved.

    ``ref`` is the document's day, ``ref_year`` its year (known also when only the year is):
    year-precision expressions ("last year", "30 years ago") need only the year.
    """
    kind = m.lastgroup
    g = m.group
    if g("iso"):
        value = _valid(int(g("iy")), int(g("im")), int(g("id")))
        return value, False
    if g("dmy"):
        return _valid(int(g("y1")), _month(g("m1")), _day(g("d1"))), False
    if g("mdy"):
        return _valid(int(g("y2")), _month(g("m2")), _day(g("d2"))), False
    if g("my"):
        return _ym(int(g("y3")), _month(g("m3"))), False
    if g("year"):
        return g("y11"), False
    if g("rel_year") and ref_year is not None:
        return str(ref_year + _shift(g("which7"))), True
    if ref is None:
        if ref_year is not None and g("in_month"):
            # A speech known only by its year ("In March, I announced ..."): that year's month.
            return _ym(ref_year, _month(g("m14"))), True
        if ref_year is not None and g("md"):
            return _valid(ref_year, _month(g("m9")), _day(g("d9"))), True
        if ref_year is not None and g("today"):
            # "adopted today" in a speech known by its year: that year, at year precision.
            return str(ref_year), True
        return None, True
    if g("rel_month_year"):
        return _ym(ref.year + _shift(g("which4")), _month(g("m4"))), True
    if g("end_year"):
        month = {"end": 12, "beginning": 1, "start": 1, "middle": 6}[g("part")]
        year = ref.year + _shift(g("which5"))
        return (_ym(year, month) if g("part") != "middle" else str(year)), True
    if g("rel_month"):
        month = _month(g("m6"))
        which = g("which6").lower()
        if which == "last":
            year = ref.year if month < ref.month else ref.year - 1
        elif which == "next":
            year = ref.year if month > ref.month else ref.year + 1
        else:
            year = ref.year
        return _ym(year, month), True
    if g("rel_unit"):
        shift = _shift(g("which8"))
        if g("unit8") == "month":
            index = ref.year * 12 + ref.month - 1 + shift
            return _ym(index // 12, index % 12 + 1), True
        return (ref + timedelta(weeks=shift)).isoformat(), True
    if g("today"):
        word = g("today").lower()
        offset = {"today": 0, "yesterday": -1, "tomorrow": 1}[word]
        return (ref + timedelta(days=offset)).isoformat(), True
    if g("weekday"):
        return _weekday(ref, WEEKDAYS[g("wd13").lower()], (g("which13") or "").lower()).isoformat(), True
    if g("md"):
        return _nearest_month_day(ref, _month(g("m9")), _day(g("d9"))), True
    if g("in_month"):
        return _nearest_month(ref, _month(g("m14"))), True
    if g("the_day"):
        return _valid(ref.year, ref.month, _day(g("d10"))), True
    raise AssertionError(kind)  # every branch of _PATTERN is handled above


#: How far ahead of the document a month or day without a year may lie: "on November 1"
#: in a statement of 30 October is two days ahead; "on March 3" in a report of 4 November
#: is last March, not next.
_AHEAD_DAYS = 92


def _latest_by_horizon(ref: date, candidates: list[date]) -> date:
    """The latest candidate no later than ``_AHEAD_DAYS`` after ``ref``."""
    horizon = ref + timedelta(days=_AHEAD_DAYS)
    return max(c for c in candidates if c <= horizon)


def _nearest_month_day(ref: date, month: int, day: int) -> str | None:
    """The ``month``/``day`` of the year that makes it the latest such day within the horizon."""
    candidates = [date.fromisoformat(d) for d in (_valid(ref.year + k, month, day) for k in (-1, 0, 1)) if d]
    if not candidates or min(candidates) > ref + timedelta(days=_AHEAD_DAYS):
        return None
    return _latest_by_horizon(ref, candidates).isoformat()


def _nearest_month(ref: date, month: int) -> str:
    """The ``month`` of the year that makes it the latest such month within the horizon:
    "in March" in a speech of September is last March, "in November" the coming one."""
    chosen = _latest_by_horizon(ref, [date(ref.year + k, month, 1) for k in (-1, 0, 1)])
    return _ym(chosen.year, chosen.month)


def _weekday(ref: date, weekday: int, which: str) -> date:
    """The day of that weekday nearest ``ref`` (a tie goes to the past); "last" and "next"
    force the direction: reports say "on Sunday" of the days around their date."""
    back = ref - timedelta(days=(ref.weekday() - weekday) % 7)
    ahead = ref + timedelta(days=(weekday - ref.weekday()) % 7)
    if which == "last":
        return back if back < ref else back - timedelta(weeks=1)
    if which == "next":
        return ahead if ahead > ref else ahead + timedelta(weeks=1)
    return back if (ref - back) <= (ahead - ref) else ahead


def find_dates(text: str, reference: str | None = None) -> tuple[DateMention, ...]:
    """Every date expression in ``text``, resolved against ``reference`` (ISO date).

    >>> [d.value for d in find_dates("In May last year and last July; on 8 September 2020", "2022-05-23")]
    ['2021-05', '2021-07', '2020-09-08']
    >>> [d.value for d in find_dates("the 2030 Agenda, adopted in 2015")]
    ['2015']
    """
    ref = parse_iso(reference) if reference and len(reference) >= 10 else None
    known = parse_iso(reference)
    ref_year = known.year if known else None
    out: list[DateMention] = []
    if ref_year is not None and "ago" in text:
        out.extend(_years_ago(text, ref_year))
    for m in _PATTERN.finditer(text):
        value, relative = _resolve(m, ref, ref_year)
        if value is None:
            continue
        start, end = m.span()
        if m.group("the_day"):
            start = m.start("d10") - len("the ")
        out.append(DateMention(Span(start, end, text[start:end]), value, relative))
    if not _sorted(out):
        out.sort(key=lambda d: d.span.start)
    return tuple(out)


def _sorted(found: list[DateMention]) -> bool:
    return all(a.span.start <= b.span.start for a, b in pairwise(found))


def _years_ago(text: str, ref_year: int) -> list[DateMention]:
    """ "30 years ago", "a decade ago": found from their rare literal tail, then the count
    before it (a separate pass keeps the main pattern's cheap first-letter test)."""
    out = []
    at = text.find("ago")
    while at >= 0:
        end = at + 3
        at = text.find("ago", end)
        if text[end : end + 1].isalnum():
            continue
        m = _AGO.search(text, max(0, end - 3 - 12), end - 3)
        if m is None:
            continue
        count = _COUNT_BEFORE.search(text, max(0, m.start() - 16), m.start())
        if count is None:
            continue
        word = count.group(1).lower()
        number = int(word) if word.isdigit() else NUMBER_WORDS[word]
        years = number * (10 if m.group(1).startswith("decade") else 1)
        out.append(
            DateMention(Span(count.start(), end, text[count.start() : end]), str(ref_year - years), True)
        )
    return out
