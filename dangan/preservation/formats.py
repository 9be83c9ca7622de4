"""Format identification (PRONOM PUID with FIDO, MIME with puremagic, OFD by hand) and characterisation."""

import contextlib
import mimetypes
import os
import struct
import threading
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path

from lxml import etree

from dangan.preservation.safezip import UnsafeContainer, check_zip, read_member

OFD_MIME = "application/ofd"
OFD_NAMESPACE = "http://www.ofdspec.org"
# DA/T 31-2017: at least 200 dpi for text pages, 300 for photographs and small or poor text.
MIN_DPI_TEXT = 200
MIN_DPI_PHOTO = 300
# Audio and video containers that identifiers name without an audio/ or video/ MIME type.
MEDIA_CONTAINERS = ("application/mp4", "application/ogg", "application/x-matroska")

mimetypes.add_type(OFD_MIME, ".ofd")
mimetypes.add_type("image/jp2", ".jp2")


@dataclass
class FormatInfo:
    puid: str = ""
    format_name: str = ""
    mime: str = ""
    method: str = ""
    extension_mismatch: bool = False

    def as_dict(self) -> dict:
        return asdict(self)


class _Fido:
    """One FIDO instance per process, pointed at the signature files the wheel ships in ``fido/conf``.

    Its bare constructor names a signature file (formats-v104.xml) that the package does not contain.
    """

    _lock = threading.Lock()
    _instance = None

    @classmethod
    def identify(cls, path: str) -> tuple[list, str]:
        with cls._lock:
            if cls._instance is None:
                from fido.fido import Fido

                cls._instance = Fido(
                    quiet=True,
                    handle_matches=cls._collect,
                    format_files=["formats-v109.xml", "format_extensions.xml"],
                )
            cls._matches, cls._matchtype = [], ""
            # FIDO writes warnings (a 0-byte file …) to stderr; they are in our result instead.
            with open(os.devnull, "w") as devnull, contextlib.redirect_stderr(devnull):
                cls._instance.identify_file(path)
            return cls._matches, cls._matchtype

    @classmethod
    def _collect(cls, filename, matches, delta, matchtype):
        cls._matches = [(f, s) for f, s in matches]
        cls._matchtype = matchtype


def _text(element, tag) -> str:
    found = element.find(tag)
    return (found.text or "") if found is not None else ""


def is_ofd(path) -> bool:
    """An OFD (GB/T 33190) is a zip whose ``OFD.xml`` root is in the ofdspec.org namespace."""
    try:
        with zipfile.ZipFile(path) as zf:
            if "OFD.xml" not in zf.namelist():
                return False
            root = etree.fromstring(
                read_member(zf, "OFD.xml", limit=16 * 1024 * 1024),
                etree.XMLParser(resolve_entities=False, no_network=True),
            )
            return (etree.QName(root).namespace or "").startswith(OFD_NAMESPACE)
    except (zipfile.BadZipFile, OSError, etree.XMLSyntaxError, UnsafeContainer, KeyError):
        return False


def identify(path, filename: str) -> FormatInfo:
    path = str(path)
    if os.path.getsize(path) == 0:
        return FormatInfo(method="empty")
    if is_ofd(path):
        info = FormatInfo(puid="", format_name="OFD (GB/T 33190)", mime=OFD_MIME, method="ofd")
    else:
        info = _identify_with_fido(path) or _identify_with_puremagic(path)
    info.extension_mismatch = _extension_lies(filename, info)
    return info


def _identify_with_fido(path: str) -> FormatInfo | None:
    matches, matchtype = _Fido.identify(path)
    if not matches or matchtype == "extension":
        return None
    fmt = matches[0][0]
    return FormatInfo(
        puid=_text(fmt, "puid"),
        format_name=_text(fmt, "name"),
        mime=_text(fmt, "mime"),
        method=f"fido {matchtype}",
    )


def _identify_with_puremagic(path: str) -> FormatInfo:
    import puremagic

    try:
        found = puremagic.magic_file(path)
    except (puremagic.PureError, ValueError, OSError):
        found = []
    if found:
        return FormatInfo(format_name=found[0].name, mime=found[0].mime_type, method="puremagic")
    if _looks_like_text(path):
        return FormatInfo(puid="x-fmt/111", format_name="Plain Text File", mime="text/plain", method="text")
    return FormatInfo(method="unknown")


def _looks_like_text(path: str) -> bool:
    with open(path, "rb") as f:
        head = f.read(65536)
    if b"\x00" in head:
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            head.decode(encoding)
            return True
        except UnicodeDecodeError as e:
            if e.start > len(head) - 4:  # a character cut at the end of the sample
                return True
    return False


