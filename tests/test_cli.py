"""The ``policykg`` command, run with click's CliRunner against real stores on disk."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from click.testing import CliRunner, Result

from graph.oxigraph_store import OxigraphStore
from ontology.namespace import ENTITIES_GRAPH, LINKS_GRAPH, ONTOLOGY_GRAPH, doc_graph_iri
from policykg.cli import main

SHARED = Path(__file__).parents[1] / ".." / "shared"

ALPHA = (
    "Statement at the United Nations Security Council\n\n"
    "New York, 12 October 2021\n\n"
    "Mr. President,\n\n"
    "China supports the work of the United Nations Security Council on cyberspace.\n"
)
BETA = (
    "Remarks at the Conference on Disarmament\n\n"
    "Geneva, 3 February 2022\n\n"
    "Mr. President,\n\n"
    "We call for the early conclusion of negotiations in the Conference on Disarmament.\n"
)

DOCS_BY_DATE = """SELECT ?id ?date WHERE {
  GRAPH ?g { ?doc a pkg:Document ; dcterms:identifier ?id ; dcterms:date ?date ; pkg:sortDate ?sort }
} ORDER BY ?sort"""


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "alpha.txt").write_text(ALPHA, encoding="utf-8")
    (folder / "beta.md").write_text(BETA, encoding="utf-8")
    return folder


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "store"


def run(store_path: Path, *args: str, workers: str = "1", links: bool = False) -> Result:
    options = ["--store", str(store_path), "--workers", workers]
    options.append("--auto-links" if links else "--no-auto-links")
    return CliRunner().invoke(main, [*options, *args], catch_exceptions=False)


def stats(store_path: Path) -> dict[str, Any]:
    result = run(store_path, "stats", "--json")
    assert result.exit_code == 0, result.output
    return dict(json.loads(result.stdout))


def test_ingest_prints_one_line_per_file_and_is_idempotent(docs: Path, store_path: Path) -> None:
    first = run(store_path, "ingest", str(docs))
    assert first.exit_code == 0, first.output
    lines = first.stdout.splitlines()
    assert [line.split()[:2] for line in lines] == [["stored", "alpha"], ["stored", "beta"]]
    assert "2 stored" in first.stderr
    figures = stats(store_path)
    assert figures["documents"] == 2
    assert figures["first_document_date"] == "2021-10-12"
    assert figures["last_document_date"] == "2022-02-03"

    second = run(store_path, "ingest", str(docs))
    assert second.exit_code == 0
    assert [line.split() for line in second.stdout.splitlines()] == [["unchanged", "alpha"], ["unchanged", "beta"]]
    assert stats(store_path)["triples"] == figures["triples"]


def test_ingest_reports_bad_files_and_exits_1(docs: Path, store_path: Path) -> None:
    (docs / "scan.pdf").write_bytes(b"%PDF-1.4 this is not really a PDF")
    result = run(store_path, "ingest", str(docs), str(docs / "absent.txt"))
    assert result.exit_code == 1
    failed = [line for line in result.stdout.splitlines() if line.startswith("failed")]
    assert len(failed) == 2
    assert any(str(docs / "scan.pdf") in line for line in failed)
    assert any(f"{docs / 'absent.txt'}: no such file" in line for line in failed)
    assert stats(store_path)["documents"] == 2  # the good ones are stored


def test_ingest_json_report(docs: Path, store_path: Path) -> None:
    result = run(store_path, "ingest", "--json", str(docs / "alpha.txt"))
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert report["counts"] == {"stored": 1}
    assert report["outcomes"][0]["doc_id"] == "alpha"
    assert report["outcomes"][0]["quads"] > 0


def test_ingest_with_worker_processes(docs: Path, store_path: Path) -> None:
    result = run(store_path, "ingest", str(docs), workers="2")
    assert result.exit_code == 0, result.output
    assert stats(store_path)["documents"] == 2


def test_extract_prints_the_record_and_leaves_the_store_alone(docs: Path, store_path: Path) -> None:
    result = run(store_path, "extract", "--format", "json", str(docs / "alpha.txt"))
    assert result.exit_code == 0
    record = json.loads(result.stdout)
    assert record["id"] == "alpha"
    assert record["document"]["date"] == "2021-10-12"
    labels = {entity["label"] for entity in record["entities"]}
    assert "United Nations Security Council" in labels
    assert not store_path.exists()


def test_extract_turtle_is_the_document_graph(docs: Path, store_path: Path) -> None:
    result = run(store_path, "extract", "--format", "turtle", str(docs / "alpha.txt"))
    assert result.exit_code == 0
    triples = list(ox.parse(result.stdout_bytes, ox.RdfFormat.TURTLE))
    texts = [t.object.value for t in triples if t.predicate.value.endswith("#text")]
    assert texts == [ALPHA]


def test_extract_error_names_the_file(tmp_path: Path, store_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    result = run(store_path, "extract", str(empty))
    assert result.exit_code == 1
    assert f"{empty}: file is empty" in result.stderr


def test_query_formats(docs: Path, store_path: Path, tmp_path: Path) -> None:
    run(store_path, "ingest", str(docs))
    table = run(store_path, "query", DOCS_BY_DATE)
    assert table.exit_code == 0
    assert [line.split() for line in table.stdout.splitlines()[2:]] == [
        ["alpha", "2021-10-12"], ["beta", "2022-02-03"],
    ]
    as_json = json.loads(run(store_path, "query", "--format", "json", DOCS_BY_DATE).stdout)
    assert [b["id"]["value"] for b in as_json["results"]["bindings"]] == ["alpha", "beta"]
    rq = tmp_path / "docs.rq"
    rq.write_text(DOCS_BY_DATE, encoding="utf-8")
    as_csv = list(csv.reader(io.StringIO(run(store_path, "query", "--format", "csv", "-f", str(rq)).stdout)))
    assert as_csv == [["id", "date"], ["alpha", "2021-10-12"], ["beta", "2022-02-03"]]
    ask = run(store_path, "query", "ASK { ?d dcterms:identifier 'beta' }")
    assert ask.stdout.strip() == "true"
    construct = run(store_path, "query", "--format", "nquads",
                    "CONSTRUCT { ?d dcterms:identifier ?id } WHERE { ?d a pkg:Document ; dcterms:identifier ?id }")
    assert len(list(ox.parse(construct.stdout_bytes, ox.RdfFormat.N_TRIPLES))) == 2


def test_query_errors(docs: Path, store_path: Path) -> None:
    run(store_path, "ingest", str(docs))
    bad = run(store_path, "query", "SELECT WHERE {")
    assert bad.exit_code == 1
    assert "SPARQL syntax error" in bad.stderr
    neither = run(store_path, "query")
    assert neither.exit_code == 2
    missing = run(store_path.parent / "nothing-here", "query", "ASK {}")
    assert missing.exit_code == 1
    assert "run `policykg ingest` first" in missing.stderr


def test_export_formats(docs: Path, store_path: Path, tmp_path: Path) -> None:
    run(store_path, "ingest", str(docs))
    total = stats(store_path)["quads"]
    nquads = run(store_path, "export", "--format", "nquads")
    assert len(list(ox.parse(nquads.stdout_bytes, ox.RdfFormat.N_QUADS))) == total
    out = tmp_path / "dump.trig"
    assert run(store_path, "export", "--format", "trig", "-o", str(out)).exit_code == 0
    quads = list(ox.parse(path=str(out), format=ox.RdfFormat.TRIG))
    assert len(quads) == total
    assert {q.graph_name.value for q in quads} == {
        doc_graph_iri("alpha"), doc_graph_iri("beta"), str(ONTOLOGY_GRAPH), str(ENTITIES_GRAPH)
    }
    alpha = run(store_path, "export", "--format", "turtle", "--graph", "alpha")
    alpha_triples = list(ox.parse(alpha.stdout_bytes, ox.RdfFormat.TURTLE))
    assert len(alpha_triples) == OxigraphStore(store_path, read_only=True).quad_count(doc_graph_iri("alpha"))
    jsonld = run(store_path, "export", "--format", "jsonld", "--graph", "beta")
    assert len(list(ox.parse(jsonld.stdout_bytes, ox.RdfFormat.JSON_LD))) > 0
    unknown = run(store_path, "export", "--graph", "gamma")
    assert unknown.exit_code == 1
    assert "no graph https://w3id.org/policykg/graph/doc/gamma" in unknown.stderr


def test_remove_deletes_only_that_document(docs: Path, store_path: Path) -> None:
    run(store_path, "ingest", str(docs))
    before = OxigraphStore(store_path, read_only=True)
    beta = set(before.graph_quads(doc_graph_iri("beta")))
    alpha_count = before.quad_count(doc_graph_iri("alpha"))
    total = before.quad_count()
    del before
    result = run(store_path, "remove", "alpha")
    assert result.exit_code == 0
    assert result.stdout.split() == ["removed", "alpha"]
    after = OxigraphStore(store_path, read_only=True)
    assert after.graphs() == sorted([doc_graph_iri("beta"), str(ONTOLOGY_GRAPH), str(ENTITIES_GRAPH)])
    assert set(after.graph_quads(doc_graph_iri("beta"))) == beta
    assert after.quad_count() == total - alpha_count
    del after
    again = run(store_path, "remove", "alpha")
    assert again.exit_code == 1
    assert "no stored document is named alpha" in again.stdout


def test_validate_conforms_then_names_the_broken_document(docs: Path, store_path: Path) -> None:
    run(store_path, "ingest", str(docs))
    ok = run(store_path, "validate")
    assert ok.exit_code == 0, ok.output
    assert ok.stdout.strip().endswith("the store conforms")
    store = OxigraphStore(store_path)
    store.update(
        f"INSERT DATA {{ GRAPH <{doc_graph_iri('beta')}> {{ <https://w3id.org/policykg/doc/beta> "
        '<https://w3id.org/policykg/ontology#sha256> "not-a-digest" } }'
    )
    store.close()
    del store
    broken = run(store_path, "validate", "--json")
    assert broken.exit_code == 1
    report = json.loads(broken.stdout)
    assert not report["conforms"]
    assert [f["document"] for f in report["failures"]] == ["beta"]
    assert any("sha256" in v and "not-a-digest" in v for v in report["failures"][0]["violations"])
    only_alpha = run(store_path, "validate", "--graph", "alpha")
    assert only_alpha.exit_code == 0


def test_serve_runs_the_app_on_the_configured_address(
    store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("api.app", reason="api.app (helper B) is not there yet")
    import uvicorn

    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: seen.update(app=app, **kwargs))
    result = run(store_path, "serve", "--host", "127.0.0.2", "--port", "8123")
    assert result.exit_code == 0, result.output
    assert (seen["host"], seen["port"]) == ("127.0.0.2", 8123)
    assert seen["app"] is not None


@pytest.mark.skipif(not (SHARED / "corpus").is_dir(), reason="../shared/corpus is not beside the checkout")
def test_sample_corpus_end_to_end(store_path: Path) -> None:
    corpus = SHARED / "corpus"
    first = run(store_path, "ingest", str(corpus), workers="2", links=True)
    assert first.exit_code == 0, first.output
    gids = """SELECT DISTINCT ?date WHERE {
      GRAPH ?o { ?gids skos:prefLabel "Global Initiative on Data Security" }
      GRAPH ?g { ?doc a pkg:Document ; schema:mentions ?gids ; dcterms:date ?date ; pkg:sortDate ?sort }
    } ORDER BY ?sort"""
    dates = json.loads(run(store_path, "query", "--format", "json", gids).stdout)["results"]["bindings"]
    assert [d["date"]["value"] for d in dates] == ["2020-09-08", "2022-05-23", "2025-11"]

    triples = stats(store_path)["triples"]
    second = run(store_path, "ingest", str(corpus), workers="2", links=True)
    assert second.exit_code == 0
    assert stats(store_path)["triples"] == triples

    store = OxigraphStore(store_path, read_only=True)
    victim = doc_graph_iri("001-ebc468c49c8f9f08")
    kept = {g: set(store.graph_quads(g)) for g in store.graphs() if g not in (victim, str(LINKS_GRAPH))}
    del store
    assert run(store_path, "remove", "001-ebc468c49c8f9f08", links=True).exit_code == 0
    store = OxigraphStore(store_path, read_only=True)
    assert victim not in store.graphs()
    assert {g: set(store.graph_quads(g)) for g in store.graphs() if g != str(LINKS_GRAPH)} == kept
    del store
    validated = run(store_path, "validate", workers="2")
    assert validated.exit_code == 0, validated.output


def test_link_commands_on_the_sample_corpus(store_path: Path) -> None:
    """lineage (live and from the links graph), timelines and a path, with evidence."""
    assert run(store_path, "ingest", str(SHARED / "corpus"), workers="2", links=True).exit_code == 0

    live = run(store_path, "lineage", "global data security initiative", "--json")
    steps = json.loads(live.stdout)["steps"]
    assert [(s["role"], s["event_type"], s["date"], s["doc_id"][:3]) for s in steps] == [
        ("origin", "launch", "2020-09-08", "002"),
        ("invocation", "invoke", "2022-05-23", "000"),
        ("invocation", "invoke", "2025-11", "004"),
    ]
    assert "formally putting forth the Global Initiative on Data Security" in steps[0]["evidence"]["quote"]
    assert (steps[0]["forum"], steps[0]["speaker"]) == ("Conference on Disarmament", "Li Song")

    stored = json.loads(run(store_path, "lineage", "Global Data Security Initiative", "--sparql", "--json").stdout)
    assert "GRAPH <https://w3id.org/policykg/graph/links>" in stored["query"]
    assert [(r["role"], r["date"], r["docId"], r["quote"]) for r in stored["rows"]] == [
        ("origin" if s["role"] == "origin" else "invocation", s["date"], s["doc_id"], s["evidence"]["quote"])
        for s in steps
    ]
    missing = run(store_path, "lineage", "No Such Initiative", "--sparql")
    assert missing.exit_code == 1 and "no lineage for 'No Such Initiative'" in missing.output

    council = json.loads(run(store_path, "timeline", "--entity", "Security Council", "--json").stdout)
    assert [e["doc_id"][:3] for e in council] == ["003", "000", "001"]  # the undated news report last
    assert [e["date"] for e in council] == ["2022-04-22", "2022-05-23", None]
    assert all(e["evidence"]["quote"] in ("UN Security Council", "United Nations Security Council") for e in council)

    space = json.loads(
        run(store_path, "timeline", "--holder", "China", "--topic", "outer-space", "--from", "2021", "--json").stdout
    )
    assert space and all(e["date"] >= "2021" and e["kind"] == "stance" for e in space)
    assert any(e["what"].startswith("oppose") for e in space) and any(e["what"].startswith("support") for e in space)

    # The Tianjin Guidelines (2022 Council remarks) and the BWC's full title (2022 First
    # Committee paper) are never named in one document: the path goes through another entity.
    found = json.loads(run(store_path, "path", "Tianjin Biosecurity Guidelines", "BWC", "--json").stdout)
    assert found and len(found[0]["hops"]) == 2
    first_hop, second_hop = found[0]["hops"]
    assert (first_hop["doc_id"][:3], second_hop["doc_id"][:3]) == ("000", "003")
    assert first_hop["source_evidence"]["quote"].startswith("Tianjin Biosecurity Guidelines")
    assert second_hop["target_evidence"]["quote"].startswith("Convention on the Prohibition")
