"""Shared parameters of the REST routes (pages, date windows) and their checks; malformed
values give 422. Names and response pieces come from :mod:`api.routes.refs`."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import Query
from pydantic import AfterValidator

#: Partial ISO 8601 dates: a year, a month or a day.
DATE_PATTERN = r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$"

#: The largest offset a page may start at (larger ones are refused as 422, not a 500).
MAX_OFFSET = 10_000_000


def calendar_date(value: str | None) -> str | None:
    """A partial ISO date that exists in the calendar (``2020-02-30`` does not).

    Examples
    --------
    >>> calendar_date("2020-02-29")
    '2020-02-29'
    >>> calendar_date("2021-02-29")
    Traceback (most recent call last):
    ...
    ValueError: 2021-02-29 is not a date in the calendar
    """
    if value is not None and len(value) == 10:
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{value} is not a date in the calendar") from None
    return value


Limit = Annotated[int, Query(ge=1, le=1000, description="page size", examples=[50])]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="items to skip", examples=[0])]
FromDate = Annotated[
    str | None,
    Query(alias="from", pattern=DATE_PATTERN, description="first date (YYYY, YYYY-MM or YYYY-MM-DD)",
          examples=["2020-09"]),
    AfterValidator(calendar_date),
]
ToDate = Annotated[
    str | None,
    Query(alias="to", pattern=DATE_PATTERN, description="last date (YYYY, YYYY-MM or YYYY-MM-DD)",
          examples=["2025"]),
    AfterValidator(calendar_date),
]


def page(items: list[Any], limit: int, offset: int) -> list[Any]:
    return items[offset : offset + limit]
