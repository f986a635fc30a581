"""The stance lexicon: cues with polarity and kind, frames and word lists, read from
``ontology/stance_cues.toml`` and compiled once into the patterns the stance rules use.

The rules (``loaders/stance_rules.py``) hold no words of their own; everything they match
on comes from here.
"""

from __future__ import annotations

import re
import tomllib
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from loaders.records import Polarity

CUE_KINDS = ("verb", "adjective", "noun", "predicate")
POLARITIES = ("support", "oppose")
_SLOT = re.compile(r"\{(\w+)\}")


class LexiconError(ValueError):
    """The lexicon file breaks its schema (the message names the file and the entry)."""


@dataclass(frozen=True, slots=True)
class Cue:
    """One entry of the lexicon: a name, a polarity and the kind of construction."""

    name: str
    polarity: Polarity
    kind: str
    forms: tuple[str, ...]


_WORD_START = re.compile(r"(?<![\w'’-])[A-Za-z]+")


@dataclass(frozen=True, slots=True, eq=False)
class Anchored:
    """Many phrases, one small pattern per word that can open them: a phrase is tried only
    where its first word stands (one pass over the words and a dictionary lookup instead of
    every alternative at every offset)."""

    by_word: dict[str, re.Pattern[str]]

    def match(self, text: str, pos: int = 0, end: int | None = None) -> re.Match[str] | None:
        stop = len(text) if end is None else end
        word = _WORD_START.match(text, pos, stop)
        pattern = self.by_word.get(word.group().lower()) if word else None
        return pattern.match(text, pos, stop) if pattern else None

    def finditer(self, text: str, pos: int = 0, end: int | None = None) -> Iterator[re.Match[str]]:
        stop = len(text) if end is None else end
        starts, patterns = _candidates(self, text)
        for k in range(bisect_left(starts, pos), len(starts)):
            start = starts[k]
            if start >= stop:
                break
            if start < pos:
                continue
            m = patterns[k].match(text, start, stop)
            if m:
                pos = m.end()
                yield m

    def search(self, text: str, pos: int = 0, end: int | None = None) -> re.Match[str] | None:
        return next(self.finditer(text, pos, end), None)

    def occurs(self, text: str, pos: int, end: int) -> bool:
        """Whether a word that opens one of the phrases stands in ``text[pos:end]``."""
        starts, _ = _candidates(self, text)
        k = bisect_left(starts, pos)
        return k < len(starts) and starts[k] < end


@lru_cache(maxsize=32)
def _candidates(anchored: Anchored, text: str) -> tuple[list[int], list[re.Pattern[str]]]:
    """Where in a text a word that opens one of the phrases stands, with the pattern to try
    there; found once per text (the stance rules scan the same body many times)."""
    starts: list[int] = []
    patterns: list[re.Pattern[str]] = []
    for m in _WORD_START.finditer(text):
        pattern = anchored.by_word.get(m.group().lower())
        if pattern is not None:
            starts.append(m.start())
            patterns.append(pattern)
    return starts, patterns


def _anchored(items: list[tuple[str, str]], prefix: str, suffix: str, gap: str) -> Anchored:
    """(first word, regex source of the rest of the phrase) pairs -> one case-blind pattern
    per first word: the word once, then the gap once for all rests that start with it, then
    the rests, longest first so the longest phrase wins at a position."""
    grouped: dict[str, list[str]] = {}
    for word, rest in items:
        grouped.setdefault(word.lower(), []).append(rest)
    patterns = {}
    for word, rests in grouped.items():
        gapped = sorted((r[len(gap) :] for r in rests if r.startswith(gap)), key=len, reverse=True)
        alternatives = ([gap + "(?:" + "|".join(gapped) + ")"] if gapped else []) + sorted(
            (r for r in rests if not r.startswith(gap)), key=len, reverse=True
        )
        patterns[word] = re.compile(
            prefix + re.escape(word) + "(?:" + "|".join(alternatives) + ")" + suffix, re.I
        )
    return Anchored(patterns)


_ANY_WORD = re.compile(r"\w+")


def _triggers(
    anchors: list[CuePatterns | Anchored], phrases: list[str], slots: dict[str, list[str]]
) -> Anchored:
    words = {word for a in anchors for word in (a.pattern if isinstance(a, CuePatterns) else a).by_word}
    words |= {phrase.split()[0].lower() for form in phrases for phrase in _expand(form, slots)}
    return Anchored(dict.fromkeys(words, _ANY_WORD))


