"""What an ingest or removal run reports: one outcome per file or document."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Status = Literal["stored", "replaced", "unchanged", "failed", "removed"]


@dataclass(slots=True)
class FileOutcome:
    """What happened to one input file or document."""

    source: str
    status: Status
    doc_id: str | None = None
    message: str = ""
    quads: int = 0
    entities: int = 0
    events: int = 0
    stances: int = 0
    #: Position of the input in the batch (outcomes are reported in input order).
    order: int = field(default=0, repr=False)

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        del out["order"]
        return out


@dataclass(slots=True)
class IngestReport:
    """Per-file outcomes of one ingest (or removal) run."""

    outcomes: list[FileOutcome] = field(default_factory=list)
    seconds: float = 0.0
    ontology_loaded: bool = False
    links_error: str | None = None

    def counts(self) -> dict[str, int]:
        """Outcomes by status: ``{"stored": 3, "unchanged": 1, ...}``."""
        out: dict[str, int] = {}
        for outcome in self.outcomes:
            out[outcome.status] = out.get(outcome.status, 0) + 1
        return out

    @property
    def failed(self) -> list[FileOutcome]:
        return [o for o in self.outcomes if o.status == "failed"]

    @property
    def changed_ids(self) -> list[str]:
        return [o.doc_id for o in self.outcomes if o.status in ("stored", "replaced") and o.doc_id]

    @property
    def ok(self) -> bool:
        return not self.failed and self.links_error is None

    def to_json(self) -> dict[str, Any]:
        return {
            "counts": self.counts(),
            "seconds": round(self.seconds, 3),
            "ontology_loaded": self.ontology_loaded,
            "links_error": self.links_error,
            "outcomes": [o.to_json() for o in self.outcomes],
        }


Progress = Callable[[FileOutcome], None]
