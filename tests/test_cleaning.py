"""Boilerplate blanking: which lines go, which stay, and that offsets never move."""

from __future__ import annotations

from pathlib import Path

import pytest

from loaders.cleaning import (
    blank_boilerplate,
    blank_spans,
    boilerplate_spans,
    dominant_script,
    is_boilerplate_line,
)

CORPUS = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus"


def blanked_and_kept(text: str, **options: object) -> tuple[list[str], list[str]]:
    body = blank_boilerplate(text, **options)  # type: ignore[arg-type]
    assert len(body) == len(text)
    blanked, kept = [], []
    for original, cleaned in zip(text.splitlines(), body.splitlines(), strict=True):
        if not original.strip():
            continue
        shown = " ".join(original.split())  # the sample pages use no-break spaces
        if cleaned.strip():
            assert cleaned == original, "lines are blanked whole or not at all"
            kept.append(shown)
        else:
            assert cleaned == " " * len(original)
            blanked.append(shown)
    return blanked, kept


# A ministry press release copied from a browser window: the menu, breadcrumb, language
# switcher, cookie notice, share bar, pager and footer came along with the text.
PRESS_RELEASE = """\
Skip to main content
MINISTRY OF FOREIGN AFFAIRS OF RURITANIA
Home | About Us | Newsroom | Foreign Policy | Consular Services | Contact
English | Français | Español | Русский | العربية | 中文
You are here: Home » Newsroom » Press releases
We use cookies to give you the best experience. By using our website you accept our cookie policy.
Statements and Speeches of the Minister for Foreign Affairs
Press release 214/2024
Updated: 2024-11-06 09:30
Share this article: Facebook Twitter LinkedIn Email Print
The Minister welcomed the adoption of the resolution and said that States should share
information on cyber incidents and print fewer reports on paper. Ruritania opposes an arms race.
Copyright protection of software should not block cooperation on ICT security.
Tags: cyber, outer space, United Nations
[Photo/Xinhua]
Editor: Li Wei
« First ‹ Previous 1 2 3 Next › Last »
Page 3 of 10
Most Popular Stories
Back to top
Follow us on WeChat Weibo
© 2024 Ministry of Foreign Affairs of Ruritania. All rights reserved.
京ICP备05070218号
"""


def test_press_release_junk_goes_and_metadata_stays() -> None:
    blanked, kept = blanked_and_kept(PRESS_RELEASE)
    assert kept == [
        "MINISTRY OF FOREIGN AFFAIRS OF RURITANIA",
        "Statements and Speeches of the Minister for Foreign Affairs",
        "Press release 214/2024",
        "Updated: 2024-11-06 09:30",
        "The Minister welcomed the adoption of the resolution and said that States should share",
        "information on cyber incidents and print fewer reports on paper. Ruritania opposes an arms race.",
        "Copyright protection of software should not block cooperation on ICT security.",
    ]
    assert blanked[0] == "Skip to main content"
    assert blanked[-1] == "京ICP备05070218号"
    assert len(blanked) == 16


NEWS_PAGE = """\
Global Edition | US | Europe | Asia
World > Asia-Pacific > China
Opinion
2022-05-23 13:25
China Daily | Updated: 2022-05-23 13:25
The State Council Information Office of the People's Republic of China November 2025
Zhang Jun said that the technological divide is widening.
(End)
-- END --
###
"""


def test_news_page_datelines_and_bylines_are_kept() -> None:
    blanked, kept = blanked_and_kept(NEWS_PAGE)
    assert kept == [
        "Opinion",  # a section label, but the dateline after it is no junk
        "2022-05-23 13:25",
        "China Daily | Updated: 2022-05-23 13:25",
        "The State Council Information Office of the People's Republic of China November 2025",
        "Zhang Jun said that the technological divide is widening.",
    ]
    assert blanked == [
        "Global Edition | US | Europe | Asia",
        "World > Asia-Pacific > China",
        "(End)",
        "-- END --",
        "###",
    ]


