"""Ingest under crashes and hostile files: the links graph survives a kill -9, ids never
collide silently, unreadable folders and odd files are reported, characters XML cannot
carry never reach the store, oversized or slow files are refused and the batch goes on.

Every test writes its own small files and uses a real store on disk; crashes are real
SIGKILLs of a child process at a chosen point.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from graph.derived import rebuild_links
from graph.ingest import IngestOptions, ingest_paths, stored_documents
from graph.links_check import check_links
from graph.links_state import links_state
from graph.oxigraph_store import OxigraphStore
from ontology.namespace import LINKS_GRAPH

ROOT = Path(__file__).resolve().parents[1]
LINKS = str(LINKS_GRAPH)

# Small texts of our own that give the links graph something to derive: an initiative
# launched, then invoked; stances of one holder.
FIRST = (
    "Remarks at the Conference on Disarmament\n\nGeneva, 8 September 2020\n\n"
    "Today China launched the Global Initiative on Data Security.\n"
    "China firmly supports multilateral talks on data rules.\n"
)
SECOND = (
    "Statement at the United Nations Security Council\n\nNew York, 23 May 2022\n\n"
    "We recall the Global Initiative on Data Security proposed by China.\n"
    "China opposes unilateral sanctions.\n"
)
THIRD = (
    "Statement at the United Nations General Assembly\n\nNew York, 20 September 2023\n\n"
    "China welcomes the Global Initiative on Data Security as a basis for common rules.\n"
)


def write_corpus(folder: Path, count: int = 3) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in list(zip(("first", "second", "third"), (FIRST, SECOND, THIRD), strict=True))[:count]:
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    return folder


def links_snapshot(store: OxigraphStore) -> set[str]:
    return {str(q) for q in store.graph_quads(LINKS)}


def fresh_rebuild(store: OxigraphStore, where: Path) -> set[str]:
    """The links graph a full rebuild gives for the store's documents, in another store."""
    fresh = OxigraphStore(where)
    for graph in store.graphs():
        if graph != LINKS:
            fresh.replace_graph(graph, list(store.graph_quads(graph)))
    rebuild_links(fresh)
    snapshot = links_snapshot(fresh)
    fresh.close()
    return snapshot


# -- a child process that ingests and kills itself (SIGKILL) at a chosen point ------------

_CHILD = """
import os, signal, sys
from graph.oxigraph_store import OxigraphStore
from graph.ingest import IngestOptions, ingest_paths
import graph.derived as derived
import graph.links_refresh as links_refresh

def die(*_args, **_kwargs):
    os.kill(os.getpid(), signal.SIGKILL)

point = sys.argv[3]
store = OxigraphStore(sys.argv[1])
if point == "before-refresh":
    # Documents written, links not refreshed yet.
    links_refresh.refresh_links = die
elif point == "mid-rebuild":
    # A full rebuild too large for one transaction: killed after the drop, during the load.
    derived._ATOMIC_REWRITE_MAX = 0
    class Dying:
        def __init__(self, inner):
            self.inner = inner
        def __getattr__(self, name):
            return die if name == "bulk_extend" else getattr(self.inner, name)
        def __len__(self):
            return len(self.inner)
    store._store = Dying(store._store)
elif point == "mid-refresh":
    # The incremental refresh's one update request, killed as it is sent.
    real_update = store.update
    def update(sparql):
        if "documentsFingerprint" in sparql:
            die()
        return real_update(sparql)
    store.update = update
ingest_paths(store, [sys.argv[2]], IngestOptions(workers=1, auto_links=True))
print("not killed")
"""


def ingest_and_kill(store_path: Path, corpus: Path, point: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(_CHILD), str(store_path), str(corpus), point],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert child.returncode == -signal.SIGKILL, (child.returncode, child.stdout, child.stderr[-2000:])


@pytest.mark.parametrize("point", ["before-refresh", "mid-rebuild"])
def test_links_survive_a_kill_during_the_first_ingest(tmp_path: Path, point: str) -> None:
    corpus = write_corpus(tmp_path / "docs")
    ingest_and_kill(tmp_path / "store", corpus, point)

    store = OxigraphStore(tmp_path / "store")
    assert sorted(stored_documents(store)) == ["first", "second", "third"]  # documents complete
    state = links_state(store)
    assert state.stale  # the kill left its mark ...
    check = check_links(store)
    assert not check.agrees and check.problems  # ... and validate says so
    # The rerun finds every document unchanged, and still repairs the links graph.
    report = ingest_paths(store, [corpus], IngestOptions(workers=1, auto_links=True))
    assert report.counts() == {"unchanged": 3} and report.ok
    assert not links_state(store).stale
    snapshot = links_snapshot(store)
    assert snapshot == fresh_rebuild(store, tmp_path / "fresh")
    assert any("LineageStep" in quad for quad in snapshot)
    assert check_links(store).agrees
    store.close()


