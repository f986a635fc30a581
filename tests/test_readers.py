"""Readers: files and bytes in, Documents out (decoding, formats, sidecars, errors)."""

from __future__ import annotations

import codecs
import hashlib
import io
import json
from pathlib import Path

import pytest
from pypdf import PdfWriter

from loaders.readers import LoaderError, is_supported, read_bytes, read_document, sidecar_paths

DATA = Path(__file__).resolve().parent / "data"
CORPUS = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus"

STATEMENT = (
    "Statement by the Délégation of Freedonia at the Open-ended Working Group\n"
    "2023-10-12\n"
    "\n"
    "Mr. Chair,\n"
    "\n"
    "Freedonia’s delegation supports the “Global Initiative on Data Security” and opposes "
    "an arms race in outer space.\n"
)
GIDS = "Global Initiative on Data Security"


# --- decoding ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["statement_utf8.txt", "statement_utf8_bom.txt", "statement_utf16_bom.txt"])
def test_unicode_files_decode_to_the_same_text_without_warnings(name: str) -> None:
    doc = read_document(DATA / name)
    assert doc.text == STATEMENT
    assert doc.warnings == ()
    assert doc.media_type == "text/plain"
    assert doc.sha256 == hashlib.sha256((DATA / name).read_bytes()).hexdigest()
    start = doc.text.index(GIDS)
    assert start == 134  # the BOM is not part of the text: offsets are the same in every encoding
    assert doc.text[start : start + len(GIDS)] == GIDS
    assert doc.body[start : start + len(GIDS)] == GIDS


def test_windows_1252_is_decoded_best_effort_with_a_warning_naming_the_file() -> None:
    doc = read_document(DATA / "statement_cp1252.txt")
    assert doc.text == STATEMENT  # é, ’ and the curly quotes all come out right
    assert len(doc.warnings) == 1
    warning = doc.warnings[0]
    assert "statement_cp1252.txt" in warning
    assert "not valid UTF-8" in warning and "windows-1252" in warning
    assert "byte 0xe9 at offset 18" in warning


def test_windows_1252_undefined_bytes_become_c1_controls_not_errors() -> None:
    doc = read_bytes(b"Caf\xe9 \x81 au lait", "menu.txt")
    assert doc.text == "Caf\u00e9 \x81 au lait"


def test_utf8_with_a_stray_byte_stays_utf8_with_a_warning() -> None:
    data = "Délégation “quoted” — ".encode() + b"\x92" + " 全球数据安全倡议".encode()
    doc = read_bytes(data, "damaged.txt")
    assert doc.text == "Délégation “quoted” — \ufffd 全球数据安全倡议"
    assert doc.warnings == (
        "damaged.txt: mostly UTF-8 but 1 invalid byte(s), the first at offset 30; replaced with U+FFFD",
    )


def test_crlf_and_cr_newlines_are_normalised_like_python_open(tmp_path: Path) -> None:
    path = tmp_path / "dos.txt"
    path.write_bytes(b"Title line\r\n\r\nChina supports the initiative.\rEnd line\r\n")
    doc = read_document(path)
    assert doc.text == "Title line\n\nChina supports the initiative.\nEnd line\n"
    assert doc.text == path.read_text(encoding="utf-8")


def test_utf16_without_bom_is_guessed_with_a_warning() -> None:
    doc = read_bytes(STATEMENT.encode("utf-16-le"), "nobom.txt")
    assert doc.text == STATEMENT
    assert doc.warnings == ("nobom.txt: not UTF-8 and no byte-order mark; decoded as utf-16-le (best guess)",)


def test_utf32_bom_is_honoured() -> None:
    doc = read_bytes(codecs.BOM_UTF32_LE + STATEMENT.encode("utf-32-le"), "wide.txt")
    assert doc.text == STATEMENT and doc.warnings == ()


def test_chinese_in_gb18030_is_guessed_with_a_warning() -> None:
    chinese = "中国外交部发言人表示，中方反对外空武器化和外空军备竞赛。\n全球数据安全倡议。\n"
    doc = read_bytes(chinese.encode("gb18030"), "fayan.txt")
    assert doc.text == chinese
    assert "decoded as gb18030" in doc.warnings[0]
    assert doc.text.index("全球数据安全倡议") == 29


def test_binary_data_with_a_text_suffix_is_refused() -> None:
    with pytest.raises(LoaderError, match=r"^blob\.txt: looks like binary data"):
        read_bytes(bytes(range(256)) * 4, "blob.txt")


