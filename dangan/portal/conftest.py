import pytest


@pytest.fixture(autouse=True)
def no_ocr(settings):
    # Reading-room tests attach scans; reading them by OCR is the preservation app's concern, and slow.
    settings.DANGAN_OCR = False
