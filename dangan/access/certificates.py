"""档案证明: building the certified-copy PDF, and verifying a code and an uploaded copy against it."""

import hashlib
import io
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dangan.access import rendering
from dangan.access.choices import Mode
from dangan.access.models import Certificate, CertificateDocument, display_name
from dangan.core.permissions import ADD, can

MAX_CERTIFIED_PAGES = 50
CODE_LENGTH = 19


def verify_url(code: str, base_url: str = "") -> str:
    base = (settings.DANGAN_PORTAL_URL or base_url).rstrip("/")
    return f"{base}{reverse('portal:verify')}?code={code}"


def issue(request, item, by, statement: str, base_url: str = "") -> Certificate:
    """Certify copies of ``item``'s pages for a granted certificate request; return the stored certificate."""
    statement = (statement or "").strip()
    if request.mode != Mode.CERTIFICATE or not request.is_active_grant:
        raise ValidationError(_("只有已批准的“档案证明”申请才能出具证明"))
    if not request.request_items.filter(item=item).exists():
        raise ValidationError(_("该档案不在此申请中"))
    if not statement:
        raise ValidationError({"statement": _("请填写证明内容")})
    certificate = Certificate(
        request=request, item=item, statement=statement, issued_by=by, issued_at=timezone.now()
    )
    if not can(by, ADD, certificate):
        raise ValidationError(_("只有保管该档案的单位或档案局可以出具证明"))
    certificate.full_clean(exclude=["sha256"])
    pages = _pages(item)
    certificate.pages = len(pages)
    data = build_pdf(certificate, pages, verify_url(certificate.code, base_url))
    certificate.sha256 = hashlib.sha256(data).hexdigest()
    with transaction.atomic():
        certificate.save()
        CertificateDocument.objects.create(certificate=certificate, pdf=data)
        request.request_items.filter(item=item).update(pages=len(pages))
    return certificate


def _pages(item) -> list:
    pages = []
    for row in item.digital_files.complete().order_by("pk"):
        if not rendering.renderable(row):
            continue
        for number in range(1, rendering.page_count(row) + 1):
            if len(pages) >= MAX_CERTIFIED_PAGES:
                return pages
            pages.append(rendering.render_page(row, number))
    return pages


def build_pdf(certificate: Certificate, pages: list, url: str) -> bytes:
    import segno
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    # A CID font the PDF reader supplies: no font file needs to ship with Dangan.
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4, invariant=True)
    pdf.setTitle(f"档案证明 {certificate.code}")
    width, height = A4
    _cover(pdf, certificate, width, height)
    qr = io.BytesIO()
    segno.make(url, error="m").save(qr, kind="png", scale=4, border=2)
    qr.seek(0)
    pdf.drawImage(ImageReader(qr), width - 150, 60, 110, 110)
    pdf.setFont("STSong-Light", 9)
    pdf.drawString(60, 50, f"核验：{url}")
    pdf.showPage()
    for number, page in enumerate(pages, start=1):
        _copied_page(pdf, page, number, len(pages), certificate, width, height)
    pdf.save()
    return out.getvalue()


def _cover(pdf, certificate, width, height) -> None:
    item = certificate.item
    pdf.setFont("STSong-Light", 22)
    pdf.drawCentredString(width / 2, height - 90, "档 案 证 明")
    pdf.setFont("STSong-Light", 11)
    when = timezone.localtime(certificate.issued_at).strftime("%Y年%m月%d日 %H:%M")
    lines = [
        f"证明编号（核验码）：{certificate.code}",
        f"申请编号：{certificate.request.number}　申请人：{display_name(certificate.request.requester)}",
        f"档号：{item.reference_code}",
        f"题名：{item.title[:60]}",
        f"复制页数：{certificate.pages} 页",
        "",
        *_wrap(certificate.statement, 38),
        "",
        f"经核对，所附 {certificate.pages} 页复制件与本馆所藏原件内容一致，特此证明。",
        "",
        f"出具单位：{settings.DANGAN_ARCHIVES_NAME}",
        f"出具人：{display_name(certificate.issued_by)}　出具时间：{when}",
        "可在门户网站“证明核验”页面输入核验码并上传本文件，核对其是否被篡改。",
    ]
    y = height - 140
    for line in lines:
        pdf.drawString(60, y, line)
        y -= 20


def _wrap(text: str, width: int) -> list[str]:
    out = []
    for paragraph in text.splitlines() or [""]:
        out.extend(paragraph[i : i + width] for i in range(0, max(len(paragraph), 1), width))
    return out[:20]


def _copied_page(pdf, image, number, total, certificate, width, height) -> None:
    from reportlab.lib.utils import ImageReader

    margin, footer = 40, 40
    scale = min((width - 2 * margin) / image.width, (height - 2 * margin - footer) / image.height)
    w, h = image.width * scale, image.height * scale
    buffer = io.BytesIO(rendering.to_jpeg(image, 85))
    pdf.drawImage(ImageReader(buffer), (width - w) / 2, height - margin - h, w, h)
    pdf.setFont("STSong-Light", 9)
    pdf.drawString(
        margin,
        margin / 2 + 10,
        f"档案证明 {certificate.code} 复制件 第 {number}/{total} 页 · {settings.DANGAN_ARCHIVES_NAME}",
    )
    pdf.showPage()


@dataclass
class Verification:
    certificate: Certificate | None
    digest_matches: bool | None = None  # None: no file was uploaded

    @property
    def valid(self) -> bool:
        return (
            self.certificate is not None and not self.certificate.revoked and self.digest_matches is not False
        )


def normalise_code(code: str) -> str:
    raw = "".join(c for c in (code or "").upper() if c.isalnum())[:16]
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def verify(code: str, uploaded: bytes | None = None) -> Verification:
    certificate = (
        Certificate.objects.select_related("item", "issued_by", "request")
        .filter(code=normalise_code(code))
        .first()
    )
    if certificate is None:
        return Verification(None)
    if uploaded is None:
        return Verification(certificate)
    return Verification(certificate, hashlib.sha256(uploaded).hexdigest() == certificate.sha256)
