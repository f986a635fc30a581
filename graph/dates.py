"""Partial ISO 8601 dates as the graph keeps them, compared and bounded at their precision.

Dates are strings at their true precision (``2020``, ``2020-09``, ``2020-09-08``); two
dates are *compatible* when one is a prefix of the other (``2020`` and ``2020-09-08``
may name the same day). Read windows (:mod:`graph.read.window`), the lineage rules
(:mod:`graph.lineage_rules`) and document links (:mod:`graph.document_links`) compare
dates through these functions.
"""

from __future__ import annotations

from datetime import date as Date

from graph.event_identity import dates_agree, precision_of

#: Two ISO dates at any precision may name the same moment (:func:`graph.event_identity.dates_agree`).
compatible = dates_agree


def period_bounds(start: str | None, end: str | None) -> tuple[str, str]:
    """The first and last day (``YYYY-MM-DD``) covered by two partial ISO dates.

    >>> period_bounds("2021", "2022-02")
    ('2021-01-01', '2022-02-31')
    >>> period_bounds(None, None)
    ('0000-00-00', '9999-99-99')
    """
    low = "0000-00-00" if not start else (start + "-01-01")[:10] if len(start) == 4 else (start + "-01")[:10]
    high = "9999-99-99" if not end else (end + "-12-31")[:10] if len(end) == 4 else (end + "-31")[:10]
    return low, high


def day_of(value: str | None) -> Date | None:
    """The day a date names, or None when it is coarser than a day or no date.

    >>> day_of("2020-09-08"), day_of("2020-09"), day_of(None)
    (datetime.date(2020, 9, 8), None, None)
    """
    if precision_of(value) != 3:
        return None
    try:
        return Date.fromisoformat(str(value)[:10])
    except ValueError:
        return None
