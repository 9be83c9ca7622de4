"""The import and export screens for every persona."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dangan.catalogue.models import Item
from dangan.core.jobs import claim_next, run
from dangan.exchange.choices import BatchStatus
from dangan.exchange.models import ColumnMapping, ImportBatch
from dangan.exchange.tests.conftest import row, write_csv
from dangan.testing import make_item

PERSONAS = ["staff", "archivist_a", "archivist_b", "reader", None]


def persona(world, name):
    return getattr(world, name) if name else None


def upload(client, world, tmp_path, rows, fonds=None, **extra):
    path = write_csv(tmp_path / "c.csv", rows)
    data = {
        "file": SimpleUploadedFile("目录.csv", path.read_bytes()),
        "fonds": (fonds or world.fonds_a).pk,
        "category": world.category.pk,
        "key": "reference_code",
        **extra,
    }
    return client.post(reverse("exchange:home"), data)


def run_jobs():
    while (job := claim_next("test")) is not None:
        run(job)


@pytest.mark.parametrize(
    "name, status", [("staff", 200), ("archivist_a", 200), ("archivist_b", 200), ("reader", 403), (None, 302)]
)
def test_the_import_page_is_for_those_who_may_file(world, client_for, name, status):
    assert client_for(persona(world, name)).get(reverse("exchange:home")).status_code == status


def test_upload_preview_validate_and_commit_through_the_job(world, client_for, tmp_path):
    client = client_for(world.archivist_a)
    response = upload(client, world, tmp_path, [row(1), row(2, 日期="2023.5.2")])
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response.url == batch.get_absolute_url()
    page = client.get(batch.get_absolute_url()).content.decode()
    assert "关于第1项工作的通知" in page and "题名" in page
    client.post(reverse("exchange:batch_validate", args=[batch.pk]))
    run_jobs()
    batch.refresh_from_db()
    assert batch.status == BatchStatus.VALID and Item.objects.count() == 0
    response = client.post(reverse("exchange:batch_commit", args=[batch.pk]))
    batch.refresh_from_db()
    assert response.url == reverse("job", args=[batch.job_id])
    run_jobs()
    batch.refresh_from_db()
    assert batch.status == BatchStatus.COMMITTED and batch.created_count == 2 and Item.objects.count() == 2


def test_errors_are_shown_capped_with_the_full_report_downloadable(world, client_for, tmp_path):
    client = client_for(world.archivist_a)
    upload(client, world, tmp_path, [row(n, 日期="20231301") for n in range(1, 251)])
    batch = ImportBatch.objects.get()
    client.post(reverse("exchange:batch_validate", args=[batch.pk]))
    run_jobs()
    batch.refresh_from_db()
    assert batch.status == BatchStatus.INVALID and batch.error_count == 250 and len(batch.errors) == 200
    page = client.get(batch.get_absolute_url()).content.decode()
    assert "另有 50 处见报告" in page
    report = client.get(reverse("exchange:batch_report", args=[batch.pk]))
    assert b"".join(report.streaming_content).decode("utf-8-sig").count("日期不存在") == 250
    xlsx = client.get(reverse("exchange:batch_report", args=[batch.pk]) + "?format=xlsx")
    assert xlsx.status_code == 200
    assert client.post(reverse("exchange:batch_commit", args=[batch.pk])).status_code == 302
    assert Item.objects.count() == 0


def test_a_changed_mapping_must_be_validated_again_and_can_be_saved_for_reuse(world, client_for, tmp_path):
    client = client_for(world.archivist_a)
    upload(client, world, tmp_path, [row(1)])
    batch = ImportBatch.objects.get()
    data = {f"col_{p}": t for p, t in batch.mapping.items()}
    data["col_10"] = ""  # 备注 not imported
    data["save_as"] = "我的目录格式"
    client.post(reverse("exchange:batch_mapping", args=[batch.pk]), data)
    batch.refresh_from_db()
    assert "10" not in batch.mapping and batch.status == BatchStatus.UPLOADED
    saved = ColumnMapping.objects.get(user=world.archivist_a)
    assert saved.columns["题名"] == "title" and "备注" not in saved.columns
    upload(client, world, tmp_path, [row(2)], saved_mapping=saved.pk)
    assert "10" not in ImportBatch.objects.latest("pk").mapping


def test_nobody_may_upload_into_a_fonds_they_may_not_file_into(world, client_for, tmp_path):
    response = upload(client_for(world.archivist_a), world, tmp_path, [row(1)], fonds=world.fonds_b)
    assert response.status_code == 200 and not ImportBatch.objects.exists()


@pytest.mark.parametrize(
    "name, status", [("staff", 200), ("archivist_a", 403), ("archivist_b", 404), ("reader", 404)]
)
def test_a_batch_is_its_uploaders_and_the_bureau_may_look(world, client_for, tmp_path, name, status):
    upload(client_for(world.archivist_a), world, tmp_path, [row(1)])
    batch = ImportBatch.objects.get()
    client = client_for(persona(world, name))
    assert client.get(batch.get_absolute_url()).status_code == (200 if status != 404 else 404)
    validate = client.post(reverse("exchange:batch_validate", args=[batch.pk]))
    assert validate.status_code == {"staff": 403, "archivist_a": 302}.get(name, 404)


def test_a_bad_upload_is_refused_on_the_form(world, client_for):
    client = client_for(world.archivist_a)
    data = {
        "file": SimpleUploadedFile("空.csv", b""),
        "fonds": world.fonds_a.pk,
        "category": world.category.pk,
        "key": "reference_code",
    }
    response = client.post(reverse("exchange:home"), data)
    assert response.status_code == 200 and not ImportBatch.objects.exists()


@pytest.mark.parametrize("name", PERSONAS)
def test_exports_give_each_persona_only_what_they_may_see(world, client_for, name):
    make_item(world.fonds_a, title="甲镇的文件")
    make_item(world.fonds_b, title="乙镇的文件")
    response = client_for(persona(world, name)).get(reverse("exchange:export_items") + "?format=csv")
    if name is None:
        assert response.status_code == 302
        return
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    expected = {
        "staff": {"甲镇", "乙镇"},
        "archivist_a": {"甲镇"},
        "archivist_b": {"乙镇"},
        "reader": {"甲镇", "乙镇"},
    }
    assert {town for town in ("甲镇", "乙镇") if town in text} == expected[name]


def test_the_export_keeps_the_list_filters(world, client_for):
    make_item(world.fonds_a, title="甲镇的文件")
    make_item(world.fonds_a, title="另一份", year=2022)
    response = client_for(world.staff).get(reverse("exchange:export_items") + "?year=2022&format=xlsx")
    import openpyxl

    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert [r[9] for r in sheet.iter_rows(min_row=2, values_only=True)] == ["另一份"]


def test_the_item_list_offers_export_buttons_with_the_current_filters(world, client_for):
    page = client_for(world.archivist_a).get(reverse("catalogue:item_list") + "?year=2023").content.decode()
    assert reverse("exchange:export_items") + "?year=2023&amp;format=xlsx" in page


@pytest.mark.parametrize("form", ["catalogue", "spines", "records"])
def test_printed_forms_are_pdfs_of_the_filtered_list(world, client_for, form):
    make_item(world.fonds_a)
    response = client_for(world.archivist_a).get(reverse("exchange:print_items") + f"?form={form}")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


@pytest.mark.parametrize(
    "name, status", [("staff", 200), ("archivist_a", 200), ("archivist_b", 404), (None, 302)]
)
def test_ead_export_of_a_fonds_needs_sight_of_it(world, client_for, name, status):
    make_item(world.fonds_a)
    response = client_for(persona(world, name)).get(reverse("exchange:ead", args=[world.fonds_a.pk]))
    assert response.status_code == status
    if status == 200:
        assert b"ead3.archivists.org" in b"".join(response.streaming_content)


@pytest.mark.parametrize("name, status", [("staff", 200), ("archivist_a", 200), ("reader", 200), (None, 401)])
def test_the_api_exports_with_a_token_what_the_caller_may_see(world, name, status):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    make_item(world.fonds_a, title="甲镇的文件", control="controlled")
    client = APIClient()
    if name:
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=persona(world, name)).key}")
    response = client.get(reverse("api_export_items_csv") + "?year=2023")
    assert response.status_code == status
    if status == 200:
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        assert ("甲镇的文件" in text) == (name != "reader")  # readers see open records only


def test_the_api_exports_a_fonds_as_ead3(world):
    from rest_framework.test import APIClient

    make_item(world.fonds_a)
    client = APIClient()
    client.force_authenticate(world.archivist_a)
    response = client.get(reverse("api_export_ead", args=[world.fonds_a.pk]))
    assert response.status_code == 200 and b"ead3" in b"".join(response.streaming_content)
    assert client.get(reverse("api_export_ead", args=[world.fonds_b.pk])).status_code == 404


def test_a_job_that_crashes_leaves_the_batch_failed_and_open_to_try_again(
    world, client_for, tmp_path, monkeypatch
):
    from dangan.exchange import services

    client = client_for(world.archivist_a)
    upload(client, world, tmp_path, [row(1)])
    batch = ImportBatch.objects.get()
    client.post(reverse("exchange:batch_validate", args=[batch.pk]))

    def crash(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "run_batch", crash)
    run_jobs()
    batch.refresh_from_db()
    assert (
        batch.status == BatchStatus.FAILED and "校验" in client.get(batch.get_absolute_url()).content.decode()
    )


def api_upload(user, world, tmp_path, rows, **extra):
    from rest_framework.test import APIClient

    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    path = write_csv(tmp_path / "c.csv", rows)
    data = {"file": SimpleUploadedFile("目录.csv", path.read_bytes()), "fonds": world.fonds_a.pk,
            "category": world.category.pk, **extra}
    return client.post(reverse("api_imports"), data, format="multipart")


def test_the_import_api_queues_a_job_that_commits_the_file(world, tmp_path):
    response = api_upload(world.archivist_a, world, tmp_path, [row(1), row(2)])
    assert response.status_code == 202
    batch = ImportBatch.objects.get()
    assert response.json() == {"batch": batch.pk, "job": batch.job_id, "dry_run": False}
    run_jobs()
    batch.refresh_from_db()
    assert batch.status == BatchStatus.COMMITTED and Item.objects.count() == 2


def test_the_import_api_validates_only_on_a_dry_run(world, tmp_path):
    assert api_upload(world.archivist_a, world, tmp_path, [row(1)], dry_run="true").status_code == 202
    run_jobs()
    assert ImportBatch.objects.get().status == BatchStatus.VALID and not Item.objects.exists()


@pytest.mark.parametrize("name, status", [("archivist_b", 400), ("reader", 403), (None, 401)])
def test_the_import_api_checks_the_right_to_file_like_the_page(world, tmp_path, name, status):
    response = api_upload(persona(world, name), world, tmp_path, [row(1)])
    assert response.status_code == status
    assert not ImportBatch.objects.exists()
    if status == 400:
        assert "fonds" in response.json()
