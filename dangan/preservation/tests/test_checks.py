import pytest

from dangan.preservation.checks import latest_results, run_checks
from dangan.preservation.choices import Outcome, Stage
from dangan.preservation.models import AcceptedFormat, CheckItem, CheckResult, DigitalFile
from dangan.preservation.tests import samples
from dangan.preservation.tests.helpers import add_file, run_jobs
from dangan.testing import make_item


@pytest.fixture
def item(world):
    return make_item(world.fonds_a, date="2023-03-01", pages=1)


def outcomes(f) -> dict:
    return {r.check_item.method: r.outcome for r in f.check_results.select_related("check_item")}


def test_the_da_t_70_check_items_cover_the_four_properties_by_default(db):
    properties = set(CheckItem.objects.values_list("property", flat=True))
    assert properties == {"authenticity", "integrity", "usability", "security"}
    assert CheckItem.objects.count() >= 15


def test_a_clean_pdf_passes_authenticity_integrity_and_security(item, world):
    f = add_file(item, samples.pdf(), "正文.pdf", user=world.archivist_a)
    run_checks(DigitalFile.objects.all())
    result = outcomes(f)
    for method in (
        "fixity",
        "file_consistent",
        "provenance",
        "format_identified",
        "format_accepted",
        "opens",
        "not_encrypted",
        "no_executable",
        "storage_readable",
    ):
        assert result[method] == Outcome.SUCCESS, method
    # Helvetica is a standard font that is not embedded: DA/T 70 usability asks for embedded fonts.
    assert result["fonts_embedded"] == Outcome.FAILURE


def test_javascript_in_a_pdf_fails_the_security_check(item):
    f = add_file(item, samples.pdf(javascript=True), "js.pdf")
    assert f.characterisation["javascript"] is True
    run_checks(DigitalFile.objects.all())
    assert outcomes(f)["no_executable"] == Outcome.FAILURE


def test_macros_in_an_office_file_fail_the_security_check(item):
    f = add_file(item, samples.docx(macros=True), "macro.docx")
    run_checks(DigitalFile.objects.all())
    assert outcomes(f)["no_executable"] == Outcome.FAILURE


def test_an_encrypted_pdf_fails_usability(item):
    f = add_file(item, samples.encrypted_pdf(), "locked.pdf")
    run_checks(DigitalFile.objects.all())
    assert outcomes(f)["not_encrypted"] == Outcome.FAILURE


def test_a_truncated_pdf_fails_to_open(item):
    f = add_file(item, samples.pdf()[:-30], "cut.pdf")
    run_checks(DigitalFile.objects.all())
    assert outcomes(f)["opens"] == Outcome.FAILURE


def test_the_accepted_format_list_is_data(item):
    f = add_file(item, samples.image(dpi=300), "scan.png")
    AcceptedFormat.objects.filter(mime="image/png").update(accepted=False)
    run_checks(DigitalFile.objects.all())
    assert outcomes(f)["format_accepted"] == Outcome.FAILURE


def test_a_disabled_check_item_is_not_run(item):
    f = add_file(item, samples.pdf(), "a.pdf")
    CheckItem.objects.filter(method="fonts_embedded").update(enabled=False)
    run_checks(DigitalFile.objects.all())
    assert "fonts_embedded" not in outcomes(f)


def test_a_record_check_is_recorded_once_for_the_item(item):
    add_file(item, samples.pdf(pages=2), "a.pdf")
    run = run_checks(DigitalFile.objects.all())
    page_count = CheckResult.objects.get(run=run, check_item__method="page_count")
    assert page_count.item == item and page_count.file is None
    assert page_count.outcome == Outcome.WARNING  # the item says 1 page, the PDF has 2


def test_preservation_stage_rereads_the_bits_and_catches_a_change(item, file_store):
    import os

    from dangan.preservation.storage import get_storage

    f = add_file(item, b"original text", "a.txt")
    path = get_storage().local_path(f.storage_key)
    os.chmod(path, 0o644)
    path.write_bytes(b"changed text!")
    run = run_checks(DigitalFile.objects.all(), Stage.PRESERVATION, rehash=True)
    assert outcomes(f)["fixity"] == Outcome.FAILURE and run.failed == 1


def test_capture_checks_run_as_a_job_and_the_item_report_shows_the_latest(item):
    f = add_file(item, samples.pdf(), "a.pdf")
    run_jobs("preservation.capture_checks")
    run_jobs("preservation.capture_checks")  # nothing new to check: no second run
    f.refresh_from_db()
    assert f.checked_at is not None
    results = latest_results(item)
    assert {r.check_item.code for r in results} >= {"1-1", "2-1", "3-1", "4-1"}


def test_the_periodic_checks_and_fixity_audit_are_registered_jobs(db):
    from dangan.core.jobs import _periodic

    assert {"preservation.fixity_audit", "preservation.periodic_checks"} <= set(_periodic)


def test_a_check_item_must_name_an_existing_check_method(db):
    from django.core.exceptions import ValidationError

    item = CheckItem(code="9-9", name="x", property="security", method="no_such_check")
    with pytest.raises(ValidationError, match="no_such_check"):
        item.full_clean()


def test_the_checks_command_runs_a_transfer_check_and_writes_a_report(item, tmp_path):
    from django.core.management import call_command

    add_file(item, samples.docx(macros=True), "macro.docx")
    with pytest.raises(SystemExit):
        call_command("checks", "run", "--stage", "transfer", "--fonds", item.fonds.number,
                     "--xlsx", str(tmp_path / "report.xlsx"))
    from dangan.preservation.models import CheckRun

    run = CheckRun.objects.get()
    assert run.stage == Stage.TRANSFER and run.failed == 1
    assert (tmp_path / "report.xlsx").read_bytes()[:2] == b"PK"
