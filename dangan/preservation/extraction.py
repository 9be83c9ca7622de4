"""Text for search: extracted from PDF, DOCX, XLSX, OFD and plain text; OCR (RapidOCR, offline, CPU) for
scanned images and image-only PDFs. Runs as a background job after capture, never inside an upload.
"""

import contextlib
import io
import logging
import os
import tempfile
import threading
import zipfile

from django.conf import settings
from lxml import etree

from dangan.lib.pdfium import PdfError, pdf_page_count, render_pdf_page
from dangan.preservation import formats
from dangan.preservation.choices import EventType, FileRole, Outcome, TextStatus
from dangan.preservation.models import DigitalFile, PreservationEvent, default_agent
from dangan.preservation.safezip import UnsafeContainer, check_zip, read_member
from dangan.preservation.storage import get_storage

logger = logging.getLogger(__name__)
MAX_TEXT = 5_000_000  # characters kept per file: search needs words, not a second copy of the archive
XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def pdf_text(path: str, ocr_pages=None) -> tuple[str, str]:
    from pypdf import PdfReader

    reader = PdfReader(path, strict=False)
    parts = [(page.extract_text() or "") for page in reader.pages]
    text = "\n".join(parts).strip()
    if text:
        return text, "pdf"
    # No text layer: a scan. Each page is rendered at OCR_DPI and read, whatever the resolution, the
    # encoding (JBIG2, CCITT …) and the number of the images it is made of.
    return "\n".join(t for t in _ocr_pdf_pages(path, ocr_pages) if t), "ocr"


def _ocr_pdf_pages(path: str, progress=None):
    import numpy

    # Each page is rendered under PDFium's lock and read outside it: OCR takes seconds a page, and
    # readers' page views must not wait for it.
    count = pdf_page_count(path)
    for index in range(count):
        image = render_pdf_page(path, index, lambda w, h: OCR_DPI / 72, grayscale=True)
        yield ocr_pixels(numpy.asarray(image))
        if progress:
            progress(index + 1, count)


def docx_text(path: str) -> str:
    with zipfile.ZipFile(path) as zf:
        check_zip(zf)
        root = etree.fromstring(read_member(zf, "word/document.xml"), XML_PARSER)
    paragraphs = []
    for paragraph in root.iter("{*}p"):
        paragraphs.append("".join(node.text or "" for node in paragraph.iter("{*}t")))
    return "\n".join(p for p in paragraphs if p)


def xlsx_text(path: str) -> str:
    with zipfile.ZipFile(path) as zf:
        check_zip(zf)  # openpyxl would expand a zip bomb without asking
    import openpyxl

    # A stream, not the path: openpyxl judges a path by its extension, and a stored blob has none.
    stream = open(path, "rb")
    workbook = openpyxl.load_workbook(stream, read_only=True, data_only=True)
    lines = []
    try:
        for sheet in workbook.worksheets:
            for row in sheet.iter_rows(values_only=True):
                cells = [str(c) for c in row if c is not None and str(c).strip()]
                if cells:
                    lines.append("\t".join(cells))
    finally:
        workbook.close()
        stream.close()
    return "\n".join(lines)


def ofd_text(path: str) -> str:
    with zipfile.ZipFile(path) as zf:
        check_zip(zf)
        texts = []
        for name in sorted(n for n in zf.namelist() if n.lower().endswith("content.xml")):
            root = etree.fromstring(read_member(zf, name), XML_PARSER)
            texts.extend(node.text or "" for node in root.iter("{*}TextCode"))
    return "\n".join(t for t in texts if t)


def plain_text(path: str) -> str:
    with open(path, "rb") as f:
        data = f.read(MAX_TEXT * 4)
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace")


class _OCR:
    _lock = threading.Lock()
    _engine = None

    @classmethod
    def engine(cls):
        with cls._lock:
            if cls._engine is None:
                logging.getLogger("RapidOCR").setLevel(logging.WARNING)
                from rapidocr import RapidOCR

                cls._engine = RapidOCR(params=OCR_PARAMS)
            return cls._engine


# Scans are read at this resolution: 10.5 pt (五号) text is about 29 pixels high, enough for the recogniser,
# and a page costs a quarter of what it does at 400 dpi.
OCR_DPI = 200
OCR_PARAMS = {
    # No text-direction classifier: scans are upright pages, and it costs a quarter of the time.
    "Global.use_cls": False,
    # The detector looks at the page at most 1280 pixels long (the default scales a 2000-pixel page up to
    # no less than 736 on its short side: 2.5 times the work, and no more lines found); the recogniser still
    # reads each line cut from the full-size page.
    "Det.limit_type": "max",
    "Det.limit_side_len": 1280,
    # One thread per core (the default leaves the choice to onnxruntime), and its memory arena on: the
    # recogniser's inputs change shape with every batch, and without the arena each run allocates anew.
    "EngineConfig.onnxruntime.intra_op_num_threads": os.cpu_count() or 1,
    "EngineConfig.onnxruntime.enable_cpu_mem_arena": True,
}


