"""Consistency of the gazetteer data in ``ontology/gazetteer/*.jsonl``.

The gazetteer is hand-written data, so these tests are its type checker: every line parses,
every record has the keys and value shapes the loader relies on, identifiers are stable slugs,
names never point at two entities, and cross-references (parent, proposer, state,
organization) resolve. A few spot checks pin well-known facts so that a slip in a
generator or an edit (a swapped ISO code, a lost alias) is caught.

Record format (one JSON object per line; ``states``, ``organizations``, ``forums``,
``instruments``, ``initiatives`` and ``persons`` each hold one type):

- ``id`` stable lowercase-hyphenated slug, unique across files (the entity IRI key);
  ``label`` canonical English name; ``type``; ``aliases`` other full names.
- ``acronyms`` safe to match on their own (case-sensitively); ``ambiguous_acronyms`` name
  this entity only when the document's context supports it (e.g. "CD", "PoA", "AG");
  ``context_aliases`` short forms ("the Council") valid only in a document about the entity.
- ``wikidata`` only where the item is known for certain; ``parent``, ``proposer``,
  ``co_proposers``, ``state``, ``organization`` are ids of other records; ``year`` is the
  launch/adoption/founding year.
- States: ``iso2``, ``iso3`` (the UN General Debate corpus names files by ISO3),
  ``demonyms``, ``un_status`` (member, observer, non-member, former).
  Organizations may carry ``ungdc_code`` (the EU's speeches are filed as ``EU_*``).
- Persons: ``roles`` (office and years) and ``state`` or ``organization``; ``surname`` where
  texts use another word than the label's last alone ("Xi" of "Xi Jinping"); ``alone``
  (true) where that surname alone names the person in this domain ("Putin").
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

GAZETTEER_DIR = Path(__file__).resolve().parents[1] / "ontology" / "gazetteer"

#: Each file holds entities of one type; organizations.jsonl holds intergovernmental
#: organisations typed Forum (bodies where states act, as GUIDELINES.md defines Forum) and
#: national agencies or non-governmental bodies typed Organization.
FILE_TYPES = {
    "states.jsonl": "State",
    "organizations.jsonl": "Organization",
    "forums.jsonl": "Forum",
    "instruments.jsonl": "Instrument",
    "initiatives.jsonl": "Initiative",
    "persons.jsonl": "Person",
}
VALID_TYPES = set(FILE_TYPES.values())
ALSO_ALLOWED = {"organizations.jsonl": {"Forum"}}

REQUIRED_KEYS = {"id", "label", "type", "aliases"}
LIST_KEYS = {
    "aliases",
    "acronyms",
    "ambiguous_acronyms",
    "context_aliases",
    "demonyms",
    "roles",
    "co_proposers",
}
OPTIONAL_KEYS = LIST_KEYS | {
    "wikidata",
    "parent",
    "proposer",
    "year",
    "iso2",
    "iso3",
    "un_status",
    "state",
    "organization",
    "ungdc_code",
    "surname",
    "alone",
}
UN_STATUSES = {"member", "observer", "non-member", "former"}

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
WIKIDATA = re.compile(r"^Q[1-9][0-9]*$")

#: Words that may only ever be context aliases: alone they name a kind of thing, not one thing.
GENERIC_NAMES = {
    "council",
    "committee",
    "commission",
    "conference",
    "assembly",
    "summit",
    "initiative",
    "declaration",
    "treaty",
    "convention",
    "agreement",
    "agenda",
    "group",
    "union",
    "organization",
    "organisation",
    "charter",
    "protocol",
    "review conference",
    "working group",
    "secretary general",
    "president",
    "minister",
    "united nations system",
}


def normalise(name: str, *, hyphen_as_space: bool) -> str:
    """Fold a name the way the collision check compares names.

    Lower case, accents stripped, punctuation dropped (or, for hyphens and slashes, turned
    into a space when ``hyphen_as_space``), a leading "the" dropped, spaces collapsed.
    """
    folded = unicodedata.normalize("NFKD", name)
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch)).lower()
    if hyphen_as_space:
        folded = re.sub(r"[-‐‑–—/]", " ", folded)
    folded = re.sub(r"[^\w\s]", "", folded)
    folded = re.sub(r"\s+", " ", folded).strip()
    return re.sub(r"^the ", "", folded)


def name_keys(name: str) -> set[str]:
    return {normalise(name, hyphen_as_space=False), normalise(name, hyphen_as_space=True)}


def load_records() -> list[tuple[str, int, dict[str, Any]]]:
    records: list[tuple[str, int, dict[str, Any]]] = []
    for filename in FILE_TYPES:
        path = GAZETTEER_DIR / filename
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                raise AssertionError(f"{filename}:{number}: not JSON: {error}") from error
            assert isinstance(record, dict), f"{filename}:{number}: not a JSON object"
            records.append((filename, number, record))
    return records


@pytest.fixture(scope="module")
def records() -> list[tuple[str, int, dict[str, Any]]]:
    return load_records()


@pytest.fixture(scope="module")
def by_id(records: list[tuple[str, int, dict[str, Any]]]) -> dict[str, dict[str, Any]]:
    return {record["id"]: record for _, _, record in records}


def names_of(record: dict[str, Any]) -> list[str]:
    """The names that must identify this entity and no other."""
    return [record["label"], *record.get("aliases", []), *record.get("acronyms", [])]


def test_every_file_exists_and_is_not_empty() -> None:
    for filename in FILE_TYPES:
        path = GAZETTEER_DIR / filename
        assert path.is_file(), f"missing gazetteer file {path}"
        assert path.read_text(encoding="utf-8").strip(), f"{filename} is empty"


def test_records_have_required_keys_and_valid_shapes(records: list[tuple[str, int, dict[str, Any]]]) -> None:
    problems: list[str] = []
    for filename, number, record in records:
        where = f"{filename}:{number}"
        missing = REQUIRED_KEYS - record.keys()
        if missing:
            problems.append(f"{where}: missing keys {sorted(missing)}")
            continue
        unknown = record.keys() - REQUIRED_KEYS - OPTIONAL_KEYS
        if unknown:
            problems.append(f"{where}: unknown keys {sorted(unknown)}")
        if record["type"] not in VALID_TYPES:
            problems.append(f"{where}: type {record['type']!r} is not one of {sorted(VALID_TYPES)}")
        elif record["type"] != FILE_TYPES[filename] and record["type"] not in ALSO_ALLOWED.get(
            filename, set()
        ):
            problems.append(f"{where}: type {record['type']} does not belong in {filename}")
        if not isinstance(record["id"], str) or not SLUG.match(record["id"]):
            problems.append(f"{where}: id {record['id']!r} is not a lowercase-hyphenated slug")
        label = record["label"]
        if not isinstance(label, str) or not label.strip() or label != label.strip():
            problems.append(f"{where}: label {label!r} is empty or padded")
        for key in LIST_KEYS & record.keys():
            values = record[key]
            if not isinstance(values, list) or not all(isinstance(v, str) and v.strip() for v in values):
                problems.append(f"{where}: {key} must be a list of non-empty strings")
            elif len(set(values)) != len(values):
                problems.append(f"{where}: {key} repeats a value")
            elif any(v != v.strip() for v in values):
                problems.append(f"{where}: {key} has a padded value")
        if "wikidata" in record and not (
            isinstance(record["wikidata"], str) and WIKIDATA.match(record["wikidata"])
        ):
            problems.append(f"{where}: wikidata {record['wikidata']!r} does not match ^Q\\d+$")
        if "year" in record and not (isinstance(record["year"], int) and 1850 <= record["year"] <= 2026):
            problems.append(f"{where}: year {record['year']!r} is not a plausible year")
        if record["label"] in record.get("aliases", []):
            problems.append(f"{where}: label repeated among aliases")
    assert not problems, "\n".join(problems)


def test_ids_are_unique_across_files(records: list[tuple[str, int, dict[str, Any]]]) -> None:
    seen: dict[str, str] = {}
    duplicates = []
    for filename, number, record in records:
        where = f"{filename}:{number}"
        if record["id"] in seen:
            duplicates.append(f"{record['id']} at {seen[record['id']]} and {where}")
        seen[record["id"]] = where
    assert not duplicates, "\n".join(duplicates)


def test_wikidata_ids_are_unique(records: list[tuple[str, int, dict[str, Any]]]) -> None:
    owners: dict[str, list[str]] = defaultdict(list)
    for _, _, record in records:
        if "wikidata" in record:
            owners[record["wikidata"]].append(record["id"])
    shared = {qid: ids for qid, ids in owners.items() if len(ids) > 1}
    assert not shared, f"one Wikidata item given to several entities: {shared}"


def test_no_name_points_at_two_entities(records: list[tuple[str, int, dict[str, Any]]]) -> None:
    owner: dict[str, str] = {}
    collisions = []
    for _, _, record in records:
        for name in names_of(record):
            for key in name_keys(name):
                if not key:
                    collisions.append(f"{record['id']}: name {name!r} normalises to nothing")
                    continue
                previous = owner.setdefault(key, record["id"])
                if previous != record["id"]:
                    collisions.append(f"{name!r} ({key!r}) names both {previous} and {record['id']}")
    assert not collisions, "\n".join(sorted(set(collisions)))


def test_context_aliases_and_demonyms_do_not_name_other_entities(
    records: list[tuple[str, int, dict[str, Any]]],
) -> None:
    owner: dict[str, str] = {}
    for _, _, record in records:
        for name in names_of(record):
            for key in name_keys(name):
                owner[key] = record["id"]
    problems = []
    demonym_owner: dict[str, str] = {}
    for _, _, record in records:
        for field in ("context_aliases", "demonyms", "ambiguous_acronyms"):
            for name in record.get(field, []):
                for key in name_keys(name):
                    if owner.get(key, record["id"]) != record["id"]:
                        problems.append(f"{record['id']}.{field} {name!r} is a name of {owner[key]}")
        for name in record.get("demonyms", []):
            for key in name_keys(name):
                previous = demonym_owner.setdefault(key, record["id"])
                if previous != record["id"]:
                    problems.append(f"demonym {name!r} of both {previous} and {record['id']}")
    assert not problems, "\n".join(sorted(set(problems)))


def test_generic_words_are_never_plain_names(records: list[tuple[str, int, dict[str, Any]]]) -> None:
    offenders = [
        f"{record['id']}: {name!r}"
        for _, _, record in records
        for name in names_of(record)
        if normalise(name, hyphen_as_space=True) in GENERIC_NAMES
    ]
    assert not offenders, "generic words belong in context_aliases:\n" + "\n".join(offenders)


def test_references_resolve_to_entities_of_the_right_type(
    records: list[tuple[str, int, dict[str, Any]]], by_id: dict[str, dict[str, Any]]
) -> None:
    allowed = {
        "parent": {"Forum", "Organization", "Instrument", "Initiative"},
        "proposer": {"State", "Organization", "Forum", "Person"},
        "state": {"State"},
        "organization": {"Organization", "Forum"},
    }
    allowed["co_proposers"] = allowed["proposer"]
    problems = []
    for filename, number, record in records:
        for key, types in allowed.items():
            targets = record.get(key, [])
            for target_id in [targets] if isinstance(targets, str) else targets:
                target = by_id.get(target_id)
                if target is None:
                    problems.append(f"{filename}:{number}: {key} {target_id!r} is not a gazetteer id")
                elif target["type"] not in types:
                    problems.append(f"{filename}:{number}: {key} {target_id!r} is a {target['type']}")
                elif target["id"] == record["id"]:
                    problems.append(f"{filename}:{number}: {key} refers to itself")
        if record.get("proposer") in record.get("co_proposers", []):
            problems.append(f"{filename}:{number}: proposer repeated among co_proposers")
    assert not problems, "\n".join(problems)


def test_parent_chains_have_no_cycles(by_id: dict[str, dict[str, Any]]) -> None:
    for start in by_id:
        seen = {start}
        current = by_id[start].get("parent")
        while current is not None:
            assert current not in seen, f"parent cycle through {start} and {current}"
            seen.add(current)
            current = by_id[current].get("parent")


def test_states_cover_the_un_membership(records: list[tuple[str, int, dict[str, Any]]]) -> None:
    states = [record for filename, _, record in records if filename == "states.jsonl"]
    members = [s for s in states if s.get("un_status") == "member"]
    assert len(members) == 193
    observers = {s["id"] for s in states if s.get("un_status") == "observer"}
    assert observers == {"holy-see", "state-of-palestine"}
    problems = []
    for state in states:
        if not re.match(r"^[A-Z]{3}$", state.get("iso3", "")):
            problems.append(f"{state['id']}: iso3 {state.get('iso3')!r}")
        if not re.match(r"^[A-Z]{2}$", state.get("iso2", "")):
            problems.append(f"{state['id']}: iso2 {state.get('iso2')!r}")
        if state.get("un_status") not in UN_STATUSES:
            problems.append(f"{state['id']}: un_status {state.get('un_status')!r}")
        if "demonyms" not in state:
            problems.append(f"{state['id']}: no demonyms list")
    assert not problems, "\n".join(problems)
    for code in ("iso3", "iso2"):
        values = [s[code] for s in states]
        assert len(values) == len(set(values)), (
            f"duplicate {code}: {sorted(v for v in values if values.count(v) > 1)}"
        )


def test_persons_say_whom_they_speak_for(records: list[tuple[str, int, dict[str, Any]]]) -> None:
    persons = [record for filename, _, record in records if filename == "persons.jsonl"]
    assert len(persons) >= 60
    for person in persons:
        assert person.get("roles"), f"{person['id']} has no roles"
        assert "state" in person or "organization" in person, (
            f"{person['id']} has neither state nor organization"
        )


def test_minimum_size(records: list[tuple[str, int, dict[str, Any]]]) -> None:
    non_states = [r for filename, _, r in records if filename not in ("states.jsonl", "persons.jsonl")]
    assert len(non_states) >= 350


def resolve(records: list[tuple[str, int, dict[str, Any]]], name: str) -> set[str]:
    keys = name_keys(name)
    return {
        record["id"] for _, _, record in records if keys & {k for n in names_of(record) for k in name_keys(n)}
    }


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("China", "china"),
        ("People's Republic of China", "china"),
        ("the United States of America", "united-states"),
        ("Russian Federation", "russia"),
        ("Turkey", "turkiye"),
        ("Cote d'Ivoire", "cote-d-ivoire"),
        ("UNSC", "un-security-council"),
        ("United Nations Security Council", "un-security-council"),
        ("UN General Assembly", "un-general-assembly"),
        ("First Committee", "unga-first-committee"),
        ("Global Data Security Initiative", "global-initiative-on-data-security"),
        ("Global Initiative on Data Security", "global-initiative-on-data-security"),
        ("Treaty on the Non-Proliferation of Nuclear Weapons", "npt"),
        ("Outer Space Treaty", "outer-space-treaty"),
        ("Wassenaar Arrangement", "wassenaar-arrangement"),
        ("Shanghai Cooperation Organisation", "shanghai-cooperation-organisation"),
        ("Shanghai Cooperation Organization", "shanghai-cooperation-organisation"),
        ("Xi Jinping", "xi-jinping"),
        ("Antonio Guterres", "antonio-guterres"),
    ],
)
def test_well_known_names_resolve(
    records: list[tuple[str, int, dict[str, Any]]], name: str, expected: str
) -> None:
    assert resolve(records, name) == {expected}


def test_spot_facts(by_id: dict[str, dict[str, Any]]) -> None:
    assert by_id["china"]["iso3"] == "CHN"
    assert by_id["united-kingdom"]["iso3"] == "GBR"
    assert "Chinese" in by_id["china"]["demonyms"]
    assert by_id["un-security-council"]["wikidata"] == "Q37470"
    assert by_id["un-general-assembly"]["wikidata"] == "Q47423"
    assert by_id["shanghai-cooperation-organisation"]["wikidata"] == "Q485207"
    assert by_id["unga-first-committee"]["parent"] == "un-general-assembly"
    assert by_id["global-initiative-on-data-security"]["proposer"] == "china"
    assert by_id["global-initiative-on-data-security"]["year"] == 2020
    assert by_id["xi-jinping"]["state"] == "china"
    assert "the Council" in by_id["un-security-council"]["context_aliases"]


def test_normalise_folds_the_variants_the_loader_sees() -> None:
    assert normalise("The U.S.", hyphen_as_space=False) == "us"
    assert normalise("Côte d’Ivoire", hyphen_as_space=False) == "cote divoire"
    assert normalise("Guinea-Bissau", hyphen_as_space=True) == "guinea bissau"
    assert normalise("  the   Outer Space  Treaty ", hyphen_as_space=True) == "outer space treaty"


def test_person_surnames_are_words_of_their_names_and_alone_is_a_flag(
    records: list[tuple[str, int, dict[str, Any]]],
) -> None:
    problems: list[str] = []
    alone_surnames: dict[str, str] = {}
    for filename, number, record in records:
        where = f"{filename}:{number}"
        if ("surname" in record or "alone" in record) and record["type"] != "Person":
            problems.append(f"{where}: surname/alone on a {record['type']}")
            continue
        surname = record.get("surname")
        if surname is not None and not any(surname in n for n in names_of(record)):
            problems.append(f"{where}: surname {surname!r} is in none of its names")
        if "alone" in record:
            if record["alone"] is not True:
                problems.append(f"{where}: alone must be true when given")
            family = surname or record["label"].split()[-1]
            if family in alone_surnames:
                problems.append(f"{where}: {family!r} alone already names {alone_surnames[family]}")
            alone_surnames[family] = record["id"]
    assert not problems, "\n".join(problems)
