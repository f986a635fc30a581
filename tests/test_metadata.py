from extraction_helpers import make_document

from loaders.gazetteer import load_gazetteer
from loaders.metadata import extract_metadata

SPEECH = """Remarks by Ambassador Jane Doe of Canada at the UN Security Council Open Debate on Cyber Threats

2023-03-14 10:00

Mr. President,

Canada thanks the presidency. The Council must act.

Thank you, Mr. President.
"""

NEWS = """Maple News Agency, Geneva, June 4 (MNA) -- Jane Doe, Permanent Representative of Canada to the United Nations, said that the Conference on Disarmament should resume work. Jane Doe said that Canada opposes an arms race in outer space.
"""

PAPER = """Canada's Views on Responsible Behaviour in Outer Space

November 2024

I. Summary

Canada submits these views to the Secretary-General.

II. Recommendations

Canada supports transparency.
"""


def meta_of(text: str, sidecar: dict | None = None):
    return extract_metadata(make_document(text, sidecar=sidecar), load_gazetteer())


def test_speech_metadata_from_the_text():
    meta = meta_of(SPEECH)
    assert meta.title.startswith("Remarks by Ambassador Jane Doe of Canada")
    assert (meta.date, meta.datetime) == ("2023-03-14", "2023-03-14T10:00")
    assert (meta.genre, meta.actor, meta.speaker) == ("speech", "Canada", "Jane Doe")
    assert meta.forum == "United Nations Security Council"


def test_news_report_without_year_needs_a_sidecar():
    meta = meta_of(NEWS)
    assert (meta.genre, meta.actor, meta.speaker, meta.date) == ("news_report", "Canada", "Jane Doe", None)
    with_sidecar = meta_of(NEWS, {"date": "2021-06-04", "forum": "Conference on Disarmament"})
    assert (with_sidecar.date, with_sidecar.forum) == ("2021-06-04", "Conference on Disarmament")


def test_position_paper_has_month_precision_and_no_speaker():
    meta = meta_of(PAPER)
    assert (meta.genre, meta.date, meta.actor, meta.speaker) == ("position_paper", "2024-11", "Canada", None)


# ---------------------------------------------------------------------------------------
# Rules read from ontology/ data: genres, publishers, person titles, groups. Every text
# below is written for these tests.

from loaders.records import Document  # noqa: E402


def page(text: str, source: str = "page.txt", sidecar: dict | None = None):
    """Metadata of a page as the reader would hand it over (front matter blanked in body)."""
    from loaders.cleaning import blank_boilerplate

    doc = Document(
        doc_id="t",
        source=source,
        text=text,
        body=blank_boilerplate(text),
        media_type="text/plain",
        sha256="0",
        sidecar=sidecar or {},
    )
    return extract_metadata(doc, load_gazetteer())


def front(url: str, title: str, date: str = "2024-03-05", tags: str = "statements-releases") -> str:
    return f"---\ndate: '{date}'\nsource_url: {url}\ntags: {tags}\ntitle: \"{title}\"\n---\n \n"


WH = "https://www.whitehouse.gov/briefing-room/statements-releases/2024/03/05/x/"


def test_readout_speaks_for_the_publishing_side_not_the_first_state_named():
    text = front(WH, "Readout of President Joe Biden\\u2019s Call with President Lula of Brazil") + (
        "President Joseph R. Biden, Jr. spoke today with President Lula of Brazil. The leaders "
        "discussed Brazil's plans for the coming summit and Brazil's role in the region.\n"
    )
    meta = page(text)
    assert (meta.genre, meta.actor, meta.speaker, meta.forum) == ("readout", "United States", None, None)
    assert (meta.date, meta.publisher) == ("2024-03-05", "The White House")
    assert meta.title == "Readout of President Joe Biden’s Call with President Lula of Brazil"


def test_readout_without_a_known_site_takes_the_state_of_the_titled_person():
    meta = meta_of(
        "Readout of President Joe Biden's Meeting with Prime Minister Narendra Modi of India\n\n"
        "The two leaders met on the margins of the summit. India and the United States agreed to meet again.\n"
    )
    assert (meta.genre, meta.actor, meta.speaker) == ("readout", "United States", None)


