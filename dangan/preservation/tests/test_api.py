import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from dangan.preservation.models import DigitalFile
from dangan.preservation.tests.helpers import add_file
from dangan.testing import make_item


@pytest.fixture
def item(world):
    return make_item(world.fonds_a)


def api(user):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.mark.parametrize(
    "persona, expected",
    [("archivist_a", 201), ("staff", 201), ("archivist_b", 404), ("reader", 403), (None, 401)],
)
def test_posting_a_file_to_an_item_is_for_who_may_change_it(item, world, persona, expected):
    user = getattr(world, persona) if persona else None
    response = api(user).post(
        f"/api/v1/items/{item.pk}/files/",
        {"file": SimpleUploadedFile("正文.txt", b"content")},
        format="multipart",
    )
    assert response.status_code in ((expected,) if expected != 401 else (401, 403))
    if expected == 201:
        body = response.json()
        assert (
            body["sha256"] == hashlib.sha256(b"content").hexdigest() and body["original_name"] == "正文.txt"
        )
        assert body["content_url"].endswith(f"/api/v1/files/{body['id']}/content/")


def test_a_reader_who_may_see_an_item_but_not_change_it_gets_403(item, world):
    response = api(world.reader).post(
        f"/api/v1/items/{item.pk}/files/", {"file": SimpleUploadedFile("a.txt", b"x")}, format="multipart"
    )
    assert response.status_code == 403


def test_a_wrong_client_digest_is_a_400_naming_the_file(item, world):
    response = api(world.archivist_a).post(
        f"/api/v1/items/{item.pk}/files/",
        {"file": SimpleUploadedFile("a.txt", b"x"), "sha256": "0" * 64},
        format="multipart",
    )
    assert response.status_code == 400 and "SHA-256" in response.json()["file"][0]
    assert not DigitalFile.objects.exists()


def test_listing_reading_and_downloading_files(item, world):
    f = add_file(item, b"hello", "h.txt")
    client = api(world.archivist_a)
    assert [row["id"] for row in client.get(f"/api/v1/items/{item.pk}/files/").json()] == [f.pk]
    detail = client.get(f"/api/v1/files/{f.pk}/").json()
    assert detail["sha256"] == f.sha256 and detail["events"][0]["event_type"] == "capture"
    content = client.get(f"/api/v1/files/{f.pk}/content/")
    assert b"".join(content.streaming_content) == b"hello"
    assert api(world.archivist_b).get(f"/api/v1/files/{f.pk}/").status_code == 404
    assert api(world.archivist_b).get(f"/api/v1/items/{item.pk}/files/").status_code == 404


def test_volumes_take_files_through_the_api_too(world):
    from dangan.testing import make_volume

    volume = make_volume(world.fonds_a)
    response = api(world.archivist_a).post(
        f"/api/v1/volumes/{volume.pk}/files/",
        {"file": SimpleUploadedFile("图纸.txt", b"drawing")},
        format="multipart",
    )
    assert response.status_code == 201 and response.json()["volume"] == volume.pk
    assert api(world.archivist_b).get(f"/api/v1/volumes/{volume.pk}/files/").status_code == 404
