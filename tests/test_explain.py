"""Rule provenance: every fact names the rule that produced it, in JSON, RDF and --explain."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from graph.rdf import document_quads
from loaders.records import Document, DocumentMeta, Entity, Event, ExtractionResult, Span, Stance
from ontology.namespace import rule_iri
from policykg.cli import main

TEXT = "Norway opposes the weaponisation of outer space. In 2021 Norway launched the Arctic Data Pledge."
PROV_GENERATED_BY = "http://www.w3.org/ns/prov#wasGeneratedBy"


def _result() -> ExtractionResult:
    doc = Document("t1", "t1.txt", TEXT, TEXT, "text/plain", "00")
    pledge_at = TEXT.index("Arctic Data Pledge")
    pledge = Entity("arctic-data-pledge", "Arctic Data Pledge", "Initiative",
                    (Span(pledge_at, pledge_at + 18, "Arctic Data Pledge"),), rule="entity.pattern.head_noun")
    event = Event("launch", pledge.key, pledge.label, Span(49, len(TEXT), TEXT[49:]), actor="Norway",
                  date="2021", rule="event.trigger.launch")
    stance = Stance("Norway", "norway", "oppose", "the weaponisation of outer space", Span(0, 48, TEXT[:48]),
                    cue="opposes", rule="stance.cue_verb")
    return ExtractionResult(doc, DocumentMeta(title="T", actor="Norway"), (pledge,), (), (event,), (stance,))


def test_json_records_name_their_rule() -> None:
    record = _result().to_json()
    assert record["stances"][0]["rule"] == "stance.cue_verb"
    assert record["events"][0]["rule"] == "event.trigger.launch"
    assert record["entities"][0]["rule"] == "entity.pattern.head_noun"


def test_rdf_facts_are_generated_by_their_rule() -> None:
    quads = document_quads(_result())
    generated = {(q.subject.value.rsplit("#", 1)[-1], q.object.value) for q in quads
                 if q.predicate.value == PROV_GENERATED_BY}
    assert ("stance-1", rule_iri("stance.cue_verb")) in generated
    assert ("event-1", rule_iri("event.trigger.launch")) in generated
    pledge_at = TEXT.index("Arctic Data Pledge")
    assert (f"m-{pledge_at}-{pledge_at + 18}", rule_iri("entity.pattern.head_noun")) in generated


def test_rule_iri_is_a_safe_iri() -> None:
    assert rule_iri("stance.cue verb/x") == "https://w3id.org/policykg/rule/stance.cue-verb-x"


def test_extract_explain_prints_rule_and_quote_per_fact(tmp_path: Path) -> None:
    path = tmp_path / "note.txt"
    path.write_text("Statement by the Ministry of Foreign Affairs of Norway\n\n"
                    "Norway firmly opposes the weaponisation of outer space.\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["extract", "--explain", str(path)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("document note")
    stance_at = next(i for i, line in enumerate(lines) if line.startswith("stance"))
    assert "oppose" in lines[stance_at] and "weaponisation of outer space" in lines[stance_at]
    assert lines[stance_at + 1].startswith("  rule  ")
    assert lines[stance_at + 2].startswith('  quote "') and "opposes the weaponisation" in lines[stance_at + 2]
