"""The whole extraction pipeline on real files: own statements in two formats and the
shared sample corpus (skipped when ../shared is absent)."""

from pathlib import Path

import pytest

from loaders.pipeline import extract_path

DATA = Path(__file__).parent / "data" / "statements"
CORPUS = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus"
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not beside the checkout")


def stances(result):
    return {(s.polarity, s.target) for s in result.stances}


def test_us_press_statement():
    result = extract_path(DATA / "us_press_statement.txt")
    meta = result.meta
    assert (meta.date, meta.genre, meta.actor, meta.speaker) == (
        "2023-02-16",
        "statement",
        "United States",
        "Antony Blinken",
    )
    (launch,) = result.events
    assert (launch.type, launch.date) == ("launch", "2023-02-16")
    assert launch.subject.startswith("Political Declaration on Responsible Military Use")
    assert ("oppose", "use of autonomous weapons in violation of international humanitarian law") in stances(
        result
    )
    # Site navigation and share links are not content.
    assert not [e for e in result.entities if "Twitter" in e.label]


def test_eu_statement_in_html():
    result = extract_path(DATA / "eu_oewg_statement.html")
    meta = result.meta
    assert (meta.date, meta.genre, meta.actor) == ("2024-03-06", "speech", "European Union")
    assert meta.forum.startswith("Open-ended Working Group on Security of and in the Use of")
    found = stances(result)
    assert ("oppose", "malicious cyber activities against critical infrastructure") in found
    assert ("oppose", "ransomware attacks") in found
    text = result.document.text
    for stance in result.stances:
        assert text[stance.evidence.start : stance.evidence.end] == stance.evidence.text
    assert "Cookies" not in " ".join(s.evidence.text for s in result.stances)


@needs_corpus
def test_sample_corpus_offsets_point_into_the_text_as_read():
    for path in sorted(CORPUS.iterdir()):
        result = extract_path(path)
        text = result.document.text
        spans = [m for e in result.entities for m in e.mentions]
        spans += [e.evidence for e in result.events] + [s.evidence for s in result.stances]
        assert spans, path
        for span in spans:
            assert text[span.start : span.end] == span.text, (path, span)


@needs_corpus
def test_global_initiative_on_data_security_across_the_sample():
    launches = {}
    for path in sorted(CORPUS.iterdir()):
        result = extract_path(path)
        labels = {e.label for e in result.entities}
        launches[path.name[:3]] = [
            e.date
            for e in result.events
            if e.subject == "Global Initiative on Data Security" and e.type == "launch"
        ]
        if path.name[:3] in ("000", "002", "004"):
            assert "Global Initiative on Data Security" in labels
    assert launches["002"] == ["2020-09-08"]
    assert launches["000"] == ["2020"]
    assert launches["004"] == ["2020-09"]
