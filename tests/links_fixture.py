"""A small hand-made corpus for the link tests, written to a real store through graph.rdf.

Six documents over five years, two states, two forums, two initiatives and two
instruments; every offset is computed from the text, so quotes are exact:

- ``cd-2020``   2020-09-08 speech, China (Li Song) at the Conference on Disarmament: the
  Global Initiative on Data Security is launched today; mentions the BWC.
- ``unsc-2022`` 2022-05-23 speech, China (Zhang Jun) at the Security Council: recalls the
  2020 launch ("Global Data Security Initiative"); the Tianjin Guidelines adopted 2021-07.
- ``news-2022`` 2022-05-24 news report (Xinhua) of the Security Council speech.
- ``unga-2021`` 2021-09-25 speech, Russia at the General Assembly: supports the BWC and
  the PPWT, recalls its submission in 2008.
- ``unga-2024`` 2024-09-28 speech, Russia: opposes the PPWT; mentions the Security Council.
- ``wp-2025``   2025-11 white paper, China: recalls the September 2020 launch; outer-space
  positions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from graph.entities_graph import add_descriptions
from graph.rdf import document_rdf
from graph.store import Store
from loaders.records import Document, DocumentMeta, Entity, Event, ExtractionResult, Span, Stance
from ontology.namespace import doc_graph_iri, doc_iri, entity_iri

ENTITIES: dict[str, tuple[str, str, tuple[str, ...], tuple[str, ...]]] = {
    # key: (label, type, aliases, acronyms)
    "china": ("China", "State", (), ()),
    "russia": ("Russia", "State", ("Russian Federation",), ()),
    "li-song": ("Li Song", "Person", (), ()),
    "zhang-jun": ("Zhang Jun", "Person", (), ()),
    "wang-yi": ("Wang Yi", "Person", (), ()),
    "cd": ("Conference on Disarmament", "Forum", (), ("CD",)),
    "unsc": ("United Nations Security Council", "Forum", ("Security Council",), ("UNSC",)),
    "unga": ("United Nations General Assembly", "Forum", ("General Assembly",), ("UNGA",)),
    "xinhua": ("Xinhua News Agency", "Organization", ("Xinhua",), ()),
    "gids": (
        "Global Initiative on Data Security",
        "Initiative",
        ("Global Data Security Initiative",),
        ("GDSI",),
    ),
    "tianjin": ("Tianjin Biosecurity Guidelines for Codes of Conduct for Scientists", "Initiative",
                ("Tianjin Biosecurity Guidelines",), ()),
    "bwc": ("Biological Weapons Convention", "Instrument", (), ("BWC",)),
    "ppwt": (
        "Treaty on the Prevention of the Placement of Weapons in Outer Space",
        "Instrument",
        (),
        ("PPWT",),
    ),
}


@dataclass
class Doc:
    doc_id: str
    text: str
    meta: DocumentMeta
    mentions: dict[str, list[str]] = field(default_factory=dict)  # key -> surface forms
    events: list[tuple[str, str, str | None, str, str | None]] = field(default_factory=list)
    # (type, subject key, date, evidence sentence, actor key)
    stances: list[tuple[str, str, str, str, str, tuple[str, ...]]] = field(default_factory=list)
    # (holder key, polarity, target, evidence sentence, topic, target keys)


def span(text: str, phrase: str, start: int = 0) -> Span:
    at = text.index(phrase, start)
    return Span(at, at + len(phrase), phrase)


def _all_spans(text: str, phrase: str) -> list[Span]:
    spans, at = [], text.find(phrase)
    while at >= 0:
        spans.append(Span(at, at + len(phrase), phrase))
        at = text.find(phrase, at + 1)
    return spans


def result_of(doc: Doc) -> ExtractionResult:
    text = doc.text
    entities = []
    for key, forms in doc.mentions.items():
        label, type_, aliases, acronyms = ENTITIES[key]
        spans = sorted((s for f in forms for s in _all_spans(text, f)), key=lambda s: s.start)
        assert spans, f"{doc.doc_id}: {forms} not in the text"
        entities.append(Entity(key, label, type_, tuple(spans), aliases, acronyms, in_gazetteer=True))
    events = tuple(
        Event(type_, subject, ENTITIES[subject][0], span(text, sentence), ENTITIES[actor][0] if actor else None,
              actor, date)
        for type_, subject, date, sentence, actor in doc.events
    )
    stances = tuple(
        Stance(ENTITIES[holder][0], holder, polarity, target, span(text, sentence),  # type: ignore[arg-type]
               span(text, target), topic, None, keys, doc.meta.date)
        for holder, polarity, target, sentence, topic, keys in doc.stances
    )
    document = Document(doc.doc_id, f"{doc.doc_id}.txt", text, text, "text/plain", "0" * 64)
    return ExtractionResult(document, doc.meta, tuple(entities), (), events, stances)


def _meta(date: str, genre: str, actor: str, speaker: str | None = None, forum: str | None = None,
          title: str | None = None) -> DocumentMeta:
    return DocumentMeta(
        title=title, date=date, genre=genre, actor=ENTITIES[actor][0],
        speaker=ENTITIES[speaker][0] if speaker else None, forum=ENTITIES[forum][0] if forum else None,
    )


CD_2020 = (
    "Statement by Ambassador Li Song at the Conference on Disarmament. "
    "Today, State Councilor Wang Yi launched the Global Initiative on Data Security at the "
    "International Seminar on Global Digital Governance. "
    "China supports the Global Initiative on Data Security. "
    "The Biological Weapons Convention must be strengthened. "
    "China opposes the weaponization of outer space."
)
UNSC_2022 = (
    "Remarks by Ambassador Zhang Jun at the United Nations Security Council. "
    "In 2020, China launched the Global Data Security Initiative. "
    "In July 2021 scientists adopted the Tianjin Biosecurity Guidelines for Codes of Conduct for Scientists. "
    "China supports the peaceful uses of outer space."
)
NEWS_2022 = (
    "UNITED NATIONS, May 23 (Xinhua) -- Chinese envoy Zhang Jun told the United Nations Security Council "
    "that China supports the peaceful uses of outer space."
)
UNGA_2021 = (
    "Statement of Russia at the General Assembly. "
    "Russia supports the Biological Weapons Convention. "
    "Russia submitted the Treaty on the Prevention of the Placement of Weapons in Outer Space in 2008. "
    "Russia supports the Treaty on the Prevention of the Placement of Weapons in Outer Space."
)
UNGA_2024 = (
    "Statement of Russia at the General Assembly. "
    "Russia opposes the Treaty on the Prevention of the Placement of Weapons in Outer Space in its present form. "
    "The Security Council must not be used for this."
)
WP_2025 = (
    "China's Arms Control white paper. "
    "In September 2020, China launched the Global Initiative on Data Security. "
    "China opposes the weaponization of outer space. "
    "China supports the Treaty on the Prevention of the Placement of Weapons in Outer Space."
)

DOCS: dict[str, Doc] = {
    "cd-2020": Doc(
        "cd-2020", CD_2020, _meta("2020-09-08", "speech", "china", "li-song", "cd", "Li Song at the CD"),
        {"li-song": ["Li Song"], "cd": ["Conference on Disarmament"], "wang-yi": ["Wang Yi"],
         "gids": ["Global Initiative on Data Security"], "china": ["China"],
         "bwc": ["Biological Weapons Convention"]},
        [("launch", "gids", "2020-09-08",
          "Today, State Councilor Wang Yi launched the Global Initiative on Data Security at the "
          "International Seminar on Global Digital Governance.", "china")],
        [("china", "support", "Global Initiative on Data Security",
          "China supports the Global Initiative on Data Security.", "data-security", ("gids",)),
         ("china", "oppose", "weaponization of outer space", "China opposes the weaponization of outer space.",
          "outer-space", ())],
    ),
    "unsc-2022": Doc(
        "unsc-2022", UNSC_2022,
        _meta("2022-05-23", "speech", "china", "zhang-jun", "unsc", "Zhang Jun at the Security Council"),
        {"zhang-jun": ["Zhang Jun"], "unsc": ["United Nations Security Council"], "china": ["China"],
         "gids": ["Global Data Security Initiative"],
         "tianjin": ["Tianjin Biosecurity Guidelines for Codes of Conduct for Scientists"]},
        [("launch", "gids", "2020", "In 2020, China launched the Global Data Security Initiative.", "china"),
         ("adopt", "tianjin", "2021-07",
          "In July 2021 scientists adopted the Tianjin Biosecurity Guidelines for Codes of Conduct for "
          "Scientists.", None)],
        [("china", "support", "peaceful uses of outer space", "China supports the peaceful uses of outer space.",
          "outer-space", ())],
    ),
    "news-2022": Doc(
        "news-2022", NEWS_2022, _meta("2022-05-24", "news_report", "china", "zhang-jun", "unsc"),
        {"xinhua": ["Xinhua"], "zhang-jun": ["Zhang Jun"], "unsc": ["United Nations Security Council"],
         "china": ["China"]},
        [],
        [("china", "support", "peaceful uses of outer space",
          "Chinese envoy Zhang Jun told the United Nations Security Council that China supports the peaceful "
          "uses of outer space.", "outer-space", ())],
    ),
    "unga-2021": Doc(
        "unga-2021", UNGA_2021, _meta("2021-09-25", "speech", "russia", None, "unga"),
        {"russia": ["Russia"], "unga": ["General Assembly"], "bwc": ["Biological Weapons Convention"],
         "ppwt": ["Treaty on the Prevention of the Placement of Weapons in Outer Space"]},
        [("submit", "ppwt", "2008",
          "Russia submitted the Treaty on the Prevention of the Placement of Weapons in Outer Space in 2008.",
          "russia")],
        [("russia", "support", "Biological Weapons Convention",
          "Russia supports the Biological Weapons Convention.", "biosecurity", ("bwc",)),
         ("russia", "support", "Treaty on the Prevention of the Placement of Weapons in Outer Space",
          "Russia supports the Treaty on the Prevention of the Placement of Weapons in Outer Space.",
          "outer-space", ("ppwt",))],
    ),
    "unga-2024": Doc(
        "unga-2024", UNGA_2024, _meta("2024-09-28", "speech", "russia", None, "unga"),
        {"russia": ["Russia"], "unga": ["General Assembly"], "unsc": ["Security Council"],
         "ppwt": ["Treaty on the Prevention of the Placement of Weapons in Outer Space"]},
        [],
        [("russia", "oppose", "Treaty on the Prevention of the Placement of Weapons in Outer Space in its "
          "present form",
          "Russia opposes the Treaty on the Prevention of the Placement of Weapons in Outer Space in its present "
          "form.", "outer-space", ("ppwt",))],
    ),
    "wp-2025": Doc(
        "wp-2025", WP_2025, _meta("2025-11", "white_paper", "china", title="China's Arms Control"),
        {"china": ["China"], "gids": ["Global Initiative on Data Security"],
         "ppwt": ["Treaty on the Prevention of the Placement of Weapons in Outer Space"]},
        [("launch", "gids", "2020-09", "In September 2020, China launched the Global Initiative on Data Security.",
          "china")],
        [("china", "oppose", "weaponization of outer space", "China opposes the weaponization of outer space.",
          "outer-space", ()),
         ("china", "support", "Treaty on the Prevention of the Placement of Weapons in Outer Space",
          "China supports the Treaty on the Prevention of the Placement of Weapons in Outer Space.",
          "outer-space", ("ppwt",))],
    ),
}


def write(store: Store, doc_ids: Iterable[str], docs: dict[str, Doc] | None = None) -> None:
    """Write the graphs of some fixture documents (replacing them) through graph.rdf."""
    source = DOCS if docs is None else docs
    rdf = {d: document_rdf(result_of(source[d])) for d in doc_ids}
    # Descriptions first (graph:entities), as ingest writes them.
    add_descriptions(store, [q for r in rdf.values() for q in r.descriptions])
    store.replace_graphs({doc_graph_iri(d): r.quads for d, r in rdf.items()})


def D(doc_id: str) -> str:
    return doc_iri(doc_id)


def E(key: str) -> str:
    return entity_iri(key)