def test_statement_from_a_titled_official_names_the_speaker():
    text = front(
        WH, "Statement from National Security Advisor Jake Sullivan on the Launch of a Partnership"
    ) + (
        "Today, the United States and Kenya launched a partnership on cyber capacity building. Kenya "
        "has been a leader in the region.\n"
    )
    meta = page(text)
    assert (meta.genre, meta.actor, meta.speaker) == ("statement", "United States", "Jake Sullivan")


def test_remarks_by_a_surname_complete_the_name_and_find_the_forum_in_the_title():
    url = "https://www.whitehouse.gov/briefing-room/speeches-remarks/2024/03/05/remarks/"
    text = front(
        url,
        "Remarks by Vice President Harris at the United Nations Security Council",
        tags="speeches-remarks",
    )
    text += "THE VICE PRESIDENT: Thank you, Mr. President. Russia and China must hear us.\n"
    meta = page(text)
    assert (meta.genre, meta.actor, meta.speaker) == ("speech", "United States", "Kamala Harris")
    assert meta.forum == "United Nations Security Council"


def test_press_call_transcript_by_its_speaker_labels_has_no_speaker():
    lines = ["Via Teleconference", ""]
    for k in range(3):
        lines += [f"MODERATOR: Next question, number {k}.", "", "Q: Thank you. What about Ruritania?", ""]
        lines += ["SENIOR ADMINISTRATION OFFICIAL: We will not comment on that today.", ""]
    meta = meta_of("\n".join(lines))
    assert (meta.genre, meta.speaker) == ("transcript", None)


def test_fact_sheet_is_a_press_release():
    meta = meta_of(
        "FACT SHEET: Partners Launch a Network for Safe Satellites\n\nToday, twelve partners launched a network.\n"
    )
    assert meta.genre == "press_release"


def test_joint_statement_of_the_p5_has_the_group_as_actor():
    meta = meta_of(
        "Joint Statement of the Leaders of the Five Nuclear-Weapon States on Preventing an Arms Race in Space\n\n"
        "The People's Republic of China, the French Republic, the Russian Federation, the United Kingdom "
        "and the United States of America consider the avoidance of war a primary responsibility.\n"
    )
    assert (meta.genre, meta.actor, meta.speaker, meta.forum) == ("joint_statement", "P5", None, None)


def test_leaders_who_met_make_their_group_the_actor_and_its_summit_the_forum():
    meta = meta_of(
        "G7 Leaders' Statement on Undersea Cables\n\n"
        "We, the Leaders of the G7, met in Apulia and reaffirm our commitment to secure undersea cables. "
        "Russia's attacks on infrastructure are unacceptable.\n"
    )
    assert (meta.genre, meta.actor, meta.forum) == ("joint_statement", "Group of Seven", "G7 Summit")
    unmet = meta_of(
        "G7 Leaders' Statement on Undersea Cables\n\nWe, the Leaders of the G7, welcome the cable initiative.\n"
    )
    assert (unmet.actor, unmet.forum) == ("Group of Seven", None)


def test_general_debate_file_convention_gives_actor_year_and_forum():
    text = "Mr. President,\n\nWe meet at a time of war. Our country supports the Charter and all of its principles.\n"
    meta = page(text, source="corpus/Session 78 - 2023/FRA_78_2023.txt")
    assert (meta.genre, meta.actor, meta.date) == ("speech", "France", "2023")
    assert (meta.forum, meta.speaker) == ("United Nations General Assembly", None)
    # A year that is not 1945 + session is no such file name: France is then only named,
    # and the year of the name is only the last resort for an undated text.
    other = page(text, source="FRA_78_2019.txt")
    assert other.forum is None and other.date == "2019"


def test_a_year_in_the_file_name_dates_only_a_text_without_a_date():
    text = "We meet again in a difficult year. Our country supports dialogue and restraint.\n"
    assert page(text, source="archive/minister_address_2017.txt").date == "2017"
    assert page(text, source="archive/review_2015-2017.txt").date is None  # two years: no guess
    dated = "Geneva, 4 May 2016\n\n" + text
    assert page(dated, source="archive/minister_address_2017.txt").date == "2016-05-04"


