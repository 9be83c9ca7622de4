"""A4 PDF documents laid out by reportlab, with a page-number footer in the embedded CJK font.

Printed catalogues (``exchange.printing``) and check reports (``preservation.reports``) both build their
PDFs here, so the page set-up lives in one place; each passes its own footer text.
"""

import io
from collections.abc import Callable, Sequence


def a4_pdf(
    story: Sequence,
    *,
    title: str,
    footer: Callable[[int], str],
    landscape: bool = False,
    top_mm: float = 15,
    bottom_mm: float = 18,
    footer_size: float = 9,
    footer_mm: float = 10,
) -> bytes:
    """The flowables in ``story`` on A4 (portrait, or ``landscape``) with 15 mm side margins, and
    ``footer(page_number)`` centred ``footer_mm`` above the foot of every page (all lengths in millimetres).

    The page's initial font is the embedded CJK one, not reportlab's default Helvetica, which is never
    embedded: every font the file names is in it (DA/T 70 check 3-5 asks for that). Raises
    ``dangan.lib.fonts.FontMissing`` when no embeddable CJK font is installed.
    """
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.pagesizes import landscape as turned
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate

    from dangan.lib import fonts

    font = fonts.register_pdf_font()
    pagesize = turned(A4) if landscape else A4

    def page_number(canvas, doc):
        canvas.setFont(font, footer_size)
        canvas.drawCentredString(pagesize[0] / 2, footer_mm * mm, footer(doc.page))

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=pagesize,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=top_mm * mm,
        bottomMargin=bottom_mm * mm,
        title=title,
        author="Dangan",
        initialFontName=font,
    )
    doc.build(list(story), onFirstPage=page_number, onLaterPages=page_number)
    return buffer.getvalue()