def _split_phrase(phrase: str, slots: dict[str, list[str]], adverbs: bool = True) -> tuple[str, str]:
    """(first word, regex source of the words after it) of a phrase without slots."""
    first, _, rest = phrase.partition(" ")
    return first, (_gap(slots, adverbs) + phrase_pattern(rest, slots, adverbs) if rest else "")


@dataclass(frozen=True, slots=True)
class CuePatterns:
    """All forms of some cues in one pattern; ``cue_of`` maps a match's group to its cue."""

    pattern: Anchored
    cue_of: dict[str, Cue]

    def cue(self, match: re.Match[str]) -> Cue:
        assert match.lastgroup is not None
        return self.cue_of[match.lastgroup]


@dataclass(frozen=True, slots=True)
class Lexicon:
    cues: tuple[Cue, ...]
    verb: CuePatterns  # verbs and predicate adjectives before the target
    noun: CuePatterns  # "our commitment to X"
    predicate: CuePatterns  # "X is unacceptable"
    modal: Anchored  # every frame after which a verb phrase is supported
    negated_modal: re.Pattern[str]
    call_on: re.Pattern[str]  # "call on <who> to": who is addressed
    no_one_shall: re.Pattern[str]
    passive_oppose: re.Pattern[str]
    passive_support: re.Pattern[str]
    third_party: re.Pattern[str]
    third_party_subject: re.Pattern[str]
    reporting: re.Pattern[str]
    own_voice: re.Pattern[str]
    generic_subject: re.Pattern[str]
    joint_subject: re.Pattern[str]
    wrongdoing_lead: re.Pattern[str]
    target_end: re.Pattern[str]
    purpose: re.Pattern[str]
    leading_words: re.Pattern[str]
    object_head: re.Pattern[str]
    own_possessive: re.Pattern[str]
    not_target: re.Pattern[str]
    gerund_heading: re.Pattern[str]
    gerund_oppose: frozenset[str]
    ordinal_lead: re.Pattern[str]
    list_ender: re.Pattern[str]
    removal_verb: re.Pattern[str]
    site_phrase: re.Pattern[str]
    reported_genres: frozenset[str]
    #: Every word that can open a cue, a frame or a modal: a sentence without one holds no
    #: stance unless it is an imperative, a heading or an item of a wrongdoing list.
    triggers: Anchored
    base_verbs: frozenset[str]
    stop_verbs: frozenset[str]
    not_gerunds: frozenset[str]
    noun_markers: frozenset[str]
    min_words: int
    max_capitalised_share: float


def phrase_pattern(phrase: str, slots: dict[str, list[str]], adverbs: bool = True) -> str:
    """Regex source of a lexicon phrase: white space between words, slots expanded, and an
    optional "-ly" adverb before each word after the first.

    >>> re.fullmatch(phrase_pattern("{be} committed to", {"be": ["is", "are"]}),
    ...              "is strongly\\ncommitted to") is not None
    True
    """
    alternatives = _expand(phrase, slots)
    gap = _gap(slots, adverbs)
    sources = [gap.join(re.escape(word) for word in alt.split()) for alt in alternatives]
    return "(?:" + "|".join(sorted(sources, key=len, reverse=True)) + ")"


def _gap(slots: dict[str, list[str]], adverbs: bool) -> str:
    """What may stand between two words of a phrase: white space, and with ``adverbs`` up
    to two "-ly" adverbs or gap words."""
    if not adverbs:
        return r"\s+"
    fillers = "".join("|" + re.escape(w) for w in slots.get("gap", []))
    return rf"\s+(?:(?:\w+ly{fillers})\s+){{0,2}}"


def _expand(phrase: str, slots: dict[str, list[str]]) -> list[str]:
    m = _SLOT.search(phrase)
    if not m:
        return [phrase]
    out: list[str] = []
    for filler in slots[m.group(1)]:
        out.extend(_expand(phrase[: m.start()] + filler + phrase[m.end() :], slots))
    return out


def _words(words: list[str], slots: dict[str, list[str]], adverbs: bool = False) -> str:
    """One alternation of phrases, longest first so the longest one wins at a position."""
    ordered = sorted(words, key=len, reverse=True)
    return "(?:" + "|".join(phrase_pattern(w, slots, adverbs) for w in ordered) + ")"


