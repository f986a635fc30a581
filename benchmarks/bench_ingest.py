"""Ingest benchmark: the UN General Debate Corpus from its tarball into a fresh store.

Runs the product's own command, ``policykg --store STORE ingest-ungdc ARCHIVE``, in a child
process and watches it: wall time, documents and MB per second, peak resident memory of
the whole process tree (the command, its extraction workers, its cleaning worker), CPU
use, triples stored and store size on disk. Then, unless ``--no-restart-check``, proves
that an interrupted ingest resumes: a second fresh store is ingested, the process is killed
(SIGKILL, as by a crash or the OOM killer) part-way, and the rerun must report the
finished speeches ``unchanged`` and store only the rest.

    uv run python benchmarks/bench_ingest.py                       # the whole corpus
    uv run python benchmarks/bench_ingest.py --limit 500           # a quick look
    uv run python benchmarks/bench_ingest.py --store data/bench/store-ungdc --keep

Figures are printed and also written as JSON next to the store (``STORE.ingest.json``);
benchmarks/README.md records them with the machine. Targets (2 cores): full corpus under
10 minutes, peak RSS under 3 GB, restartable.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tarfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEFAULT_ARCHIVE = ROOT / ".." / "shared" / "datasets" / "ungdc-1946-2024.tar.gz"
DEFAULT_STORE = ROOT / "data" / "bench" / "store-ungdc"
#: Seconds before the first speech is extracted (archive scan, ontology graph, workers).
CLI = [sys.executable, "-c", "from policykg.cli import main; main()"]


@dataclass
class Watched:
    """What a watched child process tree used."""

    wall_s: float = 0.0
    peak_tree_rss: int = 0
    peak_single_rss: int = 0
    cpu_s: float = 0.0
    returncode: int | None = None
    stdout: str = ""
    stderr: str = ""
    samples: list[tuple[float, int]] = field(default_factory=list)
    capped: bool = False


def _tree(process: psutil.Process) -> list[psutil.Process]:
    try:
        return [process, *process.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def run_watched(
    command: list[str],
    *,
    kill_after_s: float | None = None,
    rss_cap: int | None = None,
    interval_s: float = 0.2,
) -> Watched:
    """Run ``command``, sampling the RSS of its process tree; SIGKILL the tree after
    ``kill_after_s``, or once it holds more than ``rss_cap`` bytes (a shared machine must
    not run out of memory), when given."""
    watched = Watched()
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    root = psutil.Process(child.pid)
    cpu_seen: dict[int, float] = {}
    outputs: dict[str, bytes] = {}

    def drain(name: str, stream: Any) -> None:
        outputs[name] = stream.read()

    streams = (("out", child.stdout), ("err", child.stderr))
    readers = [threading.Thread(target=drain, args=stream) for stream in streams]
    for reader in readers:
        reader.start()
    killed = False
    while child.poll() is None:
        total = 0
        for proc in _tree(root):
            try:
                rss = proc.memory_info().rss
                times = proc.cpu_times()
                cpu_seen[proc.pid] = times.user + times.system
            except psutil.Error:
                continue
            total += rss
            watched.peak_single_rss = max(watched.peak_single_rss, rss)
        watched.peak_tree_rss = max(watched.peak_tree_rss, total)
        elapsed = time.perf_counter() - started
        watched.samples.append((round(elapsed, 1), total))
        over_cap = rss_cap is not None and total > rss_cap
        if over_cap:
            watched.capped = True
        if (over_cap or (kill_after_s is not None and elapsed >= kill_after_s)) and not killed:
            for proc in reversed(_tree(root)):
                with contextlib.suppress(psutil.Error):
                    proc.send_signal(signal.SIGKILL)
            killed = True
        time.sleep(interval_s)
    for reader in readers:
        reader.join()
    watched.wall_s = time.perf_counter() - started
    watched.returncode = child.returncode
    watched.cpu_s = sum(cpu_seen.values())
    watched.stdout = outputs.get("out", b"").decode(errors="replace")
    watched.stderr = outputs.get("err", b"").decode(errors="replace")
    return watched


def corpus_size(archive: Path, limit: int | None) -> tuple[int, int]:
    """(speeches, bytes) the ingest will read, counted apart from the timed run."""
    from loaders.ungdc import parse_member_name

    count = size = 0
    with tarfile.open(archive, "r|*") as tar:
        for member in tar:
            if member.isfile() and parse_member_name(member.name) is not None:
                if limit is not None and count >= limit:
                    break
                count += 1
                size += member.size
    return count, size


def store_figures(store: Path) -> dict[str, Any]:
    from graph.oxigraph_store import OxigraphStore
    from ontology.namespace import sparql_prefixes

    opened = OxigraphStore(store, read_only=True)
    try:
        quads = opened.quad_count()
        count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?d a pkg:Document } }"
        rows = list(opened.query(sparql_prefixes() + count))
        documents = int(rows[0]["n"].value)
        graphs = len(opened.graphs())
    finally:
        opened.close()
    disk = sum(f.stat().st_size for f in store.rglob("*") if f.is_file())
    return {"quads": quads, "documents": documents, "graphs": graphs, "disk_bytes": disk}


def ingest_command(store: Path, archive: Path, args: argparse.Namespace, limit: int | None) -> list[str]:
    command = [*CLI, "--store", str(store)]
    if args.workers is not None:
        command += ["--workers", str(args.workers)]
    if args.links != "inline":
        command.append("--no-auto-links")
    command += ["ingest-ungdc", str(archive), "--json", "-q"]
    if limit is not None:
        command += ["--limit", str(limit)]
    return command


def _report(watched: Watched) -> dict[str, Any]:
    if watched.returncode not in (0, 1) or not watched.stdout.strip():
        sys.exit(f"ingest failed (exit {watched.returncode}):\n{watched.stderr[-3000:]}")
    report: dict[str, Any] = json.loads(watched.stdout)
    return report


def mb(n: float) -> str:
    return f"{n / 1e6:,.1f} MB"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--archive", type=Path, default=DEFAULT_ARCHIVE)
    parser.add_argument("--store", type=Path, default=DEFAULT_STORE, help="store to create (deleted first)")
    parser.add_argument("--limit", type=int, help="only the first N speeches")
    parser.add_argument("--workers", type=int, help="extraction processes (default: one per core)")
    parser.add_argument(
        "--links",
        choices=("separate", "inline", "none"),
        default="separate",
        help="derived links: rebuilt after the ingest and timed apart (default), refreshed by the "
        "ingest itself as `policykg ingest` does by default, or not at all",
    )
    parser.add_argument(
        "--links-rss-cap", type=float, default=14.0, help="GiB; stop the links rebuild beyond"
    )
    parser.add_argument("--no-restart-check", action="store_true")
    parser.add_argument(
        "--restart-limit", type=int, default=1200, help="speeches in the restart check (several batches)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the restart-check store")
    args = parser.parse_args()
    if not args.archive.exists():
        sys.exit(f"{args.archive}: the UN General Debate Corpus tarball is absent")

    speeches, raw_bytes = corpus_size(args.archive, args.limit)
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"{psutil.virtual_memory().total / 2**30:.0f} GiB RAM, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}"
    )
    print(f"corpus: {args.archive.name}: {speeches:,} speeches, {mb(raw_bytes)} of text")

    shutil.rmtree(args.store, ignore_errors=True)
    watched = run_watched(ingest_command(args.store, args.archive, args, args.limit))
    report = _report(watched)
    figures = store_figures(args.store)
    counts = report["counts"]
    done = counts.get("stored", 0) + counts.get("replaced", 0)
    result: dict[str, Any] = {
        "speeches": speeches,
        "text_bytes": raw_bytes,
        "counts": counts,
        "wall_s": round(watched.wall_s, 1),
        "ingest_report_s": report["seconds"],
        "docs_per_s": round(done / watched.wall_s, 2),
        "mb_per_s": round(raw_bytes / 1e6 / watched.wall_s, 3),
        "peak_tree_rss_bytes": watched.peak_tree_rss,
        "peak_single_process_rss_bytes": watched.peak_single_rss,
        "cpu_s": round(watched.cpu_s, 1),
        "cpu_utilisation": round(watched.cpu_s / watched.wall_s / (os.cpu_count() or 1), 2),
        "links_error": report.get("links_error"),
        "failed": [o for o in report["outcomes"] if o["status"] == "failed"][:20],
        # (seconds, tree RSS bytes) about every 10 s: where the memory goes over the run.
        "rss_timeline": watched.samples[:: max(1, len(watched.samples) // 100)],
        **figures,
    }
    print("\n== ingest ==")
    print(f"documents        {done:,} stored ({', '.join(f'{v} {k}' for k, v in sorted(counts.items()))})")
    print(f"wall time        {watched.wall_s:,.1f} s  ({watched.wall_s / 60:.1f} min; target < 10 min)")
    print(f"throughput       {result['docs_per_s']:.2f} documents/s, {result['mb_per_s']:.3f} MB/s of text")
    print(
        f"peak RSS         {watched.peak_tree_rss / 2**30:.2f} GiB for the process tree "
        f"(largest process {watched.peak_single_rss / 2**30:.2f} GiB; target < 3 GB)"
    )
    print(
        f"CPU              {watched.cpu_s:,.0f} s, {result['cpu_utilisation']:.0%} of {os.cpu_count()} cores"
    )
    print(
        f"stored           {figures['quads']:,} quads in {figures['graphs']:,} named graphs, "
        f"{figures['documents']:,} documents, {mb(figures['disk_bytes'])} on disk"
    )
    if result["failed"]:
        print(f"failed           {len(result['failed'])} (first: {result['failed'][0]['message']})")
    if report.get("links_error"):
        print(f"links error      {report['links_error']}")

    if args.links == "separate":
        cap = int(args.links_rss_cap * 2**30)
        links = run_watched([*CLI, "--store", str(args.store), "rebuild-links"], rss_cap=cap)
        if links.capped:
            result["links"] = {
                "stopped_at_rss_bytes": links.peak_tree_rss,
                "stopped_after_s": round(links.wall_s, 1),
            }
            print(
                f"derived links    rebuild STOPPED after {links.wall_s:,.1f} s: it held "
                f"{links.peak_tree_rss / 2**30:.1f} GiB (cap --links-rss-cap {args.links_rss_cap:g} GiB)"
            )
        elif links.returncode != 0:
            print(f"links            rebuild failed (exit {links.returncode}): {links.stderr[-500:]}")
        else:
            after = store_figures(args.store)
            said = (links.stdout + links.stderr).strip()
            result["links"] = {
                "wall_s": round(links.wall_s, 1),
                "peak_rss_bytes": links.peak_tree_rss,
                "quads_added": after["quads"] - figures["quads"],
                "summary": said[-300:],
            }
            total = watched.wall_s + links.wall_s
            result["total_wall_s"] = round(total, 1)
            print(
                f"derived links    rebuilt in {links.wall_s:,.1f} s, "
                f"peak RSS {links.peak_tree_rss / 2**30:.2f} GiB, "
                f"+{after['quads'] - figures['quads']:,} quads ({said[-200:]})"
            )
            print(f"ingest + links   {total:,.1f} s ({total / 60:.1f} min)")

    if not args.no_restart_check:
        result["restart"] = restart_check(args)
    out = args.store.with_name(args.store.name + ".ingest.json")
    out.write_text(json.dumps(result, indent=2))
    print(f"\nfigures written to {out}")


def restart_check(args: argparse.Namespace) -> dict[str, Any]:
    """Kill an ingest part-way, rerun it, and count what the rerun had to redo."""
    store = args.store.with_name(args.store.name + "-restart")
    limit = args.restart_limit
    shutil.rmtree(store, ignore_errors=True)
    command = ingest_command(store, args.archive, args, limit)
    print(f"\n== restart check: {limit} speeches, killed part-way, then rerun ==")
    # Killed half-way through: timed on a full run of the same speeches first (a small
    # run goes at another pace than the whole corpus, start-up included).
    calibration = run_watched(command)
    shutil.rmtree(store, ignore_errors=True)
    kill_after = 0.5 * calibration.wall_s
    killed = run_watched(command, kill_after_s=kill_after)
    resumed = run_watched(command)
    report = _report(resumed)
    counts = report["counts"]
    figures = store_figures(store)
    outcome = {
        "speeches": limit,
        "killed_after_s": round(killed.wall_s, 1),
        "killed_exit": killed.returncode,
        "uninterrupted_s": round(calibration.wall_s, 1),
        "rerun_s": round(resumed.wall_s, 1),
        "rerun_counts": counts,
        "documents_after_rerun": figures["documents"],
    }
    unchanged = counts.get("unchanged", 0)
    interrupted = killed.returncode != 0
    print(
        f"uninterrupted    {calibration.wall_s:.1f} s; killed (SIGKILL) at {killed.wall_s:.1f} s "
        f"({'interrupted' if interrupted else 'NOT INTERRUPTED: it had finished'})"
    )
    print(
        f"rerun            {resumed.wall_s:.1f} s: {unchanged} speeches unchanged (kept from the killed "
        f"run), {counts.get('stored', 0)} stored, {counts.get('failed', 0)} failed"
    )
    print(
        f"store after      {figures['documents']} documents of {limit} "
        f"({'complete' if figures['documents'] == limit else 'INCOMPLETE'})"
    )
    if not args.keep:
        shutil.rmtree(store, ignore_errors=True)
    return outcome


if __name__ == "__main__":
    main()
