"""The one place that finds a font with Chinese glyphs, for printed PDFs, watermarks and benchmark pages.

A PDF embeds the font, and reportlab can embed only TrueType outlines; Pillow draws any outline flavour. So
the TrueType fonts come first (``.ci/run`` installs Debian's ``fonts-wqy-zenhei``), then the CFF-outline
Noto CJK and the fonts of other systems, which are good for pixels only.
"""

from pathlib import Path

from django.conf import settings

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
