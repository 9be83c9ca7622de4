"""PDFium (pypdfium2) behind one process-wide lock.

PDFium is not thread-safe, not even across different documents: two threads of the web server rendering
pages at once crash the whole process (a segmentation fault, seen in the browser tests). Every call into
it goes through this module, which holds the lock from opening a document to closing it, closes every page
and bitmap itself (a finaliser run later by the garbage collector, in whatever thread, would be a call
outside the lock) and hands back Pillow images that own their pixels.
"""

import threading
from collections.abc import Callable

from PIL import Image

_LOCK = threading.RLock()


class PdfError(Exception):
    """The file is not a PDF PDFium can open (damaged, or encrypted with a password), or has no such page."""


def pdf_page_count(path: str) -> int:
    import pypdfium2

    with _LOCK:
        pdf = _open(pypdfium2, path)
        try:
            return len(pdf)
        finally:
            pdf.close()


def render_pdf_page(
    path: str, index: int, scale: Callable[[float, float], float], grayscale: bool = False
) -> Image.Image:
    """Page ``index`` (from 0) as an image; ``scale(width, height)`` of the page in points gives the scale."""
    import pypdfium2

    with _LOCK:
        pdf = _open(pypdfium2, path)
        try:
            if not 0 <= index < len(pdf):
                raise PdfError("no such page")
            page = pdf[index]
            try:
                bitmap = page.render(scale=scale(page.get_width(), page.get_height()), grayscale=grayscale)
                try:
                    # to_pil() shares the bitmap's buffer, which close() frees
                    return bitmap.to_pil().copy()
                finally:
                    bitmap.close()
            finally:
                page.close()
        finally:
            pdf.close()


def _open(pypdfium2, path: str):
    try:
        return pypdfium2.PdfDocument(path)
    except pypdfium2.PdfiumError as e:
        raise PdfError(str(e)) from e
