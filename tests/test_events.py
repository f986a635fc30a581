from extraction_helpers import make_document

from loaders.dates import find_dates
from loaders.entities import extract_entities
from loaders.events import extract_events
from loaders.gazetteer import load_gazetteer
from loaders.metadata import extract_metadata

TEXT = """Statement by Canada at the First Committee

2023-10-12

In March 2019, Canada launched the Ottawa Digital Trust Initiative. The Treaty on Responsible Use of Orbital Space (TRUOS), initially submitted to the Conference on Disarmament in 2015 and updated in 2018, remains on the table. Last July, experts agreed on the Halifax Guidelines for Space Operators. Canada also supports the Global Initiative on Data Security.
"""


def events_of(text: str):
    doc = make_document(text)
    gaz = load_gazetteer()
    meta = extract_metadata(doc, gaz)
    entities = extract_entities(doc, meta, gaz)
    return extract_events(doc, meta, entities, find_dates(doc.body, meta.date))


def test_dated_events_with_subject_type_and_evidence():
    found = {(e.type, e.subject, e.date) for e in events_of(TEXT)}
    assert ("launch", "Ottawa Digital Trust Initiative", "2019-03") in found
    assert ("submit", "Treaty on Responsible Use of Orbital Space", "2015") in found
    assert ("update", "Treaty on Responsible Use of Orbital Space", "2018") in found
    # "Last July" in a statement of October 2023 is July 2023.
    assert ("adopt", "Halifax Guidelines for Space Operators", "2023-07") in found


def test_undated_mentions_are_not_events():
    assert not [e for e in events_of(TEXT) if e.subject == "Global Initiative on Data Security"]


def test_event_evidence_is_the_sentence_and_the_actor_the_subject_state():
    (launch,) = [e for e in events_of(TEXT) if e.type == "launch"]
    assert launch.actor == "Canada"
    assert launch.evidence.text.startswith("In March 2019, Canada launched")
    assert TEXT[launch.evidence.start : launch.evidence.end] == launch.evidence.text


# -- one test per rule, on entities given directly (the entity stage is tested elsewhere) --

from loaders.records import DocumentMeta, Entity, Span  # noqa: E402


def entity(text: str, label: str, type_: str, *surfaces: str) -> Entity:
    """An entity with a mention at every occurrence of each surface form in ``text``."""
    spans = []
    for surface in surfaces or (label,):
        start = text.find(surface)
        while start >= 0:
            spans.append(Span(start, start + len(surface), surface))
            start = text.find(surface, start + 1)
    key = label.lower().replace(" ", "-")
    return Entity(key=key, label=label, type=type_, mentions=tuple(sorted(spans, key=lambda s: s.start)))


def run(text: str, date: str | None, *entities: tuple) -> set[tuple[str, str, str, str]]:
    doc = make_document(text)
    meta = DocumentMeta(date=date, actor="Norway")
    found = tuple(entity(text, *e) for e in entities)
    events = extract_events(doc, meta, found, find_dates(doc.body, date))
    for e in events:
        assert doc.text[e.evidence.start : e.evidence.end] == e.evidence.text
    return {(e.type, e.subject, e.date or "", e.rule) for e in events}


PLEDGE = ("Baltic Cable Pledge", "Initiative")
COMPACT = ("Reef Compact", "Instrument")
SUMMIT = ("Arctic Water Summit", "Forum")
COUNCIL = ("Harbour Council", "Forum")


def test_trigger_dated_in_its_sentence():
    text = "In June 2021, Norway launched the Baltic Cable Pledge."
    assert run(text, "2024-03-05", PLEDGE) == {
        ("launch", "Baltic Cable Pledge", "2021-06", "event.trigger.launch")
    }


def test_today_dates_a_trigger_by_the_document():
    text = "Today, Norway and Chile launched the Baltic Cable Pledge."
    assert run(text, "2024-03-05", PLEDGE) == {
        ("launch", "Baltic Cable Pledge", "2024-03-05", "event.trigger.launch")
    }


def test_present_form_after_a_first_person_or_future_subject_is_an_act_of_today():
    assert run("I would like to propose a Reef Compact for all coastal states.", "2024-03-05", COMPACT) == {
        ("propose", "Reef Compact", "2024-03-05", "event.trigger.propose.now")
    }
    assert run("Norway will sign the Reef Compact at the ceremony.", "2024-03-05", COMPACT) == {
        ("sign", "Reef Compact", "2024-03-05", "event.trigger.sign.now")
    }


def test_present_form_without_such_a_subject_is_no_event():
    # "update" here is a noun; no first-person or future subject makes it an act.
    assert run("Any update of the Reef Compact in 2025 would be welcome.", "2024-03-05", COMPACT) == set()


def test_scheduled_meeting_hosted_in_a_future_year():
    text = "That is why Norway will host the Arctic Water Summit in 2027."
    assert run(text, "2024-03-05", SUMMIT) == {("host", "Arctic Water Summit", "2027", "event.trigger.host")}


