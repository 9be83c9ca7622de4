"""The item (件) screens: who sees and changes what, creating with a reference code, bad input, filters."""

import pytest
from django.utils.html import escape

from dangan.catalogue.choices import ControlStatus, FieldType, FilingLevel, RecordStatus, SecurityLevel
from dangan.catalogue.models import CategoryField, Item
from dangan.core.models import AuditEntry
from dangan.testing import make_category, make_fonds, make_item, make_retention

pytestmark = pytest.mark.django_db

ADD = "/catalogue/items/add/"
LIST = "/catalogue/items/"


@pytest.fixture
def items(world):
    return {
        "a_open": make_item(world.fonds_a, title="城关镇开放文件"),
        "a_controlled": make_item(world.fonds_a, title="城关镇控制文件", control=ControlStatus.CONTROLLED),
        "a_secret": make_item(world.fonds_a, title="城关镇秘密文件", security_level=SecurityLevel.SECRET),
        "b_open": make_item(world.fonds_b, title="柳河镇开放文件"),
    }


def item_data(world, **changes):
    data = {
        "fonds": world.fonds_a.pk, "category": world.category.pk, "volume": "", "year": "2023",
        "retention": world.retention.pk, "org_code": "BGS", "title": "关于做好防汛工作的通知",
        "creator": "城关镇人民政府", "document_number": "城政发〔2023〕5号", "date": "2023-05-04",
        "pages": "3",
        "security_level": "public", "control": "open", "status": "filed", "remarks": "",
    }
    data.update(changes)
    return data


def denials(obj):
    return AuditEntry.objects.filter(action="denied", object_type=obj._meta.label_lower,
                                     object_id=str(obj.pk)).count()


def assert_field_error(response, field):
    """A 400 page whose form has an error on ``field``, shown in the page next to that field."""
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors, errors
    content = response.content.decode()
    assert 'id="field-' + field + '"' in content
    assert escape(errors[field][0]) in content


# Lists --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("persona, visible", [
    ("admin", {"a_open", "a_controlled", "a_secret", "b_open"}),
    ("staff", {"a_open", "a_controlled", "b_open"}),
    ("archivist_a", {"a_open", "a_controlled"}),
    ("archivist_b", {"b_open"}),
    ("reader", {"a_open", "b_open"}),
])
def test_item_list_shows_only_permitted_rows(world, items, client_for, persona, visible):
    response = client_for(getattr(world, persona)).get(LIST)
    assert response.status_code == 200
    assert response.context["page"].paginator.count == len(visible)
    content = response.content.decode()
    for key, item in items.items():
        assert (item.title in content) == (key in visible), key


def test_anonymous_is_sent_to_login_from_item_pages(world, items, client_for):
    item = items["a_open"]
    for url in (LIST, ADD, f"/catalogue/items/{item.pk}/", f"/catalogue/items/{item.pk}/edit/",
                f"/catalogue/items/{item.pk}/delete/"):
        response = client_for(None).get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/"), url


def test_anonymous_post_creates_nothing(world, client_for):
    response = client_for(None).post(ADD, item_data(world))
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert not Item.objects.exists()


def test_item_list_offers_new_item_to_archivist_but_not_reader(world, client_for):
    assert 'href="/catalogue/items/add/"' in client_for(world.archivist_a).get(LIST).content.decode()
    assert 'href="/catalogue/items/add/"' not in client_for(world.reader).get(LIST).content.decode()


# Details ------------------------------------------------------------------------------------------------
def test_archivist_a_sees_own_item(world, items, client_for):
    item = items["a_controlled"]
    response = client_for(world.archivist_a).get(f"/catalogue/items/{item.pk}/")
    assert response.status_code == 200
    assert item.reference_code in response.content.decode()


def test_archivist_b_gets_404_for_unit_a_item_and_the_attempt_is_audited(world, items, client_for):
    item = items["a_open"]
    response = client_for(world.archivist_b).get(f"/catalogue/items/{item.pk}/")
    assert response.status_code == 404
    assert item.title not in response.content.decode()
    entry = AuditEntry.objects.filter(action="denied", object_id=str(item.pk)).get()
    assert entry.object_type == "catalogue.item" and entry.actor_name == "archivist_b"


def test_reader_gets_404_for_controlled_item(world, items, client_for):
    item = items["a_controlled"]
    assert client_for(world.reader).get(f"/catalogue/items/{item.pk}/").status_code == 404
    assert denials(item) == 1


