"""The UN General Debate Corpus loader and ``policykg ingest-ungdc``.

Small archives built here mimic the published one (session folders, speeches named
ISO3_SESSION_YEAR.txt, the speaker table at the end, a stray non-speech file); one test
reads the real tarball from ../shared when it is there.
"""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import Workbook

from loaders.ungdc import UngdcCorpus, UngdcError, clean_person_name, parse_member_name
from policykg.cli import main

REAL_TARBALL = Path(__file__).parents[1] / ".." / "shared" / "datasets" / "ungdc-1946-2024.tar.gz"

FRA = (
    "Mr. President,\n\nFrance calls for a treaty to prevent an arms race in outer space. "
    "We support the Treaty on the Non-Proliferation of Nuclear Weapons.\n"
)
USA = "Mr. President, the United States will work with all nations on cyberspace.\n"
EUR = "The European Union stands for effective multilateralism.\n"
# Windows-1252 bytes (é as 0xE9, a curly apostrophe as 0x92): not UTF-8.
CIV = "La Côte d\u2019Ivoire salue l'Assemblée générale.\n".encode("cp1252")
SOV = "The Soviet Union proposes general and complete disarmament.\n"


def _speakers_xlsx() -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Year", "Session", "ISO Code", "Country", "Name of Person Speaking", "Post", None])
    sheet.append([2020, 75, "FRA", "France ", "Mr. EMMANUEL MACRON", "President ", None])
    sheet.append([2020, 75, "USA", "United States of America", "Donald Trump", "President", None])
    sheet.append([2020, 75, "EU", "European Union ", "Charles Michel", "President", None])
    sheet.append([1961, 16, "SUN", "Union of Soviet Socialist Republics", "Mr. GROMYKO", None, None])
    sheet.append([1961, 16, "SUN", "Union of Soviet Socialist Republics", "Mr. ZORIN", None, None])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


MEMBERS: list[tuple[str, bytes]] = [
    ("ungdc/Session 75 - 2020/FRA_75_2020.txt", FRA.encode()),
    ("ungdc/Session 75 - 2020/USA_75_2020.txt", USA.encode()),
    ("ungdc/Session 75 - 2020/EU_75_2020.txt", EUR.encode()),
    ("ungdc/Session 75 - 2020/CIV_75_2020.txt", CIV),
    ("ungdc/Session 47 - 1992/.DS_Store-to-UTF-8.txt", b"Bud1\x00\x00"),
    ("ungdc/Session 16 - 1961/SUN_16_1961.txt", SOV.encode()),
]


def _make_tarball(path: Path) -> Path:
    with tarfile.open(path, "w:gz") as archive:
        for name, data in [*MEMBERS, ("ungdc/Speakers_by_session.xlsx", _speakers_xlsx())]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


@pytest.fixture
def tarball(tmp_path: Path) -> Path:
    return _make_tarball(tmp_path / "ungdc-test.tar.gz")


def test_member_names_and_person_names() -> None:
    assert parse_member_name("ungdc/Session 01 - 1946/LUX_01_1946.txt") == ("LUX", 1, 1946)
    assert parse_member_name("EU_79_2024.txt") == ("EU", 79, 2024)
    assert parse_member_name("ungdc/Speakers_by_session.xlsx") is None
    assert clean_person_name("MR. ALGIRDAS MYKOLAS BRAZAUSKAS") == "Algirdas Mykolas Brazauskas"
    assert clean_person_name("Mr. Bech") == "Bech"
    assert clean_person_name("César Bernardo Arévalo de León") == "César Bernardo Arévalo de León"
    assert clean_person_name("MR. ALIJA IZETBEGOVIC") == "Alija Izetbegovic"
    assert clean_person_name(None) is None