def test_agent_triggers_take_the_entity_before_the_verb():
    assert run("The Reef Compact entered into force on 1 July 2023.", "2024-03-05", COMPACT) == {
        ("enter_into_force", "Reef Compact", "2023-07-01", "event.trigger.enter_into_force")
    }
    assert run("The Harbour Council will meet in Oslo next month.", "2024-03-05", COUNCIL) == {
        ("meet", "Harbour Council", "2024-04", "event.trigger.meet")
    }


def test_a_body_holding_an_unnamed_meeting_convenes():
    text = "The Harbour Council held an open meeting on shipping on the 4th."
    assert run(text, "2024-03-05", COUNCIL) == {
        ("convene", "Harbour Council", "2024-03-04", "event.trigger.convene")
    }


def test_veto_of_an_instrument():
    text = "In May 2022, one member vetoed the Coastal Trade Resolution."
    found = run(text, "2024-03-05", ("Coastal Trade Resolution", "Instrument"))
    assert found == {("veto", "Coastal Trade Resolution", "2022-05", "event.trigger.veto")}


def test_the_agent_of_a_passive_is_not_its_subject():
    text = "The Reef Compact was joined by the Harbour Council in 2023."
    assert run(text, "2024-03-05", COMPACT, COUNCIL) == {
        ("join", "Reef Compact", "2023", "event.trigger.join")
    }


def test_a_name_that_modifies_an_unnamed_meeting_is_not_the_subject():
    text = "The talks followed the Harbour Council summit that Oslo hosted on Sunday."
    assert run(text, "2024-03-05", COUNCIL) == set()


def test_a_participle_after_an_unknown_name_does_not_reach_the_names_after_it():
    text = "Building on the Ministers' Harbour Statement issued on 7 May 2023, we welcome the Reef Compact."
    assert run(text, "2024-03-05", COMPACT) == set()


def test_date_of_the_sentence_before_in_the_same_paragraph():
    text = "In March 2021. We announced the Baltic Cable Pledge."
    assert run(text, "2024-03-05", PLEDGE) == {
        ("announce", "Baltic Cable Pledge", "2021-03", "event.trigger.announce.paragraph_date")
    }
    assert run("In March 2021.\n\nWe announced the Baltic Cable Pledge.", "2024-03-05", PLEDGE) == set()


def test_meeting_named_with_its_date():
    text = "We look forward to the Arctic Water Summit on November 3."
    assert run(text, "2024-10-20", SUMMIT) == {
        ("convene", "Arctic Water Summit", "2024-11-03", "event.dated_subject")
    }
    text = "We prepare for next year's Arctic Water Summit."
    assert run(text, "2024-10-20", SUMMIT) == {
        ("convene", "Arctic Water Summit", "2025", "event.dated_subject")
    }


def test_recent_meeting_is_dated_by_the_document_year():
    text = "Nothing was agreed at the recent Review Conference of the Reef Compact."
    review = ("Review Conference of the Reef Compact", "Forum")
    assert run(text, "2024-10-20", review) == {
        ("convene", "Review Conference of the Reef Compact", "2024", "event.dated_subject.recent")
    }


def test_a_standing_body_named_with_a_date_is_no_meeting():
    text = "The paper went to the Conference on Coastal Trade in 2019 for discussion."
    assert run(text, "2024-10-20", ("Conference on Coastal Trade", "Forum")) == set()


def test_meeting_of_the_body_named_before():
    text = "The Harbour Council voiced concern at its 2009 summit in Bergen."
    assert run(text, "2024-10-20", COUNCIL) == {
        ("convene", "Harbour Council", "2009", "event.dated_subject.owner")
    }


def test_a_date_that_repeats_a_more_precise_one_is_one_event():
    text = "The Arctic Water Summit in November 2022 opened in Bergen on 16 November 2022."
    assert run(text, "2024-03-05", SUMMIT) == {
        ("convene", "Arctic Water Summit", "2022-11", "event.dated_subject")
    }


def test_coordinated_dates_are_one_event_each_and_a_later_phrase_dates_nothing():
    text = "The Harbour Council was set up in 2017, and again in 2022."
    assert run(text, "2024-03-05", COUNCIL) == {
        ("establish", "Harbour Council", "2017", "event.trigger.establish"),
        ("establish", "Harbour Council", "2022", "event.trigger.establish"),
    }
    text = "The Reef Compact, signed in Oslo on 3 May 2001, and the protocol of 9 June 2002 stand."
    assert run(text, "2024-03-05", COMPACT) == {("sign", "Reef Compact", "2001-05-03", "event.trigger.sign")}


def test_a_date_behind_the_next_clause_is_not_the_triggers():
    text = "The Harbour Council met in Bergen, which in 1945 was a small port."
    assert run(text, "2024-03-05", COUNCIL) == set()


