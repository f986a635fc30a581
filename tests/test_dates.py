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
