"""档案证明: the PDF carries the copied pages, text, code and QR; verification catches forgeries."""

import io

import pytest
from django.core.exceptions import ValidationError
from pypdf import PdfReader

from dangan.access import certificates
from dangan.access.choices import Mode
from dangan.access.models import AccessRequest
from dangan.access.testing import attach_pdf, make_controlled, make_public_reader, purpose

pytestmark = pytest.mark.django_db


@pytest.fixture
def granted(world):
    item = make_controlled(world.fonds_a, listed_by=world.staff)
    attach_pdf(item, pages=2)
    req = AccessRequest.submit(
        make_public_reader(), [item], purpose("个人取证"), Mode.CERTIFICATE, "证明工龄"
    )
    req.approve(by=world.archivist_a, reason="同意")
    return req, item


def test_a_certificate_holds_the_copied_pages_and_its_code(world, granted):
    req, item = granted
    cert = certificates.issue(req, item, world.archivist_a, "兹证明张三于1998年在城关镇工作。")
    reader = PdfReader(io.BytesIO(bytes(cert.pdf)))
    assert len(reader.pages) == 1 + 2 and cert.pages == 2
    text = reader.pages[0].extract_text()
    assert cert.code in text and item.reference_code in text
    assert reader.pages[0].images, "the cover carries the QR code"
    assert len(cert.code) == 19 and cert.sha256


def test_verification_by_code_and_digest(world, granted):
    req, item = granted
    cert = certificates.issue(req, item, world.archivist_a, "证明")
    assert certificates.verify(cert.code).valid
    assert certificates.verify(cert.code.lower().replace("-", "")).certificate == cert
    result = certificates.verify(cert.code, bytes(cert.pdf))
    assert result.valid and result.digest_matches


def test_a_forged_code_fails(world, granted):
    req, item = granted
    cert = certificates.issue(req, item, world.archivist_a, "证明")
    forged = ("AAAA" if not cert.code.startswith("AAAA") else "BBBB") + cert.code[4:]
    assert certificates.verify(forged).certificate is None
    assert not certificates.verify(forged).valid
    assert not certificates.verify("<script>alert(1)</script>").valid


def test_a_tampered_pdf_fails(world, granted):
    req, item = granted
    cert = certificates.issue(req, item, world.archivist_a, "证明")
    data = bytearray(bytes(cert.pdf))
    data[len(data) // 2] ^= 0x01
    result = certificates.verify(cert.code, bytes(data))
    assert result.certificate == cert and result.digest_matches is False and not result.valid


def test_only_granted_certificate_requests_are_certified(world):
    item = make_controlled(world.fonds_a, listed_by=world.staff)
    req = AccessRequest.submit(make_public_reader(), [item], purpose(), Mode.CERTIFICATE)
    with pytest.raises(ValidationError, match="已批准"):
        certificates.issue(req, item, world.archivist_a, "证明")


def test_another_units_archivist_cannot_certify(world, granted):
    req, item = granted
    with pytest.raises(ValidationError, match="保管该档案"):
        certificates.issue(req, item, world.archivist_b, "证明")


def test_verification_page_reports_match_and_tampering(world, granted, client):
    req, item = granted
    cert = certificates.issue(req, item, world.archivist_a, "证明")
    ok = client.post(
        "/portal/verify/", {"code": cert.code, "file": _upload(bytes(cert.pdf))}
    ).content.decode()
    assert "核验通过" in ok and item.reference_code in ok
    bad = client.post(
        "/portal/verify/", {"code": cert.code, "file": _upload(bytes(cert.pdf) + b"%tampered")}
    ).content.decode()
    assert "已被篡改" in bad
    forged = client.get("/portal/verify/", {"code": "ZZZZ-ZZZZ-ZZZZ-ZZZZ"}).content.decode()
    assert "核验未通过" in forged


def test_verification_api(world, granted, client):
    req, item = granted
    cert = certificates.issue(req, item, world.archivist_a, "证明")
    assert client.get("/api/v1/certificates/verify/", {"code": cert.code}).json()["valid"] is True
    assert client.get("/api/v1/certificates/verify/", {"code": "nope"}).status_code == 404
    answer = client.post(
        "/api/v1/certificates/verify/", {"code": cert.code, "file": _upload(b"%PDF-1.4 fake")}
    )
    assert answer.json()["digest_matches"] is False and answer.json()["valid"] is False


def _upload(data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("certificate.pdf", data, content_type="application/pdf")


def test_a_revoked_certificate_fails_verification(world, granted, client_for):
    req, item = granted
    cert = certificates.issue(req, item, world.archivist_a, "证明")
    with pytest.raises(ValidationError, match="理由"):
        cert.revoke(by=world.archivist_a, reason="")
    with pytest.raises(ValidationError, match="保管该档案"):
        cert.revoke(by=world.archivist_b, reason="错误")
    client_for(world.archivist_a).post(f"/access/certificates/{cert.pk}/revoke/", {"reason": "证明内容有误"})
    cert.refresh_from_db()
    assert cert.revoked
    result = certificates.verify(cert.code, cert.pdf)
    assert result.digest_matches and not result.valid
    page = client_for(None).get("/portal/verify/", {"code": cert.code}).content.decode()
    assert "已作废" in page