# --- errors -----------------------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "gone.txt"
    with pytest.raises(LoaderError) as info:
        read_document(path)
    assert str(info.value) == f"{path}: no such file"
    assert info.value.source == str(path) and info.value.problem == "no such file"


def test_unsupported_extension_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "minutes.docx"
    path.write_bytes(b"PK\x03\x04")
    with pytest.raises(
        LoaderError, match=r"minutes\.docx: unsupported file type '\.docx'; supported: .*\.pdf"
    ):
        read_document(path)


def test_empty_and_blank_files(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.md").write_text(" \n\t\n")
    with pytest.raises(LoaderError, match=r"empty\.txt: file is empty"):
        read_document(tmp_path / "empty.txt")
    with pytest.raises(LoaderError, match=r"blank\.md: no text \(only white space\)"):
        read_document(tmp_path / "blank.md")


def test_directory_named_like_a_document(tmp_path: Path) -> None:
    (tmp_path / "folder.txt").mkdir()
    with pytest.raises(LoaderError, match=r"folder\.txt: is a directory"):
        read_document(tmp_path / "folder.txt")


def test_is_supported_and_sidecar_paths() -> None:
    assert is_supported(Path("a.PDF")) and is_supported(Path("b.htm")) and is_supported(Path("c.md"))
    assert not is_supported(Path("c.txt.meta.json")) and not is_supported(Path("d.docx"))
    assert sidecar_paths(Path("x/speech.txt")) == (Path("x/speech.txt.meta.json"), Path("x/speech.meta.json"))


# --- HTML -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def press_release():
    return read_document(DATA / "press_release.html")


def test_html_text_is_the_visible_text(press_release) -> None:
    text = press_release.text
    assert press_release.media_type == "text/html"
    assert press_release.doc_id == "press-release"
    # <head> (title, style, script) and hidden or screen-reader-only elements are not text.
    for absent in (
        "dataLayer",
        "font-family",
        "| Ministry of Foreign Affairs of Ruritania",
        "Draft paragraph",
        "opens in a new window",
    ):
        assert absent not in text
    # Whitespace collapses inside a heading; entities are decoded; cells are tab-separated;
    # <br> is a line break; blocks are separated by blank lines.
    assert "\n\nMinister welcomes adoption of cyber resolution\n\n" in text
    assert "“Ruritania supports the establishment of a permanent mechanism" in text
    assert "In favour\t161\nAgainst\t5" in text
    assert "capacity building\nfor developing countries." in text
    assert text.startswith("Skip to main content\n\nThis website uses cookies")
    assert text.endswith("© 2024 Ministry of Foreign Affairs of Ruritania. All rights reserved.")


def test_html_body_blanks_page_furniture_and_keeps_the_article(press_release) -> None:
    text, body = press_release.text, press_release.body
    assert len(body) == len(text)
    assert [i for i, c in enumerate(text) if c == "\n"] == [i for i, c in enumerate(body) if c == "\n"]
    kept = [line for line in body.splitlines() if line.strip()]
    assert kept == [
        "Minister welcomes adoption of cyber resolution",
        "Press release No. 214/2024 · 6 November 2024",
        "The Minister of Foreign Affairs, Ms. Anna Novak, welcomed the adoption by the First Committee "
        "of the resolution on responsible State behaviour in the use of information and communications "
        "technologies.",
        "“Ruritania supports the establishment of a permanent mechanism on ICT security under the United "
        "Nations and opposes any arms race in cyberspace,” the Minister said.",
        "Vote\tCount",
        "In favour\t161",
        "Against\t5",
        "Ruritania will continue to promote capacity building",
        "for developing countries.",
    ]
    quote = "opposes any arms race in cyberspace"
    assert body.index(quote) == text.index(quote)


def test_html_lang_becomes_the_default_language(press_release) -> None:
    assert press_release.sidecar == {"language": "en"}


def test_html_declared_charset_is_honoured() -> None:
    page = '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"></head>'
    page += "<body><p>全球数据安全倡议</p></body></html>"
    doc = read_bytes(page.encode("gb18030"), "gdsi.html")
    assert doc.text == "全球数据安全倡议" and doc.warnings == ()
    latin = '<meta charset="iso-8859-1"><p>D\xe9l\xe9gation \x93quoted\x94</p>'.encode("latin-1")
    assert read_bytes(latin, "fr.htm").text == "Délégation “quoted”"  # ISO-8859-1 means windows-1252


def test_html_wrong_declared_charset_falls_back_with_a_warning() -> None:
    page = '<meta charset="utf-8"><p>D\xe9l\xe9gation</p>'.encode("latin-1")
    doc = read_bytes(page, "wrong.html")
    assert doc.text == "Délégation"
    assert doc.warnings[0].startswith("wrong.html: declared charset 'utf-8' does not fit the bytes")
    assert "windows-1252" in doc.warnings[1]


def test_media_type_parameter_carries_a_charset() -> None:
    doc = read_bytes(
        "<p>Délégation</p>".encode("cp1252"), "upload", media_type="text/html; charset=windows-1252"
    )
    assert doc.text == "Délégation" and doc.media_type == "text/html" and doc.doc_id == "upload"
    with pytest.raises(LoaderError, match=r"^upload: unsupported media type 'image/png'"):
        read_bytes(b"\x89PNG", "upload", media_type="image/png")


def test_html_without_visible_text_is_refused() -> None:
    with pytest.raises(LoaderError, match=r"empty\.html: HTML page has no visible text"):
        read_bytes(
            b"<html><head><title>Only a title</title></head><body><script>x()</script></body></html>",
            "empty.html",
        )


def test_html_class_that_wraps_the_content_is_not_furniture() -> None:
    page = (
        "<body><div id='content-with-sidebar'><h1>Statement on data security</h1>"
        "<p>We support the Global Initiative on Data Security.</p></div>"
        "<div class='sidebar'><p>Latest updates</p></div></body>"
    )
    doc = read_bytes(page.encode(), "wrap.html")
    assert doc.body.splitlines() == [
        "Statement on data security",
        "",
        "We support the Global Initiative on Data Security.",
        "",
        " " * 14,
    ]


# --- markdown ---------------------------------------------------------------------------


def test_markdown_keeps_raw_text_reads_front_matter_and_blanks_markup_only_lines() -> None:
    doc = read_document(DATA / "statement.md")
    raw = (DATA / "statement.md").read_text(encoding="utf-8")
    assert doc.text == raw and doc.media_type == "text/markdown"
    assert doc.sidecar == {
        "title": "Statement by Ruritania at the Conference on Disarmament",
        "date": "2021-03-02",
        "genre": "speech",
    }
    kept = [line for line in doc.body.splitlines() if line.strip()]
    assert kept == [
        "**Statement by H.E. Ambassador Jan Kowal  ",
        "at the Conference on Disarmament, 2 March 2021**",
        "Mr. President,",
        "Ruritania supports the negotiation of a treaty on the prevention of an arms race in outer space.",
        "We call for transparency and confidence-building measures.",
        "Thank you, Mr. President.",
    ]
    assert doc.body.index("**Statement by") == raw.index("**Statement by") == 230


def test_markdown_front_matter_problems_are_warnings_and_sidecar_wins(tmp_path: Path) -> None:
    path = tmp_path / "fm.md"
    path.write_text("---\ndate: 23 May 2022\ntitle: From front matter\n---\nChina supports the initiative.\n")
    (tmp_path / "fm.md.meta.json").write_text('{"title": "From sidecar"}')
    doc = read_document(path)
    assert doc.sidecar == {"title": "From sidecar"}
    assert doc.warnings == (
        f"{path}: front matter ignored: "
        "'date' must be ISO 8601 (YYYY, YYYY-MM or YYYY-MM-DD), not '23 May 2022'",
    )


# --- PDF --------------------------------------------------------------------------------


def test_pdf_text_layer_pages_joined_by_page_break() -> None:
    path = DATA / "space_security.pdf"
    doc = read_document(path)
    assert doc.media_type == "application/pdf" and doc.doc_id == "space-security"
    assert doc.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    pages = doc.text.split("\n\u2029")  # loaders.cleaning.PAGE_BREAK: XML can carry it
    assert len(pages) == 2
    assert pages[0].splitlines()[:3] == [
        "Permanent Mission of Freedonia to the United Nations",
        "Statement on Outer Space Security",
        "Geneva, 14 March 2024",
    ]
    assert pages[1].splitlines()[-2:] == ["Thank you, Mr. President.", "Page 2 of 2"]
    assert "délégations" in doc.text  # WinAnsi text decoded


def test_pdf_body_blanks_page_numbers_and_repeated_running_header() -> None:
    doc = read_document(DATA / "space_security.pdf")
    header = "Permanent Mission of Freedonia to the United Nations"
    first, second = doc.text.index(header), doc.text.index(header, 1)
    assert doc.body[first : first + len(header)] == header  # the letterhead of page one stays
    assert doc.body[second : second + len(header)].strip() == ""
    for number in ("Page 1 of 2", "Page 2 of 2"):
        at = doc.text.index(number)
        assert doc.body[at : at + len(number)].strip() == ""
    assert "negotiations on a legally binding instrument (PPWT)." in doc.body


def test_pdf_errors_name_the_file() -> None:
    with pytest.raises(LoaderError, match=r"^broken\.pdf: not a readable PDF"):
        read_bytes(b"%PDF-1.4\nthis is not a pdf body", "broken.pdf")
    blank = io.BytesIO()
    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)
    writer.write(blank)
    with pytest.raises(LoaderError, match=r"^scan\.pdf: PDF has no text layer \(1 page\(s\); a scanned PDF"):
        read_bytes(blank.getvalue(), "scan.pdf")


