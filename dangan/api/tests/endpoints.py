"""Declarative permission and CRUD tests for endpoints every signed-in user reads and only the bureau edits.

A test class names the endpoint, how to make one object, a valid create body and a change; it inherits a test
for every persona and every verb (NetBox's ``APIViewTestCases`` in a few lines).
"""

import pytest

from dangan.api.tests.helpers import denials

READERS = ["staff", "archivist_a", "archivist_b", "reader"]
NON_BUREAU = ["archivist_a", "archivist_b", "reader"]


class BureauEditedEndpoint:
    url: str
    change: dict  # one field and its new value, for PATCH

    def make(self, world):
        raise NotImplementedError

    def payload(self, world) -> dict:
        raise NotImplementedError

    @property
    def model(self):
        raise NotImplementedError

    def detail(self, obj):
        return f"{self.url}{obj.pk}/"

    @pytest.mark.parametrize("persona", READERS)
    def test_every_signed_in_user_lists_them(self, world, as_persona, persona):
        obj = self.make(world)
        response = as_persona(persona).get(self.url, {"page_size": 1000})
        assert response.status_code == 200
        assert obj.pk in {row["id"] for row in response.json()["results"]}

    @pytest.mark.parametrize("persona", READERS)
    def test_every_signed_in_user_retrieves_one(self, world, as_persona, persona):
        obj = self.make(world)
        assert as_persona(persona).get(self.detail(obj)).status_code == 200

    def test_anonymous_cannot_list_them(self, world, as_persona):
        self.make(world)
        assert as_persona("anonymous").get(self.url).status_code == 401

    def test_bureau_staff_create_one(self, world, as_persona):
        before = self.model.objects.count()
        response = as_persona("staff").post(self.url, self.payload(world), format="json")
        assert response.status_code == 201, response.content
        assert self.model.objects.count() == before + 1

    @pytest.mark.parametrize("persona", NON_BUREAU + ["anonymous"])
    def test_nobody_else_creates_one(self, world, as_persona, persona):
        payload = self.payload(world)
        before = self.model.objects.count()
        response = as_persona(persona).post(self.url, payload, format="json")
        assert response.status_code == (401 if persona == "anonymous" else 403)
        assert self.model.objects.count() == before

    def test_bureau_staff_change_one(self, world, as_persona):
        obj = self.make(world)
        response = as_persona("staff").patch(self.detail(obj), self.change, format="json")
        assert response.status_code == 200, response.content
        obj.refresh_from_db()
        for field, value in self.change.items():
            assert getattr(obj, field) == value

    @pytest.mark.parametrize("persona", NON_BUREAU + ["anonymous"])
    def test_nobody_else_changes_one(self, world, as_persona, persona):
        obj = self.make(world)
        response = as_persona(persona).patch(self.detail(obj), self.change, format="json")
        assert response.status_code == (401 if persona == "anonymous" else 403)
        obj.refresh_from_db()
        for field, value in self.change.items():
            assert getattr(obj, field) != value

    def test_bureau_staff_delete_an_unused_one(self, world, as_persona):
        obj = self.make(world)
        assert as_persona("staff").delete(self.detail(obj)).status_code == 204
        assert not self.model.objects.filter(pk=obj.pk).exists()

    @pytest.mark.parametrize("persona", NON_BUREAU + ["anonymous"])
    def test_nobody_else_deletes_one(self, world, as_persona, persona):
        obj = self.make(world)
        response = as_persona(persona).delete(self.detail(obj))
        assert response.status_code == (401 if persona == "anonymous" else 403)
        assert self.model.objects.filter(pk=obj.pk).exists()

    def test_a_refused_change_is_audited(self, world, as_persona):
        obj = self.make(world)
        as_persona("archivist_a").patch(self.detail(obj), self.change, format="json")
        assert [e.message for e in denials("archivist_a")] == ["denied: change"]
