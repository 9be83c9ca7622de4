"""Categories, their extra fields, retention periods and schedules: everybody reads, only the bureau edits."""

import pytest

from dangan.catalogue.models import Category, CategoryField, Retention, RetentionSchedule, ScheduleEntry
from dangan.testing import make_category

pytestmark = pytest.mark.django_db

NOT_BUREAU = ["archivist_a", "reader"]


@pytest.fixture
def schedule(world):
    schedule = RetentionSchedule.objects.create(unit_type="town", name="乡镇归档范围（测试）")
    ScheduleEntry.objects.create(schedule=schedule, number="1.1", description="党委会议纪要",
                                 retention=world.retention, keywords="会议纪要")
    return schedule


@pytest.mark.parametrize("url", ["/catalogue/categories/", "/catalogue/retention/", "/catalogue/schedules/"])
@pytest.mark.parametrize("persona", ["staff", "archivist_a", "archivist_b", "reader"])
def test_configuration_lists_are_readable_by_everyone_signed_in(world, client_for, url, persona):
    assert client_for(getattr(world, persona)).get(url).status_code == 200


@pytest.mark.parametrize("url", ["/catalogue/categories/", "/catalogue/retention/", "/catalogue/schedules/",
                                 "/catalogue/categories/add/", "/catalogue/category-fields/add/"])
def test_anonymous_is_sent_to_login_from_configuration(world, client_for, url):
    assert client_for(None).get(url)["Location"].startswith("/login/")


@pytest.mark.parametrize("url, link", [
    ("/catalogue/categories/", "/catalogue/categories/add/"),
    ("/catalogue/retention/", "/catalogue/retention/add/"),
    ("/catalogue/schedules/", "/catalogue/schedules/add/"),
])
def test_list_add_buttons_point_to_the_add_page_for_the_bureau_only(world, client_for, url, link):
    assert f'href="{link}"' in client_for(world.staff).get(url).content.decode()
    assert f'href="{link}"' not in client_for(world.archivist_a).get(url).content.decode()
    assert client_for(world.staff).get(link).status_code == 200


# Categories ---------------------------------------------------------------------------------------------
def category_data(**changes):
    data = {"code": "TESTSX", "name": "声像（测试）", "filing_level": "item",
            "item_template": "{fonds}-{category}·{year}-{retention}-{number:04}",
            "volume_template": "{fonds}-{category}·{year}-{retention}-{number:04}",
            "volume_item_template": "{volume}-{number:03}", "description": "", "active": "on", "order": "5"}
    data.update(changes)
    return data


def test_staff_creates_category(world, client_for):
    response = client_for(world.staff).post("/catalogue/categories/add/", category_data())
    category = Category.objects.get(code="TESTSX")
    assert response["Location"] == category.get_absolute_url()


def test_bad_category_template_is_shown_and_nothing_saved(world, client_for):
    response = client_for(world.staff).post("/catalogue/categories/add/",
                                            category_data(item_template="{fonds}-{year}"))
    assert response.status_code == 400 and "item_template" in response.context["form"].errors
    assert not Category.objects.filter(code="TESTSX").exists()


@pytest.mark.parametrize("persona", NOT_BUREAU)
def test_only_the_bureau_creates_or_changes_categories(world, client_for, persona):
    client = client_for(getattr(world, persona))
    assert client.get("/catalogue/categories/add/").status_code == 403
    assert client.post("/catalogue/categories/add/", category_data()).status_code == 403
    url = f"/catalogue/categories/{world.category.pk}/edit/"
    assert client.get(url).status_code == 403
    assert client.post(url, category_data(code="WS", name="改名")).status_code == 403
    assert not Category.objects.filter(code="TESTSX").exists()
    world.category.refresh_from_db()
    assert world.category.name == "文书"


def test_category_page_shows_extra_fields_and_edit_links_to_the_bureau_only(world, client_for):
    field = CategoryField.objects.create(category=world.category, key="test_photographer",
                                         label="摄影者（测试）")
    staff_page = client_for(world.staff).get(world.category.get_absolute_url()).content.decode()
    reader_page = client_for(world.reader).get(world.category.get_absolute_url()).content.decode()
    assert "摄影者（测试）" in staff_page and "摄影者（测试）" in reader_page
    edit = f"/catalogue/category-fields/{field.pk}/edit/"
    assert edit in staff_page and edit not in reader_page


# Category fields ----------------------------------------------------------------------------------------
def field_data(category, **changes):
    data = {"category": category.pk, "key": "test_id", "label": "身份证号（测试）", "field_type": "id_number",
            "required": "on", "choices": "", "max_length": "18", "order": "1"}
    data.update(changes)
    return data


def test_new_category_field_form_is_preset_from_the_category_page(world, client_for):
    response = client_for(world.staff).get(f"/catalogue/category-fields/add/?category={world.category.pk}")
    assert response.status_code == 200
    assert str(response.context["form"]["category"].value()) == str(world.category.pk)


@pytest.mark.parametrize("query", ["", "?category=abc", "?category=99999"])
def test_new_category_field_form_without_a_valid_category_still_opens(world, client_for, query):
    assert client_for(world.staff).get(f"/catalogue/category-fields/add/{query}").status_code == 200


def test_staff_adds_category_field_and_returns_to_the_category(world, client_for):
    response = client_for(world.staff).post("/catalogue/category-fields/add/", field_data(world.category))
    assert response["Location"] == world.category.get_absolute_url()
    assert CategoryField.objects.filter(category=world.category, key="test_id", required=True).exists()


def test_staff_changes_category_field(world, client_for):
    field = CategoryField.objects.create(category=world.category, key="test_id", label="旧")
    response = client_for(world.staff).post(f"/catalogue/category-fields/{field.pk}/edit/",
                                            field_data(world.category, label="新"))
    assert response["Location"] == world.category.get_absolute_url()
    field.refresh_from_db()
    assert field.label == "新"


