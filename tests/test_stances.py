"""Stance rules, one test per rule of the registry, on sentences written for the tests;
and the schema of the stance lexicon (``ontology/stance_cues.toml``)."""

import tomllib
from importlib import resources

import pytest
from extraction_helpers import make_document

from loaders.records import DocumentMeta, Entity, Span
from loaders.stance_lexicon import CUE_KINDS, POLARITIES, LexiconError, load_lexicon, parse_lexicon
from loaders.stance_rules import GATES, RULES
from loaders.stances import extract_stances
from loaders.topics import classify_topic

META = DocumentMeta(actor="Canada", date="2023-10-12")


def found(text: str, meta: DocumentMeta = META, entities: tuple[Entity, ...] = ()):
    return [
        (s.holder, s.polarity, s.target, s.rule) for s in extract_stances(make_document(text), meta, entities)
    ]


def stances_of(text: str):
    return [(p, t) for _, p, t, _ in found(text)]


def state(label: str, text: str) -> Entity:
    spans = []
    start = text.find(label)
    while start >= 0:
        spans.append(Span(start, start + len(label), label))
        start = text.find(label, start + 1)
    return Entity(key=label.lower(), label=label, type="State", mentions=tuple(spans))


def test_coordinated_targets_are_split():
    got = stances_of(
        "Canada opposes the abuse of ICTs, cyber-surveillance and attacks, and opposes an arms race in cyberspace."
    )
    assert ("oppose", "cyber-surveillance") in got
    assert ("oppose", "cyber-attacks") in got
    assert ("oppose", "arms race in cyberspace") in got


def test_cue_verb_names_its_rule_and_takes_the_whole_object():
    assert found("Canada firmly supports the peaceful uses of outer space by all nations.") == [
        ("Canada", "support", "peaceful uses of outer space by all nations", "stance.cue_verb")
    ]


def test_adjective_cue_with_an_adverb_between_its_words():
    assert found("Canada is strongly committed to a rules-based order in the Arctic.") == [
        ("Canada", "support", "rules-based order in the Arctic", "stance.cue_adjective")
    ]


def test_abbreviations_do_not_cut_a_target():
    assert stances_of("We oppose the misuse of advanced U.S. chips by armed groups.") == [
        ("oppose", "misuse of advanced U.S. chips by armed groups")
    ]


def test_positions_reported_of_others_are_not_the_actors():
    assert stances_of("Certain countries have imposed unilateral sanctions and promote decoupling.") == []
    assert stances_of("The Group stresses that trade should not be hindered.") == []


def test_calls_on_others_to_stop_are_opposition():
    assert found("Canada calls on the parties concerned to stop the militarization of the Arctic.") == [
        ("Canada", "oppose", "militarization of the Arctic", "stance.modal_should")
    ]


def test_normative_frames_are_support_and_negated_ones_opposition():
    got = found("It is necessary to narrow the digital divide. Outer space should not become a battlefield.")
    assert ("Canada", "support", "narrow the digital divide", "stance.modal_should") in got
    assert ("Canada", "oppose", "Outer space should not become a battlefield", "stance.modal_negated") in got


def test_we_will_continue_to_is_a_modal_frame():
    assert found("We will continue to fund demining teams in the region.") == [
        ("Canada", "support", "fund demining teams in the region", "stance.modal_should")
    ]


def test_noun_cue_needs_the_holders_own_possessive():
    assert found("This budget reflects our commitment to clean shipping.") == [
        ("Canada", "support", "clean shipping", "stance.noun_cue")
    ]
    assert found("This budget reflects a commitment to clean shipping.") == []


def test_reaffirm_our_commitment_targets_what_the_commitment_is_to():
    assert found("We reaffirm our commitment to the abolition of landmines.") == [
        ("Canada", "support", "abolition of landmines", "stance.cue_verb")
    ]


def test_predicate_cue_opposes_the_subject():
    assert found("Attacks on hospitals are dangerous and unacceptable.") == [
        ("Canada", "oppose", "Attacks on hospitals", "stance.cue_predicate")
    ]


def test_raised_concerns_is_opposition_in_the_speakers_voice():
    assert found("The Prime Minister raised concerns about the dumping of steel.") == [
        ("Canada", "oppose", "dumping of steel", "stance.cue_verb")
    ]


def test_passive_condemnation_opposes_each_noun():
    got = stances_of("Such practices as hostage taking and piracy should be condemned.")
    assert got == [("oppose", "hostage taking"), ("oppose", "piracy")]


