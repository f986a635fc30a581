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
