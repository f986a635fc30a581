"""Why each fact exists: an extraction result as lines of fact, rule and quote.

``policykg extract --explain FILE`` prints these lines, so an analyst can see which rule
produced a stance or an event and on which words of the document it rests.
"""

from __future__ import annotations

from collections.abc import Iterator

from loaders.records import ExtractionResult, Span

#: Quotes longer than this are shortened around their middle.
QUOTE_CHARS = 240


def quote(span: Span, limit: int = QUOTE_CHARS) -> str:
    """The span's text on one line, shortened to ``limit`` characters.

    Examples
    --------
    >>> quote(Span(0, 11, "We  oppose\\nit"))
    '"We oppose it" [0-11]'
    >>> quote(Span(0, 30, "a" * 30), limit=10)
    '"aaaa … aaaa" [0-30]'
    """
    text = " ".join(span.text.split())
    if len(text) > limit:
        half = (limit - 2) // 2
        text = f"{text[:half]} … {text[-half:]}"
    return f'"{text}" [{span.start}-{span.end}]'


def explain_lines(result: ExtractionResult) -> Iterator[str]:
    """One block per fact: what was found, the rule that found it, the quote.

    Examples
    --------
    >>> from loaders.records import Document, DocumentMeta, Stance
    >>> text = "China opposes an arms race in outer space."
    >>> doc = Document("d", "d.txt", text, text, "text/plain", "0")
    >>> stance = Stance("China", "china", "oppose", "an arms race in outer space",
    ...                 Span(0, 42, text), cue="opposes", rule="stance.cue_verb")
    >>> result = ExtractionResult(doc, DocumentMeta(actor="China"), stances=(stance,))
    >>> print("\\n".join(explain_lines(result)))  # doctest: +NORMALIZE_WHITESPACE
    document d: date=None genre=None actor=China speaker=None forum=None
    stance  China oppose "an arms race in outer space" (cue: opposes)
      rule  stance.cue_verb
      quote "China opposes an arms race in outer space." [0-42]
    """
    meta = result.meta
    yield (
        f"document {result.document.doc_id}: date={meta.date} genre={meta.genre} "
        f"actor={meta.actor} speaker={meta.speaker} forum={meta.forum}"
    )
    for entity in result.entities:
        yield f"entity  {entity.label} ({entity.type}), {len(entity.mentions)} mention(s)"
        yield f"  rule  {entity.rule or 'unnamed'}"
        if entity.mentions:
            yield f"  quote {quote(entity.mentions[0])}"
    for event in result.events:
        who = f" by {event.actor}" if event.actor else ""
        yield f"event   {event.type} {event.subject}{who} date={event.date}"
        yield f"  rule  {event.rule or 'unnamed'}"
        yield f"  quote {quote(event.evidence)}"
    for stance in result.stances:
        cue = f" (cue: {stance.cue})" if stance.cue else ""
        yield f'stance  {stance.holder} {stance.polarity} "{stance.target}"{cue}'
        yield f"  rule  {stance.rule or 'unnamed'}"
        yield f"  quote {quote(stance.evidence)}"