def test_passive_normative_supports_the_subject():
    assert found("A code of conduct for drone exports should be developed.") == [
        ("Canada", "support", "code of conduct for drone exports should be developed", "stance.modal_passive")
    ]


def test_no_one_shall_opposes_every_verb_phrase():
    assert stances_of("No nation shall seize the seabed.") == [("oppose", "seize the seabed")]


def test_gerund_heading():
    assert found("Upholding the freedom of navigation") == [
        ("Canada", "support", "freedom of navigation", "stance.gerund_heading")
    ]


def test_imperative_item():
    assert found("- Protect undersea cables from sabotage;") == [
        ("Canada", "support", "Protect undersea cables from sabotage", "stance.imperative")
    ]


def test_purpose_clause_with_a_cue_verb():
    got = found("Canada supports police training so as to prevent the theft of nuclear material.")
    assert ("Canada", "oppose", "theft of nuclear material", "stance.purpose") in got


def test_wrongdoing_list_items_are_condemned():
    text = (
        "Some countries engage in the following practices:\n"
        "- Impose tariffs on allies without notice;\n"
        "- Block the appointment of judges;\n"
        "These acts harm everyone."
    )
    got = found(text)
    assert ("Canada", "oppose", "Impose tariffs on allies without notice", "stance.wrongdoing_list") in got
    assert ("Canada", "oppose", "Block the appointment of judges", "stance.wrongdoing_list") in got
    assert all("harm" not in target for _, _, target, _ in got)


def test_joint_affirmation_is_both_sides_position():
    text = "The leaders of Canada and Norway met. The two leaders welcomed closer cooperation on Arctic research."
    got = found(text, entities=(state("Canada", text), state("Norway", text)))
    assert ("Canada", "support", "closer cooperation on Arctic research", "stance.joint_affirmation") in got
    assert ("Norway", "support", "closer cooperation on Arctic research", "stance.joint_affirmation") in got


def test_another_states_words_are_not_the_holders():
    text = "Norway welcomed the new fishing quotas."
    assert found(text, entities=(state("Norway", text),)) == []


def test_site_junk_is_no_sentence():
    assert stances_of("Share the best of The Daily Planet with friends, family, or colleagues") == []
    assert stances_of("View more") == []
    assert stances_of("SUPPORT OUR JOURNALISM TODAY") == []


def test_hard_wrapped_paragraph_is_read_as_sentences():
    line = "Canada supports the peaceful settlement of disputes between\nneighbouring states under international law.\n"
    got = stances_of(line * 8)
    assert (
        "support",
        "peaceful settlement of disputes between neighbouring states under international law",
    ) in got


def test_stance_records_carry_evidence_topic_and_date():
    (stance,) = extract_stances(
        make_document("Canada firmly supports the peaceful uses of outer space."), META, ()
    )
    assert stance.holder == "Canada" and stance.polarity == "support"
    assert stance.topic == "outer-space" and stance.date == "2023-10-12"
    assert stance.evidence.text == "Canada firmly supports the peaceful uses of outer space."
    assert stance.to_json()["rule"] == "stance.cue_verb"


def test_topics_come_from_the_skos_scheme():
    assert classify_topic("export control blacklists") == "export-controls"
    assert classify_topic("lethal autonomous weapons systems") == "military-ai"
    assert classify_topic("weather") is None


# --- the lexicon -------------------------------------------------------------------------


def _lexicon_data() -> dict:
    return tomllib.loads(resources.files("ontology").joinpath("stance_cues.toml").read_text(encoding="utf-8"))


def test_lexicon_entries_follow_the_schema():
    data = _lexicon_data()
    assert data["cue"], "no cues"
    for entry in data["cue"]:
        assert set(entry) == {"name", "polarity", "kind", "forms"}, entry
        assert entry["polarity"] in POLARITIES and entry["kind"] in CUE_KINDS, entry
        assert all(f == f.strip().lower() or "{" in f for f in entry["forms"]), entry
    for kind in CUE_KINDS:
        forms = [f for entry in data["cue"] if entry["kind"] == kind for f in entry["forms"]]
        assert len(forms) == len(set(forms)), f"a {kind} form listed under two cues"
    lex = load_lexicon()
    assert {c.kind for c in lex.cues} == set(CUE_KINDS)


def test_lexicon_errors_name_the_entry():
    data = _lexicon_data()
    data["cue"][0] = {**data["cue"][0], "polarity": "neutral"}
    with pytest.raises(LexiconError, match=r"cue #1 .*polarity 'neutral'"):
        parse_lexicon(data)
    data = _lexicon_data()
    data["cue"][0] = {**data["cue"][0], "forms": ["{have} backed"]}
    with pytest.raises(LexiconError, match="unknown slot"):
        parse_lexicon(data)