def test_reader_sees_open_public_item(world, items, client_for):
    assert client_for(world.reader).get(f"/catalogue/items/{items['a_open'].pk}/").status_code == 200


def test_clearance_hides_secret_item_from_own_archivist(world, items, client_for):
    item = items["a_secret"]
    assert client_for(world.archivist_a).get(f"/catalogue/items/{item.pk}/").status_code == 404
    assert client_for(world.staff).get(f"/catalogue/items/{item.pk}/").status_code == 404
    assert client_for(world.admin).get(f"/catalogue/items/{item.pk}/").status_code == 200


def test_unknown_item_is_404_without_an_audit_entry(world, client_for):
    before = AuditEntry.objects.filter(action="denied").count()
    assert client_for(world.staff).get("/catalogue/items/99999/").status_code == 404
    assert AuditEntry.objects.filter(action="denied").count() == before


# Create -------------------------------------------------------------------------------------------------
def test_archivist_creates_item_and_sees_its_reference_code(world, client_for):
    client = client_for(world.archivist_a)
    assert client.get(ADD).status_code == 200
    response = client.post(ADD, item_data(world), follow=True)
    item = Item.objects.get()
    assert item.reference_code == "A001-WS·2023-Y-BGS-0001"
    assert response.redirect_chain[-1][0] == f"/catalogue/items/{item.pk}/"
    code = '<span class="refcode" id="reference-code">A001-WS·2023-Y-BGS-0001</span>'
    assert code in response.content.decode()


def test_second_item_in_the_same_class_gets_the_next_number(world, client_for):
    client = client_for(world.archivist_a)
    client.post(ADD, item_data(world))
    client.post(ADD, item_data(world, title="第二件"))
    assert Item.objects.get(title="第二件").reference_code == "A001-WS·2023-Y-BGS-0002"


def test_archivist_creates_item_in_sub_unit_fonds(world, client_for):
    village = make_fonds(world.village_a, "V001")
    response = client_for(world.archivist_a).post(ADD, item_data(world, fonds=village.pk), follow=True)
    assert response.status_code == 200
    assert Item.objects.get().reference_code == "V001-WS·2023-Y-BGS-0001"
    assert "V001-WS·2023-Y-BGS-0001" in response.content.decode()


def test_archivist_cannot_pick_another_units_fonds(world, client_for):
    response = client_for(world.archivist_a).post(ADD, item_data(world, fonds=world.fonds_b.pk))
    assert_field_error(response, "fonds")
    assert not Item.objects.exists()


def test_item_form_offers_only_fonds_the_archivist_may_file_into(world, client_for):
    form = client_for(world.archivist_a).get(ADD).context["form"]
    assert list(form.fields["fonds"].queryset) == [world.fonds_a]


def test_archivist_cannot_file_above_own_clearance(world, client_for):
    response = client_for(world.archivist_a).post(ADD, item_data(world, security_level="secret"))
    assert_field_error(response, "security_level")
    assert not Item.objects.exists()


def test_reader_cannot_open_or_post_the_new_item_form(world, client_for):
    client = client_for(world.reader)
    assert client.get(ADD).status_code == 403
    assert client.post(ADD, item_data(world)).status_code == 403
    assert not Item.objects.exists()


def test_new_item_form_keeps_fonds_and_category_from_query(world, client_for):
    query = f"?fonds={world.fonds_a.pk}&category={world.category.pk}"
    response = client_for(world.archivist_a).get(ADD + query)
    form = response.context["form"]
    assert str(form["fonds"].value()) == str(world.fonds_a.pk)
    assert str(form["category"].value()) == str(world.category.pk)


# Bad input ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("field, value", [
    ("date", "2023-02-30"),
    ("year", "abc"),
    ("year", "1800"),
    ("title", "档" * 501),
    ("title", ""),
    ("retention", ""),
    ("pages", "-1"),
    ("org_code", "B-1"),
])
def test_bad_input_is_shown_next_to_the_field_and_nothing_is_saved(world, client_for, field, value):
    response = client_for(world.archivist_a).post(ADD, item_data(world, **{field: value}))
    assert_field_error(response, field)
    assert not Item.objects.exists()


def test_missing_org_code_is_required_by_the_reference_code_template(world, client_for):
    response = client_for(world.archivist_a).post(ADD, item_data(world, org_code=""))
    assert_field_error(response, "org_code")
    assert not Item.objects.exists()


def test_volume_filed_category_needs_a_volume(world, client_for):
    kj = make_category("KJ", "科技", filing_level=FilingLevel.VOLUME)
    response = client_for(world.archivist_a).post(ADD, item_data(world, category=kj.pk))
    assert_field_error(response, "category")
    assert "请先选择案卷" in response.content.decode()
    assert not Item.objects.exists()


