from loaders.dates import find_dates, parse_iso, precision


def values(text: str, reference: str | None = None) -> list[tuple[str, str]]:
    return [(d.span.text, d.value) for d in find_dates(text, reference)]


def test_absolute_dates_keep_their_precision():
    text = "On 8 September 2020 and in March 2017, and again in 2022; dated 2022-05-23 13:25."
    assert values(text) == [
        ("8 September 2020", "2020-09-08"),
        ("March 2017", "2017-03"),
        ("2022", "2022"),
        ("2022-05-23 13:25", "2022-05-23"),
    ]


def test_relative_dates_resolve_against_the_document_date():
    text = (
        "In May last year we met; last July they agreed; at the end of last year it was put forward; today."
    )
    assert values(text, "2022-05-23") == [
        ("May last year", "2021-05"),
        ("last July", "2021-07"),
        ("at the end of last year", "2021-12"),
        ("today", "2022-05-23"),
    ]


def test_last_month_name_later_in_the_year_means_the_previous_year():
    assert values("last December", "2022-05-23") == [("last December", "2021-12")]
    assert values("last March", "2022-05-23") == [("last March", "2022-03")]


def test_relative_dates_are_dropped_without_a_reference():
    assert values("last July and today") == []


def test_years_inside_names_and_symbols_are_not_dates():
    assert values("the 2030 Agenda, resolution A/RES/76/234, adopted in 2015") == [("2015", "2015")]


def test_offsets_point_into_the_text():
    text = "Signed in Geneva on 3 March 2019."
    (mention,) = find_dates(text)
    assert text[mention.span.start : mention.span.end] == "3 March 2019"


def test_parse_iso_and_precision():
    assert parse_iso("2020-09").isoformat() == "2020-09-01"
    assert [precision(v) for v in ("2020", "2020-09", "2020-09-08")] == ["year", "month", "day"]


def test_a_month_abbreviation_ends_at_a_word_end():
    assert values("This Declaration and this Decision", "2022-04-28") == []
    assert values("this Dec. and next Sept.", "2022-04-28") == [
        ("this Dec.", "2022-12"),
        ("next Sept.", "2022-09"),
    ]


def test_lower_case_month_only_in_a_full_date():
    text = "talade i New York den 22 september 2024; we may 2 times"
    assert values(text) == [("22 september 2024", "2024-09-22")]


def test_years_ago_need_only_the_document_year():
    text = "Thirty years ago, and a year ago, and 60 years ago in Lagos."
    assert values(text, "2023") == [
        ("Thirty years ago", "1993"),
        ("a year ago", "2022"),
        ("60 years ago", "1963"),
    ]


def test_weekdays_resolve_to_the_nearest_such_day():
    # 2025-09-02 is a Tuesday: a report's "Sunday" is two days back, its "Wednesday" tomorrow.
    text = (
        "They met on Sunday and Monday; the parade is on Wednesday; last Tuesday; the Good Friday Agreement."
    )
    assert values(text, "2025-09-02") == [
        ("Sunday", "2025-08-31"),
        ("Monday", "2025-09-01"),
        ("Wednesday", "2025-09-03"),
        ("last Tuesday", "2025-08-26"),
    ]


def test_month_and_day_without_year_is_the_nearest_such_day():
    assert values("on November 1 and 2", "2023-10-30") == [("November 1", "2023-11-01")]
    assert values("on March 3", "2023-11-04") == [("March 3", "2023-03-03")]


def test_in_month_without_year_is_the_nearest_such_month():
    text = "In March we announced it; the summit in November; since early April."
    assert values(text, "2023-09-19") == [
        ("March", "2023-03"),
        ("November", "2023-11"),
        ("April", "2023-04"),
    ]
    # "In May last year" keeps its year.
    assert values("In May last year", "2022-05-23") == [("May last year", "2021-05")]


def test_resolution_numbers_are_not_years():
    assert values("resolution 2065 (XX) and resolutions 1991 and No. 2001; in 1965") == [("1965", "1965")]


def test_month_without_year_in_a_document_known_by_its_year_is_that_years():
    assert values("In March we announced it, on June 5 we signed it; last July; adopted today", "2023") == [
        ("March", "2023-03"),
        ("June 5", "2023-06-05"),
        ("today", "2023"),
    ]
