"""The date window of a read: partial ISO dates bound a period, inclusive.

Rows carry a ``pkg:sortDate`` (the first day of their date's period); :func:`window_filter`
keeps rows inside the period in the query itself, :func:`in_window` decides in Python for
rows whose date comes from their document.
"""

from __future__ import annotations

from graph.dates import period_bounds


def window_filter(start: str | None, end: str | None, var: str = "sort") -> str:
    """A FILTER keeping rows whose ``?var`` (an optional ``pkg:sortDate``) lies in the
    window; rows without one pass (their document's date decides, in Python).

    >>> window_filter(None, None)
    ''
    >>> window_filter("2021", None)
    'FILTER(!BOUND(?sort) || (STR(?sort) >= "2021-01-01" && STR(?sort) <= "9999-99-99"))'
    """
    if start is None and end is None:
        return ""
    low, high = period_bounds(start, end)
    return f'FILTER(!BOUND(?{var}) || (STR(?{var}) >= "{low}" && STR(?{var}) <= "{high}"))'


def in_window(sort_date: str | None, low: str, high: str) -> bool:
    """True when a sort date lies in ``[low, high]``; an undated row sorts last (9999)."""
    return low <= (sort_date or "9999") <= high
