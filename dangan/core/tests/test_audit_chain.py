import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from dangan.catalogue.models import Item
from dangan.core.audit import verify_chain
from dangan.core.models import AuditEntry
from dangan.testing import make_item, make_unit

pytestmark = pytest.mark.django_db


def test_creating_a_record_writes_an_entry_with_its_values(world):
    item = make_item(world.fonds_a, title="关于调整防汛工作领导小组的通知")
    entry = AuditEntry.objects.get(object_type="catalogue.item", object_id=str(item.pk), action="create")
    assert entry.changes["after"]["title"] == "关于调整防汛工作领导小组的通知"


def test_changing_a_record_writes_before_and_after_of_changed_fields_only(world):
    item = make_item(world.fonds_a, title="旧题名")
    item.title = "新题名"
    item.save()
    entry = AuditEntry.objects.filter(object_id=str(item.pk), action="update").get()
    assert entry.changes == {"before": {"title": "旧题名"}, "after": {"title": "新题名"}}


def test_saving_without_changes_writes_no_entry(world):
    item = make_item(world.fonds_a)
    count = AuditEntry.objects.count()
    item.save()
    assert AuditEntry.objects.count() == count


def test_deleting_a_record_keeps_its_last_values(world):
    item = make_item(world.fonds_a, title="待删除")
    pk = item.pk
    item.delete()
    entry = AuditEntry.objects.get(object_id=str(pk), action="delete", object_type="catalogue.item")
    assert entry.changes["before"]["title"] == "待删除"


def test_untouched_chain_verifies(world):
    make_item(world.fonds_a)
    checked, problems = verify_chain()
    assert checked > 5 and problems == []


def test_edited_row_is_detected_and_named(world):
    make_item(world.fonds_a)
    victim = AuditEntry.objects.order_by("sequence")[3]
    AuditEntry.objects.filter(pk=victim.pk).update(actor_name="someone-else")
    _checked, problems = verify_chain()
    assert [p.sequence for p in problems] == [victim.sequence]
    assert "edited" in problems[0].reason


def test_deleted_row_is_detected(world):
    make_item(world.fonds_a)
    victim = AuditEntry.objects.order_by("sequence")[2]
    AuditEntry.objects.filter(pk=victim.pk).delete()
    _checked, problems = verify_chain()
    assert problems and problems[0].sequence == victim.sequence + 1
    assert "missing" in problems[0].reason


def test_deleting_the_newest_rows_is_detected(world):
    make_item(world.fonds_a)
    last = AuditEntry.objects.order_by("-sequence").first()
    AuditEntry.objects.filter(pk=last.pk).delete()
    _checked, problems = verify_chain()
    assert problems and "missing" in problems[-1].reason


def test_reordered_rows_are_detected(world):
    make_item(world.fonds_a)
    first, second = AuditEntry.objects.order_by("sequence")[1:3]
    AuditEntry.objects.filter(pk=first.pk).update(sequence=-1)
    AuditEntry.objects.filter(pk=second.pk).update(sequence=first.sequence)
    AuditEntry.objects.filter(pk=first.pk).update(sequence=second.sequence)
    _checked, problems = verify_chain()
    assert {p.sequence for p in problems} >= {first.sequence, second.sequence}


def test_a_forged_row_with_a_recomputed_hash_still_breaks_the_next_link(world):
    make_item(world.fonds_a)
    victim = AuditEntry.objects.order_by("sequence")[2]
    victim.message = "forged"
    victim.entry_hash = victim.compute_hash()
    victim.save()
    _checked, problems = verify_chain()
    assert [p.sequence for p in problems] == [victim.sequence + 1]


def test_cli_verify_fails_loudly_on_tampering(world, capsys):
    make_unit("测试单位")
    call_command("audit", "verify")
    assert "intact" in capsys.readouterr().out
    AuditEntry.objects.filter(sequence=1).update(object_repr="x")
    with pytest.raises(CommandError):
        call_command("audit", "verify")
    assert "#1" in capsys.readouterr().err