def test_vertical_menu_runs_are_navigation() -> None:
    text = (
        "Home\nAbout\nNews\nMedia Centre\n\n"
        "Outer Space\nCyberspace\nArtificial Intelligence\n\nText follows.\n"
    )
    blanked, kept = blanked_and_kept(text)
    assert blanked == ["Home", "About", "News", "Media Centre"]
    # Short Title-Case lines without menu words are headings, not a menu.
    assert kept == ["Outer Space", "Cyberspace", "Artificial Intelligence", "Text follows."]


def test_keyword_spam_in_another_script() -> None:
    english = (
        "China welcomes the Global Initiative on Data Security and calls on all States to join it.\n"
        "免费电影,在线观看,高清视频,最新电视剧\n"
        "купить дешево, скачать бесплатно, смотреть онлайн\n"
        "China welcomes the Global Initiative on Data Security (全球数据安全倡议).\n"
        "中华人民共和国外交部\n"
    )
    blanked, kept = blanked_and_kept(english)
    assert blanked == [
        "免费电影,在线观看,高清视频,最新电视剧",
        "купить дешево, скачать бесплатно, смотреть онлайн",
    ]
    # A single name in another script is not a keyword list.
    assert kept[-1] == "中华人民共和国外交部"

    chinese = (
        "中方反对外空军备竞赛。\ncheap flights, online casino, free movies, best deals\n"
        "中方提出全球数据安全倡议。\nUN, WTO, IMF\nArms Control, Disarmament, and Nonproliferation\n"
        "中方支持联合国在全球治理中发挥核心作用。\n"
    )
    blanked, kept = blanked_and_kept(chinese)
    assert blanked == ["cheap flights, online casino, free movies, best deals"]
    assert kept == [
        "中方反对外空军备竞赛。",
        "中方提出全球数据安全倡议。",
        "UN, WTO, IMF",
        "Arms Control, Disarmament, and Nonproliferation",
        "中方支持联合国在全球治理中发挥核心作用。",
    ]


def test_hard_wrapped_prose_is_not_mistaken_for_buttons() -> None:
    text = "That world order beckons to us.\nAllow\nme first to convey my congratulations.\nPrint\n"
    blanked, kept = blanked_and_kept(text)
    assert kept == ["That world order beckons to us.", "Allow", "me first to convey my congratulations."]
    assert blanked == ["Print"]
    assert not is_boilerplate_line("we must share.")
    assert not is_boilerplate_line("2020")  # a year on its own line is a date, not a page number
    assert is_boilerplate_line("17")


def test_markup_only_lines() -> None:
    text = "Title\n---\n| a | b |\n|---|:---:|\n![Photo](/p.jpg)\n<!-- hidden -->\n* * *\nText.\n"
    blanked, kept = blanked_and_kept(text, markdown=True)
    assert blanked == ["---", "|---|:---:|", "![Photo](/p.jpg)", "<!-- hidden -->", "* * *"]
    assert kept == ["Title", "| a | b |", "Text."]
    # Outside markdown an image link is ordinary text.
    assert "![Photo](/p.jpg)" in blank_boilerplate(text)


def test_markdown_link_menus_are_read_as_their_link_text() -> None:
    text = (
        "[Home](/) · [News](/news) · [Contact](/contact)\n\n"
        "- [Home](/)\n- [About](/about)\n- [Media](/m)\n\nBody.\n"
    )
    blanked, kept = blanked_and_kept(text, markdown=True)
    assert kept == ["Body."]
    assert len(blanked) == 4


