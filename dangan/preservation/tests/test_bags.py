import hashlib
import io
import os
import re
import subprocess
import sys
import zipfile

import pytest
from lxml import etree

from dangan.preservation.bags import BagProblem, export_bag, import_bag, schema, validate_bag
from dangan.preservation.tests import samples
from dangan.preservation.tests.helpers import add_file, run_jobs
from dangan.testing import make_item, make_volume


@pytest.fixture
def item(world):
    item = make_item(world.fonds_a, document_number="城府〔2023〕1号", pages=2)
    add_file(item, samples.pdf(pages=2), "正文.pdf")
    add_file(item, samples.image(dpi=300), "附件.png")
    run_jobs("preservation.sm3")
    return item


def test_an_exported_bag_is_valid_with_sha256_and_sm3_manifests_and_schema_valid_metadata(item, tmp_path):
    bag = export_bag(item, tmp_path / "bag")
    assert validate_bag(bag) == []
    assert (bag / "manifest-sha256.txt").exists() and (bag / "manifest-sm3.txt").exists()
    document = etree.parse(str(bag / "data/metadata/dangan.xml"))
    assert schema().validate(document)
    assert (bag / "data/metadata/dangan-aip-1.0.xsd").exists()
    payload = bag / "data/files" / item.reference_code / "正文.pdf"
    assert (
        hashlib.sha256(payload.read_bytes()).hexdigest()
        == item.digital_files.get(original_name="正文.pdf").sha256
    )


def test_a_volume_or_fonds_exports_with_all_its_items(world, tmp_path):
    volume = make_volume(world.fonds_a)
    make_item(world.fonds_a, volume=volume, category=volume.category)
    bag = export_bag(world.fonds_a, tmp_path / "fonds")
    text = (bag / "data/metadata/dangan.xml").read_text()
    assert text.count("<volume>\n") == 1 and text.count("<item>") == 1  # and the item names its volume


def _dangan(data_dir, *args):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env["DANGAN_DATA_DIR"] = str(data_dir)
    env["DANGAN_OCR"] = "false"
    done = subprocess.run(
        [sys.executable, "-m", "dangan", *args], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _comparable(bag):
    xml = (bag / "data/metadata/dangan.xml").read_text()
    return re.sub(r' created="[^"]+"| creator="[^"]*"', "", xml, count=2)


def test_export_then_import_into_an_empty_system_is_lossless(item, tmp_path):
    first = export_bag(item, tmp_path / "first")
    other = tmp_path / "other-system"
    _dangan(other, "migrate", "-v0")
    _dangan(other, "ingest", "bag", str(first))
    _dangan(other, "worker", "--once")  # format identification of a bulk ingest is a background job
    _dangan(other, "bag", "export", "--item", item.reference_code, str(tmp_path / "second"))
    second = tmp_path / "second"
    assert _comparable(second) == _comparable(first)

    def payload_lines(bag, manifest):  # the metadata file differs by its creation time only (compared above)
        return sorted(line for line in (bag / manifest).read_text().splitlines() if "data/files/" in line)

    for manifest in ("manifest-sha256.txt", "manifest-sm3.txt"):
        assert payload_lines(second, manifest) == payload_lines(first, manifest)
        assert len(payload_lines(first, manifest)) == 2


def test_importing_the_same_bag_twice_adds_nothing(item, tmp_path):
    bag = export_bag(item, tmp_path / "bag")
    result = import_bag(bag)
    assert (result.items, result.files, result.skipped_files) == (0, 0, 2)


def test_a_bag_with_a_wrong_digest_is_refused_naming_the_file(item, tmp_path):
    bag = export_bag(item, tmp_path / "bag")
    path = bag / "data/files" / item.reference_code / "附件.png"
    path.write_bytes(path.read_bytes()[:-1] + b"\0")
    problems = validate_bag(bag)
    assert any("附件.png" in p and "sha256" in p for p in problems)
    with pytest.raises(BagProblem):
        import_bag(bag)


def test_a_bag_without_a_manifest_is_refused(item, tmp_path):
    bag = export_bag(item, tmp_path / "bag")
    for manifest in bag.glob("manifest-*.txt"):
        manifest.unlink()
    for manifest in bag.glob("tagmanifest-*.txt"):
        manifest.unlink()
    assert validate_bag(bag)


def test_a_manifest_path_outside_the_bag_is_refused(item, tmp_path):
    bag = export_bag(item, tmp_path / "bag")
    for manifest in bag.glob("tagmanifest-*.txt"):
        manifest.unlink()
    with open(bag / "manifest-sha256.txt", "a") as f:
        f.write(f"{'0' * 64}  ../../etc/passwd\n")
    problems = validate_bag(bag)
    assert any("unsafe" in p or "passwd" in p for p in problems)


def test_a_bagit_0_97_bag_validates_too(item, tmp_path):
    bag = export_bag(item, tmp_path / "bag")
    for manifest in bag.glob("tagmanifest-*.txt"):
        manifest.unlink()
    (bag / "bagit.txt").write_text("BagIt-Version: 0.97\nTag-File-Character-Encoding: UTF-8\n")
    assert validate_bag(bag) == []


def test_payload_names_differing_only_in_case_are_named(tmp_path):
    import bagit

    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "Report.txt").write_text("a")
    (tmp_path / "b" / "report.txt").write_text("b")
    bagit.make_bag(str(tmp_path / "b"), checksums=["sha256"])
    assert any("大小写" in p for p in validate_bag(tmp_path / "b"))


def test_a_zipped_bag_with_a_path_outside_is_refused(world, tmp_path):
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("bag/bagit.txt", "BagIt-Version: 1.0\n")
        zf.writestr("../../outside.txt", "pwned")
    with pytest.raises(Exception, match="包外"):
        import_bag(archive)
    assert not (tmp_path.parent / "outside.txt").exists()


def test_a_bag_without_metadata_attaches_files_by_reference_code_folders(world, tmp_path):
    import bagit

    item = make_item(world.fonds_a)
    folder = tmp_path / "sip" / item.reference_code
    folder.mkdir(parents=True)
    (folder / "a.txt").write_bytes(b"submitted")
    bagit.make_bag(str(tmp_path / "sip"), checksums=["sha256"])
    result = import_bag(tmp_path / "sip")
    assert result.files == 1 and result.problems == []
    assert item.digital_files.get().sha256 == hashlib.sha256(b"submitted").hexdigest()


def test_bag_validate_command_names_each_problem(item, tmp_path):
    from django.core.management import CommandError, call_command

    bag = export_bag(item, tmp_path / "bag")
    (bag / "data/files" / item.reference_code / "正文.pdf").unlink()
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("bag", "validate", str(bag), stdout=out)
    assert "正文.pdf" in out.getvalue()