@pytest.fixture
def marriage(world):
    category = make_category("TESTHY", "婚姻登记（测试）")
    CategoryField.objects.create(category=category, key="man_id", label="男方身份证号",
                                 field_type=FieldType.ID_NUMBER, required=True)
    return category


def test_category_extra_fields_appear_when_the_category_is_chosen(world, marriage, client_for):
    response = client_for(world.archivist_a).get(f"{ADD}?fonds={world.fonds_a.pk}&category={marriage.pk}")
    assert "男方身份证号" in response.content.decode()
    assert 'name="extra__man_id"' in response.content.decode()


def test_invalid_id_number_in_extra_field_is_shown_and_nothing_saved(world, marriage, client_for):
    data = item_data(world, category=marriage.pk, extra__man_id="110101199003071234")
    response = client_for(world.archivist_a).post(ADD, data)
    assert_field_error(response, "extra__man_id")
    assert "不是有效的居民身份证号码" in response.content.decode()
    assert not Item.objects.exists()


def test_missing_required_extra_field_is_shown_and_nothing_saved(world, marriage, client_for):
    response = client_for(world.archivist_a).post(ADD, item_data(world, category=marriage.pk))
    assert_field_error(response, "extra__man_id")
    assert not Item.objects.exists()


def test_valid_extra_field_is_saved_and_shown(world, marriage, client_for):
    data = item_data(world, category=marriage.pk, extra__man_id="11010519491231002x")
    response = client_for(world.archivist_a).post(ADD, data, follow=True)
    item = Item.objects.get()
    assert item.extra == {"man_id": "11010519491231002X"}
    assert "男方身份证号" in response.content.decode() and "11010519491231002X" in response.content.decode()


# Change and delete --------------------------------------------------------------------------------------
def test_archivist_edits_own_item(world, items, client_for):
    item = items["a_open"]
    url = f"/catalogue/items/{item.pk}/edit/"
    client = client_for(world.archivist_a)
    assert client.get(url).status_code == 200
    response = client.post(url, item_data(world, title="改过的题名"))
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.title == "改过的题名" and item.reference_code == "A001-WS·2023-Y-BGS-0001"


def test_archivist_b_cannot_open_or_post_unit_a_item_edit_form(world, items, client_for):
    item = items["a_open"]
    url = f"/catalogue/items/{item.pk}/edit/"
    client = client_for(world.archivist_b)
    assert client.get(url).status_code == 404
    assert client.post(url, item_data(world, fonds=world.fonds_b.pk, title="篡改")).status_code == 404
    item.refresh_from_db()
    assert item.title == "城关镇开放文件"
    assert denials(item) == 2


def test_reader_cannot_edit_visible_item(world, items, client_for):
    item = items["a_open"]
    url = f"/catalogue/items/{item.pk}/edit/"
    client = client_for(world.reader)
    assert client.get(url).status_code == 403
    assert client.post(url, item_data(world, title="篡改")).status_code == 403
    item.refresh_from_db()
    assert item.title == "城关镇开放文件"


def test_archivist_cannot_change_item_received_by_the_archives(world, client_for):
    item = make_item(world.fonds_a, status=RecordStatus.TRANSFERRED)
    url = f"/catalogue/items/{item.pk}/edit/"
    assert client_for(world.archivist_a).get(url).status_code == 403
    assert client_for(world.archivist_a).post(url, item_data(world, title="篡改")).status_code == 403
    item.refresh_from_db()
    assert item.title != "篡改"


def test_archivist_deletes_own_item_and_returns_to_the_list(world, items, client_for):
    item = items["a_open"]
    client = client_for(world.archivist_a)
    assert client.get(f"/catalogue/items/{item.pk}/delete/").status_code == 200
    response = client.post(f"/catalogue/items/{item.pk}/delete/")
    assert response.status_code == 302 and response["Location"] == LIST
    assert not Item.objects.filter(pk=item.pk).exists()


def test_archivist_b_cannot_delete_unit_a_item(world, items, client_for):
    item = items["a_open"]
    client = client_for(world.archivist_b)
    assert client.get(f"/catalogue/items/{item.pk}/delete/").status_code == 404
    assert client.post(f"/catalogue/items/{item.pk}/delete/").status_code == 404
    assert Item.objects.filter(pk=item.pk).exists()


