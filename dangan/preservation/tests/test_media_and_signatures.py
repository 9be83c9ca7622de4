"""Duration of audio and video beyond WAV (tinytag), and electronic signatures of PDF and OFD as a DA/T 70
authenticity check."""

import io
import zipfile

import pytest

from dangan.preservation import formats
from dangan.preservation.checks import run_checks
from dangan.preservation.choices import Outcome
from dangan.preservation.models import CheckItem, DigitalFile
from dangan.preservation.tests import samples, samples_media
from dangan.preservation.tests.helpers import add_file
from dangan.testing import make_item


@pytest.fixture
def item(world):
    return make_item(world.fonds_a, date="2023-03-01", pages=1)


def characterise(tmp_path, data: bytes, name: str) -> dict:
    path = tmp_path / name
    path.write_bytes(data)
    return formats.characterise(path, formats.identify(path, name))


@pytest.mark.parametrize(
    "name, data, seconds",
    [
        ("录音.mp3", samples_media.mp3(2.0), 2.0),
        ("录音.flac", samples_media.flac(3.0), 3.0),
        ("录音.opus", samples_media.opus(4.0), 4.0),
        ("录音.m4a", samples_media.mp4(6.0, brand=b"M4A "), 6.0),
        ("录像.mp4", samples_media.mp4(5.0), 5.0),
    ],
)
def test_the_duration_of_audio_and_video_is_recorded(tmp_path, name, data, seconds):
    found = characterise(tmp_path, data, name)
    assert found["opens"] is True
    assert found["duration"] == pytest.approx(seconds, abs=0.05)


def test_a_media_file_without_a_reader_has_no_guessed_duration(tmp_path):
    path = tmp_path / "录像.avi"
    path.write_bytes(b"RIFF\x10\x00\x00\x00AVI LIST" + b"\x00" * 64)
    found = formats.characterise(path, formats.FormatInfo(mime="video/x-msvideo"))
    assert found["duration"] is None and "opens" not in found


def test_a_truncated_audio_file_is_found_not_to_open(tmp_path):
    found = characterise(tmp_path, samples_media.flac()[:20], "截断.flac")
    assert found["opens"] is False and "ParseError" in found["error"]


def test_a_captured_mp3_keeps_its_duration(item):
    f = add_file(item, samples_media.mp3(2.0), "讲话录音.mp3")
    assert f.mime == "audio/mpeg"
    assert f.characterisation["duration"] == pytest.approx(2.0, abs=0.05)


def outcome_and_message(f, method: str) -> tuple[str, str]:
    result = f.check_results.get(check_item__method=method)
    return result.outcome, result.message


def test_the_signature_check_is_a_default_authenticity_item(db):
    check = CheckItem.objects.get(method="signature")
    assert check.property == "authenticity" and check.enabled


def test_a_pdf_signed_over_the_whole_file_passes_and_says_the_certificate_is_not_verified(item):
    f = add_file(item, samples_media.signed_pdf(), "签发件.pdf")
    [signature] = f.characterisation["signatures"]
    assert signature["signer"] == "张三" and signature["covers_whole_file"] is True
    run_checks(DigitalFile.objects.all())
    outcome, message = outcome_and_message(f, "signature")
    assert outcome == Outcome.SUCCESS
    assert "覆盖整个文件" in message and "未验证签名值和证书链" in message


def test_a_pdf_changed_after_signing_warns_that_the_signature_does_not_cover_it(item):
    f = add_file(item, samples_media.signed_pdf(appended=b"\n% added later\n"), "改过.pdf")
    assert f.characterisation["signatures"][0]["covers_whole_file"] is False
    run_checks(DigitalFile.objects.all())
    outcome, message = outcome_and_message(f, "signature")
    assert outcome == Outcome.WARNING and "签名后文件被修改" in message


def test_a_pdf_without_signature_is_not_checked_for_one(item):
    f = add_file(item, samples.pdf(), "无签名.pdf")
    assert f.characterisation["signatures"] == []
    run_checks(DigitalFile.objects.all())
    assert outcome_and_message(f, "signature") == (Outcome.SKIPPED, "无电子签名")


def ofd_with_seal() -> bytes:
    source = zipfile.ZipFile(io.BytesIO(samples.ofd()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for member in source.namelist():
            target.writestr(member, source.read(member))
        target.writestr(
            "Doc_0/Signs/Signatures.xml",
            '<ofd:Signatures xmlns:ofd="http://www.ofdspec.org/2016">'
            '<ofd:Signature ID="1" Type="Seal" BaseLoc="/Doc_0/Signs/Sign_0/Signature.xml"/>'
            "</ofd:Signatures>",
        )
    return out.getvalue()


def test_an_ofd_with_an_electronic_seal_records_it(item):
    f = add_file(item, ofd_with_seal(), "公文.ofd")
    assert f.characterisation["seals"] == 1
    run_checks(DigitalFile.objects.all())
    outcome, message = outcome_and_message(f, "signature")
    assert outcome == Outcome.SUCCESS and "电子签章" in message
