from extraction_helpers import make_document

from loaders.gazetteer import load_gazetteer
from loaders.metadata import extract_metadata

SPEECH = """Remarks by Ambassador Jane Doe of Canada at the UN Security Council Open Debate on Cyber Threats

2023-03-14 10:00

Mr. President,

Canada thanks the presidency. The Council must act.

Thank you, Mr. President.
"""

NEWS = """Maple News Agency, Geneva, June 4 (MNA) -- Jane Doe, Permanent Representative of Canada to the United Nations, said that the Conference on Disarmament should resume work. Jane Doe said that Canada opposes an arms race in outer space.
"""

PAPER = """Canada's Views on Responsible Behaviour in Outer Space

November 2024

I. Summary

Canada submits these views to the Secretary-General.

II. Recommendations

Canada supports transparency.
"""


def meta_of(text: str, sidecar: dict | None = None):
    return extract_metadata(make_document(text, sidecar=sidecar), load_gazetteer())


def test_speech_metadata_from_the_text():
    meta = meta_of(SPEECH)
    assert meta.title.startswith("Remarks by Ambassador Jane Doe of Canada")
    assert (meta.date, meta.datetime) == ("2023-03-14", "2023-03-14T10:00")
    assert (meta.genre, meta.actor, meta.speaker) == ("speech", "Canada", "Jane Doe")
    assert meta.forum == "United Nations Security Council"


def test_news_report_without_year_needs_a_sidecar():
    meta = meta_of(NEWS)
    assert (meta.genre, meta.actor, meta.speaker, meta.date) == ("news_report", "Canada", "Jane Doe", None)
    with_sidecar = meta_of(NEWS, {"date": "2021-06-04", "forum": "Conference on Disarmament"})
    assert (with_sidecar.date, with_sidecar.forum) == ("2021-06-04", "Conference on Disarmament")


def test_position_paper_has_month_precision_and_no_speaker():
    meta = meta_of(PAPER)
    assert (meta.genre, meta.date, meta.actor, meta.speaker) == ("position_paper", "2024-11", "Canada", None)
