"""The one place that finds a font with Chinese glyphs, for printed PDFs, watermarks and benchmark pages.

A PDF embeds the font, and reportlab can embed only TrueType outlines; Pillow draws any outline flavour. So
the TrueType fonts come first (``.ci/run`` installs Debian's ``fonts-wqy-zenhei``), then the CFF-outline
Noto CJK and the fonts of other systems, which are good for pixels only.
"""

from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

TRUETYPE_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
)
OTHER_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/System/Library/Fonts/PingFang.ttc",
    "C:/Windows/Fonts/msyh.ttc",
    "C:/Windows/Fonts/simsun.ttc",
)


def cjk_font_candidates(*, embeddable: bool = False) -> list[str]:
    """Where a CJK font is looked for, in order: ``DANGAN_CJK_FONT`` alone when it is set."""
    if settings.DANGAN_CJK_FONT:
        return [settings.DANGAN_CJK_FONT]
    return list(TRUETYPE_CANDIDATES if embeddable else TRUETYPE_CANDIDATES + OTHER_CANDIDATES)


def cjk_font_path(*, embeddable: bool = False) -> Path | None:
    """The first CJK font file present (TrueType only with ``embeddable``), or None."""
    for candidate in cjk_font_candidates(embeddable=embeddable):
        if Path(candidate).is_file():
            return Path(candidate)
    return None


PDF_FONT_NAME = "DanganCJK"


class FontMissing(RuntimeError):
    pass


def pdf_font_path() -> Path:
    """The CJK TrueType font PDFs embed; ``FontMissing`` names the package to install when there is none."""
    path = cjk_font_path(embeddable=True)
    if path is None:
        raise FontMissing(
            _(
                "找不到可嵌入 PDF 的中文 TrueType 字体：请安装 Debian 包 fonts-wqy-zenhei，"
                "或用 DANGAN_CJK_FONT 指定字体文件（%(tried)s）"
            )
            % {"tried": ", ".join(cjk_font_candidates(embeddable=True))}
        )
    return path


def register_pdf_font() -> str:
    """Register the font with reportlab once and return its name for styles and canvases."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if PDF_FONT_NAME not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(PDF_FONT_NAME, str(pdf_font_path()), subfontIndex=0))
    return PDF_FONT_NAME
