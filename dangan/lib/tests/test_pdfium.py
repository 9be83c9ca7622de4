"""PDFium behind one lock (``dangan.lib.pdfium``): pages rendered from many threads at once, as a threaded
web server does, neither crash the process nor mix up pages."""

import subprocess
import sys
import textwrap

import pytest
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import PageBreak, Paragraph

from dangan.lib import fonts
from dangan.lib.pdf import a4_pdf
from dangan.lib.pdfium import PdfError, pdf_page_count, render_pdf_page


@pytest.fixture
def three_page_pdf(tmp_path):
    style = ParagraphStyle("p", fontName=fonts.register_pdf_font(), fontSize=40, leading=48)
    story = []
    for n in range(1, 4):
        story += [Paragraph(f"第{n}页 " * n, style), PageBreak()]
    path = tmp_path / "three.pdf"
    path.write_bytes(a4_pdf(story[:-1], title="t", footer=lambda n: str(n)))
    return path


def test_pages_are_counted_and_rendered_at_the_asked_scale(three_page_pdf):
    assert pdf_page_count(str(three_page_pdf)) == 3
    image = render_pdf_page(str(three_page_pdf), 2, lambda w, h: 200 / w)
    assert image.width == 200
    assert image.height == pytest.approx(200 * 842 / 595, abs=2)


def test_a_page_past_the_end_or_a_damaged_file_is_a_pdf_error(three_page_pdf, tmp_path):
    with pytest.raises(PdfError):
        render_pdf_page(str(three_page_pdf), 3, lambda w, h: 1)
    damaged = tmp_path / "damaged.pdf"
    damaged.write_bytes(b"%PDF-1.4 not really")
    with pytest.raises(PdfError):
        pdf_page_count(str(damaged))


def test_rendered_image_outlives_the_document(three_page_pdf):
    # to_pil() shares PDFium's buffer; the image handed back must own its pixels after the bitmap is closed
    image = render_pdf_page(str(three_page_pdf), 0, lambda w, h: 0.5)
    assert image.getextrema() != ((0, 0), (0, 0), (0, 0))
    assert image.getpixel((0, 0)) == (255, 255, 255, 255)[: len(image.mode)]


def test_many_threads_render_at_once_without_crashing(three_page_pdf):
    # In a child process: without the lock PDFium crashes the whole interpreter, which would end the suite
    script = textwrap.dedent(
        f"""
        import threading
        from dangan.lib.pdfium import render_pdf_page
        path = {str(three_page_pdf)!r}
        sizes, errors = [], []
        def work(n):
            try:
                for i in range(40):
                    image = render_pdf_page(path, (n + i) % 3, lambda w, h: 0.3 + (n % 4) / 10)
                    sizes.append((n % 4, image.size))
            except Exception as e:
                errors.append(repr(e))
        threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
        for t in threads: t.start()
        for t in threads: t.join()
        assert not errors, errors
        assert len(sizes) == 320, len(sizes)
        assert len(set(sizes)) == 4, set(sizes)
        print("ok")
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "ok"