def test_speeches_with_their_metadata(tarball: Path) -> None:
    corpus = UngdcCorpus(tarball)
    assert len(corpus) == 5
    docs = {doc.doc_id: doc for doc in corpus}
    assert sorted(docs) == ["civ-75-2020", "eu-75-2020", "fra-75-2020", "sun-16-1961", "usa-75-2020"]

    fra = docs["fra-75-2020"]
    assert fra.text == FRA and len(fra.body) == len(fra.text)
    assert fra.sha256 == hashlib.sha256(FRA.encode()).hexdigest()
    assert fra.source == f"{tarball}/ungdc/Session 75 - 2020/FRA_75_2020.txt"
    assert fra.media_type == "text/plain"
    assert fra.sidecar == {
        "title": "Statement by France in the general debate of the 75th session of the "
        "United Nations General Assembly (2020)",
        "date": "2020",
        "genre": "speech",
        "actor": "France",
        "forum": "United Nations General Assembly",
        "session": 75,
        "country_code": "FRA",
        "speaker": "Emmanuel Macron",
        "speaker_post": "President",
    }
    assert docs["usa-75-2020"].sidecar["actor"] == "United States"  # the gazetteer's label for USA
    assert docs["eu-75-2020"].sidecar["actor"] == "European Union"  # no ISO code: by acronym
    sov = docs["sun-16-1961"].sidecar
    assert sov["actor"] == "Union of Soviet Socialist Republics" and sov["date"] == "1961"
    # Two delegates' speeches in one file: no single speaker is claimed.
    assert sov["speaker"] is None and sov["speakers"] == ["Gromyko", "Zorin"]

    civ = docs["civ-75-2020"]
    assert civ.text == CIV.decode("cp1252") and "Côte d’Ivoire" in civ.text
    assert any("not UTF-8" in w and "CIV_75_2020.txt" in w for w in civ.warnings)
    assert any("speaker unknown" in w for w in civ.warnings)
    assert corpus.skipped == [
        ("ungdc/Session 47 - 1992/.DS_Store-to-UTF-8.txt", "not a speech file named ISO3_SESSION_YEAR.txt")
    ]


def test_limit_years_and_folder_input(tarball: Path, tmp_path: Path) -> None:
    assert [d.doc_id for d in UngdcCorpus(tarball, years=(1950, 1970))] == ["sun-16-1961"]
    limited = UngdcCorpus(tarball, limit=2)
    assert len(limited) == 2 and len(list(limited)) == 2
    folder = tmp_path / "unpacked"
    with tarfile.open(tarball) as archive:
        archive.extractall(folder, filter="data")
    from_folder = {d.doc_id: d for d in UngdcCorpus(folder / "ungdc")}
    from_tar = {d.doc_id: d for d in UngdcCorpus(tarball, workers=1)}  # cleaning in a worker process
    assert from_folder.keys() == from_tar.keys()
    for doc_id, doc in from_tar.items():
        assert (doc.text, doc.body, doc.sha256, doc.sidecar) == (
            from_folder[doc_id].text, from_folder[doc_id].body, from_folder[doc_id].sha256,
            from_folder[doc_id].sidecar,
        )


def test_known_speeches_skip_the_cleaning_pass(tarball: Path) -> None:
    sha = hashlib.sha256(FRA.encode()).hexdigest()
    corpus = UngdcCorpus(tarball, known_sha256={"fra-75-2020": sha, "usa-75-2020": "0" * 64})
    docs = {d.doc_id: d for d in corpus}
    assert docs["fra-75-2020"].sha256 == sha and docs["fra-75-2020"].body == FRA
    assert docs["usa-75-2020"].sha256 == hashlib.sha256(USA.encode()).hexdigest()  # changed: full read


def test_bad_archives_are_named(tmp_path: Path) -> None:
    with pytest.raises(UngdcError, match="no such file"):
        UngdcCorpus(tmp_path / "missing.tar.gz")
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not an archive")
    with pytest.raises(UngdcError, match=r"junk\.tar\.gz: neither a folder nor a tar archive"):
        UngdcCorpus(junk)


def _query(store_path: Path, sparql: str) -> list[dict[str, str]]:
    from graph.oxigraph_store import OxigraphStore
    from ontology.namespace import sparql_prefixes

    store = OxigraphStore(store_path, read_only=True)
    try:
        rows = store.query(sparql_prefixes() + sparql)
        return [{v.value: row[v].value for v in rows.variables if row[v] is not None} for row in rows]
    finally:
        store.close()