def test_registry_names_are_unique_and_namespaced():
    names = [r.name for r in RULES] + [n for n, _ in GATES]
    assert len(names) == len(set(names))
    assert all(n.startswith(("stance.", "voice.")) for n in names)


def test_questions_take_no_position():
    assert found("Do you think we should ban ransom payments?") == []


def test_affirm_that_takes_the_complement_whole_even_with_a_negated_modal():
    assert found("We affirm that a trade war cannot be won and must never be started.") == [
        ("Canada", "support", "trade war cannot be won and must never be started", "stance.cue_verb")
    ]


def test_gap_words_between_cue_words():
    assert found("Canada is therefore deeply concerned by the spread of spyware.") == [
        ("Canada", "oppose", "spread of spyware", "stance.cue_verb")
    ]


def test_will_not_is_opposition_and_the_clause_after_it_still_counts():
    got = found(
        "Canada will not sell fighter jets to the junta, and we call on all States to support the arms embargo."
    )
    assert (
        "Canada",
        "oppose",
        "Canada will not sell fighter jets to the junta",
        "stance.modal_negated",
    ) in got
    assert ("Canada", "support", "arms embargo", "stance.modal_should") in got


def test_each_passive_clause_supports_its_own_subject():
    got = found("Labour rights must be respected by all, and fair wages must be guaranteed by all.")
    assert [t for _, _, t, _ in got] == [
        "Labour rights must be respected by all",
        "fair wages must be guaranteed by all",
    ]
    assert {r for *_, r in got} == {"stance.modal_passive"}


def test_it_is_critical_that_supports_the_complement():
    assert found("It is critical that export licences be reviewed every year.") == [
        ("Canada", "support", "export licences be reviewed every year", "stance.modal_should")
    ]


def test_commit_to_is_a_support_cue():
    assert found("We commit to doubling our funding for vaccine research.") == [
        ("Canada", "support", "doubling our funding for vaccine research", "stance.cue_verb")
    ]


def test_passive_rejection_opposes_the_subject():
    assert found("Forced labour and child labour are rejected in every supply chain.") == [
        ("Canada", "oppose", "Forced labour and child labour", "stance.cue_predicate")
    ]


def test_a_capitalised_cue_inside_a_sentence_is_a_title():
    assert stances_of("We recall the Declaration on Preventing Maritime Incidents adopted last year.") == []


def test_call_on_those_yet_to_do_so_targets_the_act():
    assert found("We call on states that have yet to do so to ratify the mine ban treaty.") == [
        ("Canada", "support", "ratify the mine ban treaty", "stance.modal_should")
    ]


def test_a_news_headline_is_no_position():
    assert stances_of("Agency to curb wheat exports to lift prices") == []
    assert stances_of("Here is what you need to know about the summit.") == []


def test_a_named_addressee_of_a_call_is_part_of_the_target():
    assert found("We encourage the Arctic Council and the IMO to adopt a ban on heavy fuel oil.") == [
        (
            "Canada",
            "support",
            "Arctic Council and the IMO adopt a ban on heavy fuel oil",
            "stance.modal_should",
        )
    ]
    assert found("We urge all States to adopt a ban on heavy fuel oil.") == [
        ("Canada", "support", "adopt a ban on heavy fuel oil", "stance.modal_should")
    ]


def test_in_a_news_report_the_state_named_before_the_cue_holds_the_position():
    text = "Norway condemned the seizure of the tanker. The Prime Minister welcomed the new ferry link."
    meta = DocumentMeta(actor="Canada", genre="news_report")
    got = found(text, meta, entities=(state("Norway", text),))
    assert ("Norway", "oppose", "seizure of the tanker", "stance.cue_verb") in got
    assert ("Canada", "support", "new ferry link", "stance.cue_verb") in got
    # The same sentence in a speech is a report of another state, no position of the actor.
    assert found(text, DocumentMeta(actor="Canada", genre="speech"), entities=(state("Norway", text),)) == [
        ("Canada", "support", "new ferry link", "stance.cue_verb")
    ]


def test_a_cue_word_after_a_possessive_is_a_noun():
    assert stances_of("The minister's support of the plan was noted in the press.") == []


def test_a_without_clause_ends_the_target():
    assert found("We will continue to prevent the export of spyware, without limiting lawful trade.") == [
        ("Canada", "oppose", "export of spyware", "stance.modal_should")
    ]
