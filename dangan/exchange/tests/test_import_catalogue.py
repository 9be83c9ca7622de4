import datetime
import gc

from dangan.catalogue.models import CategoryField, Item
from dangan.catalogue.services import created_values
from dangan.core.choices import AuditAction
from dangan.core.models import AuditEntry
from dangan.exchange import importer
from dangan.exchange.choices import MatchKey
from dangan.exchange.importer import import_catalogue
from dangan.exchange.tests.conftest import HEADER, row, write_csv, write_xls, write_xlsx


def do_import(world, path, user=None, **kwargs):
    return import_catalogue(
        path,
        fonds=kwargs.pop("fonds", world.fonds_a),
        category=world.category,
        user=user or world.archivist_a,
        **kwargs,
    )


def test_a_catalogue_is_imported_with_codes_generated_and_values_normalised(world, as_archivist, tmp_path):
    path = write_csv(
        tmp_path / "c.csv",
        [
            row(1, 文号="区府发[2023]1号", 日期="2023.5.1", 页数="３"),
            row(2, 文号="区府发【2023】2号", 日期="2023年5月2日"),
        ],
    )
    outcome = do_import(world, path)
    assert outcome.ok and outcome.committed and outcome.created == 2
    items = list(Item.objects.filter(fonds=world.fonds_a).order_by("number"))
    assert [i.reference_code for i in items] == ["A001-WS·2023-Y-BGS-0001", "A001-WS·2023-Y-BGS-0002"]
    assert items[0].document_number == "区府发〔2023〕1号" and items[0].pages == 3
    assert items[1].date == datetime.date(2023, 5, 2) and items[1].year == 2023


def test_the_cyclic_garbage_collector_is_off_while_rows_are_stored(world, tmp_path, monkeypatch):
    seen = []
    real_store = importer._Importer.store

    def store(self, *args):
        seen.append(gc.isenabled())
        return real_store(self, *args)

    monkeypatch.setattr(importer._Importer, "store", store)
    assert do_import(world, write_csv(tmp_path / "c.csv", [row(1), row(2)])).ok
    assert seen and not any(seen) and gc.isenabled()


def test_every_imported_item_is_in_an_audit_entry_by_the_importer(world, as_archivist, tmp_path):
    do_import(world, write_csv(tmp_path / "c.csv", [row(1), row(2)]))
    entry = AuditEntry.objects.get(object_type="catalogue.item", action=AuditAction.CREATE)
    ids = [values["id"] for values in created_values(entry)]
    assert sorted(ids) == sorted(Item.objects.values_list("pk", flat=True))
    assert entry.actor_name == "archivist_a"


def test_reference_codes_in_the_file_are_kept_when_they_match_the_template(world, as_archivist, tmp_path):
    path = write_csv(tmp_path / "c.csv", [row(1, "A001-WS·2023-Y-BGS-0007"), row(2)])
    assert do_import(world, path).ok
    codes = set(Item.objects.values_list("reference_code", flat=True))
    assert codes == {"A001-WS·2023-Y-BGS-0007", "A001-WS·2023-Y-BGS-0008"}  # numbering continues after it


def test_a_reference_code_that_contradicts_the_row_is_an_error_naming_both(world, as_archivist, tmp_path):
    path = write_csv(tmp_path / "c.csv", [row(1, "A001-WS·2023-D30-BGS-0001")])
    outcome = do_import(world, path)
    assert not outcome.ok and Item.objects.count() == 0
    ((line, column, value, reason),) = outcome.errors
    assert (line, column, value) == (2, "档号", "A001-WS·2023-D30-BGS-0001")
    assert "A001-WS·2023-Y-BGS-（件号）" in reason


def test_a_code_and_an_item_number_that_disagree_is_an_error(world, as_archivist, tmp_path):
    header = HEADER + ["件号"]
    path = write_csv(tmp_path / "c.csv", [row(1, "A001-WS·2023-Y-BGS-0001", 件号=2)], header=header)
    outcome = do_import(world, path)
    assert "A001-WS·2023-Y-BGS-0002" in outcome.errors[0][3]