def test_running_headers_of_pdf_pages() -> None:
    pages = [
        "UNITED NATIONS A/79/PV.5\nGeneral Assembly\nThe President: I give the floor.\n- 1 -",
        "UNITED NATIONS A/79/PV.5\nMr. Wang Yi (China): We oppose hegemony.\n- 2 -",
        "UNITED NATIONS A/79/PV.5\nThe meeting rose at 1 p.m.\n- 3 -",
    ]
    text = "\n\f".join(pages)
    body = blank_boilerplate(text)
    assert len(body) == len(text) and body.count("\f") == 2
    assert body.count("UNITED NATIONS A/79/PV.5") == 1  # kept once, on the first page
    assert body.startswith("UNITED NATIONS A/79/PV.5\nGeneral Assembly\n")
    for number in ("- 1 -", "- 2 -", "- 3 -"):
        assert number not in body
    assert "Mr. Wang Yi (China): We oppose hegemony." in body


def test_known_spans_are_blanked_and_context_rules_see_them() -> None:
    text = "Site menu here\nSection\nfooter stuff\nReal sentence about outer space.\n"
    spans = boilerplate_spans(text, known=[(0, 14), (23, 35)])
    # "Section" sits between two known-junk lines, so it goes too.
    assert spans == [(0, 14), (15, 22), (23, 35)]
    assert blank_boilerplate(
        text, known=[(0, 14), (23, 35)]
    ) == " " * 14 + "\n" + " " * 7 + "\n" + " " * 12 + ("\nReal sentence about outer space.\n")


def test_blank_spans_keeps_every_line_break() -> None:
    text = "a\r\nb\fc\u2028d"
    assert blank_spans(text, [(0, len(text))]) == " \r\n \f \u2028 "
    assert blank_spans("abc", [(2, 10), (-3, 1)]) == " b "


def test_dominant_script() -> None:
    assert dominant_script("Remarks by Ambassador Zhang Jun 张军") == "latin"
    assert dominant_script("中方反对外空军备竞赛 GIDS") == "cjk"
    assert dominant_script("中方支持 Global Data Security Initiative") == "latin"
    assert dominant_script("Россия выступает против") == "cyrillic"
    assert dominant_script("") == "latin"


# --- the sample corpus ------------------------------------------------------------------

EXPECTED_BLANKED = {
    "000_dee251bb39e6dfa5.txt": [
        "Home Meetings & Statements Events & Activities China & UN Documents About China 中文",
        "Home > Meetings & Statements",
        "Suggest to a friend",
        "Print",
    ],
    "001_ebc468c49c8f9f08.txt": ["(Finish)"],
    "002_72df05b8278c3d87.txt": [],
    "003_d8f2aa88fe600d0c.txt": [
        "Home Meetings & Statements Events & Activities China & UN 中文",
        "Home > China & UN > Disarmament and Arms Control > First Committee",
        "Suggest to a friend",
    ],
    "004_88e3022d66c6cfb8.txt": [
        "亚洲视频免费一区,国产欧美综合一区二区,亚洲国产观看,91精品啪在线观看国产91九色,日本又黄又粗暴的gif动态图含羞,"
        "麻豆国产一区二区在线观看,中文字幕在线二区",
        "Global EditionASIA 中文雙語Fran?ais",
        "Opinion",
        "Home / Opinion / Specials",
        "Share",
        "Share - WeChat",
        "|<< Previous 1 2 3 4 5 6 7 8 Next >>|",
        "Most Viewed in 24 Hours",
        "Top",
        "BACK TO THE TOP",
        "English",
        "Copyright 1995 - . All rights reserved. The content (including but not limited to text, photo, "
        "multimedia information, etc) published in this site belongs to China Daily Information Co (CDIC). "
        "Without written authorization from CDIC, such content shall not be republished or used in any form. "
        "Note: Browsers with 1024*768 or higher resolution are suggested for this site.",
        "License for publishing multimedia online 0108263",
        "Registration Number: 130349",
        "FOLLOW US",
    ],
}


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not beside the checkout")
@pytest.mark.parametrize("name", sorted(EXPECTED_BLANKED))
def test_sample_corpus_boilerplate(name: str) -> None:
    text = (CORPUS / name).read_text(encoding="utf-8")
    blanked, kept = blanked_and_kept(text)
    assert blanked == EXPECTED_BLANKED[name]
    assert len(kept) > 10


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not beside the checkout")
def test_sample_corpus_header_lines_that_carry_metadata_are_kept() -> None:
    heads = {
        "000_dee251bb39e6dfa5.txt": [
            "Remarks by Ambassador Zhang Jun at the UN Security Council Briefing on Technology and Security",
            "2022-05-23 13:25",
        ],
        "002_72df05b8278c3d87.txt": [
            "**Remarks by H. E. Ambassador Li Song of China",
            "At the CD Plenary Meeting on 8 September 2020**",
        ],
        "004_88e3022d66c6cfb8.txt": [
            "China's Arms Control, Disarmament, and Nonproliferation in the New Era",
            "The State Council Information Office of the People's Republic of China November 2025",
            "China Daily | Updated: 2025-11-28 07:22",
        ],
    }
    for name, lines in heads.items():
        _, kept = blanked_and_kept((CORPUS / name).read_text(encoding="utf-8"))
        assert kept[: len(lines)] == lines


