"""Code tables (categories and their fields, retention, schedules and their entries): read by all, edited by
the bureau."""

import pytest

from dangan.api.tests.endpoints import BureauEditedEndpoint
from dangan.catalogue.models import Category, CategoryField, Retention, RetentionSchedule, ScheduleEntry
from dangan.testing import make_category, make_item, make_retention

pytestmark = pytest.mark.django_db


class TestRetentionApi(BureauEditedEndpoint):
    url = "/api/v1/retention/"
    model = Retention
    change = {"name": "永久保管"}

    def make(self, world):
        return make_retention("T5", "定期5年", years=5)

    def payload(self, world):
        return {"code": "T3", "name": "定期3年", "years": 3}


class TestCategoryApi(BureauEditedEndpoint):
    url = "/api/v1/categories/"
    model = Category
    change = {"name": "测试乙"}

    def make(self, world):
        return make_category("TA", "测试甲")

    def payload(self, world):
        return {"code": "TB", "name": "测试丙", "filing_level": "item"}


class TestCategoryFieldApi(BureauEditedEndpoint):
    url = "/api/v1/category-fields/"
    model = CategoryField
    change = {"label": "拍摄者"}

    def make(self, world):
        return CategoryField.objects.create(category=world.category, key="photographer", label="摄影者")

    def payload(self, world):
        return {"category": world.category.pk, "key": "place", "label": "地点", "field_type": "text"}


class TestScheduleApi(BureauEditedEndpoint):
    url = "/api/v1/schedules/"
    model = RetentionSchedule
    change = {"name": "测试期限表（修订）"}

    def make(self, world):
        return RetentionSchedule.objects.create(unit_type="town", name="测试期限表")

    def payload(self, world):
        return {"unit_type": "village", "name": "测试村级期限表"}


class TestScheduleEntryApi(BureauEditedEndpoint):
    url = "/api/v1/schedule-entries/"
    model = ScheduleEntry
    change = {"description": "会议纪要"}

    def make(self, world):
        schedule = RetentionSchedule.objects.create(unit_type="town", name="测试期限表")
        return ScheduleEntry.objects.create(schedule=schedule, number="1.1", description="党委会议记录",
                                            retention=world.retention)

    def payload(self, world):
        schedule = RetentionSchedule.objects.create(unit_type="town", name="测试期限表")
        return {"schedule": schedule.pk, "number": "1.2", "description": "年度工作总结",
                "retention": world.retention.pk, "keywords": "总结,计划"}


def test_category_lists_its_extra_fields(world, as_persona):
    CategoryField.objects.create(category=world.category, key="photographer", label="摄影者")
    data = as_persona("reader").get(f"/api/v1/categories/{world.category.pk}/").json()
    assert [f["key"] for f in data["fields"]] == ["photographer"]


def test_schedule_lists_its_entries(world, as_persona):
    entry = TestScheduleEntryApi().make(world)
    data = as_persona("archivist_a").get(f"/api/v1/schedules/{entry.schedule_id}/").json()
    assert [e["number"] for e in data["entries"]] == ["1.1"]


def test_category_in_use_cannot_be_deleted(world, as_persona):
    make_item(world.fonds_a)
    response = as_persona("staff").delete(f"/api/v1/categories/{world.category.pk}/")
    assert response.status_code == 409
    assert Category.objects.filter(pk=world.category.pk).exists()


def test_retention_in_use_cannot_be_deleted(world, as_persona):
    make_item(world.fonds_a)
    response = as_persona("staff").delete(f"/api/v1/retention/{world.retention.pk}/")
    assert response.status_code == 409
    assert Retention.objects.filter(pk=world.retention.pk).exists()


def test_duplicate_category_field_key_is_refused(world, as_persona):
    CategoryField.objects.create(category=world.category, key="place", label="地点")
    response = as_persona("staff").post("/api/v1/category-fields/",
                                        {"category": world.category.pk, "key": "place", "label": "又一个"},
                                        format="json")
    assert response.status_code == 400
    assert world.category.fields.count() == 1


def test_category_with_a_bad_reference_template_is_refused_naming_the_template(world, as_persona):
    response = as_persona("staff").post("/api/v1/categories/",
                                        {"code": "TC", "name": "测试", "item_template": "{fonds}-{nope}"},
                                        format="json")
    assert response.status_code == 400
    assert "item_template" in response.json()
    assert not Category.objects.filter(code="TC").exists()
