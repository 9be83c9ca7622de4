"""Token authentication, the audit trail of API changes, and the OpenAPI schema."""

import json

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from dangan.api.tests.helpers import item_payload
from dangan.core.audit import verify_chain
from dangan.core.models import AuditEntry
from dangan.testing import PASSWORD, make_item

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"
ITEMS = "/api/v1/items/"


# Tokens ---------------------------------------------------------------------------------------------


def test_user_name_and_password_give_a_token(world):
    response = APIClient().post(TOKEN, {"username": "archivist_a", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    assert response.json()["token"] == Token.objects.get(user=world.archivist_a).key


def test_token_from_the_endpoint_authenticates_requests(world):
    response = APIClient().post(TOKEN, {"username": "archivist_a", "password": PASSWORD}, format="json")
    key = response.json()["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    item = make_item(world.fonds_a)
    assert {row["id"] for row in client.get(ITEMS).json()["results"]} == {item.pk}


def test_asking_twice_gives_the_same_token(world):
    body = {"username": "staff", "password": PASSWORD}
    assert APIClient().post(TOKEN, body).json() == APIClient().post(TOKEN, body).json()


def test_wrong_password_gives_no_token(world):
    response = APIClient().post(TOKEN, {"username": "staff", "password": "wrong"}, format="json")
    assert response.status_code == 400
    assert not Token.objects.filter(user=world.staff).exists()


def test_missing_password_is_named(world):
    response = APIClient().post(TOKEN, {"username": "staff"}, format="json")
    assert response.status_code == 400
    assert "password" in response.json()


def test_inactive_user_gets_no_token(world):
    world.staff.is_active = False
    world.staff.save()
    assert APIClient().post(TOKEN, {"username": "staff", "password": PASSWORD}).status_code == 400


def test_issuing_a_token_is_audited_as_a_login(world):
    APIClient().post(TOKEN, {"username": "staff", "password": PASSWORD})
    assert AuditEntry.objects.filter(action="login", actor_name="staff", message="API token issued").exists()


def test_failed_token_request_is_audited(world):
    APIClient().post(TOKEN, {"username": "staff", "password": "wrong"})
    assert AuditEntry.objects.filter(action="login_failed", object_repr="staff").exists()


def test_bad_token_is_401(world):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")
    assert client.get(ITEMS).status_code == 401


def test_malformed_authorization_header_is_401(world):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token two words")
    assert client.get(ITEMS).status_code == 401


def test_token_of_a_deactivated_user_is_401(world, api):
    client = api(world.staff)
    world.staff.is_active = False
    world.staff.save()
    assert client.get(ITEMS).status_code == 401


def test_no_credentials_is_401_with_a_token_challenge(world):
    response = APIClient().get(ITEMS)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Token")


def test_api_root_needs_sign_in(world):
    assert APIClient().get("/api/v1/").status_code == 401


# Audit trail -----------------------------------------------------------------------------------------------


def test_create_through_the_api_is_audited_with_the_token_user_as_actor(world, api):
    response = api(world.archivist_a).post(ITEMS, item_payload(world), format="json")
    item_id = str(response.json()["id"])
    entry = AuditEntry.objects.get(action="create", object_type="catalogue.item", object_id=item_id)
    assert (entry.actor_name, entry.actor_id) == ("archivist_a", world.archivist_a.pk)


def test_change_through_the_api_is_audited_with_before_and_after(world, api):
    item = make_item(world.fonds_a, title="旧")
    api(world.archivist_a).patch(f"{ITEMS}{item.pk}/", {"title": "新"}, format="json")
    entry = AuditEntry.objects.get(action="update", object_id=str(item.pk), object_type="catalogue.item")
    assert entry.actor_name == "archivist_a"
    assert entry.changes == {"before": {"title": "旧"}, "after": {"title": "新"}}


def test_delete_through_the_api_is_audited_with_the_token_user_as_actor(world, api):
    item = make_item(world.fonds_a)
    api(world.staff).delete(f"{ITEMS}{item.pk}/")
    entry = AuditEntry.objects.get(action="delete", object_id=str(item.pk), object_type="catalogue.item")
    assert entry.actor_name == "staff"


def test_merge_through_the_api_is_audited_with_the_token_user_as_actor(world, api):
    api(world.staff).post("/api/v1/units/merge/", {"units": [world.unit_b.pk], "successor": world.unit_a.pk,
                                                   "date": "2024-01-01"}, format="json")
    entry = AuditEntry.objects.get(action="action", object_type="units.unit", object_id=str(world.unit_b.pk))
    assert entry.actor_name == "staff"


def test_refused_create_is_audited_as_denied_under_the_token_user(world, api):
    api(world.reader).post(ITEMS, item_payload(world), format="json")
    entry = AuditEntry.objects.get(action="denied")
    assert (entry.actor_name, entry.object_type) == ("reader", "catalogue.item")


def test_rejected_input_writes_no_change_entry(world, api):
    before = AuditEntry.objects.count()
    api(world.archivist_a).post(ITEMS, item_payload(world, date="2023-02-30"), format="json")
    assert AuditEntry.objects.count() == before


def test_audit_chain_still_verifies_after_api_changes(world, api):
    client = api(world.archivist_a)
    item_id = client.post(ITEMS, item_payload(world), format="json").json()["id"]
    client.patch(f"{ITEMS}{item_id}/", {"title": "改"}, format="json")
    api(world.archivist_b).delete(f"{ITEMS}{item_id}/")
    assert verify_chain()[1] == []


# OpenAPI schema --------------------------------------------------------------------------------------------


@pytest.fixture
def schema(db):
    response = APIClient().get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    return json.loads(response.content)


def test_schema_is_openapi_3(schema):
    assert schema["openapi"].startswith("3.")


@pytest.mark.parametrize("path", [
    "/api/v1/items/", "/api/v1/items/{id}/", "/api/v1/volumes/", "/api/v1/fonds/", "/api/v1/units/",
    "/api/v1/units/merge/", "/api/v1/groups/", "/api/v1/archivists/", "/api/v1/categories/",
    "/api/v1/category-fields/", "/api/v1/retention/", "/api/v1/schedules/", "/api/v1/schedule-entries/",
    "/api/v1/auth/token/",
])
def test_schema_describes_every_endpoint(schema, path):
    assert path in schema["paths"]


def test_schema_lists_the_shared_filters_for_items(schema):
    names = {p["name"] for p in schema["paths"]["/api/v1/items/"]["get"]["parameters"]}
    assert {"unit", "fonds", "category", "year", "year_from", "year_to", "retention", "status", "control",
            "security_level", "q", "page", "page_size", "ordering"} <= names


def test_schema_declares_token_authentication(schema):
    assert schema["components"]["securitySchemes"]["tokenAuth"]["name"] == "Authorization"


def test_token_endpoint_needs_no_authentication(schema):
    assert schema["paths"]["/api/v1/auth/token/"]["post"].get("security") in (None, [], [{}])


def test_openapi_schema_generates_without_warnings(tmp_path):
    from django.core.management import call_command

    # Two choice sets on fields of one name (status) would otherwise get made-up enum names in clients.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
