"""The watermark draws the reader's Chinese name legibly with a CJK font (``dangan.lib.fonts``), and still
marks the page — account, time, request number — with a warning in the log where there is none."""

import logging

import pytest
from PIL import Image, ImageChops

from dangan.access import rendering
from dangan.lib.fonts import cjk_font_path

WHITE = (255, 255, 255)


def _marked(lines):
    return rendering.watermark(Image.new("RGB", (800, 600), WHITE), lines)


def _ink(image) -> int:
    """How many pixels are not background."""
    background = Image.new("RGB", image.size, WHITE)
    return sum(ImageChops.difference(image, background).convert("L").histogram()[1:])


@pytest.fixture
def cjk_font(settings):
    path = cjk_font_path()
    if path is None:
        pytest.skip("no CJK font installed: apt-get install fonts-wqy-zenhei")
    settings.DANGAN_CJK_FONT = str(path)
    return path


def test_the_readers_chinese_name_is_drawn(cjk_font):
    assert rendering.has_cjk_font()
    assert _ink(_marked(["张三"])) > 500


def test_different_chinese_names_draw_different_glyphs(cjk_font):
    # Boxes (tofu) for missing glyphs would make every two-character name look the same.
    assert ImageChops.difference(_marked(["张三"]), _marked(["李四"])).getbbox() is not None


def test_without_a_cjk_font_the_watermark_still_marks_the_page_and_says_why(settings, caplog):
    settings.DANGAN_CJK_FONT = "/nonexistent/font.ttc"
    assert not rendering.has_cjk_font()
    with caplog.at_level(logging.WARNING, logger="dangan.access.rendering"):
        marked = _marked(["张三", "zhangsan", "2026-01-01 10:00", "LY2026000001"])
    assert _ink(marked) > 500
    assert any("CJK" in r.getMessage() for r in caplog.records)
    assert rendering.ascii_fallback("张三 zhangsan") == "zhangsan"
