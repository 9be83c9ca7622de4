import pytest
from django.core.exceptions import ValidationError

from dangan.catalogue.defaults import install_defaults
from dangan.catalogue.models import Category, CategoryField, Retention, RetentionSchedule, suggest_retention
from dangan.lib.idnumbers import id_check_digit
from dangan.testing import make_item

pytestmark = pytest.mark.django_db


def valid_id(first17: str) -> str:
    return first17 + id_check_digit(first17)


def marriage(**overrides) -> dict:
    extra = {
        "husband_name": "张建国", "husband_id_number": valid_id("37030219900101001"),
        "wife_name": "李红梅", "wife_id_number": valid_id("37030219920202002"), "registration_type": "结婚",
    }
    extra.update(overrides)
    return extra


def test_the_migration_installs_the_three_current_retention_periods():
    current = {r.code: (r.name, r.years) for r in Retention.objects.filter(active=True)}
    assert current == {"Y": ("永久", None), "D30": ("定期30年", 30), "D10": ("定期10年", 10)}


def test_legacy_long_and_short_periods_are_inactive_and_map_to_30_and_10_years():
    legacy = {r.code: (r.name, r.replaced_by.code) for r in Retention.objects.filter(active=False)}
    assert legacy == {"CQ": ("长期", "D30"), "DQ": ("短期", "D10")}


def test_the_standard_categories_are_installed_with_their_filing_level():
    levels = dict(Category.objects.values_list("code", "filing_level"))
    assert {code: levels[code] for code in ("WS", "KJ", "KU", "RS", "ZP", "LY", "LX", "SW", "HY")} == {
        "WS": "item", "KJ": "volume", "KU": "volume", "RS": "volume", "ZP": "item", "LY": "item",
        "LX": "item", "SW": "item", "HY": "item",
    }


def test_every_category_template_is_valid():
    for category in Category.objects.all():
        category.full_clean()


def test_only_office_documents_carry_an_organisation_code():
    templates = dict(Category.objects.values_list("code", "item_template"))
    assert "{org}" in templates["WS"]
    assert all("{org}" not in templates[code] for code in ("ZP", "LY", "LX", "SW", "HY"))


def test_extra_field_keys_are_lowercase_ascii_slugs():
    keys = CategoryField.objects.values_list("key", flat=True)
    assert keys and all(key.isascii() and key == key.lower() and " " not in key for key in keys)


def test_photos_describe_photographer_place_people_and_photo_number():
    keys = set(CategoryField.objects.filter(category__code="ZP").values_list("key", flat=True))
    assert keys == {"photographer", "place", "people", "photo_number"}


def test_a_marriage_record_with_valid_id_numbers_is_accepted(world):
    item = make_item(world.fonds_a, category=Category.objects.get(code="HY"), org_code="", extra=marriage(),
                     title="张建国与李红梅结婚登记")
    assert item.reference_code == "A001-HY·2023-Y-0001"


def test_a_marriage_record_needs_both_id_numbers_and_they_must_be_valid(world):
    hy = Category.objects.get(code="HY")
    good = valid_id("37030219900101001")
    wrong_check_digit = good[:-1] + ("1" if good[-1] != "1" else "2")
    bad = marriage(husband_id_number=wrong_check_digit, wife_id_number="")
    with pytest.raises(ValidationError) as raised:
        make_item(world.fonds_a, category=hy, org_code="", extra=bad, title="张建国与李红梅结婚登记")
    messages = " ".join(raised.value.message_dict["extra"])
    assert "男方身份证号" in messages and "不是有效的居民身份证号码" in messages
    assert "女方身份证号：必填" in messages


def test_a_marriage_record_type_is_one_of_marriage_divorce_reissue(world):
    with pytest.raises(ValidationError):
        make_item(world.fonds_a, category=Category.objects.get(code="HY"), org_code="",
                  extra=marriage(registration_type="订婚"), title="张建国与李红梅订婚")


def test_every_kind_of_unit_has_a_schedule_of_10_to_25_entries():
    sizes = {s.unit_type: s.entries.count() for s in RetentionSchedule.objects.all()}
    assert set(sizes) == {"department", "town", "village", "enterprise", "project"}
    assert all(10 <= size <= 25 for size in sizes.values()), sizes


@pytest.mark.parametrize(("unit_type", "title", "category", "retention"), [
    ("town", "城关镇党委会议纪要（2023年第3期）", None, "Y"),
    ("town", "关于2023年村（社区）两委换届选举工作的请示", None, "Y"),
    ("department", "关于做好2023年防汛抗旱工作的通知", None, "D10"),
    ("department", "区财政局2023年度部门预算", None, "Y"),
    ("department", "档案数字化服务合同", None, "D30"),
    ("village", "南街村村民代表会议记录（2022年第2次）", None, "Y"),
    ("village", "张建国农村土地承包经营权合同", None, "Y"),
    ("enterprise", "董事会会议纪要", None, "Y"),
    ("project", "门诊医技楼竣工图", "KJ", "Y"),
    ("project", "施工日志（2022年）", "KJ", "D10"),
])
def test_suggested_retention_follows_the_schedule_of_the_unit_type(unit_type, title, category, retention):
    category = Category.objects.get(code=category) if category else None
    assert suggest_retention(unit_type, title, category).retention.code == retention


def test_installing_again_adds_nothing_and_keeps_the_bureaus_edits():
    Retention.objects.filter(code="Y").update(name="永久保管")
    counts = (Retention.objects.count(), Category.objects.count(), CategoryField.objects.count(),
              RetentionSchedule.objects.count())
    install_defaults()
    assert (Retention.objects.count(), Category.objects.count(), CategoryField.objects.count(),
            RetentionSchedule.objects.count()) == counts
    assert Retention.objects.get(code="Y").name == "永久保管"


def test_installing_restores_a_deleted_default():
    Category.objects.filter(code="WY").delete()
    install_defaults()
    assert Category.objects.get(code="WY").name == "网页"