def _extension_lies(filename: str, info: FormatInfo) -> bool:
    """Whether the name's extension belongs to another format than the content (``.pdf`` on a JPEG)."""
    suffix = Path(filename).suffix.lower()
    if not info.mime or not suffix or info.mime == "text/plain":
        return False
    known = set(mimetypes.guess_all_extensions(info.mime)) | {mimetypes.guess_extension(info.mime) or ""}
    known.discard("")
    if info.mime == "image/jpeg":
        known |= {".jpg", ".jpeg", ".jpe", ".jfif"}
    if info.mime == "image/tiff":
        known |= {".tif", ".tiff"}
    return bool(known) and suffix not in known


# Characterisation ------------------------------------------------------------------------------------------


def characterise(path, info: FormatInfo) -> dict:
    """What a preservation check needs to know about the content: pages, pixels, DPI, encryption, risks."""
    path = str(path)
    result: dict = {"identification": info.as_dict()}
    try:
        if info.mime == "application/pdf":
            result.update(characterise_pdf(path))
        elif info.mime.startswith("image/"):
            result.update(characterise_image(path))
        elif info.mime == OFD_MIME:
            result.update(characterise_ofd(path))
        elif info.mime.startswith(("audio/", "video/")) or info.mime in MEDIA_CONTAINERS:
            result.update(characterise_media(path))
        elif _is_office_zip(info):
            result.update(characterise_office(path))
    except UnsafeContainer as e:
        result.update(opens=False, error=str(e), unsafe=True)
    except Exception as e:  # a broken file is a finding about the file, not a failure of the capture
        result.update(opens=False, error=f"{type(e).__name__}: {e}"[:500])
    return result


def _is_office_zip(info: FormatInfo) -> bool:
    return "openxmlformats" in info.mime or info.mime.startswith("application/vnd.ms-")


def characterise_pdf(path: str) -> dict:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(path, strict=False)
        encrypted = reader.is_encrypted
        if encrypted:
            return {"opens": True, "encrypted": True, "pages": None}
        pages = len(reader.pages)
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as e:
        return {"opens": False, "error": f"{type(e).__name__}: {e}"[:500]}
    with open(path, "rb") as f:
        f.seek(max(0, os.path.getsize(path) - 2048))
        has_eof = b"%%EOF" in f.read()
    return {
        "opens": has_eof,
        "error": "" if has_eof else "no %%EOF marker: the file is truncated",
        "encrypted": False,
        "pages": pages,
        "fonts_not_embedded": sorted(_pdf_unembedded_fonts(reader))[:50],
        "javascript": _pdf_has_javascript(reader),
        "launch_actions": _pdf_has_launch(reader),
        "text_layer": _pdf_has_text(reader),
        "signatures": _pdf_signatures(reader, os.path.getsize(path)),
    }


def _resolve(obj):
    return obj.get_object() if hasattr(obj, "get_object") else obj


def _pdf_unembedded_fonts(reader) -> set[str]:
    missing = set()
    for page in reader.pages[:200]:
        resources = _resolve(page.get("/Resources")) or {}
        fonts = _resolve(resources.get("/Font")) or {}
        for font in fonts.values():
            font = _resolve(font)
            if _font_embedded(font):
                continue
            missing.add(str(font.get("/BaseFont", "?")).lstrip("/"))
    return missing


def _font_embedded(font) -> bool:
    if font.get("/Subtype") == "/Type3":
        return True  # glyphs are drawn by the PDF itself
    descendants = font.get("/DescendantFonts")
    if descendants:
        return all(_font_embedded(_resolve(d)) for d in _resolve(descendants))
    descriptor = _resolve(font.get("/FontDescriptor"))
    return bool(descriptor) and any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))


def _walk_pdf(obj, seen, depth=0):
    if depth > 40:
        return
    if hasattr(obj, "idnum"):
        if obj.idnum in seen:
            return
        seen.add(obj.idnum)
        obj = obj.get_object()
    yield obj
    if isinstance(obj, dict):
        for value in obj.values():
            yield from _walk_pdf(value, seen, depth + 1)
    elif isinstance(obj, list):
        for value in obj:
            yield from _walk_pdf(value, seen, depth + 1)


def _pdf_objects(reader):
    seen: set = set()
    return _walk_pdf(reader.trailer["/Root"], seen)


def _pdf_has_javascript(reader) -> bool:
    for obj in _pdf_objects(reader):
        if isinstance(obj, dict) and ("/JS" in obj or obj.get("/S") == "/JavaScript" or "/JavaScript" in obj):
            return True
    return False


def _pdf_has_launch(reader) -> bool:
    return any(isinstance(obj, dict) and obj.get("/S") == "/Launch" for obj in _pdf_objects(reader))


def _pdf_has_text(reader) -> bool:
    for page in reader.pages[:3]:
        with contextlib.suppress(Exception):
            if page.extract_text().strip():
                return True
    return False