def test_links_survive_a_kill_during_an_incremental_refresh(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "docs", count=2)
    store = OxigraphStore(tmp_path / "store")
    ingest_paths(store, [corpus], IngestOptions(workers=1, auto_links=True))
    assert check_links(store).agrees
    store.close()

    write_corpus(corpus, count=3)  # one more document
    ingest_and_kill(tmp_path / "store", corpus, "mid-refresh")

    store = OxigraphStore(tmp_path / "store")
    assert sorted(stored_documents(store)) == ["first", "second", "third"]
    assert links_state(store).pending == ("https://w3id.org/policykg/doc/third",)
    assert not check_links(store).agrees
    report = ingest_paths(store, [corpus], IngestOptions(workers=1, auto_links=True))
    assert report.counts() == {"unchanged": 3}
    assert links_snapshot(store) == fresh_rebuild(store, tmp_path / "fresh")
    assert check_links(store).agrees
    store.close()


def test_validate_sees_documents_written_behind_the_links_graph(tmp_path: Path) -> None:
    """A document graph changed without a refresh (a write outside ingest) is caught by
    the fingerprint; the CLI exits non-zero."""
    from click.testing import CliRunner

    from policykg.cli import main

    corpus = write_corpus(tmp_path / "docs", count=2)
    store = OxigraphStore(tmp_path / "store")
    ingest_paths(store, [corpus], IngestOptions(workers=1, auto_links=True))
    write_corpus(corpus, count=3)
    ingest_paths(store, [corpus / "third.txt"], IngestOptions(workers=1, auto_links=False))
    check = check_links(store)
    assert not check.agrees
    assert any("documents changed since the links graph was refreshed" in p for p in check.problems)
    store.close()
    result = CliRunner().invoke(main, ["--store", str(tmp_path / "store"), "validate", "--graph", "first"])
    assert result.exit_code == 1, result.output
    assert "links graph" in result.output and "does NOT agree" in result.output


# -- document ids never collide silently -----------------------------------------------------


def test_same_name_in_another_folder_gets_its_own_id_in_a_later_run(tmp_path: Path) -> None:
    options = IngestOptions(workers=1, auto_links=False)
    (tmp_path / "2021").mkdir()
    (tmp_path / "2022").mkdir()
    (tmp_path / "2021" / "statement.txt").write_text(FIRST, encoding="utf-8")
    (tmp_path / "2022" / "statement.txt").write_text(SECOND, encoding="utf-8")
    store = OxigraphStore(tmp_path / "store")
    assert ingest_paths(store, [tmp_path / "2021"], options).counts() == {"stored": 1}
    later = ingest_paths(store, [tmp_path / "2022"], options)
    [outcome] = later.outcomes
    assert outcome.status == "stored" and outcome.doc_id != "statement"
    assert outcome.doc_id is not None and outcome.doc_id.startswith("statement-")
    assert f"is taken by {tmp_path / '2021' / 'statement.txt'}" in outcome.message
    stored = stored_documents(store)
    assert stored["statement"][1] == str(tmp_path / "2021" / "statement.txt")  # the first is kept
    assert stored[outcome.doc_id][1] == str(tmp_path / "2022" / "statement.txt")
    # Stable: both folders again are both unchanged; an edit replaces the right one.
    assert ingest_paths(store, [tmp_path], options).counts() == {"unchanged": 2}
    (tmp_path / "2022" / "statement.txt").write_text(THIRD, encoding="utf-8")
    again = ingest_paths(store, [tmp_path], options)
    assert sorted((o.doc_id, o.status) for o in again.outcomes) == [
        ("statement", "unchanged"), (outcome.doc_id, "replaced")
    ]
    store.close()


# -- files the walk or the reader cannot take --------------------------------------------------


_AS_NOBODY = """
import json, os, sys
from graph.ingest import IngestOptions, ingest_paths
from graph.oxigraph_store import OxigraphStore
options = IngestOptions(workers=1, auto_links=False)
ingest_paths(OxigraphStore(None), [sys.argv[2]], options)  # every module loaded while root
os.setgid(65534); os.setuid(65534)
report = ingest_paths(OxigraphStore(None), [sys.argv[1]], options)
print(json.dumps([[o.source, o.status, o.message] for o in report.outcomes]))
"""