def test_password_protected_pdf_is_refused() -> None:
    source = io.BytesIO((DATA / "space_security.pdf").read_bytes())
    writer = PdfWriter(clone_from=source)
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    locked = io.BytesIO()
    writer.write(locked)
    with pytest.raises(LoaderError, match=r"^locked\.pdf: PDF is encrypted and needs a password"):
        read_bytes(locked.getvalue(), "locked.pdf")


# --- sidecars and identifiers -----------------------------------------------------------


def test_sidecar_supplies_id_and_metadata() -> None:
    doc = read_document(DATA / "note.txt")
    assert doc.doc_id == "cns-2022-05-23-space"
    assert doc.sidecar == {
        "id": "cns-2022-05-23-space",
        "date": "2022-05-23",
        "datetime": "2022-05-23T13:25",
        "genre": "news_report",
        "publisher": "China News Service",
        "url": "https://example.org/news/2022/05/23/space.html",
        "language": "en",
    }
    assert doc.body.endswith("\n     \n")  # the agency end marker "(End)"


def test_stem_sidecar_and_precedence(tmp_path: Path) -> None:
    text = tmp_path / "speech.txt"
    text.write_text("We oppose an arms race in outer space.\n")
    (tmp_path / "speech.meta.json").write_text('{"speaker": "Jan Kowal", "date": 2021}')
    doc = read_document(text)
    assert doc.sidecar == {"speaker": "Jan Kowal", "date": "2021"} and doc.warnings == ()
    (tmp_path / "speech.txt.meta.json").write_text('{"speaker": null}')
    doc = read_document(text)
    assert doc.sidecar == {"speaker": None}
    assert doc.warnings == (
        f"{tmp_path / 'speech.meta.json'}: ignored, speech.txt.meta.json is the sidecar used",
    )


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ('{"title": "x",\n "date": }', r"sidecar is not valid JSON \(line 2, column 10: Expecting value\)"),
        ('["a", "b"]', r"sidecar must be a JSON object, not list"),
        ('{"date": "2022-13-01"}', r"bad sidecar: 'date' is not a real date: '2022-13-01'"),
        ('{"date": "May 2022"}', r"'date' must be ISO 8601 \(YYYY, YYYY-MM or YYYY-MM-DD\), not 'May 2022'"),
        ('{"genre": "poem"}', r"'genre' must be one of joint_statement, .*, not 'poem'"),
        ('{"title": ["a"]}', r"'title' must be a string or null, not \[\"a\"\]"),
        ('{"language": "English!"}', r"'language' must be a language tag"),
        ('{"url": "example.org/x"}', r"'url' must be an absolute URL"),
    ],
)
def test_bad_sidecar_names_the_sidecar_and_the_problem(tmp_path: Path, content: str, problem: str) -> None:
    text = tmp_path / "doc.txt"
    text.write_text("Some text.\n")
    (tmp_path / "doc.txt.meta.json").write_text(content)
    with pytest.raises(LoaderError, match=problem) as info:
        read_document(text)
    assert info.value.source == str(tmp_path / "doc.txt.meta.json")


