"""Web pages of the preservation app, for every persona."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from dangan.preservation.checks import run_checks
from dangan.preservation.models import CheckRun, DigitalFile
from dangan.preservation.tests import samples
from dangan.preservation.tests.helpers import add_file
from dangan.testing import make_item


@pytest.fixture
def item(world):
    return make_item(world.fonds_a)


@pytest.fixture
def pdf_file(item):
    return add_file(item, samples.pdf(), "正文.pdf")


def test_the_item_page_shows_its_files_and_an_upload_form_to_who_may_change_it(
    item, pdf_file, world, client_for
):
    page = client_for(world.archivist_a).get(item.get_absolute_url()).content.decode()
    assert "正文.pdf" in page and 'id="upload-form"' in page
    page = client_for(world.reader).get(item.get_absolute_url())
    if page.status_code == 200:  # an open item: the reader sees the files, not the form
        assert "正文.pdf" in page.content.decode() and 'id="upload-form"' not in page.content.decode()


@pytest.mark.parametrize(
    "persona, expected",
    [("archivist_a", 200), ("staff", 200), ("archivist_b", 404), ("reader", 404), (None, 302)],
)
def test_uploading_files_is_for_who_may_change_the_item(item, world, client_for, persona, expected):
    user = getattr(world, persona) if persona else None
    response = client_for(user).post(
        reverse("preservation:upload", args=[item.pk]),
        {"files": [SimpleUploadedFile("a.txt", b"alpha"), SimpleUploadedFile("b.txt", b"beta")]},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == expected
    assert DigitalFile.objects.count() == (2 if expected == 200 else 0)


def test_an_upload_with_a_clashing_name_reports_the_error_and_keeps_the_others(item, world, client_for):
    add_file(item, b"x", "A.txt")
    response = client_for(world.archivist_a).post(
        reverse("preservation:upload", args=[item.pk]),
        {"files": [SimpleUploadedFile("a.txt", b"dup"), SimpleUploadedFile("c.txt", b"new")]},
        HTTP_ACCEPT="application/json",
    )
    body = response.json()
    assert [f["name"] for f in body["files"]] == ["c.txt"] and "重名" in body["errors"][0]


@pytest.mark.parametrize(
    "persona, expected", [("archivist_a", 200), ("staff", 200), ("archivist_b", 404), (None, 302)]
)
def test_file_pages_and_downloads_follow_the_item(pdf_file, world, client_for, persona, expected):
    client = client_for(getattr(world, persona) if persona else None)
    for name in ("file", "download", "viewer"):
        assert client.get(reverse(f"preservation:{name}", args=[pdf_file.pk])).status_code == expected


def test_a_download_streams_the_exact_bytes(pdf_file, world, client_for):
    response = client_for(world.archivist_a).get(reverse("preservation:download", args=[pdf_file.pk]))
    assert b"".join(response.streaming_content) == samples.pdf()
    assert "attachment" in response["Content-Disposition"]


def test_an_image_has_a_thumbnail(item, world, client_for):
    f = add_file(item, samples.image(800, 600), "scan.png")
    response = client_for(world.archivist_a).get(reverse("preservation:thumbnail", args=[f.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"


def test_scanned_and_text_only_pdfs_have_a_thumbnail_of_their_first_page(item, pdf_file, world, client_for):
    scan = add_file(item, samples.image_only_pdf(), "scan.pdf")
    client = client_for(world.archivist_a)
    for f in (scan, pdf_file):
        response = client.get(reverse("preservation:thumbnail", args=[f.pk]))
        assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
        assert max(Image.open(io.BytesIO(response.content)).size) == 256


def test_the_first_page_access_copy_is_a_large_image_of_page_one(pdf_file, world, client_for):
    response = client_for(world.archivist_a).get(reverse("preservation:first_page", args=[pdf_file.pk]))
    assert response.status_code == 200
    assert Image.open(io.BytesIO(response.content)).size[1] == 1240  # A4 portrait: the height is the limit


def test_an_encrypted_pdf_has_no_thumbnail(item, world, client_for):
    f = add_file(item, samples.encrypted_pdf(), "locked.pdf")
    response = client_for(world.archivist_a).get(reverse("preservation:thumbnail", args=[f.pk]))
    assert response.status_code == 404


def test_the_item_report_shows_results_and_exports_xlsx(item, pdf_file, world, client_for):
    run_checks(DigitalFile.objects.all())
    client = client_for(world.archivist_a)
    page = client.get(reverse("preservation:item_report", args=[item.pk])).content.decode()
    assert "3-5" in page and "未嵌入字体" in page
    response = client.get(reverse("preservation:item_report", args=[item.pk]) + "?format=xlsx")
    assert response.content[:2] == b"PK"
    assert (
        client_for(world.archivist_b).get(reverse("preservation:item_report", args=[item.pk])).status_code
        == 404
    )


def test_checking_an_item_now_rereads_its_files(item, pdf_file, world, client_for):
    response = client_for(world.archivist_a).post(reverse("preservation:check_item", args=[item.pk]))
    assert response.status_code == 302
    run = CheckRun.objects.get()
    assert run.stage == "preservation" and run.files == 1
    assert (
        client_for(world.archivist_b).post(reverse("preservation:check_item", args=[item.pk])).status_code
        == 404
    )


@pytest.mark.parametrize("persona, expected", [("staff", 200), ("archivist_a", 404), ("reader", 404)])
def test_batch_reports_are_for_the_bureau(pdf_file, world, client_for, persona, expected):
    run = run_checks(DigitalFile.objects.all(), title="batch")
    client = client_for(getattr(world, persona))
    assert client.get(reverse("preservation:run", args=[run.pk])).status_code == expected
    if expected == 200:
        assert client.get(reverse("preservation:run", args=[run.pk]) + "?format=xlsx").content[:2] == b"PK"
        assert client.get(reverse("preservation:run_list")).status_code == 200


def test_the_overview_lists_alerts_only_for_files_the_user_may_see(pdf_file, world, client_for):
    DigitalFile.objects.filter(pk=pdf_file.pk).update(status="damaged")
    assert "正文.pdf" in client_for(world.archivist_a).get(reverse("preservation:overview")).content.decode()
    assert (
        "正文.pdf" not in client_for(world.archivist_b).get(reverse("preservation:overview")).content.decode()
    )


def test_a_wrong_upload_is_removed_with_a_reason_by_who_may_change_it(
    item, pdf_file, world, client_for, django_capture_on_commit_callbacks
):
    from dangan.core.models import AuditEntry
    from dangan.preservation.storage import get_storage

    url = reverse("preservation:remove", args=[pdf_file.pk])
    assert client_for(world.archivist_b).post(url, {"reason": "x"}).status_code == 404
    client = client_for(world.archivist_a)
    client.post(url, {"reason": ""})
    assert DigitalFile.objects.filter(pk=pdf_file.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        with_reason = client.post(url, {"reason": "误传"})
    assert with_reason.status_code == 302 and not DigitalFile.objects.filter(pk=pdf_file.pk).exists()
    assert AuditEntry.objects.filter(message__contains="误传", object_id=str(pdf_file.pk)).exists()
    assert AuditEntry.objects.filter(action="delete", object_type="preservation.digitalfile").exists()
    assert not get_storage().exists(pdf_file.storage_key)