def test_unreadable_folder_is_reported_as_a_failure(tmp_path: Path) -> None:
    import json
    import tempfile

    # Under /tmp, world-traversable: the walk runs as an unprivileged user when the tests
    # run as root (root reads everything).
    top = Path(tempfile.mkdtemp(prefix="policykg-unreadable-"))
    top.chmod(0o755)
    (top / "open").mkdir()
    (top / "open" / "a.txt").write_text(FIRST, encoding="utf-8")
    (top / "locked").mkdir()
    (top / "locked" / "b.txt").write_text(SECOND, encoding="utf-8")
    (top / "locked").chmod(0o000)
    try:
        if os.geteuid() == 0:
            child = subprocess.run(
                [sys.executable, "-c", _AS_NOBODY, str(top), str(write_corpus(tmp_path / "warm", 1))],
                env={**os.environ, "PYTHONPATH": str(ROOT)},
                cwd="/", capture_output=True, text=True, timeout=300,
            )
            assert child.returncode == 0, child.stderr[-2000:]
            outcomes = json.loads(child.stdout.strip().splitlines()[-1])
        else:
            report = ingest_paths(OxigraphStore(None), [top], IngestOptions(workers=1, auto_links=False))
            outcomes = [[o.source, o.status, o.message] for o in report.outcomes]
    finally:
        (top / "locked").chmod(0o755)
        shutil.rmtree(top)
    by_source = {source: (status, message) for source, status, message in outcomes}
    assert by_source[str(top / "open" / "a.txt")][0] == "stored"
    status, message = by_source[str(top / "locked")]
    assert status == "failed"
    assert message == f"{top / 'locked'}: folder cannot be read (Permission denied); its documents were not ingested"


def test_characters_xml_cannot_carry_never_reach_the_store(tmp_path: Path) -> None:
    import xml.etree.ElementTree as ET

    import pyoxigraph as ox

    from ontology.namespace import doc_graph_iri

    # Past the 20,000 characters the binary-content check looks at.
    text = FIRST + "x" * 20_500 + " a\x00b \x01\x1f\x0b\x0c\ufffe\uffff end.\n"
    path = tmp_path / "controls.txt"
    path.write_bytes(text.encode("utf-8"))
    store = OxigraphStore(tmp_path / "store")
    [outcome] = ingest_paths(store, [path], IngestOptions(workers=1, auto_links=False)).outcomes
    assert outcome.status == "stored"
    assert "7 character(s) XML cannot carry" in outcome.message
    quads = list(store.graph_quads(doc_graph_iri("controls")))
    stored_text = next(q.object.value for q in quads if q.predicate.value.endswith("#text"))
    assert len(stored_text) == len(text)  # one for one: every offset still true
    assert stored_text.endswith(" a b   \n\u2029   end.\n")
    ET.fromstring(ox.serialize([q.triple for q in quads], format=ox.RdfFormat.RDF_XML))  # well formed
    results = store.query("SELECT ?o WHERE { GRAPH ?g { ?s ?p ?o } }")
    ET.fromstring(results.serialize(format=ox.QueryResultsFormat.XML))
    store.close()


