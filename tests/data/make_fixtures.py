"""Write the binary fixtures of tests/data (run once; the output is committed).

    uv run python tests/data/make_fixtures.py

Text in several encodings (UTF-8 with and without a byte-order mark, UTF-16 with one,
windows-1252) and a two-page PDF with a text layer, written by hand so that no PDF
library is needed: Helvetica with WinAnsiEncoding, a running header and a page number
on each page.
"""

from __future__ import annotations

import codecs
from pathlib import Path

HERE = Path(__file__).resolve().parent

#: The same short statement in every encoding; "é", "’" and the curly quotes are where
#: a wrong guess shows.
STATEMENT = (
    "Statement by the Délégation of Freedonia at the Open-ended Working Group\n"
    "2023-10-12\n"
    "\n"
    "Mr. Chair,\n"
    "\n"
    "Freedonia’s delegation supports the “Global Initiative on Data Security” and opposes "
    "an arms race in outer space.\n"
)

PAGES = [
    [
        "Permanent Mission of Freedonia to the United Nations",
        "Statement on Outer Space Security",
        "Geneva, 14 March 2024",
        "Mr. President,",
        "Freedonia opposes the placement of weapons in outer space and supports",
        "negotiations on a legally binding instrument (PPWT).",
        "Page 1 of 2",
    ],
    [
        "Permanent Mission of Freedonia to the United Nations",
        "We welcome the work of the Conference on Disarmament and the délégations",
        "that joined the initiative.",
        "Thank you, Mr. President.",
        "Page 2 of 2",
    ],
]


def _pdf_string(text: str) -> bytes:
    raw = text.encode("cp1252")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def _page_stream(lines: list[str]) -> bytes:
    header, *body, footer = lines
    out = [b"BT /F1 9 Tf 72 760 Td " + _pdf_string(header) + b" Tj ET"]
    out.append(b"BT /F1 12 Tf 16 TL 72 720 Td")
    for line in body:
        out.append(_pdf_string(line) + b" Tj T*")
    out.append(b"ET")
    out.append(b"BT /F1 9 Tf 280 40 Td " + _pdf_string(footer) + b" Tj ET")
    return b"\n".join(out) + b"\n"


def make_pdf(pages: list[list[str]]) -> bytes:
    """A minimal, valid PDF 1.4 file: catalog, page tree, one Helvetica font, one content
    stream per page, and a correct cross-reference table."""
    count = len(pages)
    font_id = 3 + 2 * count
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids ["
        + b" ".join(f"{3 + 2 * i} 0 R".encode() for i in range(count))
        + f"] /Count {count} >>".encode(),
    ]
    for index, lines in enumerate(pages):
        page_id, content_id = 3 + 2 * index, 4 + 2 * index
        assert page_id == len(objects) + 1
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            f"/Resources << /Font << /F1 {font_id} 0 R >> >> /Contents {content_id} 0 R >>".encode()
        )
        stream = _page_stream(lines)
        objects.append(f"<< /Length {len(stream)} >>\nstream\n".encode() + stream + b"endstream")
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")

    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def main() -> None:
    (HERE / "statement_utf8.txt").write_bytes(STATEMENT.encode("utf-8"))
    (HERE / "statement_utf8_bom.txt").write_bytes(codecs.BOM_UTF8 + STATEMENT.encode("utf-8"))
    (HERE / "statement_utf16_bom.txt").write_bytes(codecs.BOM_UTF16_LE + STATEMENT.encode("utf-16-le"))
    (HERE / "statement_cp1252.txt").write_bytes(STATEMENT.encode("cp1252"))
    (HERE / "space_security.pdf").write_bytes(make_pdf(PAGES))


if __name__ == "__main__":
    main()
