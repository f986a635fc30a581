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


# Rules added for unseen publishers -------------------------------------------------------

WRAPPED = """---
title: "Statement on the Quito Partnership\\_Meeting"
tags: statements-releases
---
The ministers met in Lisbon today and reviewed the progress of the Lisbon Digital
Cooperation Initiative, which the Group of Seven (G7) endorsed last spring. They recalled
Security Council resolution 2999 (2030) and General Assembly resolution 91/12, as well as
A/RES/91/12 and Resolution 1234 (XX) of the Assembly. The Council later renewed resolution
2999 in full, and resolutions 3001 and 3002 were noted.
SENIOR ADMINISTRATION OFFICIAL: Thank you.
"""


def test_resolutions_by_number_get_one_canonical_label():
    found = entities_by_label(WRAPPED)
    sc = found["Security Council resolution 2999"]
    assert sc.type == "Instrument" and sc.rule == "entity.pattern.resolution"
    assert [m.text for m in sc.mentions] == ["Security Council resolution 2999 (2030)", "resolution\n2999"]
    ga = found["General Assembly resolution 91/12"]
    assert [m.text for m in ga.mentions] == ["General Assembly resolution 91/12", "A/RES/91/12"]
    assert found["General Assembly resolution 1234 (XX)"].mentions[0].text == "Resolution 1234 (XX)"
    assert [m.text for m in found["Security Council resolution 3002"].mentions] == ["3002"]


def test_names_wrapped_over_lines_get_single_spaced_labels():
    found = entities_by_label(WRAPPED)
    lisbon = found["Lisbon Digital Cooperation Initiative"]
    assert lisbon.type == "Initiative" and lisbon.rule == "entity.pattern.head_noun"
    assert lisbon.mentions[0].text == "Lisbon Digital\nCooperation Initiative"


def test_front_matter_and_shouted_speaker_labels_are_not_names():
    doc = make_document(WRAPPED)
    found = extract_entities(doc, DocumentMeta(), load_gazetteer())
    front_end = WRAPPED.index("---\nThe") + 3
    assert all(m.start >= front_end for e in found for m in e.mentions)
    assert not any("Quito" in e.label or "OFFICIAL" in e.label for e in found)


def test_a_name_cited_with_its_acronym_keeps_that_citation_as_an_alias():
    g7 = entities_by_label(WRAPPED)["Group of Seven"]
    assert g7.rule == "entity.gazetteer"
    assert "Group of Seven (G7)" in g7.aliases


def test_persons_by_title_and_surname_resolve_to_the_full_name():
    text = (
        "President Vladimir Putin received the delegation. Later, President Putin said the talks "
        "went well. Foreign Minister Karin Holmqvist of Norway attended; Holmqvist said little. "
        "Secretary Yellen spoke by video link."
    )
    found = entities_by_label(text)
    putin = found["Vladimir Putin"]
    assert [m.text for m in putin.mentions] == ["Vladimir Putin", "Putin"]
    assert {"President Putin", "President Vladimir Putin"} <= set(putin.aliases)
    holmqvist = found["Karin Holmqvist"]
    assert [m.text for m in holmqvist.mentions] == ["Karin Holmqvist", "Holmqvist"]
    assert holmqvist.rule == "entity.person.name" and not holmqvist.in_gazetteer
    assert found["Janet Yellen"].mentions[0].text == "Yellen"
    assert found["Janet Yellen"].rule == "entity.person.surname"


def test_a_surname_shared_by_two_persons_of_the_document_stays_unresolved():
    text = "Minister Anna Lindqvist and Ambassador Erik Lindqvist met. Lindqvist spoke first."
    found = entities_by_label(text)
    assert [m.text for m in found["Anna Lindqvist"].mentions] == ["Anna Lindqvist"]
    assert [m.text for m in found["Erik Lindqvist"].mentions] == ["Erik Lindqvist"]


def test_inner_acronyms_posts_numbers_and_bound_connectors_stay_inside_names():
    text = (
        "Japan chairs the Hiroshima Artificial Intelligence (AI) Process this year. As the Chair of "
        "the Danube Water Fund, Hungary reported to the Conference of States Parties to the Tallinn "
        "Convention. During Kenya’s Group of 20 presidency, the Nordic Digital & Space Ministers’ "
        "Statement was issued."
    )
    found = entities_by_label(text)
    hiroshima = found["Hiroshima AI Process"]
    assert hiroshima.mentions[0].text == "Hiroshima Artificial Intelligence (AI) Process"
    assert found["Danube Water Fund"].type == "Initiative"
    assert found["Conference of States Parties to the Tallinn Convention"].type == "Forum"
    assert found["Group of Twenty"].mentions[0].text == "Group of 20"
    assert found["Kenya"].type == "State"
    assert found["Nordic Digital and Space Ministers' Statement"].type == "Instrument"


def test_headings_are_not_mentions_even_on_long_lines():
    heading = "Ocean Resilience Initiative\n\nThe Ocean Resilience Initiative grows."
    found = entities_by_label(heading)
    assert [m.start for m in found["Ocean Resilience Initiative"].mentions] == [
        heading.index("The Ocean") + 4
    ]
    one_line = "The Ocean Resilience Initiative grows. " * 2000
    assert len(entities_by_label(one_line)["Ocean Resilience Initiative"].mentions) == 2000


