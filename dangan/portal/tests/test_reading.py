"""Online reading of granted files: watermarked page images, every view logged, downloads only if granted."""

import io

import pytest
from PIL import Image, ImageChops

from dangan.access import rendering
from dangan.access.choices import Mode
from dangan.access.models import AccessRequest, ViewLog
from dangan.access.testing import attach_pdf, make_controlled, make_public_reader, purpose

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(world):
    item = make_controlled(world.fonds_a, listed_by=world.staff)
    f = attach_pdf(item, pages=3)
    reader = make_public_reader()
    req = AccessRequest.submit(reader, [item], purpose(), Mode.ONLINE)
    return item, f, reader, req


def test_pending_requests_give_no_pages(setup, client_for):
    item, f, reader, req = setup
    assert client_for(reader).get(f"/portal/requests/{req.pk}/files/{f.pk}/pages/1.png").status_code == 404


def test_a_granted_reader_reads_watermarked_pages_and_each_view_is_logged(world, setup, client_for):
    item, f, reader, req = setup
    req.approve(by=world.archivist_a, reason="同意")
    client = client_for(reader)
    page = client.get(f"/portal/requests/{req.pk}/files/{f.pk}/").content.decode()
    assert page.count(".png") == 3
    response = client.get(f"/portal/requests/{req.pk}/files/{f.pk}/pages/2.png")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    shown = Image.open(io.BytesIO(response.content)).convert("RGB")
    plain = rendering.render_page(f, 2)
    assert shown.size == plain.size
    difference = ImageChops.difference(shown, plain).convert("L").point(lambda v: 255 if v > 20 else 0)
    changed = difference.histogram()[255] / (shown.width * shown.height)
    assert changed > 0.01, "the watermark is burned into the pixels"
    log = ViewLog.objects.get()
    assert (log.request, log.file, log.user, log.page) == (req, f, reader, 2)


def test_someone_elses_grant_reads_nothing(world, setup, client_for):
    item, f, reader, req = setup
    req.approve(by=world.archivist_a)
    other = make_public_reader("lisi", "李四", "440524188001010014")
    assert client_for(other).get(f"/portal/requests/{req.pk}/files/{f.pk}/pages/1.png").status_code == 404
    assert client_for(other).get(f"/portal/requests/{req.pk}/").status_code == 404
    assert client_for(None).get(f"/portal/requests/{req.pk}/files/{f.pk}/pages/1.png").status_code == 302
    assert not ViewLog.objects.exists()


def test_pages_that_do_not_exist_are_404(world, setup, client_for):
    item, f, reader, req = setup
    req.approve(by=world.archivist_a)
    assert client_for(reader).get(f"/portal/requests/{req.pk}/files/{f.pk}/pages/9.png").status_code == 404


def test_download_only_where_the_grant_allows(world, setup, client_for):
    item, f, reader, req = setup
    req.approve(by=world.archivist_a)
    assert client_for(reader).get(f"/portal/requests/{req.pk}/files/{f.pk}/download/").status_code == 403
    copy = AccessRequest.submit(reader, [item], purpose(), Mode.COPY)
    copy.approve(by=world.archivist_a)
    response = client_for(reader).get(f"/portal/requests/{copy.pk}/files/{f.pk}/download/")
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    assert ViewLog.objects.filter(action="download", request=copy).count() == 1


def test_the_watermark_names_reader_time_and_request(setup):
    image = Image.new("RGB", (800, 1000), "white")
    marked = rendering.watermark(image, ["张三", "zhangsan", "2026-01-01 10:00", "LY2026000001"])
    assert ImageChops.difference(marked, image).getbbox() is not None
