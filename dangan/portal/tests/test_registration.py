"""Public readers register with an ID document and sign in on the portal."""

import pytest

from dangan.access.models import Reader
from dangan.access.testing import VALID_ID

pytestmark = pytest.mark.django_db

FORM = {
    "username": "wangwu",
    "name": "王五",
    "id_type": "resident",
    "id_number": VALID_ID,
    "phone": "13900000000",
    "organisation": "",
    "password1": "Archive-reading-2026",
    "password2": "Archive-reading-2026",
}


def test_registration_creates_a_reader_and_signs_in(client):
    response = client.post("/portal/register/", FORM)
    assert response.status_code == 302
    reader = Reader.objects.get()
    assert reader.user.username == "wangwu" and reader.user.role == "reader" and reader.name == "王五"
    assert client.get("/portal/requests/").status_code == 200


def test_an_invalid_id_number_is_refused(client):
    page = client.post("/portal/register/", {**FORM, "id_number": "110105194912310021"}).content.decode()
    assert "不是有效的居民身份证号码" in page and not Reader.objects.exists()


def test_taken_usernames_and_mismatched_passwords_are_refused(client, world):
    page = client.post("/portal/register/", {**FORM, "username": "READER"}).content.decode()
    assert "已被使用" in page
    page = client.post("/portal/register/", {**FORM, "password2": "other-password-1"}).content.decode()
    assert "不一致" in page and not Reader.objects.exists()


def test_portal_sign_in(client, world):
    from dangan.testing import PASSWORD

    response = client.post("/portal/login/", {"username": "reader", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/portal/requests/"
