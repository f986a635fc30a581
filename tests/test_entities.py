from extraction_helpers import make_document

from loaders.entities import derived_key, extract_entities
from loaders.gazetteer import load_gazetteer
from loaders.records import DocumentMeta

SPEECH = """Statement by Ambassador Jane Doe of Canada at the First Committee

Mr. Chair,

Canada supports the Open-ended Working Group on Security of and in the Use of ICTs. Last year the Halifax Declaration on Responsible Space Behaviour was adopted by twelve states. The Halifax Declaration on Responsible Space Behaviour (HDRSB) builds on the Outer Space Treaty. We call on all states to join the HDRSB and to support the Global Initiative on Data Security where it respects privacy.
The Committee should also take up the Treaty on the Non-Proliferation of Nuclear Weapons (NPT) review cycle.
"""


def entities_by_label(text: str, meta: DocumentMeta | None = None):
    doc = make_document(text)
    found = extract_entities(doc, meta or DocumentMeta(), load_gazetteer())
    for entity in found:
        for mention in entity.mentions:
            assert doc.text[mention.start : mention.end] == mention.text
    return {e.label: e for e in found}


def test_gazetteer_entities_states_and_persons_are_found():
    found = entities_by_label(SPEECH)
    assert found["Canada"].type == "State"
    assert found["Jane Doe"].type == "Person"
    assert found[load_gazetteer().lookup("Outer Space Treaty").label].type == "Instrument"
    assert found["Global Initiative on Data Security"].type == "Initiative"
    assert found["Treaty on the Non-Proliferation of Nuclear Weapons"].type == "Instrument"
    assert "NPT" in found["Treaty on the Non-Proliferation of Nuclear Weapons"].acronyms


def test_unknown_names_are_found_by_shape_and_acronyms_are_learned():
    found = entities_by_label(SPEECH)
    halifax = found["Halifax Declaration on Responsible Space Behaviour"]
    assert halifax.type == "Instrument"
    assert not halifax.in_gazetteer
    # The definition "(HDRSB)" makes every later HDRSB a mention of the same thing.
    assert [m.text for m in halifax.mentions].count("HDRSB") == 2
    assert len(halifax.mentions) == 4


def test_the_documents_forum_short_form_is_resolved():
    found = entities_by_label(
        SPEECH, DocumentMeta(forum="First Committee of the United Nations General Assembly")
    )
    first_committee = found["First Committee of the United Nations General Assembly"]
    assert "Committee" in [m.text for m in first_committee.mentions]


def test_derived_keys_do_not_depend_on_word_order():
    assert derived_key("Ottawa Digital Trust Initiative", "Initiative") == derived_key(
        "Digital Trust Initiative of Ottawa", "Initiative"
    )


def test_coordinated_names_are_split():
    found = entities_by_label(
        "They prepared the Tenth Review Conference of the NPT and the Ninth Review Conference of the BWC."
    )
    labels = set(found)
    assert any(label.startswith("Tenth Review Conference") for label in labels)
    assert any(label.startswith("Ninth Review Conference") for label in labels)