# A newspaper page saved as text: gift and share widgets, a photo caption with its credit
# on the next line, a newsletter box in the middle of the article, and lists of related
# headlines after it (ontology/boilerplate.toml).
NEWSPAPER_PAGE = """\
Why open sea lanes matter
Freedom of navigation keeps trade moving.
Gift Full Article
Change text size
Share the best of The Daily Planet with friends, family, or colleagues. As a subscriber, you can gift articles.
Ships wait outside the harbour of Metropolis on May 3, 2024.
(Planet Wire/Jane Roe)
Trade depends on open sea lanes, and every coastal state has a stake in them.
Morning Brief
Every Monday
Whether you want the news or the views, "Morning Brief" is the place to start your week with us.
View More Newsletter
By registering, you agree with
Sign Up
Ruritania supports the law of the sea and calls on all states to respect it.
The writer is a retired naval officer.
Related Articles
Ports brace for a busy summer
Is the strait safe again?
Popular
Markets rally on trade hopes
More in Opinion
View more
Tariffs and the future of trade
"""


def test_newspaper_widgets_captions_newsletter_and_related_lists_are_blanked():
    blanked, kept = blanked_and_kept(NEWSPAPER_PAGE)
    assert kept == [
        "Why open sea lanes matter",
        "Freedom of navigation keeps trade moving.",
        "Trade depends on open sea lanes, and every coastal state has a stake in them.",
        "Ruritania supports the law of the sea and calls on all states to respect it.",
        "The writer is a retired naval officer.",
    ]
    assert "Ships wait outside the harbour of Metropolis on May 3, 2024." in blanked
    assert "Markets rally on trade hopes" in blanked and "Morning Brief" in blanked


def test_a_credit_at_the_end_of_a_caption_line_blanks_that_line_only():
    text = "Share this article\nThe minister arrives in Oslo on Monday. (Nordic Wire/File)\nThe talks began at noon.\n"
    assert blanked_and_kept(text) == (
        ["Share this article", "The minister arrives in Oslo on Monday. (Nordic Wire/File)"],
        ["The talks began at noon."],
    )


def test_a_text_without_web_furniture_is_not_scanned_for_widgets():
    # A speech as delivered: no share bar, menu or footer, so no captions or related lists.
    text = (
        "Popular\nDemands grow louder\nAnd we hear them\nThe minister arrives in Oslo. (Nordic Wire/File)\n"
    )
    assert blanked_and_kept(text)[0] == []


def test_a_heading_word_with_prose_after_it_is_not_a_related_list():
    text = (
        "Highlights\nThe conference adopted its report by consensus.\nStates agreed to meet again in 2026.\n"
    )
    assert blanked_and_kept(text)[0] == []


def test_front_matter_of_a_plain_text_page_is_blanked():
    text = '---\ntitle: "Remarks"\nsource_url: https://example.org/remarks\n---\nMr. President,\nWe support the draft.\n'
    blanked, kept = blanked_and_kept(text)
    assert kept == ["Mr. President,", "We support the draft."]
    assert blanked[0] == "---" and len(blanked) == 4
