#!/usr/bin/env python3
"""Writes the sandbox's postal letters (the PDFs behind `pdf_url`), one A4 page each.

The PDFs are committed; run this again only to change them:
`python sandbox/media/make_letter.py`. A hand-written writer instead of a library keeps the
project free of a PDF dependency and the output byte-identical from run to run (no timestamps).
Text uses the standard Helvetica fonts with WinAnsiEncoding, so Latin-1 names (é, ü, ß) print
without embedding a font.
"""

from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent

PAGE_WIDTH, PAGE_HEIGHT = 595, 842  # A4 in points
MARGIN = 64
WRAP_CHARS = 88  # about the width of the text column at 10 pt Helvetica


@dataclass(frozen=True)
class Letter:
    filename: str
    title: str
    recipient: tuple[str, ...]
    reference: str
    subject: str
    paragraphs: tuple[str, ...]


LETTERS = (
    Letter(
        filename="letter-formal-notice.pdf",
        title="Formal notice - overdue invoice NW-08817",
        recipient=(
            "Herrn Jürgen Müller",
            "Müller & Söhne Haustechnik GmbH",
            "Schloßstraße 14",
            "10115 Berlin",
            "Germany",
        ),
        reference="Debt reference NW-08817",
        subject="Formal notice before legal action",
        paragraphs=(
            "Dear Mr Müller,",
            "Despite our reminders by email and telephone, invoice NW-08817 of EUR 2,318.40 "
            "for heating maintenance remains unpaid. Its due date has passed by more than sixty "
            "days.",
            "We formally ask you to pay the full amount within fifteen days of receiving this "
            "letter, by bank transfer or through the secure payment link sent to your email "
            "address. If you dispute all or part of the invoice, please write to us with the "
            "reason and any supporting documents within the same period.",
            "Without payment or a reply by then, the file may be passed to a bailiff and the "
            "statutory late-payment indemnity of EUR 40 will be added to the balance.",
            "If you have already paid, please ignore this letter.",
            "Yours sincerely,",
            "Claire Fontaine, Collections department",
        ),
    ),
    Letter(
        filename="letter-payment-plan.pdf",
        title="Payment plan confirmation",
        recipient=("Mme Amélie Dubois", "12 rue des Écoles", "75005 Paris", "France"),
        reference="Debt reference NW-07342",
        subject="Confirmation of your payment plan",
        paragraphs=(
            "Dear Ms Dubois,",
            "Thank you for our telephone conversation. As agreed, the overdue balance of "
            "EUR 482.60 on your electricity account will be settled in three monthly payments "
            "of EUR 160.87, EUR 160.87 and EUR 160.86, due on the first day of each of the "
            "next three months.",
            "You will receive a secure payment link by email a few days before each due date. "
            "No late-payment fees will be charged while the plan is followed.",
            "If your situation changes, please contact us before a due date so that we can "
            "adapt the plan together.",
            "Yours sincerely,",
            "Claire Fontaine, Collections department",
        ),
    ),
    Letter(
        filename="letter-final-notice.pdf",
        title="Final notice - account closed for collection",
        recipient=(
            "Boulangerie Lefèvre & Fils SARL",
            "À l'attention de M. Hervé Lefèvre",
            "3 place de l'Église",
            "69002 Lyon",
            "France",
        ),
        reference="Debt reference NW-11904",
        subject="Final notice: outstanding balance on your business account",
        paragraphs=(
            "Dear Mr Lefèvre,",
            "Our records show that the balance of EUR 7,940.15 on your business energy account "
            "is still outstanding, despite the instalments agreed earlier this year and the "
            "reminders sent since.",
            "This is our final notice. Please pay the balance, or contact us to agree a new "
            "schedule, within eight days. After that date the account will be closed and the "
            "debt handed over for legal recovery.",
            "Yours sincerely,",
            "Claire Fontaine, Collections department",
        ),
    ),
)


def pdf_text(*, text: str) -> bytes:
    """A PDF literal string in WinAnsiEncoding (cp1252), with the three special bytes escaped."""
    raw = text.encode("cp1252")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def text_wrap(*, text: str, width: int) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    if current:
        lines.append(current)
    return lines


def letter_content(*, letter: Letter) -> bytes:
    ops: list[bytes] = []

    def show(*, x: float, y: float, font: str, size: float, text: str) -> None:
        ops.append(
            b"BT /%s %g Tf %g %g Td %s Tj ET" % (font.encode(), size, x, y, pdf_text(text=text))
        )

    # Diagonal watermark first, so the letter prints over it.
    ops.append(
        b"q 0.88 g BT /F2 54 Tf 0.8192 0.5736 -0.5736 0.8192 130 250 Tm "
        + pdf_text(text="SANDBOX SPECIMEN")
        + b" Tj ET Q"
    )
    top = PAGE_HEIGHT - MARGIN
    show(x=MARGIN, y=top, font="F2", size=15, text="Northwind Energy")
    show(
        x=MARGIN,
        y=top - 16,
        font="F1",
        size=9,
        text="Collections department - 40 avenue de la Gare, 69003 Lyon, France",
    )
    ops.append(b"0.6 G 0.8 w %d %d m %d %d l S" % (MARGIN, top - 26, PAGE_WIDTH - MARGIN, top - 26))
    y = top - 80
    for line in letter.recipient:
        show(x=330, y=y, font="F1", size=10, text=line)
        y -= 13
    y -= 28
    show(x=MARGIN, y=y, font="F1", size=9, text=letter.reference)
    y -= 22
    show(x=MARGIN, y=y, font="F2", size=11, text=f"Subject: {letter.subject}")
    y -= 30
    for paragraph in letter.paragraphs:
        for line in text_wrap(text=paragraph, width=WRAP_CHARS):
            show(x=MARGIN, y=y, font="F1", size=10, text=line)
            y -= 14
        y -= 9
    show(
        x=MARGIN,
        y=MARGIN,
        font="F1",
        size=8,
        text="Specimen generated for the GetBill sandbox. Not a real demand for payment; "
        "all names are fictitious.",
    )
    return b"\n".join(ops) + b"\n"


def pdf_document(*, letter: Letter) -> bytes:
    content = letter_content(letter=letter)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] "
        b"/Resources << /Font << /F1 4 0 R /F2 5 0 R >> >> /Contents 6 0 R >>"
        % (PAGE_WIDTH, PAGE_HEIGHT),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n%sendstream" % (len(content), content),
        b"<< /Title %s /Author (Northwind Energy) /Producer (GetBill sandbox letter writer) >>"
        % pdf_text(text=letter.title),
    ]
    # The second line's high bytes tell transfer tools the file is binary.
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref_at = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        len(objects),
        xref_at,
    )
    return bytes(out)


def main() -> None:
    for letter in LETTERS:
        path = HERE / letter.filename
        path.write_bytes(pdf_document(letter=letter))
        print(f"{path.name}: {path.stat().st_size} bytes")


if __name__ == "__main__":
    main()
