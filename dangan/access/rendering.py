"""Pages of digital files as images, rendered on the server, with a watermark burned into the pixels.

Readers get pictures of pages, never the file itself (unless their grant allows a download): a watermark
drawn by the browser could be removed by the browser. PDFs are rendered by PDFium (pypdfium2), images by
Pillow (each frame of a multi-page TIFF is a page).
"""

import io
import logging

from PIL import Image, ImageDraw, ImageFont, ImageSequence

from dangan.lib.fonts import cjk_font_path
from dangan.lib.pdfium import PdfError, pdf_page_count, render_pdf_page
from dangan.preservation.extraction import local_copy

logger = logging.getLogger(__name__)
MAX_PAGES = 2000
PAGE_WIDTH = 1240  # about 150 dpi for A4: readable on screen, poor for reprinting


class RenderError(Exception):
    pass


def renderable(row) -> bool:
    return row.is_pdf or row.is_image


def page_count(row) -> int:
    with local_copy(row) as path:
        if row.is_pdf:
            try:
                return min(pdf_page_count(path), MAX_PAGES)
            except PdfError as e:
                raise RenderError(str(e)) from e
        with Image.open(path) as image:
            return min(getattr(image, "n_frames", 1), MAX_PAGES)


def render_page(row, number: int, width: int = PAGE_WIDTH) -> Image.Image:
    """Page ``number`` (from 1) of a PDF or image file as an RGB image about ``width`` pixels wide."""
    if not renderable(row):
        raise RenderError("not a PDF or an image")
    with local_copy(row) as path:
        image = _render_pdf(path, number, width) if row.is_pdf else _render_image(path, number)
    if image.width > width:
        image = image.resize((width, max(1, round(image.height * width / image.width))))
    return image.convert("RGB")


def _render_pdf(path: str, number: int, width: int) -> Image.Image:
    try:
        return render_pdf_page(path, number - 1, lambda w, h: max(0.2, min(4.0, width / max(w, 1))))
    except PdfError as e:
        raise RenderError(str(e)) from e


def _render_image(path: str, number: int) -> Image.Image:
    with Image.open(path) as image:
        for index, frame in enumerate(ImageSequence.Iterator(image), start=1):
            if index == number:
                return frame.convert("RGB")
    raise RenderError("no such page")


def _font_path() -> str | None:
    path = cjk_font_path()
    return str(path) if path else None


def font(size: int):
    path = _font_path()
    if path:
        return ImageFont.truetype(path, size)
    return ImageFont.load_default(size)


def has_cjk_font() -> bool:
    return _font_path() is not None


def ascii_fallback(text: str) -> str:
    # Without a Chinese font Pillow would draw boxes; keep what it can draw (request number, time, account).
    return "".join(c if ord(c) < 128 else "" for c in text).strip()


def watermark(image: Image.Image, lines: list[str]) -> Image.Image:
    """Burn ``lines`` into the image: tiled diagonally across the page, and once plainly along the bottom."""
    if not has_cjk_font():
        # Still a watermark (account, time, request number identify the reader), but without the name:
        # worth a warning in the log, since the fix is one package (fonts-wqy-zenhei) or DANGAN_CJK_FONT.
        logger.warning("no CJK font found (set DANGAN_CJK_FONT): the watermark omits Chinese text")
        lines = [ascii_fallback(line) for line in lines]
    text = "  ".join(line for line in lines if line)
    base = image.convert("RGBA")
    size = max(14, base.width // 40)
    stamp = _stamp(text, size)
    # One rotated stamp pasted in a grid of its own bounding boxes (so copies never overlap): far cheaper
    # than drawing and rotating a page-sized layer.
    overlay = Image.new("RGBA", base.size, (0, 0, 0, 0))
    step_x, step_y = stamp.width + size, stamp.height + size
    for row, y in enumerate(range(-size, base.height, step_y)):
        for x in range(-(row % 2) * step_x // 2, base.width, step_x):
            overlay.paste(stamp, (x, y), stamp)
    base.alpha_composite(overlay)
    band = ImageDraw.Draw(base)
    band_height = size + 12
    band.rectangle((0, base.height - band_height, base.width, base.height), fill=(255, 255, 255, 200))
    band.text((8, base.height - band_height + 4), text, font=font(size), fill=(160, 0, 0, 255))
    return base.convert("RGB")


def _stamp(text: str, size: int) -> Image.Image:
    left, top, right, bottom = font(size).getbbox(text or " ")
    stamp = Image.new("RGBA", (right - left + 4, bottom - top + 4), (0, 0, 0, 0))
    ImageDraw.Draw(stamp).text((2 - left, 2 - top), text, font=font(size), fill=(200, 30, 30, 90))
    return stamp.rotate(30, expand=True, resample=Image.Resampling.BICUBIC)


def to_png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG", optimize=False)
    return out.getvalue()


def to_jpeg(image: Image.Image, quality: int = 80) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality)
    return out.getvalue()
