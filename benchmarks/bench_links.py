"""Time to build the derived links graph, fully and after one document changes.

Two ways to get a large store:

- ``--store PATH``: an existing store, e.g. the UN General Debate corpus ingested by
  ``policykg --store PATH ingest ../shared/datasets/ungdc-1946-2024.tar.gz`` (see
  benchmarks/bench_ingest.py). The store is copied first unless ``--in-place``, since the
  benchmark adds, changes and removes a document.
- default: a synthetic store shaped like the UN General Debate corpus (10,953 speeches by
  193 states over 79 sessions; per speech ~25 entities out of ~450, ~3 events, ~25
  stances), written through graph.rdf like real documents.

Printed figures: full rebuild time, then the refresh time for one added document, one
changed document and one removed document (target: < 2 s each on the full corpus).

    uv run python benchmarks/bench_links.py                 # synthetic, 10,953 documents
    uv run python benchmarks/bench_links.py --docs 2000     # smaller synthetic store
    uv run python benchmarks/bench_links.py --store data/bench/store-ungdc --in-place
"""

from __future__ import annotations

import argparse
import random
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from graph.derived import rebuild_links
from graph.links_refresh import refresh_links
from graph.oxigraph_store import OxigraphStore
from graph.rdf import document_quads, document_rdf
from loaders.records import Document, DocumentMeta, Entity, Event, ExtractionResult, Span, Stance
from ontology.namespace import LINKS_GRAPH, doc_graph_iri, doc_iri

TOPICS = (
    "outer-space",
    "cyberspace",
    "data-security",
    "military-ai",
    "ai-governance",
    "biosecurity",
    "chemical-weapons",
    "nuclear",
    "export-controls",
    "technology-cooperation",
    "digital-divide",
    "global-governance",
    "terrorism",
    "arms-control",
)
EVENT_TYPES = ("launch", "propose", "submit", "adopt", "establish", "update", "sign", "convene")


class Pool:
    """Entity pool with Zipf-like popularity (a few named in most speeches)."""

    def __init__(self, rng: random.Random) -> None:
        self.states = [(f"state-{i:03d}", f"State {i:03d}", "State") for i in range(193)]
        self.forums = [(f"forum-{i:02d}", f"Forum {i:02d}", "Forum") for i in range(50)]
        self.instruments = [(f"instrument-{i:03d}", f"Instrument {i:03d}", "Instrument") for i in range(120)]
        self.initiatives = [(f"initiative-{i:02d}", f"Initiative {i:02d}", "Initiative") for i in range(80)]
        self.others = self.forums + self.instruments + self.initiatives
        self.rng = rng
        self.weights = [1.0 / (rank + 1) for rank in range(len(self.others))]

    def pick(self, count: int) -> list[tuple[str, str, str]]:
        chosen: dict[str, tuple[str, str, str]] = {}
        while len(chosen) < count:
            entity = self.rng.choices(self.others, self.weights)[0]
            chosen[entity[0]] = entity
        return list(chosen.values())