def test_a_participle_after_a_known_name_takes_that_name():
    text = "We recall the Reef Compact issued on 3 May 2021 and welcome the Baltic Cable Pledge."
    assert run(text, "2024-03-05", COMPACT, PLEDGE) == {
        ("release", "Reef Compact", "2021-05-03", "event.trigger.release")
    }


def test_a_gerund_after_a_name_does_not_describe_it():
    text = "Today the minister spoke at the Harbour Council, formally putting forth the Baltic Cable Pledge."
    assert run(text, "2024-03-05", COUNCIL, PLEDGE) == {
        ("launch", "Baltic Cable Pledge", "2024-03-05", "event.trigger.launch")
    }


def test_a_name_with_its_acronym_before_an_unnamed_summit_is_not_the_subject():
    text = "The talks followed the Harbour Council (HC) summit that Oslo hosted on Sunday."
    assert run(text, "2024-03-05", ("Harbour Council", "Forum", "Harbour Council", "HC")) == set()


def test_a_plain_present_with_we_is_no_act_of_today():
    text = "When we establish the Harbour Council, trade will follow."
    assert run(text, "2024-03-05", COUNCIL) == set()


def test_only_a_fragment_before_dates_the_next_sentence():
    text = "In March 2021 the weather in Oslo was mild for the season. We announced the Baltic Cable Pledge."
    assert run(text, "2024-03-05", PLEDGE) == set()


def test_a_participle_after_a_determiner_is_an_adjective():
    text = "In 2019 the established Harbour Council practice remained firm."
    assert run(text, "2024-03-05", COUNCIL) == set()


def test_meeting_a_challenge_is_no_meeting():
    assert run("The Harbour Council will meet the challenges of the century.", "2024-03-05", COUNCIL) == set()


def test_a_means_clause_after_the_trigger_is_not_its_object():
    text = "In 2017, Norway joined the coalition by providing funds to the Harbour Council."
    assert run(text, "2024-03-05", COUNCIL) == set()


def test_a_participle_after_a_common_noun_has_that_noun_as_subject():
    text = "Under the Reef Compact of 2001, the message issued yesterday was clear."
    assert run(text, "2024-03-05", COMPACT) == set()


def test_the_object_of_a_relative_clause_is_the_name_before_its_pronoun():
    text = "We use the Baltic Cable Pledge, which I launched last year with the Harbour Council."
    assert run(text, "2024-03-05", PLEDGE, COUNCIL) == {
        ("launch", "Baltic Cable Pledge", "2023", "event.trigger.launch")
    }
    text = "We use a fund which I established last year with the Harbour Council."
    assert run(text, "2024-03-05", COUNCIL) == set()
    text = "We note that Norway launched the Baltic Cable Pledge in 2020."
    assert run(text, "2024-03-05", PLEDGE) == {
        ("launch", "Baltic Cable Pledge", "2020", "event.trigger.launch")
    }


def test_an_agent_trigger_in_the_present_is_dated_by_its_sentence():
    assert run("The Reef Compact expires in February 2026.", "2024-03-05", COMPACT) == {
        ("expire", "Reef Compact", "2026-02", "event.trigger.expire")
    }
    assert run("The Reef Compact expires soon.", "2024-03-05", COMPACT) == set()


def test_agreeing_on_no_named_instrument_is_the_forums_agreement():
    text = "In June 2021, the Harbour Council leaders agreed on the importance of open sea lanes."
    assert run(text, "2024-03-05", COUNCIL) == {
        ("agree", "Harbour Council", "2021-06", "event.trigger.agree")
    }
    text = "In June 2021, the Harbour Council agreed on the Reef Compact."
    assert run(text, "2024-03-05", COUNCIL, COMPACT) == {
        ("adopt", "Reef Compact", "2021-06", "event.trigger.adopt")
    }


def test_an_unnamed_meeting_at_a_place_is_the_documents_meeting_named_after_it():
    text = (
        "The call follows the leaders' meeting in Tromso, Norway in May 2023. "
        "They reviewed what was agreed at the Tromso Summit."
    )
    found = run(text, "2024-03-05", ("Tromso Summit", "Forum"))
    assert found == {("convene", "Tromso Summit", "2023-05", "event.dated_subject.place")}
    # Two meetings of the document in one place: no guess.
    text += " The Tromso Ministerial Summit follows."
    found = run(text, "2024-03-05", ("Tromso Summit", "Forum"), ("Tromso Ministerial Summit", "Forum"))
    assert found == set()


def test_as_before_a_participle_keeps_it_on_the_name():
    text = "The Reef Compact as agreed to today is a plan built on the Harbour Charter."
    found = run(text, "2024-03-05", COMPACT, ("Harbour Charter", "Instrument"))
    assert found == {("adopt", "Reef Compact", "2024-03-05", "event.trigger.adopt")}


def test_joining_forces_or_independence_is_no_joining():
    assert run("In 1975, the states will join together in the Harbour Council.", "1975", COUNCIL) == set()
    text = "Since its accession to independence in 1975 and its admission to the Harbour Council, Ruritania grew."
    assert run(text, "1990", COUNCIL) == set()