def test_a_file_name_that_is_not_utf8(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from policykg.cli import main

    folder = tmp_path / "docs"
    folder.mkdir()
    raw = os.fsencode(folder) + b"/d\xe9claration.txt"
    with open(raw, "wb") as handle:
        handle.write(FIRST.encode("utf-8"))
    result = CliRunner().invoke(
        main, ["--store", str(tmp_path / "store"), "--workers", "1", "--no-auto-links", "ingest", "--json",
               str(folder)],
    )
    assert result.exit_code == 0, result.output
    assert result.exception is None
    assert "d\\\\xe9claration.txt" in result.output  # the bad byte shown escaped


def _pdf_bytes(*, password: str | None = None, bomb: bool = False) -> bytes:
    import io
    import zlib

    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject, StreamObject

    if bomb:
        writer = PdfWriter()
        page = writer.add_blank_page(200, 200)
        stream = StreamObject()
        # 76 MB of spaces in 74 KB: past pypdf's 75 MB limit for a decompressed stream.
        stream._data = zlib.compress(b"BT /F1 12 Tf 10 10 Td (Hello) Tj ET\n" + b" " * 76_000_000, 9)
        stream[NameObject("/Filter")] = NameObject("/FlateDecode")
        page[NameObject("/Contents")] = writer._add_object(stream)
    else:
        writer = PdfWriter(clone_from=PdfReader(ROOT / "tests" / "data" / "space_security.pdf"))
        writer.encrypt(user_password=password or "", owner_password="owner", algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_aes_encrypted_pdfs_open_and_a_decompression_bomb_is_named(tmp_path: Path) -> None:
    from loaders.readers import LoaderError, read_document

    (tmp_path / "aes.pdf").write_bytes(_pdf_bytes())
    document = read_document(tmp_path / "aes.pdf")
    assert document.text.startswith("Permanent Mission of Freedonia")
    (tmp_path / "locked.pdf").write_bytes(_pdf_bytes(password="secret"))
    with pytest.raises(LoaderError, match="PDF is encrypted and needs a password"):
        read_document(tmp_path / "locked.pdf")
    (tmp_path / "bomb.pdf").write_bytes(_pdf_bytes(bomb=True))
    with pytest.raises(LoaderError) as caught:
        read_document(tmp_path / "bomb.pdf")
    assert "decompresses past pypdf's size limit" in str(caught.value)
    assert "OCR" not in str(caught.value)


# -- bounded work: size and time limits, workers that never outlive the ingest ---------------


@pytest.mark.parametrize("workers", [1, 2])
def test_too_large_and_too_slow_documents_fail_and_the_batch_goes_on(tmp_path: Path, workers: int) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "small.txt").write_text(FIRST, encoding="utf-8")
    (folder / "large.txt").write_text(SECOND * 40, encoding="utf-8")  # > 2,000 characters
    (folder / "huge.txt").write_bytes(b"x " * 9_000)  # > 8 bytes per allowed character: unread
    options = IngestOptions(workers=workers, auto_links=False, max_document_chars=2_000)
    store = OxigraphStore(tmp_path / "store")
    outcomes = {Path(o.source).name: o for o in ingest_paths(store, [folder], options).outcomes}
    assert outcomes["small.txt"].status == "stored"
    assert outcomes["large.txt"].status == "failed"
    assert outcomes["large.txt"].message == (
        f"{folder / 'large.txt'}: document too large: {len(SECOND) * 40:,} characters of text, the limit "
        "is 2,000 (setting max_document_chars)"
    )
    assert outcomes["huge.txt"].status == "failed"
    assert "file too large: 18,000 bytes" in outcomes["huge.txt"].message

    # A document whose extraction needs far more than the time limit allows (tens of seconds
    # against 3 s), beside one that needs far less (a few tens of ms), even on a loaded machine.
    (folder / "slow.txt").write_text((FIRST + SECOND + THIRD) * 12000, encoding="utf-8")  # 6 MB
    options = IngestOptions(workers=workers, auto_links=False, extract_timeout_s=3)
    outcomes = {Path(o.source).name: o for o in ingest_paths(store, [folder], options).outcomes}
    assert outcomes["slow.txt"].status == "failed"
    assert outcomes["slow.txt"].message.startswith(
        f"{folder / 'slow.txt'}: extraction took longer than 3 s (setting extract_timeout_s)"
    )
    assert outcomes["large.txt"].status == "stored"  # the batch went on
    assert "slow" not in stored_documents(store)
    store.close()


_SLOW_INGEST = """
import sys
from graph.ingest import IngestOptions, ingest_paths
from graph.oxigraph_store import OxigraphStore
ingest_paths(OxigraphStore(None), [sys.argv[1]], IngestOptions(workers=2, auto_links=False))
"""


def _descendants(pid: int) -> set[int]:
    import psutil

    try:
        return {child.pid for child in psutil.Process(pid).children(recursive=True)}
    except psutil.NoSuchProcess:
        return set()


def test_worker_processes_do_not_outlive_a_killed_ingest(tmp_path: Path) -> None:
    import time

    import psutil

    folder = write_corpus(tmp_path / "docs")
    for number in range(4):  # slow enough that workers are busy when the ingest dies
        (folder / f"long{number}.txt").write_text((FIRST + SECOND + THIRD) * 400, encoding="utf-8")
    child = subprocess.Popen(
        [sys.executable, "-c", _SLOW_INGEST, str(folder)], env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=ROOT
    )
    try:
        workers: set[int] = set()
        for _ in range(600):  # until the pool's workers are up (forkserver + 2 workers)
            workers = _descendants(child.pid)
            if len(workers) >= 3:
                break
            time.sleep(0.1)
        assert len(workers) >= 3
        child.send_signal(signal.SIGKILL)
        child.wait()
        alive = workers
        for _ in range(300):  # they go within seconds (parent-death signal, watcher thread)
            alive = {pid for pid in alive if psutil.pid_exists(pid)
                     and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE}
            if not alive:
                break
            time.sleep(0.1)
        assert not alive
    finally:
        if child.poll() is None:
            child.kill()
