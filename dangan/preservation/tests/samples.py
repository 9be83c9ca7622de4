"""Small sample files made on the spot: PDF (text, JavaScript, encrypted, truncated, image-only), DOCX
with and
without macros, XLSX, OFD, images at given DPI, zip bombs."""

import io
import zipfile

from PIL import Image, ImageDraw, ImageFont


def pdf(text: str = "Dangan archive test page", pages: int = 1, javascript: bool = False) -> bytes:
    """A minimal valid PDF with a text layer in Helvetica (a standard font, not embedded)."""
    objects = []
    kids = " ".join(f"{4 + 2 * i} 0 R" for i in range(pages))
    open_action = " /OpenAction << /S /JavaScript /JS (app.alert\\(1\\)) >>" if javascript else ""
    objects.append(f"<< /Type /Catalog /Pages 2 0 R{open_action} >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>")
    objects.append("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    for i in range(pages):
        content = f"BT /F1 18 Tf 72 720 Td ({text} {i + 1}) Tj ET"
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >>"
            f" /Contents {5 + 2 * i} 0 R >>"
        )
        objects.append(f"<< /Length {len(content)} >>\nstream\n{content}\nendstream")
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1"))
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def encrypted_pdf() -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf())))
    writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def image(width=400, height=300, dpi=300, fmt="PNG", text=None) -> bytes:
    img = Image.new("RGB", (width, height), "white")
    if text:
        ImageDraw.Draw(img).text((20, height // 3), text, fill="black", font=ImageFont.load_default(size=40))
    out = io.BytesIO()
    img.save(out, fmt, dpi=(dpi, dpi))
    return out.getvalue()


def image_only_pdf(text="Scanned 2023", pages=1) -> bytes:
    img = Image.open(io.BytesIO(image(600, 160, text=text)))
    out = io.BytesIO()
    img.save(out, "PDF", resolution=300, save_all=True, append_images=[img.copy() for _ in range(pages - 1)])
    return out.getvalue()


def _zip(members: dict) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return out.getvalue()


CONTENT_TYPES = (
    '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.wordprocessingml.document.main+xml"/></Types>'
)


def docx(text="会议纪要 第一次会议", macros=False) -> bytes:
    document = (
        '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
        f'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>'
    )
    members = {
        "[Content_Types].xml": CONTENT_TYPES,
        "word/document.xml": document,
        "_rels/.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
        'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
        'openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        'Target="word/document.xml"/></Relationships>',
    }
    if macros:
        members["word/vbaProject.bin"] = b"\xd0\xcf\x11\xe0 macro"
    return _zip(members)


def xlsx(rows=(("档号", "题名"), ("A001-WS·2023-Y-BGS-0001", "财务报表"))) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def ofd(text="电子公文 OFD 正文", pages=2) -> bytes:
    ns = "http://www.ofdspec.org/2016"
    members = {
        "OFD.xml": f'<?xml version="1.0" encoding="UTF-8"?><ofd:OFD xmlns:ofd="{ns}" Version="1.0">'
        f"<ofd:DocBody><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>"
    }
    page_list = "".join(
        f'<ofd:Page ID="{i + 1}" BaseLoc="Pages/Page_{i}/Content.xml"/>' for i in range(pages)
    )
    members["Doc_0/Document.xml"] = (
        f'<?xml version="1.0" encoding="UTF-8"?><ofd:Document xmlns:ofd="{ns}">'
        f"<ofd:Pages>{page_list}</ofd:Pages></ofd:Document>"
    )
    for i in range(pages):
        members[f"Doc_0/Pages/Page_{i}/Content.xml"] = (
            f'<?xml version="1.0" encoding="UTF-8"?><ofd:Page xmlns:ofd="{ns}"><ofd:Content><ofd:Layer>'
            f"<ofd:TextObject><ofd:TextCode>{text} {i + 1}</ofd:TextCode></ofd:TextObject></ofd:Layer>"
            f"</ofd:Content></ofd:Page>"
        )
    return _zip(members)


def zip_bomb(expanded=64 * 1024 * 1024) -> bytes:
    """A DOCX-looking zip whose document expands to ``expanded`` bytes of zeros (compressed ~1000:1)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        with zf.open("word/document.xml", "w", force_zip64=True) as member:
            block = b"\0" * (1024 * 1024)
            for _ in range(expanded // len(block)):
                member.write(block)
    return out.getvalue()


def zip_slip() -> bytes:
    return _zip({"OFD.xml": "<x/>", "../../evil.txt": "pwned"})