def ocr_pixels(image) -> str:
    """The text of an image: encoded bytes (PNG, JPEG, TIFF …) or an array of pixels."""
    result = _OCR.engine()(image)
    return "\n".join(result.txts or ()) if result is not None else ""


def ocr_image(path: str) -> str:
    with open(path, "rb") as f:
        return ocr_pixels(f.read())


def extract(path: str, mime: str) -> tuple[str, str]:
    """The text of a file, and how it was got ('pdf', 'docx', 'ocr' …); ('', '') when it has none."""
    if mime == "application/pdf":
        return pdf_text(path)
    if mime == DOCX:
        return docx_text(path), "docx"
    if mime == XLSX:
        return xlsx_text(path), "xlsx"
    if mime == formats.OFD_MIME:
        return ofd_text(path), "ofd"
    if mime == "text/plain":
        return plain_text(path), "text"
    if mime.startswith("image/") and settings.DANGAN_OCR:
        return ocr_image(path), "ocr"
    return "", ""


@contextlib.contextmanager
def local_copy(row: DigitalFile):
    """A path to read the file from: the blob itself on disk, else a temporary copy from object storage."""
    storage = get_storage()
    path = storage.local_path(row.storage_key)
    if path is not None:
        yield str(path)
        return
    with tempfile.NamedTemporaryFile(dir=storage.staging_dir, suffix=".read") as tmp:
        with storage.open(row.storage_key) as stream:
            while chunk := stream.read(4 * 1024 * 1024):
                tmp.write(chunk)
        tmp.flush()
        yield tmp.name


def extract_file(row: DigitalFile) -> None:
    try:
        with local_copy(row) as path:
            text, method = extract(path, row.mime)
        row.text, row.text_status = text[:MAX_TEXT], TextStatus.DONE
        outcome, detail = Outcome.SUCCESS, f"{method}: {len(text)} characters"
    except (UnsafeContainer, Exception) as e:  # a file we cannot read is a finding, not a crash of the job
        row.text_status = TextStatus.FAILED
        outcome, detail = Outcome.FAILURE, f"{type(e).__name__}: {e}"[:1000]
    DigitalFile.objects.filter(pk=row.pk).update(text=row.text, text_status=row.text_status)
    PreservationEvent.objects.create(
        file=row, event_type=EventType.TEXT_EXTRACTION, agent=default_agent(), outcome=outcome, detail=detail
    )


def refresh_full_text(item) -> None:
    """The item's full text is the text of all its files, in file order."""
    texts = DigitalFile.objects.complete().filter(item=item).exclude(text="").order_by("pk")
    item.full_text = "\n\n".join(texts.values_list("text", flat=True))
    item.save(update_fields=["full_text"])


def extract_pending(progress=None) -> dict:
    todo = list(
        DigitalFile.objects.complete()
        .filter(text_status=TextStatus.PENDING)
        .exclude(role=FileRole.EXTRACTED_TEXT)
        .select_related("item")
        .order_by("pk")
    )
    items = {}
    for number, row in enumerate(todo, 1):
        extract_file(row)
        if row.item_id:
            items[row.item_id] = row.item
        if progress:
            progress(number, len(todo))
    for item in items.values():
        refresh_full_text(item)
    return {"files": len(todo), "items": len(items)}


def thumbnail(row: DigitalFile, size: int = 256) -> bytes | None:
    """A JPEG access copy made on demand, at most ``size`` pixels each way: of an image, or of a PDF's first
    page rendered by PDFium (text-only PDFs as well as scans); None for other formats or an unreadable file.
    """
    from PIL import Image

    if not (row.is_image or row.is_pdf):
        return None
    with local_copy(row) as path:
        if row.is_pdf:
            image = _first_page_image(path, size)
            if image is None:
                return None
        else:
            image = Image.open(path)
        with image:
            image.thumbnail((size, size))
            out = io.BytesIO()
            image.convert("RGB").save(out, "JPEG", quality=80)
    return out.getvalue()


def _first_page_image(path: str, size: int):
    try:
        return render_pdf_page(path, 0, lambda w, h: max(0.05, min(4.0, size / max(w, h, 1))))
    except PdfError:  # damaged, encrypted with a password, or no pages: no picture of it
        return None
