"""Schema of ``ontology/name_patterns.json``, the word lists of the name-shape rules.

Keys and shapes:

- ``head_types``: entity type -> lower-case head nouns ("initiative", "treaty", ...); the
  types are those of GUIDELINES.md plus Organization; a head noun has one type.
- ``phrase_heads``: [phrase, type] pairs of multi-word heads ("code of conduct").
- ``complement_starters``, ``generic_name_words``, ``connectors``, ``leading_noise``,
  ``month_words``: lists of lower-case single words.
- ``bound_connectors``: connector -> lower-case words it may follow inside a name.
- ``person_titles``: titles written before a person's name, capitalised.
- ``not_person_name_words``: capitalised single words that end or rule out a person's
  name found by its shape (institutions, forms of address, adjectives of place).
- ``numbered_names``: a fixed word and a number ("COP 28"): ``prefix``, ``separator``,
  ``type`` and the canonical ``label`` ("COP{number}").
- ``resolution_bodies``: canonical body name -> the names texts give it (the canonical one
  first); ``resolution_default_body`` names the body a numbering shape implies;
  ``resolution_symbol_body`` maps a document-symbol prefix to its body.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

DATA = Path(__file__).resolve().parents[1] / "ontology" / "name_patterns.json"
TYPES = {"Initiative", "Instrument", "Forum", "Organization"}
WORD_LISTS = ("complement_starters", "generic_name_words", "connectors", "leading_noise", "month_words")
LOWER_WORD = re.compile(r"^[a-z0-9'’é-]+$")


@pytest.fixture(scope="module")
def data() -> dict[str, Any]:
    loaded = json.loads(DATA.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def test_every_key_is_known(data: dict[str, Any]) -> None:
    known = {
        "_comment",
        "head_types",
        "phrase_heads",
        "bound_connectors",
        "person_titles",
        "not_person_name_words",
        "resolution_bodies",
        "resolution_default_body",
        "resolution_symbol_body",
        "numbered_names",
        *WORD_LISTS,
    }
    assert set(data) == known


def test_head_nouns_have_one_known_type(data: dict[str, Any]) -> None:
    assert set(data["head_types"]) <= TYPES
    seen: dict[str, str] = {}
    for type_, words in data["head_types"].items():
        for word in words:
            assert LOWER_WORD.match(word), word
            assert word not in seen, f"{word!r} is both {seen[word]} and {type_}"
            seen[word] = type_
    for phrase, type_ in data["phrase_heads"]:
        assert type_ in TYPES and phrase == phrase.lower() and " " in phrase


def test_word_lists_are_lower_case_single_words(data: dict[str, Any]) -> None:
    for key in WORD_LISTS:
        words = data[key]
        assert words and len(words) == len(set(words)), key
        assert all(LOWER_WORD.match(w) for w in words), key
    for connector, after in data["bound_connectors"].items():
        assert connector not in data["connectors"]
        assert all(LOWER_WORD.match(w) for w in after)


def test_connectors_are_not_head_nouns(data: dict[str, Any]) -> None:
    heads = {w for words in data["head_types"].values() for w in words}
    assert not heads & set(data["connectors"])


def test_person_titles_are_capitalised_and_unique(data: dict[str, Any]) -> None:
    titles = data["person_titles"]
    assert len(titles) == len(set(titles))
    assert all(t[:1].isupper() and t == t.strip() for t in titles)


def test_resolution_bodies_name_themselves_first(data: dict[str, Any]) -> None:
    bodies = data["resolution_bodies"]
    for body, names in bodies.items():
        assert names[0] == body
        assert len(names) == len(set(names))
    assert set(data["resolution_default_body"]) == {"session_number", "roman_session", "plain_number"}
    assert set(data["resolution_default_body"].values()) <= set(bodies)
    assert set(data["resolution_symbol_body"].values()) <= set(bodies)


def test_numbered_names_have_a_prefix_a_type_and_a_label_with_the_number(data: dict[str, Any]) -> None:
    for spec in data["numbered_names"]:
        assert set(spec) == {"prefix", "separator", "type", "label"}
        assert spec["type"] in TYPES and "{number}" in spec["label"]
        assert spec["label"] == spec["prefix"] + spec["separator"] + "{number}"


def test_the_rule_engine_reads_the_file() -> None:
    from loaders import name_patterns

    assert name_patterns.head_type("Ottawa Digital Trust Fund") == "Initiative"
    assert name_patterns.head_type("Lisbon Dialogue") == "Forum"


def test_not_person_name_words_are_capitalised_single_words(data: dict[str, Any]) -> None:
    words = data["not_person_name_words"]
    assert words and len(words) == len(set(words))
    for word in words:
        assert re.fullmatch(r"[A-Z][A-Za-z]*", word), word
