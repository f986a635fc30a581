"""Consistency of the metadata data under ``ontology/``: genres.toml, publishers.toml,
person_titles.toml, actor_groups.toml, month_names.toml and boilerplate.toml.

These files are hand-written, so these tests are their type checker: every file parses
and compiles, every genre of the contract is described, names point into the gazetteer,
hosts are plain host names served by one publisher each, and a broken entry is reported
with its file and entry.
"""

from __future__ import annotations

import re
import tomllib
from importlib import resources
from typing import get_args

import pytest

from loaders.boilerplate_data import BoilerplateDataError, load_site_junk, parse_site_junk
from loaders.gazetteer import load_gazetteer
from loaders.metadata_profiles import (
    FORUM_SOURCES,
    SPEAKER_SOURCES,
    ProfileError,
    _genres,
    _publishers,
    load_profiles,
)
from loaders.records import Genre


def raw(name: str) -> dict:
    return tomllib.loads(resources.files("ontology").joinpath(name).read_text("utf-8"))


@pytest.fixture(scope="module")
def gaz():
    return load_gazetteer()


def test_every_contract_genre_is_described_once():
    profiles = load_profiles()
    names = [g.name for g in profiles.genres]
    assert sorted(names) == sorted(get_args(Genre))
    for genre in profiles.genres:
        assert set(genre.speaker_from) <= SPEAKER_SOURCES and set(genre.forum_from) <= FORUM_SOURCES
        if not genre.has_speaker:
            assert genre.speaker_from == ()
    # Reports of others are the only genre whose actor is not the site's voice.
    assert [g.name for g in profiles.genres if g.reports_others] == ["news_report"]


def test_forum_cues_name_gazetteer_forums(gaz):
    for cue in load_profiles().forum_cues:
        entry = gaz.lookup(cue.forum)
        assert entry is not None and entry.type == "Forum" and entry.label == cue.forum


def test_publishers_hosts_voices_and_sections(gaz):
    profiles = load_profiles()
    seen: dict[str, str] = {}
    names = set()
    for publisher in profiles.publishers:
        assert publisher.name not in names
        names.add(publisher.name)
        assert publisher.hosts or publisher.header_cues, publisher.name
        for host in publisher.hosts:
            assert re.fullmatch(r"[a-z0-9-]+(?:\.[a-z0-9-]+)+", host), host
            assert host not in seen, f"{host} served by {seen.get(host)} and {publisher.name}"
            seen[host] = publisher.name
        if publisher.voice:
            entry = gaz.lookup(publisher.voice)
            assert entry is not None and entry.label == publisher.voice, publisher.voice
        # Newspapers and agencies have no voice: their pages report others or carry op-eds.
        assert bool(publisher.voice) == (publisher.kind == "government"), publisher.name
    assert (
        profiles.publisher_for_url("https://bidenwhitehouse.archives.gov/briefing-room/x").voice
        == "United States"
    )
    assert profiles.publisher_for_url("https://www.regeringen.se/tal/2024/x").voice == "Sweden"
    assert profiles.publisher_for_url("https://example.org/whitehouse.gov") is None


def test_actor_groups_use_gazetteer_labels(gaz):
    for group in load_profiles().groups:
        entry = gaz.lookup(group.label)
        assert entry is None or entry.label == group.label, group.label
    p5 = next(g for g in load_profiles().groups if g.label == "P5")
    assert any(p.search("the Five Nuclear-Weapon States") for p in p5.names)


def test_person_titles_compile_to_one_pattern():
    titles = load_profiles().titles
    found = titles.titled_name.search("Statement from National Security Advisor Jane Roe on Cables")
    assert found and (found.group("title"), found.group("name")) == ("National Security Advisor", "Jane Roe")
    swedish = titles.titled_name.search(
        "Anförande av energi- och näringsminister samt vice statsminister Eva Ek vid"
    )
    assert swedish and swedish.group("name") == "Eva Ek" and "samt" in swedish.group("title")
    data = raw("person_titles.toml")
    assert len(data["titles"]) == len(set(data["titles"]))


def test_month_names_run_january_to_december():
    months = load_profiles().months
    assert months["maj"] == 5 and months["décembre"] == 12 and months["märz"] == 3
    for language, names in raw("month_names.toml")["months"].items():
        assert len(names) == 12, language


def test_a_broken_genre_entry_is_named():
    data = raw("genres.toml")
    data["genre"][0]["title_cues"] = ["(unclosed"]
    with pytest.raises(ProfileError, match=r"genres.toml genre #1 \('white_paper'\): bad regular expression"):
        _genres(data)
    data = raw("genres.toml")
    data["genre"][2]["speaker_from"] = ["signature"]
    with pytest.raises(ProfileError, match="unknown value"):
        _genres(data)


def test_a_broken_publisher_entry_is_named():
    data = raw("publishers.toml")
    data["publisher"][0]["default_genre"] = "poem"
    with pytest.raises(ProfileError, match=r"publisher #1 \('The White House'\): 'default_genre'"):
        _publishers(data)


def test_boilerplate_data_compiles_and_spares_prose():
    site = load_site_junk()
    prose = [
        "China supports the initiative and calls on all parties to join it.",
        "Popular support for the treaty has grown since 2020.",
        "The related question of verification remains open.",
        "We, the Leaders of the G7, met in Hiroshima.",
    ]
    for line in prose:
        assert not site.junk_line.fullmatch(line) and not site.related_heading.fullmatch(line)
        assert not site.caption_credit.search(line)
    assert site.junk_line.fullmatch("Share the best of The Daily Planet with friends, family, or colleagues.")
    assert site.related_heading.fullmatch("More in Opinion")
    assert not site.caption_credit.search("as resolution 76/234 requests (A/RES/76)")
    bad = raw("boilerplate.toml")
    bad["box"][0]["max_lines"] = "many"
    with pytest.raises(BoilerplateDataError, match="box #1"):
        parse_site_junk(bad)