def speech(number: int, pool: Pool, rng: random.Random, *, entities: int, stances: int) -> ExtractionResult:
    """One synthetic speech with exact spans."""
    state = pool.states[number % len(pool.states)]
    year = 1946 + min(78, number // 139)
    doc_id = f"{state[0][-3:]}-{year}-{number}"
    named = [state, *pool.pick(entities - 1), *rng.sample(pool.states, 3)]
    named = list({e[0]: e for e in named}.values())
    parts: list[str] = []
    spans: dict[str, list[Span]] = {}
    offset = 0

    def say(sentence: str, names: list[str]) -> Span:
        nonlocal offset
        start = offset
        for name in names:
            at = sentence.index(name) + start
            spans.setdefault(name, []).append(Span(at, at + len(name), name))
        parts.append(sentence + " ")
        offset += len(sentence) + 1
        return Span(start, start + len(sentence), sentence)

    for _, label, _ in named:
        say(f"We recall the work of {label} this year.", [label])
    events = []
    for _ in range(rng.randint(1, 4)):
        key, label, _ = rng.choice([e for e in named if e[2] in ("Initiative", "Instrument")] or named)
        when = str(rng.randint(1946, year))
        evidence = say(f"In {when} the {label} was a milestone for {state[1]}.", [label, state[1]])
        events.append(Event(rng.choice(EVENT_TYPES), key, label, evidence, state[1], state[0], when))
    positions = []
    for _ in range(stances):
        topic = rng.choice(TOPICS)
        target_entity = rng.choice(named) if rng.random() < 0.3 else None
        target = target_entity[1] if target_entity else f"measure {rng.randint(0, 40)} on {topic}"
        polarity = "support" if rng.random() < 0.7 else "oppose"
        verb = "supports" if polarity == "support" else "opposes"
        evidence = say(f"{state[1]} {verb} {target}.", [state[1]] + ([target] if target_entity else []))
        positions.append(
            Stance(
                state[1],
                state[0],
                polarity,
                target,
                evidence,
                None,
                topic,
                verb,  # type: ignore[arg-type]
                (target_entity[0],) if target_entity else (),
                str(year),
            )
        )
    text = "".join(parts)
    found = tuple(
        Entity(key, label, kind, tuple(spans[label]), in_gazetteer=True)
        for key, label, kind in named
        if label in spans
    )
    meta = DocumentMeta(
        title=f"{state[1]} at the General Debate {year}",
        date=str(year),
        genre="speech",
        actor=state[1],
        forum="Forum 00",
    )
    document = Document(doc_id, f"{doc_id}.txt", text, text, "text/plain", f"{number:064d}")
    return ExtractionResult(document, meta, found, (), tuple(events), tuple(positions))


def build_synthetic(path: Path, docs: int, seed: int) -> tuple[OxigraphStore, list[ExtractionResult]]:
    rng = random.Random(seed)
    pool = Pool(rng)
    store = OxigraphStore(path)
    started = time.perf_counter()
    batch: list = []
    spare = []
    for number in range(docs + 2):
        result = speech(number, pool, rng, entities=25, stances=25)
        if number >= docs:
            spare.append(result)  # kept out of the store: added during the benchmark
            continue
        rdf = document_rdf(result)
        batch.extend(rdf.quads)
        batch.extend(rdf.descriptions)  # graph:entities; repeats are one quad once stored
        if len(batch) > 200_000:
            store.native.bulk_extend(batch)  # set-up only: the fast, non-transactional loader
            batch = []
    store.native.bulk_extend(batch)
    print(
        f"synthetic store: {docs} documents, {store.quad_count()} quads in "
        f"{time.perf_counter() - started:.1f} s"
    )
    return store, spare


def timed(label: str, action) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    stats = action()
    seconds = time.perf_counter() - started
    print(
        f"{label:<38} {seconds:8.3f} s   {stats.steps} steps, {stats.document_links} document links, "
        f"{stats.shifts} shifts, {stats.quads} quads"
    )
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, help="an existing store (e.g. the ingested UNGDC)")
    parser.add_argument("--in-place", action="store_true", help="work on --store itself, not on a copy")
    parser.add_argument("--docs", type=int, default=10_953, help="synthetic store size")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-links-"))
    try:
        if args.store:
            if args.in_place:
                path = args.store
            else:
                path = work / "store"
                shutil.copytree(args.store, path)
            store = OxigraphStore(path)
            docs = [g.rsplit("/", 1)[-1] for g in store.graphs() if "/graph/doc/" in g]
            if not docs:
                sys.exit(f"{args.store}: no documents in the store")
            print(f"store {args.store}: {len(docs)} documents, {store.quad_count()} quads")
            # Removed, then added back, then changed: the store ends as it began (so that
            # --in-place leaves the ingested corpus whole, with its links graph built).
            victim, changed = sorted(docs)[len(docs) // 2], sorted(docs)[len(docs) // 3]
            full = timed("full rebuild", lambda: rebuild_links(store))
            print(f"{'links graph':<38} {store.quad_count(str(LINKS_GRAPH)):>8} quads")
            victim_quads = list(store.graph_quads(doc_graph_iri(victim)))
            store.drop_graph(doc_graph_iri(victim))
            timed("refresh: one document removed", lambda: refresh_links(store, [], [doc_iri(victim)]))
            store.replace_graph(doc_graph_iri(victim), victim_quads)
            one = timed("refresh: one document added", lambda: refresh_links(store, [victim], []))
        else:
            store, spare = build_synthetic(work / "store", args.docs, args.seed)
            changed = spare[1].document.doc_id
            store.replace_graph(doc_graph_iri(changed), document_quads(spare[1]))
            full = timed("full rebuild", lambda: rebuild_links(store))
            print(f"{'links graph':<38} {store.quad_count(str(LINKS_GRAPH)):>8} quads")
            added = spare[0].document.doc_id
            store.replace_graph(doc_graph_iri(added), document_quads(spare[0]))
            one = timed("refresh: one document added", lambda: refresh_links(store, [added], []))
            store.drop_graph(doc_graph_iri(added))
            timed("refresh: one document removed", lambda: refresh_links(store, [], [doc_iri(added)]))
        # The same document again, its graph rewritten (as a re-ingest does).
        quads = list(store.graph_quads(doc_graph_iri(changed)))
        store.replace_graph(doc_graph_iri(changed), quads)
        timed("refresh: one document changed", lambda: refresh_links(store, [changed], []))
        print(f"{'refresh (one added) vs full rebuild':<38} {full / max(one, 1e-9):8.0f}x faster")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        print(f"{'peak RSS':<38} {peak / 2**30:8.2f} GiB")
        store.close()
    finally:
        if not (args.store and args.in_place):
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