def test_read_bytes_sidecar_id_and_unknown_fields() -> None:
    doc = read_bytes(b"Text.", "ungdc/USA_79_2024.txt", sidecar={"id": "USA 79/2024", "tilte": "typo"})
    assert doc.doc_id == "usa-79-2024"
    assert doc.sidecar == {"id": "USA 79/2024", "tilte": "typo"}
    assert doc.warnings[0] == "ungdc/USA_79_2024.txt: sidecar field(s) 'tilte' kept but not known " + (
        "(known: id, title, date, datetime, genre, actor, speaker, forum, url, publisher, language)"
    )
    assert (
        doc.warnings[1]
        == "ungdc/USA_79_2024.txt: sidecar id 'USA 79/2024' is not IRI-safe; using 'usa-79-2024'"
    )
    assert read_bytes(b"Text.", "ungdc/USA_79_2024.txt").doc_id == "usa-79-2024"
    assert read_bytes(b"Text.", "x.txt", sidecar={"id": "A.1"}, doc_id="given-id").doc_id == "given-id"
    assert read_bytes(b"Text.", "https://example.org/a/Remarks.html?x=1").doc_id == "remarks"
    with pytest.raises(LoaderError, match=r"^x\.txt: bad sidecar: 'genre' must be one of"):
        read_bytes(b"Text.", "x.txt", sidecar={"genre": "tweet"})


