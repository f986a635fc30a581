"""Event identity across documents (graph.event_identity): hand-made reports, exact groups."""

from __future__ import annotations

from graph.event_identity import EventReport, identify_events, precision_name, sort_key


def report(node: str, kind: str, date: str | None, doc: str, actor: str | None = None,
           doc_date: str | None = None) -> EventReport:
    return EventReport(node, kind, date, doc, doc_id=doc, doc_sort_date=doc_date, actor=actor,
                       contemporaneous=bool(date and doc_date and doc_date.startswith(date)))


def test_three_precisions_of_one_launch_are_one_event_at_the_most_precise_date() -> None:
    events = identify_events([
        report("a#1", "launch", "2019", "white-paper", "Norway", "2024-01-01"),
        report("b#1", "launch", "2019-03-14", "speech", "Norway", "2019-03-14"),
        report("c#4", "launch", "2019-03", "report", None, "2019-05-02"),
    ])
    assert len(events) == 1
    (launch,) = events
    assert (launch.date, launch.precision, launch.actor) == ("2019-03-14", "day", "Norway")
    assert launch.documents == ("speech", "report", "white-paper")


def test_dates_that_disagree_or_actors_that_differ_stay_apart() -> None:
    events = identify_events([
        report("a#1", "convene", "2021-06", "a"),
        report("b#1", "convene", "2022-06", "b"),
        report("c#1", "sign", "2021", "c", actor="Chile"),
        report("d#1", "sign", "2021-05-02", "d", actor="Peru"),
    ])
    assert [(e.event_type, e.date, e.documents) for e in events] == [
        ("convene", "2021-06", ("a",)),
        ("convene", "2022-06", ("b",)),
        ("sign", "2021", ("c",)),
        ("sign", "2021-05-02", ("d",)),
    ]


def test_an_undated_report_joins_the_one_event_of_its_type_or_stands_alone() -> None:
    joined = identify_events([report("a#1", "adopt", "2023-12-22", "a"), report("b#2", "adopt", None, "b")])
    assert [(e.date, e.documents) for e in joined] == [("2023-12-22", ("a", "b"))]
    alone = identify_events([report("b#2", "veto", None, "b")])
    assert [(e.date, e.precision, e.documents) for e in alone] == [(None, None, ("b",))]


def test_a_contemporaneous_report_wins_a_tie_of_precision() -> None:
    events = identify_events([
        report("late#1", "release", "2022-06-08", "late", doc_date="2023-01-01"),
        report("same#1", "release", "2022-06-08", "same", doc_date="2022-06-08"),
    ])
    assert events[0].best.node == "same#1"


def test_sorting_rule_period_start_then_precision() -> None:
    dates = ["2021-02-03", None, "2021", "2020-12-31", "2021-02"]
    assert sorted(dates, key=sort_key) == ["2020-12-31", "2021", "2021-02", "2021-02-03", None]
    assert [precision_name(d) for d in ("2021", "2021-02", "2021-02-03")] == ["year", "month", "day"]