@pytest.mark.parametrize("plain", [False, True])
def test_an_entry_hashes_alike_when_appended_and_when_read_back(world, plain):
    from dangan.core.choices import AuditAction
    from dangan.core.models import append, new_entry

    changes = {"fields": ["title", "year"], "items": [["关于\"changes\":0的通知", 2023], [None, 1999]]}
    entry = new_entry(AuditAction.CREATE, changes=changes, plain=plain, object_repr='"changes":0')
    append([entry])
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert "changes_json" not in stored.__dict__
    assert stored.compute_hash() == entry.entry_hash
    assert verify_chain()[1] == []


def test_an_entrys_changes_are_stored_as_the_canonical_text_its_hash_was_made_from(world):
    from dangan.core.choices import AuditAction
    from dangan.core.models import canonical_json, record

    changes = {"after": {"title": "关于防汛的通知", "pages": 3, "date": None}, "before": {}}
    entry = record(AuditAction.CREATE, changes=changes)
    with connection.cursor() as cursor:
        cursor.execute("SELECT CAST(changes AS text) FROM core_auditentry WHERE id = %s", [entry.pk])
        assert cursor.fetchone()[0] == canonical_json(changes)  # jsonb would reorder keys and add spaces
    assert AuditEntry.objects.get(pk=entry.pk).changes == changes


def test_entries_can_be_found_by_a_value_inside_their_changes(world):
    from dangan.core.choices import AuditAction
    from dangan.core.models import record

    wanted = record(AuditAction.UPDATE, changes={"after": {"control": "open"}, "before": {"control": "x"}})
    record(AuditAction.UPDATE, changes={"after": {"control": "controlled"}})
    assert list(AuditEntry.objects.filter(changes__after__control="open")) == [wanted]
    assert list(AuditEntry.objects.filter(changes__before__has_key="control")) == [wanted]


def test_an_entry_read_by_raw_sql_has_its_changes_as_values(world):
    from dangan.core.choices import AuditAction
    from dangan.core.models import record

    entry = record(AuditAction.UPDATE, changes={"after": {"pages": 3}})
    read = next(iter(AuditEntry.objects.raw("SELECT * FROM core_auditentry WHERE id = %s", [entry.pk])))
    assert read.changes == {"after": {"pages": 3}}  # PostgreSQL's json comes back parsed by psycopg


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL storage setting")
def test_audit_changes_are_compressed_with_lz4_where_postgresql_offers_it(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
        )
        offered = cursor.fetchone()[0]
        cursor.execute(
            "SELECT attcompression FROM pg_attribute "
            "WHERE attrelid = 'core_auditentry'::regclass AND attname = 'changes'"
        )
        method = cursor.fetchone()[0]
    assert method == ("l" if offered else "")


def test_a_record_read_with_only_some_fields_records_just_the_change_made(world):
    item = make_item(world.fonds_a, title="旧题名", remarks="备注")
    partial = Item.objects.only("title").get(pk=item.pk)
    partial.title = "新题名"
    partial.save()
    entry = AuditEntry.objects.filter(object_id=str(item.pk), action="update").get()
    assert entry.changes == {"before": {"title": "旧题名"}, "after": {"title": "新题名"}}


def test_a_deferred_field_changed_after_it_was_loaded_records_its_stored_value_as_before(world):
    item = make_item(world.fonds_a, title="题名", remarks="旧备注")
    partial = Item.objects.defer("remarks").get(pk=item.pk)
    partial.refresh_from_db(fields=["remarks"])
    partial.remarks = "新备注"
    partial.save()
    entry = AuditEntry.objects.filter(object_id=str(item.pk), action="update").get()
    assert entry.changes == {"before": {"remarks": "旧备注"}, "after": {"remarks": "新备注"}}