def _cue_patterns(cues: list[Cue], slots: dict[str, list[str]]) -> CuePatterns:
    cue_of: dict[str, Cue] = {}
    items: list[tuple[str, str]] = []
    for cue in cues:
        for form in cue.forms:
            for phrase in _expand(form, slots):
                group = f"c{len(cue_of)}"
                cue_of[group] = cue
                # The empty group closes last: its name tells the cue (Match.lastgroup).
                first, rest = _split_phrase(phrase, slots)
                items.append((first, f"{rest}(?P<{group}>)"))
    # Never inside a word nor a hyphenated compound ("counter-terrorism").
    return CuePatterns(_anchored(items, r"(?<![\w-])", r"(?![\w-])", _gap(slots, True)), cue_of)


def parse_lexicon(data: dict[str, Any], source: str = "stance_cues.toml") -> Lexicon:
    """Check the lexicon's schema and compile it; :class:`LexiconError` names the entry."""
    slots = data.get("slots", {})
    for name, fillers in slots.items():
        if not isinstance(fillers, list) or not all(isinstance(f, str) and f for f in fillers):
            raise LexiconError(f"{source}: slot {name!r} must be a list of phrases")
    cues: list[Cue] = []
    names: set[str] = set()
    for n, entry in enumerate(data.get("cue", [])):
        where = f"{source}: cue #{n + 1} ({entry.get('name', '?')!r})"
        missing = {"name", "polarity", "kind", "forms"} - set(entry)
        if missing:
            raise LexiconError(f"{where} lacks {sorted(missing)}")
        if entry["polarity"] not in POLARITIES:
            raise LexiconError(f"{where}: polarity {entry['polarity']!r} not in {POLARITIES}")
        if entry["kind"] not in CUE_KINDS:
            raise LexiconError(f"{where}: kind {entry['kind']!r} not in {CUE_KINDS}")
        forms = entry["forms"]
        if not forms or not all(isinstance(f, str) and f.strip() == f and "  " not in f for f in forms):
            raise LexiconError(f"{where}: forms must be non-empty phrases with single spaces")
        for form in forms:
            for slot in _SLOT.findall(form):
                if slot not in slots:
                    raise LexiconError(f"{where}: form {form!r} uses unknown slot {{{slot}}}")
        key = f"{entry['kind']}:{entry['name']}"
        if key in names:
            raise LexiconError(f"{where}: name used twice for kind {entry['kind']!r}")
        names.add(key)
        cues.append(Cue(entry["name"], entry["polarity"], entry["kind"], tuple(forms)))
    try:
        frames, voice, targets, sentences = (
            data["frames"],
            data["voice"],
            data["targets"],
            data["sentences"],
        )
    except KeyError as missing_table:
        raise LexiconError(f"{source}: table [{missing_table.args[0]}] missing") from None

    def alt(table: dict[str, Any], key: str, adverbs: bool = False) -> str:
        words = table.get(key)
        if not isinstance(words, list) or not words or not all(isinstance(w, str) and w for w in words):
            raise LexiconError(f"{source}: {key} must be a non-empty list of phrases")
        return _words(words, slots, adverbs)

    def words(table: dict[str, Any], key: str) -> frozenset[str]:
        alt(table, key)  # the same schema check
        return frozenset(w.lower() for w in table[key])

    ic = re.IGNORECASE
    necessity = alt(frames, "necessity")
    alt(frames, "modal")
    alt(frames, "call_on")
    modal_items = [
        _split_phrase(phrase, slots) for form in frames["modal"] for phrase in _expand(form, slots)
    ]
    modal_items.append(
        (
            "it",
            r"\s+is\s+(?:(?:\w+ly|also|therefore)\s+){0,2}"
            + necessity
            + r"\s+(?:(?:for\s+[^,]{1,40}\s+)?to|that)",
        )
    )
    for form in frames["call_on"]:
        for phrase in _expand(form, slots):
            first, rest = _split_phrase(phrase, slots, adverbs=False)
            modal_items.append((first, rest + r"\s+[^.;]{1,110}?\s+to"))
    passive_verb = r"(?:\w+ly\s+)?(?:also\s+)?be\s+(?:\w+ly\s+)?"
    verb = _cue_patterns([c for c in cues if c.kind in ("verb", "adjective")], slots)
    noun = _cue_patterns([c for c in cues if c.kind == "noun"], slots)
    predicate = _cue_patterns([c for c in cues if c.kind == "predicate"], slots)
    modal = _anchored(modal_items, r"\b", r"\b", _gap(slots, True))
    return Lexicon(
        cues=tuple(cues),
        verb=verb,
        noun=noun,
        predicate=predicate,
        modal=modal,
        negated_modal=re.compile(r"\b" + alt(frames, "negated_modal") + r"\b", ic),
        call_on=re.compile(alt(frames, "call_on") + r"\s+(?P<who>.+?)\s+to$", ic | re.DOTALL),
        no_one_shall=re.compile(
            r"\bno\s+" + alt(frames, "no_one_subject") + r"\s+" + alt(frames, "no_one_modal") + r"\s+", ic
        ),
        passive_oppose=re.compile(
            r"\b"
            + alt(frames, "passive_modal")
            + r"\s+"
            + passive_verb
            + "("
            + alt(frames, "passive_oppose")
            + r")\b"
        ),
        passive_support=re.compile(
            r"\b"
            + alt(frames, "passive_modal")
            + r"\s+"
            + passive_verb
            + r"(?!"
            + alt(frames, "passive_oppose")
            + r")\w+(?:ed|en|wn|ght|lt|nt|eld)\b"
        ),
        third_party=re.compile(r"\b" + alt(voice, "third_party") + r"\b", ic),
        third_party_subject=re.compile(
            r"\b" + alt(voice, "third_party_subjects") + r"\s+" + alt(voice, "third_party_verbs") + r"\b", ic
        ),
        reporting=re.compile(r"^(?P<who>.{0,80}?)\b" + alt(voice, "reporting_verbs") + r"\s+that\b", ic),
        own_voice=re.compile(r"\b" + alt(voice, "own_voice") + r"\b", ic),
        generic_subject=re.compile(r"^" + alt(voice, "generic_subjects") + r"$", ic),
        joint_subject=re.compile(r"\b" + alt(voice, "joint_subjects") + r"\b", ic),
        wrongdoing_lead=re.compile(r"\b" + alt(voice, "wrongdoing_nouns") + r"\b[^.]*:\s*$", ic),
        target_end=re.compile(
            # A full stop ends a target, one after a capital letter ("U.S.") does not.
            r"[;:!?]|(?-i:(?<![A-Z]))\.(?!\w)|\s[—–]\s|,\s*"
            + alt(targets, "clause_connectors")
            + r"\b|\s+"
            + alt(targets, "purpose")
            + r"\b",
            ic,
        ),
        purpose=re.compile(r"\b(?:" + alt(targets, "purpose") + r"|to\s+ensure)\s+", ic),
        leading_words=re.compile(alt(targets, "leading_words") + r"\s+", ic),
        object_head=re.compile(alt(targets, "object_heads") + r"\s+", ic),
        own_possessive=re.compile(r"\b" + alt(targets, "own_possessives") + r"\s+(?:\w+\s+)?$", ic),
        not_target=re.compile(alt(targets, "not_target_openers") + r"\b", ic),
        gerund_heading=re.compile(
            r"(?P<cue>" + alt({"g": targets["gerund_support"] + targets["gerund_oppose"]}, "g") + r")\b", ic
        ),
        gerund_oppose=words(targets, "gerund_oppose"),
        ordinal_lead=re.compile(alt(targets, "ordinal_leads") + r"\s*,\s*", ic),
        # Case matters here: a capitalised plural ("Sanctions ...") opens a new sentence.
        list_ender=re.compile(
            alt({"e": [w.capitalize() for w in targets["list_enders"]]}, "e")
            + r"\b|[A-Z][a-z]+s\b|\d|[IVX]+\."
        ),
        removal_verb=re.compile(
            r"(?:" + "|".join(re.escape(s) for s in targets["removal_stems"]) + r")\w*", ic
        ),
        reported_genres=words(voice, "reported_genres"),
        site_phrase=re.compile(r"\b" + alt(sentences, "site_phrases") + r"\b", ic),
        triggers=_triggers(
            [verb, noun, predicate, modal],
            frames["negated_modal"] + frames["passive_modal"] + ["no"],
            slots,
        ),
        base_verbs=words(targets, "base_verbs"),
        stop_verbs=words(targets, "stop_verbs"),
        not_gerunds=words(targets, "not_gerunds"),
        noun_markers=words(targets, "noun_markers"),
        min_words=int(sentences["min_words"]),
        max_capitalised_share=float(sentences["max_capitalised_share"]),
    )


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    """The lexicon of ``ontology/stance_cues.toml`` (read and compiled once)."""
    resource = resources.files("ontology").joinpath("stance_cues.toml")
    try:
        data = tomllib.loads(resource.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise LexiconError(f"ontology/stance_cues.toml: {exc}") from None
    return parse_lexicon(data, "ontology/stance_cues.toml")