def test_headerless_speech_in_the_first_person_finds_the_assembly_and_the_session_year():
    paragraph = (
        "We have come here with a message of hope. Our nation believes that we can act together, and I "
        "say to all of you that our work is not done. We stand ready to help and we will keep our word. "
    )
    text = (
        "Let me congratulate the President of the 80th session on his election.\n"
        + (paragraph * 6)
        + "\nI am proud to speak here in the General Assembly on behalf of my country.\n"
    )
    meta = meta_of(text)
    assert (meta.genre, meta.forum, meta.date) == ("speech", "United Nations General Assembly", "2025")


def test_op_ed_author_is_the_speaker_and_the_state_served_is_the_actor():
    text = (
        "Opinion\n"
        "Why open sea lanes matter to all of us\n"
        "Freedom of navigation keeps trade moving for every nation around the ocean.\n"
        "Col. Erik Dahl\n"
        "(The Jakarta Post)\n"
        "Jakarta\n"
        "Mon, March 4, 2024\n"
        "http://www.thejakartapost.com/opinion/2024/03/04/why-open-sea-lanes-matter.html\n"
        "Trade depends on open sea lanes. Indonesia and its neighbours know this well.\n"
        "Indonesia has long supported the law of the sea, and Indonesia can lead.\n"
        "***\n"
        "The writer is the defence attaché at the Embassy of Norway in Indonesia.\n"
    )
    meta = page(text)
    assert (meta.genre, meta.speaker, meta.actor) == ("op_ed", "Erik Dahl", "Norway")
    assert (meta.forum, meta.publisher, meta.date) == (None, "The Jakarta Post", "2024-03-04")


def test_swedish_ministry_speech_tal_av():
    text = (
        "Tal av utrikesminister Anna Berg vid FN:s säkerhetsråd\n\n"
        "Tal av utrikesminister Anna Berg vid FN:s säkerhetsråd, Security Council, i New York den 12 maj 2023.\n\n"
        "President,\n\nSweden supports the Council. Russia must withdraw.\n\n"
        "https://www.regeringen.se/tal/2023/05/tal-av-utrikesminister/\n"
    )
    meta = page(text)
    assert (meta.genre, meta.speaker, meta.actor, meta.date) == (
        "speech",
        "Anna Berg",
        "Sweden",
        "2023-05-12",
    )
    assert meta.forum == "United Nations Security Council"


def test_news_report_speaker_is_the_person_it_is_about():
    text = (
        "Ruritania and Norway sign fishing deal\n"
        "Prime Minister Jonas Gahr Store visited Oslo harbour on Monday.\n"
        "Staff Writer\n"
        "(Nordic News/ANN)\n"
        "Oslo\n"
        "Tue, May 7, 2024\n"
        "Store said that the deal was fair. Store stated that Norway supports open fisheries.\n"
        "President Anna Berg of Sweden attended. Store added that talks would go on.\n"
    )
    meta = page(text)
    assert (meta.genre, meta.speaker) == ("news_report", "Jonas Gahr Store")


def test_a_newspaper_headline_naming_a_speech_is_a_news_report():
    text = (
        "Minister's speech on sea lanes draws praise\n"
        "Delegates welcomed the address.\n"
        "Staff Writer\n"
        "Jakarta\n"
        "Thu, June 6, 2024\n"
        "https://www.thejakartapost.com/world/2024/06/06/ministers-speech.html\n"
        "Foreign Minister Retno Marsudi said that Indonesia supports open sea lanes. Marsudi said that talks go on.\n"
    )
    meta = page(text)
    assert (meta.genre, meta.publisher, meta.speaker) == ("news_report", "The Jakarta Post", "Retno Marsudi")
    assert meta.actor == "Indonesia"


def test_a_readout_naming_an_official_by_surname_speaks_for_that_official_s_state():
    meta = meta_of(
        "Readout of Secretary Blinken's Call with Foreign Minister Wang Yi\n\n"
        "The Secretary spoke with Foreign Minister Wang Yi about China's support for Russia.\n"
    )
    assert (meta.genre, meta.actor, meta.speaker) == ("readout", "United States", None)
