"""Document -> ExtractionResult: the extraction stages, run in order.

Each stage is a pure function over the document (and what earlier stages found); the
reader is the only stage that touches the file system.
"""

from __future__ import annotations

from pathlib import Path

from loaders import dates, entities, events, metadata, stances
from loaders.gazetteer import Gazetteer, load_gazetteer
from loaders.readers import read_document
from loaders.records import Document, ExtractionResult


def extract(document: Document, gazetteer: Gazetteer | None = None) -> ExtractionResult:
    """Run every extraction stage over one read document."""
    gaz = gazetteer if gazetteer is not None else load_gazetteer()
    meta = metadata.extract_metadata(document, gaz)
    found_entities = entities.extract_entities(document, meta, gaz)
    found_dates = dates.find_dates(document.body, meta.date)
    found_events = events.extract_events(document, meta, found_entities, found_dates)
    found_stances = stances.extract_stances(document, meta, found_entities)
    return ExtractionResult(
        document=document,
        meta=meta,
        entities=found_entities,
        dates=found_dates,
        events=found_events,
        stances=found_stances,
    )


def extract_path(path: Path, gazetteer: Gazetteer | None = None) -> ExtractionResult:
    """Read one file (sidecar ``<file>.meta.json`` included) and extract from it."""
    return extract(read_document(path), gazetteer)