def _pdf_signatures(reader, file_size: int) -> list[dict]:
    """The digital signatures of a PDF and the bytes each signs (its ``/ByteRange``).

    A signature signs two ranges, the bytes before and after its own ``/Contents``; a signature covers the
    file when its second range ends at the end of the file, so nothing was appended after signing. Whether
    the signature value is mathematically valid and its certificate trusted is not judged here.
    """
    root = reader.trailer["/Root"]
    form = _resolve(root.get("/AcroForm")) or {}
    found = []
    pending = list(_resolve(form.get("/Fields")) or [])
    seen = 0
    while pending and seen < 10_000:
        seen += 1
        field = _resolve(pending.pop(0))
        if not isinstance(field, dict):
            continue
        pending.extend(_resolve(field.get("/Kids")) or [])
        value = _resolve(field.get("/V"))
        if field.get("/FT") != "/Sig" or not isinstance(value, dict):
            continue
        byte_range = [int(n) for n in (_resolve(value.get("/ByteRange")) or [])]
        covers = (
            len(byte_range) == 4
            and byte_range[0] == 0
            and byte_range[1] < byte_range[2]
            and byte_range[2] + byte_range[3] == file_size
        )
        found.append(
            {
                "field": str(field.get("/T", "")),
                "signer": str(value.get("/Name", "")),
                "time": str(value.get("/M", "")),
                "sub_filter": str(value.get("/SubFilter", "")).lstrip("/"),
                "byte_range": byte_range,
                "covers_whole_file": covers,
            }
        )
    return found


def characterise_image(path: str) -> dict:
    from PIL import Image

    with Image.open(path) as image:
        width, height = image.size
        dpi = image.info.get("dpi")
        mode = image.mode
        image.verify()
    result = {"opens": True, "width": width, "height": height, "mode": mode}
    if dpi:
        x_dpi = round(float(dpi[0]))
        result["dpi"] = x_dpi
        # Below 200 dpi a scan fails DA/T 31 for text; below 300 it fails for photographs.
        result["below_dpi_text"] = x_dpi < MIN_DPI_TEXT
        result["below_dpi_photo"] = x_dpi < MIN_DPI_PHOTO
    return result


def characterise_ofd(path: str) -> dict:
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    with zipfile.ZipFile(path) as zf:
        check_zip(zf)
        ofd = etree.fromstring(read_member(zf, "OFD.xml"), parser)
        pages = 0
        for doc_root in ofd.iter("{*}DocRoot"):
            name = (doc_root.text or "").strip().lstrip("/")
            document = etree.fromstring(read_member(zf, name), parser)
            pages += sum(1 for _ in document.iter("{*}Page"))
        scripts = [n for n in zf.namelist() if n.lower().endswith((".js", ".exe", ".dll"))]
        # Electronic seals and signatures (GB/T 38540) are listed in a Signatures.xml per document.
        seals = 0
        for name in zf.namelist():
            if name.lower().endswith("signatures.xml"):
                listing = etree.fromstring(read_member(zf, name), parser)
                seals += sum(1 for _ in listing.iter("{*}Signature"))
    return {
        "opens": True,
        "pages": pages,
        "encrypted": False,
        "javascript": bool(scripts),
        "seals": seals,
    }


def characterise_office(path: str) -> dict:
    with zipfile.ZipFile(path) as zf:
        check_zip(zf)
        names = zf.namelist()
        bad = zf.testzip()
    macros = any(n.lower().endswith("vbaproject.bin") for n in names)
    return {
        "opens": bad is None,
        "error": f"damaged member {bad}" if bad else "",
        "macros": macros,
        "encrypted": False,
    }


def characterise_media(path: str) -> dict:
    """Duration (seconds), sample rate and channels of audio and video, read by tinytag (pure Python, MIT).

    tinytag recognises the format by its magic bytes (a stored blob has no extension) and reads WAV, MP3,
    MP4/M4A/MOV (the movie header's duration, so video too), Ogg (Vorbis, Opus, FLAC, Speex), FLAC, AIFF
    and WMA. It does not read AVI or Matroska, whose duration is then left unknown rather than guessed.
    """
    from tinytag import TinyTag, TinyTagException, UnsupportedFormatError

    try:
        tag = TinyTag.get(path, tags=False)
    except UnsupportedFormatError:
        return {"duration": None, "media_reader": "none"}
    except (TinyTagException, OSError, ValueError, struct.error) as e:
        return {"opens": False, "error": f"{type(e).__name__}: {e}"[:500]}
    result = {"opens": True, "duration": round(tag.duration, 3) if tag.duration else None}
    for key, value in (("sample_rate", tag.samplerate), ("channels", tag.channels), ("kbps", tag.bitrate)):
        if value:
            result[key] = round(value, 1) if isinstance(value, float) else value
    return result


def is_encrypted_office(path) -> bool:
    """Password-protected DOCX/XLSX are OLE compound files (EncryptedPackage), not zips."""
    with open(path, "rb") as f:
        return f.read(8) == bytes.fromhex("D0CF11E0A1B11AE1")