def test_cli_ingest_resumes_after_an_interruption(tarball: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    runner = CliRunner()
    base = ["--store", str(store), "--workers", "1", "--no-auto-links", "ingest-ungdc", str(tarball), "--json", "-q"]
    # An ingest stopped after two speeches (--limit stands in for the interruption) ...
    first = runner.invoke(main, [*base, "--limit", "2"])
    assert first.exit_code == 0, first.output
    assert json.loads(first.output)["counts"] == {"stored": 2}
    # ... resumes: finished speeches are not extracted again.
    second = runner.invoke(main, base)
    assert second.exit_code == 0, second.output
    report = json.loads(second.output)
    assert report["counts"] == {"unchanged": 2, "stored": 3}
    assert report["skipped"] == [
        {"source": "ungdc/Session 47 - 1992/.DS_Store-to-UTF-8.txt",
         "reason": "not a speech file named ISO3_SESSION_YEAR.txt"}
    ]
    rows = _query(store, """
        SELECT ?year ?actor ?forum ?speaker WHERE { GRAPH ?g {
          doc:fra-75-2020 dcterms:date ?year ; pkg:actor ?a ; pkg:forum ?f ; pkg:speaker ?s } .
          ?a skos:prefLabel ?actor . ?f skos:prefLabel ?forum . ?s skos:prefLabel ?speaker }""")
    assert {(r["year"], r["actor"], r["forum"], r["speaker"]) for r in rows} == {
        ("2020", "France", "United Nations General Assembly", "Emmanuel Macron")
    }
    ids = _query(store, "SELECT ?id WHERE { GRAPH ?g { ?d a pkg:Document ; dcterms:identifier ?id } } ORDER BY ?id")
    assert [r["id"] for r in ids] == ["civ-75-2020", "eu-75-2020", "fra-75-2020", "sun-16-1961", "usa-75-2020"]


def test_cli_rejects_an_empty_selection(tarball: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["--store", str(tmp_path / "s"), "ingest-ungdc", str(tarball), "--years", "2030-2031"]
    )
    assert result.exit_code != 0
    assert "no speech files named ISO3_SESSION_YEAR.txt of 2030-2031" in result.output
    bad = CliRunner().invoke(main, ["--store", str(tmp_path / "s"), "ingest-ungdc", str(tarball), "--years", "99"])
    assert bad.exit_code == 2 and "not a year or a range of years" in bad.output


@pytest.mark.skipif(not REAL_TARBALL.exists(), reason="../shared/datasets/ungdc-1946-2024.tar.gz is absent")
def test_the_published_corpus() -> None:
    corpus = UngdcCorpus(REAL_TARBALL, limit=1)
    assert len(corpus) == 1
    assert len(corpus.speakers) > 10_000  # (ISO code, session) keys of the speaker table
    first = next(iter(corpus))
    assert first.doc_id == "qat-63-2008"
    assert first.sidecar["actor"] == "Qatar"
    assert first.sidecar["speaker"] == "Sheikh Hamad bin Khalifa Al-Thani"
    assert first.sidecar["speaker_post"] == "Head of State"
    assert first.sidecar["date"] == "2008" and first.sidecar["session"] == 63


@pytest.mark.skipif(not REAL_TARBALL.exists(), reason="../shared/datasets/ungdc-1946-2024.tar.gz is absent")
def test_a_bulk_loaded_store_reopens_again_and_again(tmp_path: Path) -> None:
    """60 real speeches go through Oxigraph's bulk loader; with pyoxigraph 0.4.11 such a
    store opened once more and then failed for good ("SST file is ahead of WALs")."""
    import subprocess
    import sys

    store = tmp_path / "store"
    options = ["--store", str(store), "--no-auto-links", "--workers", "1"]
    ingested = CliRunner().invoke(main, [*options, "ingest-ungdc", str(REAL_TARBALL), "--limit", "60", "-q"])
    assert ingested.exit_code == 0, ingested.output
    reopen = (
        "import sys; from graph.oxigraph_store import OxigraphStore; "
        "s = OxigraphStore(sys.argv[1]); print(len(s.graphs())); s.close()"
    )
    root = Path(__file__).parents[1]
    for _ in range(3):
        done = subprocess.run([sys.executable, "-c", reopen, str(store)], capture_output=True, text=True, cwd=root)
        assert done.returncode == 0, done.stderr[-500:]
        assert done.stdout.strip() == "62"  # 60 speeches, the ontology and the entities graphs