def test_reader_cannot_delete_visible_item(world, items, client_for):
    item = items["a_open"]
    assert client_for(world.reader).post(f"/catalogue/items/{item.pk}/delete/").status_code == 403
    assert Item.objects.filter(pk=item.pk).exists()


def test_item_page_offers_edit_and_delete_only_to_those_allowed(world, items, client_for):
    item = items["a_open"]
    edit = f"/catalogue/items/{item.pk}/edit/"
    assert edit in client_for(world.archivist_a).get(item.get_absolute_url()).content.decode()
    assert edit not in client_for(world.reader).get(item.get_absolute_url()).content.decode()


# Filters, sorting, pagination ---------------------------------------------------------------------------
@pytest.fixture
def catalogue(world):
    ten_years = make_retention("D10", "10年", 10)
    other = make_category("TESTZP", "照片（测试）")
    rows = [
        make_item(world.fonds_a, year=2021, title="甲2021"),
        make_item(world.fonds_a, year=2022, title="甲2022", retention=ten_years),
        make_item(world.fonds_a, year=2023, title="甲2023照片", category=other, status=RecordStatus.DRAFT),
        make_item(world.fonds_b, year=2020, title="乙2020"),
    ]
    return {"rows": rows, "ten_years": ten_years, "other": other}


def titles(response):
    return [item.title for item in response.context["page"]]


@pytest.mark.parametrize("query, expected", [
    ("unit={unit_b}", {"乙2020"}),
    ("fonds={fonds_a}", {"甲2021", "甲2022", "甲2023照片"}),
    ("category={other}", {"甲2023照片"}),
    ("year=2022", {"甲2022"}),
    ("retention={ten_years}", {"甲2022"}),
    ("status=draft", {"甲2023照片"}),
    ("q=照片", {"甲2023照片"}),
    ("year_from=2022&fonds={fonds_a}", {"甲2022", "甲2023照片"}),
])
def test_item_list_filters(world, catalogue, client_for, query, expected):
    query = query.format(unit_b=world.unit_b.pk, fonds_a=world.fonds_a.pk, other=catalogue["other"].pk,
                         ten_years=catalogue["ten_years"].pk)
    response = client_for(world.staff).get(f"{LIST}?{query}")
    assert response.status_code == 200
    assert set(titles(response)) == expected


def test_item_list_sorts_by_year_descending_and_ascending(world, catalogue, client_for):
    client = client_for(world.staff)
    assert titles(client.get(f"{LIST}?sort=-year")) == ["甲2023照片", "甲2022", "甲2021", "乙2020"]
    assert titles(client.get(f"{LIST}?sort=year")) == ["乙2020", "甲2021", "甲2022", "甲2023照片"]


def test_item_list_ignores_unknown_sort_field(world, catalogue, client_for):
    assert client_for(world.staff).get(f"{LIST}?sort=full_text").status_code == 200


def test_item_list_sort_links_keep_filters_and_flip_direction(world, catalogue, client_for):
    content = client_for(world.staff).get(f"{LIST}?year=2022&sort=title").content.decode()
    assert 'href="?year=2022&amp;sort=-title"' in content
    assert 'href="?year=2022&amp;sort=creator"' in content


def test_archivist_cannot_filter_into_another_units_fonds(world, catalogue, client_for):
    response = client_for(world.archivist_a).get(f"{LIST}?fonds={world.fonds_b.pk}")
    assert response.status_code == 200
    assert "乙2020" not in response.content.decode()


def test_item_list_paginates_and_keeps_filters_in_page_links(world, client_for):
    for n in range(25):
        make_item(world.fonds_a, title=f"分页文件{n:02d}")
    client = client_for(world.staff)
    first = client.get(f"{LIST}?fonds={world.fonds_a.pk}&per_page=10&sort=title")
    assert len(first.context["page"]) == 10 and first.context["page"].paginator.num_pages == 3
    assert f"?fonds={world.fonds_a.pk}&amp;per_page=10&amp;sort=title&amp;page=2" in first.content.decode()
    last = client.get(f"{LIST}?fonds={world.fonds_a.pk}&per_page=10&sort=title&page=3")
    assert titles(last) == [f"分页文件{n:02d}" for n in range(20, 25)]
    assert client.get(f"{LIST}?page=abc").status_code == 200


def test_new_item_form_starts_with_the_archivists_only_fonds_and_this_year(world, client_for):
    from django.utils import timezone

    page = client_for(world.archivist_b).get("/catalogue/items/add/").content.decode()
    assert f'<option value="{world.fonds_b.pk}" selected>' in page
    assert f'value="{timezone.localdate().year}"' in page
