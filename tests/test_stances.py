from extraction_helpers import make_document

from loaders.records import DocumentMeta
from loaders.stances import classify_topic, extract_stances

META = DocumentMeta(actor="Canada", date="2023-10-12")


def stances_of(text: str):
    return [(s.polarity, s.target) for s in extract_stances(make_document(text), META, ())]


def test_coordinated_targets_are_split():
    found = stances_of(
        "Canada opposes the abuse of ICTs, cyber-surveillance and attacks, and opposes an arms race in cyberspace."
    )
    assert ("oppose", "cyber-surveillance") in found
    assert ("oppose", "cyber-attacks") in found
    assert ("oppose", "an arms race in cyberspace") in found or ("oppose", "arms race in cyberspace") in found


def test_positions_reported_of_others_are_not_the_actors():
    assert stances_of("Certain countries have imposed unilateral sanctions and promote decoupling.") == []
    assert stances_of("The Group stresses that trade should not be hindered.") == []


def test_calls_on_others_to_stop_are_opposition():
    found = stances_of("Canada calls on the parties concerned to stop the militarization of the Arctic.")
    assert ("oppose", "the militarization of the Arctic") in found or (
        "oppose",
        "militarization of the Arctic",
    ) in found


def test_normative_frames_are_support_and_negated_ones_opposition():
    found = stances_of(
        "It is necessary to narrow the digital divide. Outer space should not become a battlefield."
    )
    assert ("support", "narrow the digital divide") in found
    assert ("oppose", "Outer space should not become a battlefield") in found


def test_stance_records_carry_evidence_topic_and_date():
    (stance,) = extract_stances(
        make_document("Canada firmly supports the peaceful uses of outer space."), META, ()
    )
    assert stance.holder == "Canada" and stance.polarity == "support"
    assert stance.topic == "outer-space" and stance.date == "2023-10-12"
    assert stance.evidence.text == "Canada firmly supports the peaceful uses of outer space."


def test_topics_come_from_the_skos_scheme():
    assert classify_topic("export control blacklists") == "export-controls"
    assert classify_topic("lethal autonomous weapons systems") == "military-ai"
    assert classify_topic("weather") is None