# --- the sample corpus ------------------------------------------------------------------


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not beside the checkout")
def test_sample_corpus_reads_cleanly() -> None:
    for path in sorted(CORPUS.glob("*.txt")):
        doc = read_document(path)
        assert doc.warnings == ()
        assert doc.text == path.read_text(encoding="utf-8")
        assert len(doc.body) == len(doc.text)
        assert doc.doc_id == path.stem.replace("_", "-")
    doc = read_document(CORPUS / "004_88e3022d66c6cfb8.txt")
    assert doc.text.startswith("亚洲视频免费一区")
    title = "China's Arms Control, Disarmament, and Nonproliferation in the New Era"
    at = doc.text.index(title)
    assert doc.body[at : at + len(title)] == title
    assert doc.body[: doc.text.index("\n")].strip() == ""


def test_sidecar_json_is_read_as_utf8_with_bom(tmp_path: Path) -> None:
    text = tmp_path / "zh.txt"
    text.write_text("China supports the initiative.\n")
    (tmp_path / "zh.txt.meta.json").write_bytes(
        codecs.BOM_UTF8 + json.dumps({"speaker": "张军"}, ensure_ascii=False).encode()
    )
    assert read_document(text).sidecar == {"speaker": "张军"}


# --- HTML rendering details ---------------------------------------------------------------


def test_html_implied_end_tags_and_line_structure() -> None:
    from loaders.html_text import html_to_text

    page = html_to_text(
        "<ul><li>First item<li>Second <b>bold</b> item</ul>"
        "<p>Para one<p>Para two<div>Block</div>"
        "<dl><dt>Term<dd>Definition</dl>"
        "<pre>\n  keep   spacing\n</pre>"
        "text&nbsp;with&#160;no-break and &amp; entity<br/>next line<br>"
    )
    assert page.text == (
        "First item\nSecond bold item\n\nPara one\n\nPara two\n\nBlock\n\nTerm\nDefinition\n\n"
        "  keep   spacing\n\ntext\u00a0with\u00a0no-break and & entity\nnext line"
    )
    assert page.furniture == ()


def test_html_furniture_by_tag_role_and_class_but_not_the_heading_header() -> None:
    from loaders.html_text import html_to_text

    page = html_to_text(
        "<div role='navigation'>Menu A</div>"
        "<header><h1>Real Title</h1></header>"
        "<div class='socialShareBar'>Share</div>"
        "<p>Content paragraph.</p>"
        "<div aria-hidden='true'>Icon text</div><span style='display: none'>gone</span>"
        "<footer>Footer text</footer>"
    )
    assert page.text == "Menu A\n\nReal Title\n\nShare\n\nContent paragraph.\n\nFooter text"
    assert [page.text[s:e].strip() for s, e in page.furniture] == ["Menu A", "Share", "Footer text"]


def test_html_very_deep_nesting_does_not_overflow_the_stack() -> None:
    from loaders.html_text import html_to_text

    page = html_to_text("<div>" * 5000 + "deep text" + "</div>" * 5000)
    assert page.text == "deep text"


def test_committed_fixtures_match_their_generator() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_fixtures", DATA / "make_fixtures.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.STATEMENT == STATEMENT
    assert (DATA / "space_security.pdf").read_bytes() == module.make_pdf(module.PAGES)
    assert (DATA / "statement_cp1252.txt").read_bytes() == STATEMENT.encode("cp1252")


def test_docstring_examples_run() -> None:
    import doctest

    from loaders import boilerplate_lines, cleaning, decoding, html_text, readers, sidecar

    for module in (readers, cleaning, boilerplate_lines, html_text, decoding, sidecar):
        result = doctest.testmod(module)
        assert result.failed == 0 and result.attempted > 0, module.__name__
