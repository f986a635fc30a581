"""The event lexicon (``ontology/event_triggers.toml``), compiled for the event stage.

The words live in the data file; this module only checks their shape and turns them into
regular expressions, so that adding a trigger or a meeting noun is a data change.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

LEXICON_FILE = "event_triggers.toml"
#: The letters a trigger form starts with, before its first regular-expression operator.
_LITERAL_START = re.compile(r"[A-Za-z-]+")
SUBJECT_SIDES = ("object", "agent")
SUBJECT_TYPES = ("Initiative", "Instrument", "Forum")


class EventLexiconError(ValueError):
    """The lexicon file breaks its schema (the message names the entry and the field)."""


@dataclass(frozen=True, slots=True)
class TriggerSpec:
    """One event type: its trigger forms and what they govern."""

    type: str
    subjects: frozenset[str]
    agent: bool  # the subject is the entity before the verb ("the Treaty entered into force")
    passive_subject_before: bool
    agent_with_meeting_object: bool = False  # "the Council held an open meeting"
    not_followed_by: re.Pattern[str] | None = None  # "will meet the challenges" is no meeting
    otherwise: str | None = None  # type to read the trigger as when it governs no entity


@dataclass(frozen=True, slots=True)
class Grammar:
    """The function words of ``[grammar]``, as patterns anchored where the rules read them."""

    passive_before: re.Pattern[str]  # search at the end of the text before a trigger
    coordination: re.Pattern[str]  # match the whole gap between two names
    clause_break: re.Pattern[str]  # search in the gap between a trigger and a name after it
    agent_after: re.Pattern[str]  # match at the start of that gap
    reduced_relative_after: re.Pattern[str]  # match right after a past participle
    pronoun_subject: re.Pattern[str]  # search before a trigger
    meeting_object: re.Pattern[str]  # match right after a trigger
    modifier_of_meeting: re.Pattern[str]  # match right after a name
    owner_before: re.Pattern[str]  # search at the end of the text before a date
    gerund: re.Pattern[str]  # match a trigger's first word
    date_coordination: re.Pattern[str]  # fullmatch the gap between two dates of one event
    participle: re.Pattern[str]  # fullmatch a trigger that may be an adjective
    relative_object: re.Pattern[str]  # search at the end of the text before a trigger
    participle_preface: re.Pattern[str]  # search there too: "the Pact as agreed to today"
    attributive_before: re.Pattern[str]  # search at the end of the text before it


@dataclass(frozen=True, slots=True)
class EventLexicon:
    """Compiled lexicon: one alternation finds every trigger of a sentence in one pass."""

    specs: tuple[TriggerSpec, ...]
    #: Groups ``p<i>`` (past form of ``specs[i]``) and ``n<i>`` (present form).
    triggers: re.Pattern[str]
    #: The same forms keyed by the plain letters they start with (lower case): each key is
    #: found with ``str.find`` and only its forms are tried there (one big alternation tried
    #: at every word costs more than all other event rules together).
    by_start: dict[str, re.Pattern[str]]
    #: Matches at the end of the text before a present form that makes it an act of today.
    now_before: re.Pattern[str]
    dated_subject_type: str
    meeting_names: re.Pattern[str]
    links: re.Pattern[str]
    max_gap: int
    before_gap: re.Pattern[str]
    recent_before: re.Pattern[str]
    recent_any: re.Pattern[str]  # a sentence that holds one of the words at all
    place_reference: re.Pattern[str]  # group 1: the place name after "meeting in"
    grammar: Grammar

    def find_triggers(self, text: str, start: int, end: int) -> Iterator[re.Match[str]]:
        """Trigger matches in ``text[start:end]``, left to right, none overlapping.

        >>> [m.group() for m in load_event_lexicon().find_triggers("It was launched and signed.", 0, 27)]
        ['launched', 'signed']
        """
        chunk = text[start:end].lower()
        if len(chunk) != end - start:  # case folding changed the length: no offsets to share
            yield from self.triggers.finditer(text, start, end)
            return
        found: dict[int, re.Match[str]] = {}
        for literal, forms in self.by_start.items():
            i = chunk.find(literal)
            while i >= 0:
                at = start + i
                before = text[at - 1] if at else " "
                if not (before.isalnum() or before == "_"):
                    match = forms.match(text, at, end)
                    if match is not None and (at not in found or match.end() > found[at].end()):
                        found[at] = match
                i = chunk.find(literal, i + 1)
        after = start
        for at in sorted(found):
            if at >= after:
                after = found[at].end()
                yield found[at]

    def spec(self, kind: str) -> TriggerSpec:
        """The trigger spec of an event type."""
        return next(s for s in self.specs if s.type == kind)

    def trigger_of(self, match: re.Match[str]) -> tuple[TriggerSpec, bool]:
        """The event type a match of :attr:`triggers` signals, and whether it is a present form."""
        group = match.lastgroup or ""
        return self.specs[int(group[1:])], group[0] == "n"


def _strings(entry: dict[str, Any], key: str, where: str) -> list[str]:
    value = entry.get(key)
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
        raise EventLexiconError(f"{LEXICON_FILE}: {where}: '{key}' must be a non-empty list of strings")
    for pattern in value:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise EventLexiconError(
                f"{LEXICON_FILE}: {where}: bad pattern {pattern!r} in '{key}': {exc}"
            ) from exc
    return value


def _start_key(form: str, where: str) -> str:
    """The plain letters a trigger form starts with, lower case (at least two)."""
    literal = _LITERAL_START.match(form)
    text = literal.group() if literal else ""
    if literal and form[literal.end() : literal.end() + 1] in ("?", "*", "{"):
        text = text[:-1]  # "signs?" makes its last letter optional
    if len(text) < 2 or "|" in form.replace("(?:", "(").split("(")[0]:
        raise EventLexiconError(
            f"{LEXICON_FILE}: {where}: trigger form {form!r} must start with two plain letters"
        )
    return text.lower()


def _alternation(patterns: list[str]) -> str:
    return "|".join(f"(?:{p})" for p in patterns)


def compile_lexicon(data: dict[str, Any]) -> EventLexicon:
    """Check the parsed TOML against the schema described in the file and compile it."""
    entries = data.get("trigger")
    if not isinstance(entries, list) or not entries:
        raise EventLexiconError(f"{LEXICON_FILE}: no [[trigger]] entries")
    specs: list[TriggerSpec] = []
    branches: list[str] = []
    by_start: dict[str, dict[str, list[str]]] = {}
    for i, entry in enumerate(entries):
        kind = entry.get("type")
        where = f"trigger {i + 1} ({kind})"
        if not isinstance(kind, str) or not re.fullmatch(r"[a-z][a-z_]*", kind):
            raise EventLexiconError(f"{LEXICON_FILE}: {where}: 'type' must be a lowercase name")
        if any(s.type == kind for s in specs):
            raise EventLexiconError(f"{LEXICON_FILE}: {where}: type declared twice")
        subjects = _strings(entry, "subjects", where)
        if not set(subjects) <= set(SUBJECT_TYPES):
            raise EventLexiconError(f"{LEXICON_FILE}: {where}: subjects must be among {SUBJECT_TYPES}")
        if entry.get("subject") not in SUBJECT_SIDES:
            raise EventLexiconError(f"{LEXICON_FILE}: {where}: 'subject' must be one of {SUBJECT_SIDES}")
        if not isinstance(entry.get("passive_subject_before"), bool):
            raise EventLexiconError(
                f"{LEXICON_FILE}: {where}: 'passive_subject_before' must be true or false"
            )
        past = _strings(entry, "past", where)
        present = _strings(entry, "present", where) if entry.get("present") != [] else []
        meeting_agent = entry.get("agent_with_meeting_object", False)
        if not isinstance(meeting_agent, bool):
            raise EventLexiconError(
                f"{LEXICON_FILE}: {where}: 'agent_with_meeting_object' must be true or false"
            )
        not_followed = None
        if "not_followed_by" in entry:
            not_followed = re.compile(
                rf"\s+(?:{_alternation(_strings(entry, 'not_followed_by', where))})\b", re.IGNORECASE
            )
        specs.append(
            TriggerSpec(
                kind,
                frozenset(subjects),
                entry["subject"] == "agent",
                entry["passive_subject_before"],
                meeting_agent,
                not_followed,
                entry.get("otherwise"),
            )
        )
        branches.append(f"(?P<p{i}>{_alternation(past)})")
        if present:
            branches.append(f"(?P<n{i}>{_alternation(present)})")
        for group, forms in ((f"p{i}", past), (f"n{i}", present)):
            for form in forms:
                by_start.setdefault(_start_key(form, where), {}).setdefault(group, []).append(form)
    known = {spec.type for spec in specs}
    for spec in specs:
        if spec.otherwise is not None and (spec.otherwise not in known or spec.otherwise == spec.type):
            raise EventLexiconError(
                f"{LEXICON_FILE}: trigger {spec.type}: 'otherwise' must be another trigger type"
            )
    # Past forms first: at one position the longer reporting form wins ("veto of" over "veto").
    ordered = [b for b in branches if b.startswith("(?P<p")] + [b for b in branches if b.startswith("(?P<n")]
    triggers = re.compile(rf"\b(?:{'|'.join(ordered)})\b", re.IGNORECASE)
    # A key that starts with a shorter key joins it ("adopted" under "adopt"): fewer scans.
    for key in sorted(by_start, key=len, reverse=True):
        shorter = [k for k in by_start if k != key and key.startswith(k)]
        if shorter:
            target = by_start[min(shorter, key=len)]
            for group, forms in by_start.pop(key).items():
                target.setdefault(group, []).extend(forms)
    dispatch = {
        key: re.compile(
            "(?:"
            + "|".join(
                f"(?P<{group}>{_alternation(forms)})"
                for group, forms in sorted(groups.items(), key=lambda g: (g[0][0] != "p", int(g[0][1:])))
            )
            + r")\b",
            re.IGNORECASE,
        )
        for key, groups in by_start.items()
    }

    now = data.get("now")
    if not isinstance(now, dict):
        raise EventLexiconError(f"{LEXICON_FILE}: missing [now]")
    now_before = re.compile(rf"\b(?:{_alternation(_strings(now, 'before', '[now]'))})\s+$", re.IGNORECASE)

    dated = data.get("dated_subject")
    if not isinstance(dated, dict):
        raise EventLexiconError(f"{LEXICON_FILE}: missing [dated_subject]")
    dated_type = dated.get("type")
    if dated_type not in {s.type for s in specs}:
        raise EventLexiconError(f"{LEXICON_FILE}: [dated_subject]: 'type' must be a trigger type")
    max_gap = dated.get("max_gap")
    if not isinstance(max_gap, int) or max_gap <= 0:
        raise EventLexiconError(f"{LEXICON_FILE}: [dated_subject]: 'max_gap' must be a positive integer")
    where = "[dated_subject]"
    meeting = _alternation(_strings(dated, "meeting_names", where))
    links = _alternation(_strings(dated, "links", where))
    before = _alternation(_strings(dated, "before_links", where))
    recent = _alternation(_strings(dated, "recent", where))
    place = _alternation(_strings(dated, "place_reference", where))
    grammar = data.get("grammar")
    if not isinstance(grammar, dict):
        raise EventLexiconError(f"{LEXICON_FILE}: missing [grammar]")

    def words(key: str) -> str:
        return _alternation(_strings(grammar, key, "[grammar]"))

    flags = re.IGNORECASE
    compiled_grammar = Grammar(
        passive_before=re.compile(rf"(?:\b(?:{words('passive_before')}))$", flags),
        coordination=re.compile(rf"^[\s,]*(?:(?:{words('coordination')})\b)?\s*(?:the\s+)?$", flags),
        clause_break=re.compile(rf"(?:^|\W)(?:{words('clause_break')})(?:\W|$)", flags),
        agent_after=re.compile(rf"\s*(?:{words('agent_after')})\b", flags),
        reduced_relative_after=re.compile(rf"\s*(?:{words('reduced_relative_after')})(?:\W|$)", flags),
        pronoun_subject=re.compile(rf"\b(?:{words('pronoun_subject')})\b", flags),
        meeting_object=re.compile(rf"\s+(?:{words('meeting_object')})\b", flags),
        modifier_of_meeting=re.compile(rf"(?:{words('modifier_of_meeting')})\b"),
        owner_before=re.compile(rf"\b(?:{words('owner_before')})\s+$", flags),
        gerund=re.compile(rf"(?:{words('gerund')})\b", flags),
        date_coordination=re.compile(rf"(?:{words('date_coordination')})", flags),
        participle=re.compile(rf"(?:{words('participle')})", flags),
        relative_object=re.compile(rf"\b(?:{words('relative_object')})$", flags),
        participle_preface=re.compile(rf"\b(?:{words('participle_preface')})\s+$", flags),
        attributive_before=re.compile(rf"\b(?:{words('attributive_before')})$", flags),
    )
    return EventLexicon(
        specs=tuple(specs),
        triggers=triggers,
        by_start=dispatch,
        now_before=now_before,
        dated_subject_type=dated_type,
        meeting_names=re.compile(rf"\b(?:{meeting})", re.IGNORECASE),
        links=re.compile(rf"(?:{links})", re.IGNORECASE),
        max_gap=max_gap,
        before_gap=re.compile(rf"^\s*(?:(?:{before})\s*)*$", re.IGNORECASE),
        recent_before=re.compile(rf"\b(?:{recent})\s+$", re.IGNORECASE),
        recent_any=re.compile(rf"\b(?:{recent})\b", re.IGNORECASE),
        place_reference=re.compile(rf"\b(?i:{place})([A-Z][\w’-]+)"),
        grammar=compiled_grammar,
    )


@lru_cache(maxsize=1)
def load_event_lexicon() -> EventLexicon:
    """The lexicon shipped in ``ontology/event_triggers.toml`` (read once).

    >>> lexicon = load_event_lexicon()
    >>> spec, present = lexicon.trigger_of(lexicon.triggers.search("it was launched"))
    >>> spec.type, present
    ('launch', False)
    """
    text = resources.files("ontology").joinpath(LEXICON_FILE).read_text(encoding="utf-8")
    return compile_lexicon(tomllib.loads(text))


def lexicon_types(data: dict[str, Any]) -> list[str]:
    """The event types a parsed lexicon declares, in file order."""
    return [entry["type"] for entry in data.get("trigger", [])]