def test_legacy_retention_is_mapped_and_reported(world, as_archivist, tmp_path):
    path = write_csv(
        tmp_path / "c.csv",
        [row(1, 保管期限="长期", 日期="19990301"), row(2, 保管期限="短期", 日期="19990302")],
    )
    outcome = do_import(world, path)
    assert outcome.ok
    assert sorted(Item.objects.values_list("retention__code", flat=True)) == ["D10", "D30"]
    assert any("长期" in n and "定期30年" in n for n in outcome.notices)


def test_every_error_names_row_column_value_and_reason_and_nothing_is_stored(world, as_archivist, tmp_path):
    path = write_csv(
        tmp_path / "c.csv", [row(1), row(2, 日期="20230231"), row(3, 保管期限="百年"), row(4, 题名="")]
    )
    outcome = do_import(world, path)
    assert Item.objects.count() == 0 and not outcome.committed
    assert (3, "日期", "20230231", "日期不存在") in outcome.errors
    assert (4, "保管期限", "百年", "未知的保管期限") in outcome.errors
    assert any(e[0] == 5 and e[1] == "题名" for e in outcome.errors)


def test_a_dry_run_checks_everything_and_stores_nothing(world, as_archivist, tmp_path):
    outcome = do_import(world, write_csv(tmp_path / "c.csv", [row(1), row(2)]), dry_run=True)
    assert outcome.ok and outcome.created == 2 and not outcome.committed
    assert Item.objects.count() == 0 and not AuditEntry.objects.filter(object_type="catalogue.item").exists()


def test_reimporting_the_same_file_duplicates_nothing(world, as_archivist, tmp_path):
    path = write_csv(
        tmp_path / "c.csv", [row(1, "A001-WS·2023-Y-BGS-0001"), row(2, "A001-WS·2023-Y-BGS-0002")]
    )
    assert do_import(world, path).created == 2
    again = do_import(world, path)
    assert again.ok and again.created == 0 and again.unchanged == 2 and Item.objects.count() == 2


def test_changed_rows_are_updated_and_audited_with_before_and_after(world, as_archivist, tmp_path):
    do_import(world, write_csv(tmp_path / "a.csv", [row(1, "A001-WS·2023-Y-BGS-0001")]))
    outcome = do_import(
        world, write_csv(tmp_path / "b.csv", [row(1, "A001-WS·2023-Y-BGS-0001", 题名="改正后的题名")])
    )
    assert outcome.updated == 1 and outcome.created == 0
    assert Item.objects.get().title == "改正后的题名"
    entry = AuditEntry.objects.filter(action=AuditAction.UPDATE, object_type="catalogue.item").get()
    assert entry.changes["before"]["title"] == "关于第1项工作的通知"
    assert entry.changes["after"]["title"] == "改正后的题名"


def test_rows_can_be_matched_by_document_number_instead(world, as_archivist, tmp_path):
    do_import(world, write_csv(tmp_path / "a.csv", [row(1)]))
    outcome = do_import(world, write_csv(tmp_path / "b.csv", [row(1, 页数=9)]), key=MatchKey.DOCUMENT_NUMBER)
    assert outcome.updated == 1 and Item.objects.get().pages == 9


def test_duplicate_reference_codes_inside_the_file_are_errors(world, as_archivist, tmp_path):
    code = "A001-WS·2023-Y-BGS-0001"
    outcome = do_import(world, write_csv(tmp_path / "c.csv", [row(1, code), row(2, code)]))
    assert (3, "档号", code, "档号与第 2 行重复") in outcome.errors and Item.objects.count() == 0


def test_a_code_already_stored_elsewhere_cannot_be_taken_by_a_new_row(world, as_archivist, tmp_path):
    """A row matched by another key but numbered into a stored code is refused, not merged."""
    do_import(world, write_csv(tmp_path / "a.csv", [row(1, "A001-WS·2023-Y-BGS-0001")]))
    path = write_csv(tmp_path / "b.csv", [row(5, "A001-WS·2023-Y-BGS-0001", 文号="区府发〔2023〕99号")])
    outcome = do_import(world, path, key=MatchKey.DOCUMENT_NUMBER)
    assert any("已存在" in e[3] for e in outcome.errors) and Item.objects.count() == 1