def test_quoted_titles_are_names_but_quoted_sentences_are_not():
    text = (
        "Canada funds the “Young Diplomats for Peace” programme and the “Ottawa\nOcean Fellows”"
        " network; the minister said “We Will Stay” and praised “the best of times”."
    )
    found = entities_by_label(text)
    assert found["Young Diplomats for Peace"].rule == "entity.pattern.quoted_title"
    assert found["Young Diplomats for Peace"].type == "Initiative"
    assert found["Ottawa Ocean Fellows"].mentions[0].text == "Ottawa\nOcean Fellows"
    assert "We Will Stay" not in found and not any("best" in label for label in found)


def test_a_forums_lower_case_summit_is_a_meeting_of_that_forum():
    text = "The leaders met after the Shanghai Cooperation Organisation (SCO) summit ended."
    found = entities_by_label(text)
    summit = found["Shanghai Cooperation Organisation Summit"]
    assert summit.type == "Forum" and summit.rule == "entity.pattern.forum_summit"
    assert summit.mentions[0].text == "Shanghai Cooperation Organisation (SCO) summit"


def test_a_meeting_named_with_its_place_is_also_cited_without_it():
    found = entities_by_label("Leaders gathered at the Nordic Water Summit in Reykjavik last week.")
    assert "Nordic Water Summit" in found["Nordic Water Summit in Reykjavik"].aliases


def test_a_shorter_form_of_a_persons_name_is_the_fullest_form():
    text = (
        "The greetings of President Juan Carlos Ortega Salinas were read out. Later, "
        "President Ortega Salinas proposed a dialogue; Juan Carlos Ortega said no more."
    )
    found = entities_by_label(text)
    ortega = found["Juan Carlos Ortega Salinas"]
    assert [m.text for m in ortega.mentions] == ["Juan Carlos Ortega Salinas", "Ortega Salinas"]
    assert "President Ortega Salinas" in ortega.aliases
    assert "Juan Carlos Ortega" not in found


def test_titles_of_other_languages_come_from_the_title_data():
    found = entities_by_label("Anförande av vice statsminister Karin Lindgren vid mötet i New York.")
    assert found["Karin Lindgren"].type == "Person"


def test_names_of_a_word_and_a_number_get_one_canonical_label():
    found = entities_by_label("Executive Order No. 14999 was cited at COP 41 and again at COP-41 and COP42.")
    order = found["Executive Order 14999"]
    assert order.type == "Instrument" and order.rule == "entity.pattern.numbered_name"
    assert [m.text for m in found["COP41"].mentions] == ["COP 41", "COP-41"]
    assert found["COP42"].type == "Forum"


def test_the_documents_speaker_is_a_person_wherever_named():
    text = (
        "Opinion\nHelena Marsh\n(The Daily Courier)\nOur region needs trade. Helena Marsh has long argued so."
    )
    found = entities_by_label(text, DocumentMeta(speaker="Helena Marsh"))
    marsh = found["Helena Marsh"]
    assert marsh.type == "Person" and marsh.rule == "entity.person.speaker"
    assert len(marsh.mentions) == 2


def test_qualified_known_names_resolve_and_known_names_with_a_topic_stay_apart():
    text = (
        "We support the Group of Seven's Hiroshima AI Process and the Chinese Belt and Road "
        "Initiative, the 2015 Minsk Agreements and the Sustainable Development Goals of the U.N. "
        "We heard the European Union on the Syrian Arab Republic, and the IMF and World Bank. "
        "Joining the Lagos Pact for Coastal Towns is easy. Fifty years ago the U.N. General "
        "Assembly adopted Resolution 2758 with a large majority."
    )
    found = entities_by_label(text)
    assert [m.text for m in found["Hiroshima AI Process"].mentions] == ["Hiroshima AI Process"]
    assert found["Group of Seven"].mentions[0].text == "Group of Seven"
    assert found["Belt and Road Initiative"].type == "Initiative"
    assert found["Minsk agreements"].type == "Instrument"
    assert "Sustainable Development Goals of the U.N" in found["Sustainable Development Goals"].aliases
    assert "Lagos Pact for Coastal Towns" in found
    assert found["General Assembly resolution 2758"].mentions[0].text == "Resolution 2758"
    labels = set(found)
    assert not {"European Union on the Syrian Arab Republic", "IMF and World Bank"} & labels
    assert not any(label.startswith("Joining") for label in labels)


def test_a_un_office_is_a_forum_and_a_national_office_an_organization():
    found = entities_by_label("The UN Ocean Data Office and the Ruritanian Ocean Data Office met.")
    assert found["UN Ocean Data Office"].type == "Forum"
    assert found["Ruritanian Ocean Data Office"].type == "Organization"


def test_a_surname_that_names_one_person_alone_needs_no_full_name():
    found = entities_by_label("Talks went on. Putin and Lavrov spoke; May was warm and Power was out.")
    assert found["Vladimir Putin"].mentions[0].text == "Putin"
    assert found["Sergey Lavrov"].rule == "entity.person.surname"
    assert "Theresa May" not in found and "Samantha Power" not in found