def test_duplicate_category_field_key_is_refused(world, client_for):
    CategoryField.objects.create(category=world.category, key="test_id", label="已有")
    response = client_for(world.staff).post("/catalogue/category-fields/add/", field_data(world.category))
    assert response.status_code == 400
    assert CategoryField.objects.filter(category=world.category, key="test_id").count() == 1


@pytest.mark.parametrize("persona", NOT_BUREAU)
def test_only_the_bureau_adds_or_changes_category_fields(world, client_for, persona):
    field = CategoryField.objects.create(category=world.category, key="test_old", label="旧")
    client = client_for(getattr(world, persona))
    assert client.get(f"/catalogue/category-fields/add/?category={world.category.pk}").status_code == 403
    assert client.post("/catalogue/category-fields/add/", field_data(world.category)).status_code == 403
    assert client.post(f"/catalogue/category-fields/{field.pk}/edit/",
                       field_data(world.category, key="test_old", label="改")).status_code == 403
    field.refresh_from_db()
    assert field.label == "旧"
    assert not CategoryField.objects.filter(key="test_id").exists()


# Retention ----------------------------------------------------------------------------------------------
def retention_data(**changes):
    data = {"code": "D99", "name": "99年（测试）", "years": "99", "active": "on", "replaced_by": "",
            "order": "9"}
    data.update(changes)
    return data


def test_staff_adds_and_changes_retention_and_returns_to_the_list(world, client_for):
    client = client_for(world.staff)
    response = client.post("/catalogue/retention/add/", retention_data())
    assert response["Location"] == "/catalogue/retention/"
    retention = Retention.objects.get(code="D99")
    response = client.post(f"/catalogue/retention/{retention.pk}/edit/", retention_data(name="九十九年"))
    assert response["Location"] == "/catalogue/retention/"
    retention.refresh_from_db()
    assert retention.name == "九十九年"


def test_bad_retention_years_is_refused(world, client_for):
    response = client_for(world.staff).post("/catalogue/retention/add/", retention_data(years="abc"))
    assert response.status_code == 400 and "years" in response.context["form"].errors
    assert not Retention.objects.filter(code="D99").exists()


@pytest.mark.parametrize("persona", NOT_BUREAU)
def test_only_the_bureau_changes_retention(world, client_for, persona):
    client = client_for(getattr(world, persona))
    assert client.post("/catalogue/retention/add/", retention_data()).status_code == 403
    url = f"/catalogue/retention/{world.retention.pk}/edit/"
    assert client.get(url).status_code == 403
    assert client.post(url, retention_data(code="Y", name="改")).status_code == 403
    assert not Retention.objects.filter(code="D99").exists()
    world.retention.refresh_from_db()
    assert world.retention.name == "永久"


# Schedules ----------------------------------------------------------------------------------------------
def test_staff_adds_schedule_and_an_entry(world, client_for):
    client = client_for(world.staff)
    response = client.post("/catalogue/schedules/add/",
                           {"unit_type": "village", "name": "村级（测试）", "basis": ""})
    schedule = RetentionSchedule.objects.get(name="村级（测试）")
    assert response["Location"] == schedule.get_absolute_url()
    form = client.get(f"/catalogue/schedule-entries/add/?schedule={schedule.pk}").context["form"]
    assert str(form["schedule"].value()) == str(schedule.pk)
    response = client.post("/catalogue/schedule-entries/add/", {
        "schedule": schedule.pk, "number": "2.1", "description": "村民代表会议记录", "category": "",
        "retention": world.retention.pk, "keywords": "村民代表"})
    assert response["Location"] == schedule.get_absolute_url()
    assert "村民代表会议记录" in client.get(schedule.get_absolute_url()).content.decode()


def test_schedule_entry_add_form_opens_without_a_schedule(world, client_for):
    assert client_for(world.staff).get("/catalogue/schedule-entries/add/?schedule=abc").status_code == 200


@pytest.mark.parametrize("persona", NOT_BUREAU)
def test_only_the_bureau_changes_schedules(world, schedule, client_for, persona):
    client = client_for(getattr(world, persona))
    entry = schedule.entries.get()
    assert client.get(f"/catalogue/schedule-entries/add/?schedule={schedule.pk}").status_code == 403
    assert client.post(f"/catalogue/schedule-entries/{entry.pk}/edit/", {
        "schedule": schedule.pk, "number": "1.1", "description": "改", "retention": world.retention.pk,
    }).status_code == 403
    assert client.post(f"/catalogue/schedules/{schedule.pk}/edit/",
                       {"unit_type": "town", "name": "改"}).status_code == 403
    entry.refresh_from_db()
    schedule.refresh_from_db()
    assert entry.description == "党委会议纪要" and schedule.name == "乡镇归档范围（测试）"
    page = client.get(schedule.get_absolute_url()).content.decode()
    assert f"/catalogue/schedule-entries/{entry.pk}/edit/" not in page


def test_retention_suggestion_follows_the_units_schedule(world, schedule, client_for):
    response = client_for(world.archivist_a).get(
        f"/catalogue/suggest-retention/?fonds={world.fonds_a.pk}&title=党委会议纪要第三次")
    assert response.json()["suggestion"]["retention"] == world.retention.pk


def test_retention_suggestion_is_empty_for_a_fonds_the_user_cannot_see(world, schedule, client_for):
    response = client_for(world.archivist_b).get(
        f"/catalogue/suggest-retention/?fonds={world.fonds_a.pk}&title=党委会议纪要")
    assert response.json() == {"suggestion": None}


def test_make_category_is_idempotent_for_tests(world):
    assert make_category() == world.category
