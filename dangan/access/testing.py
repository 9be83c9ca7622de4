"""Factories for utilisation tests (access and portal): readers, controlled items with files, sample PDFs."""

import io

from dangan.access.choices import IdType, ReaderKind
from dangan.access.models import CatalogueListing, Purpose, Reader
from dangan.accounts.choices import Role
from dangan.catalogue.choices import ControlStatus
from dangan.testing import make_item, make_user

# Valid 居民身份证 numbers (check digits computed by dangan.lib.idnumbers).
VALID_ID = "11010519491231002X"
VALID_ID_2 = "440524188001010014"


def sample_pdf(pages: int = 2, text: str = "Dangan sample page") -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4)
    for number in range(1, pages + 1):
        pdf.setFont("Helvetica", 28)
        pdf.drawString(72, 700, f"{text} {number}")
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def make_public_reader(username="zhangsan", name="张三", id_number=VALID_ID):
    user = make_user(username, Role.READER, None)
    Reader.objects.create(
        user=user,
        kind=ReaderKind.PUBLIC,
        name=name,
        id_type=IdType.RESIDENT,
        id_number=id_number,
        phone="13800000000",
    )
    return user


def make_controlled(fonds, listed_by=None, **kwargs):
    """A controlled item; with ``listed_by`` its catalogue entry is published on the portal."""
    item = make_item(
        fonds, control=ControlStatus.CONTROLLED, title=kwargs.pop("title", "城关镇土地承包合同"), **kwargs
    )
    if listed_by is not None:
        CatalogueListing.objects.create(item=item, listed_by=listed_by)
    return item


def attach_pdf(item, pages: int = 2, name: str = "scan.pdf"):
    from dangan.preservation.services import ingest_file

    return ingest_file(item, io.BytesIO(sample_pdf(pages, item.reference_code)), name)


def purpose(name="学术研究") -> Purpose:
    # get_or_create: a transactional test's flush removes the rows the data migration made.
    return Purpose.objects.get_or_create(name=name)[0]