def test_a_row_for_a_fonds_the_user_may_not_file_into_is_refused(world, as_archivist, tmp_path):
    header = HEADER + ["全宗号"]
    path = write_csv(tmp_path / "c.csv", [row(1), row(2, 全宗号="B001")], header=header)
    outcome = do_import(world, path)
    assert any(e[0] == 3 and "无权" in e[3] for e in outcome.errors) and Item.objects.count() == 0


def test_importing_into_a_fonds_the_user_may_not_file_into_is_refused_outright(world, as_archivist, tmp_path):
    outcome = do_import(world, write_csv(tmp_path / "c.csv", [row(1)]), fonds=world.fonds_b)
    assert "无权" in outcome.fatal and Item.objects.count() == 0


def test_extra_fields_are_filled_from_columns_with_their_label_or_key(world, as_archivist, tmp_path):
    CategoryField.objects.create(category=world.category, key="handler", label="经办人")
    CategoryField.objects.create(category=world.category, key="copies", label="份数", field_type="number")
    path = write_csv(
        tmp_path / "c.csv", [row(1, 经办人="王五", copies="2")], header=HEADER + ["经办人", "copies"]
    )
    assert do_import(world, path).ok
    assert Item.objects.get().extra == {"handler": "王五", "copies": 2}


def test_an_xlsx_catalogue_imports_like_a_csv(world, as_archivist, tmp_path):
    outcome = do_import(world, write_xlsx(tmp_path / "c.xlsx", [row(1), row(2, 日期="2023/5/2")]))
    assert outcome.ok and Item.objects.count() == 2


def test_an_xls_catalogue_imports_with_its_date_cells_and_numbers(world, as_archivist, tmp_path):
    rows = [row(1), row(2, 日期=datetime.datetime(2023, 5, 2), 页数=12.0, 序号=2.0)]
    outcome = do_import(world, write_xls(tmp_path / "c.xls", rows))
    assert outcome.ok and outcome.created == 2
    second = Item.objects.get(number=2)
    assert (second.date, second.pages, second.title) == (datetime.date(2023, 5, 2), 12, "关于第2项工作的通知")


def test_a_bad_xls_value_is_reported_with_its_row_and_column(world, as_archivist, tmp_path):
    outcome = do_import(world, write_xls(tmp_path / "c.xls", [row(1), row(2, 页数=2.5)]))
    assert not outcome.ok and Item.objects.count() == 0
    assert [(r, column) for r, column, _value, _reason in outcome.errors] == [(3, "页数")]


def test_gbk_and_utf8_without_bom_are_detected(world, as_archivist, tmp_path):
    assert do_import(world, write_csv(tmp_path / "g.csv", [row(1)], encoding="gbk")).ok
    assert do_import(world, write_csv(tmp_path / "u.csv", [row(2)], encoding="utf-8")).ok
    assert Item.objects.count() == 2


def test_items_of_a_volume_are_imported_into_it_by_the_volumes_reference_code(world, tmp_path):
    from dangan.testing import make_volume

    volume = make_volume(world.fonds_a)
    header = ["序号", "案卷档号", "题名", "责任者", "日期", "页数"]
    rows = [
        {
            "序号": n,
            "案卷档号": volume.reference_code,
            "题名": f"施工图第{n}册",
            "责任者": "设计院",
            "日期": "20220301",
            "页数": 5,
        }
        for n in (1, 2)
    ]
    outcome = import_catalogue(
        write_csv(tmp_path / "v.csv", rows, header=header),
        fonds=world.fonds_a,
        category=volume.category,
        user=world.archivist_a,
    )
    assert outcome.ok, outcome.errors
    assert sorted(volume.items.values_list("reference_code", flat=True)) == [
        f"{volume.reference_code}-001",
        f"{volume.reference_code}-002",
    ]


def test_a_category_filed_by_volume_needs_the_volume_column(world, tmp_path):
    from dangan.testing import make_volume

    volume = make_volume(world.fonds_a)
    outcome = import_catalogue(
        write_csv(tmp_path / "v.csv", [row(1)]),
        fonds=world.fonds_a,
        category=volume.category,
        user=world.archivist_a,
    )
    assert any("按卷整理" in e[3] for e in outcome.errors) and not volume.items.exists()
