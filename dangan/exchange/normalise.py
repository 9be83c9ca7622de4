"""Values as archivists type them, made into what the catalogue stores.

Each cleaner takes the cell's value (str, number, date or None) and returns the stored value, or raises
``Invalid`` with a reason in Chinese. Nothing is guessed: an impossible date is an error, not the nearest day.
"""

import datetime
import re
import unicodedata

from django.utils.translation import gettext as _

from dangan.catalogue.choices import ControlStatus, SecurityLevel


class Invalid(ValueError):
    pass


def text(value) -> str:
    """Full-width digits, letters and punctuation to half-width (NFKC), trimmed; None to ''."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    value = str(value)
    if value.isascii():
        return value.strip()
    return unicodedata.normalize("NFKC", value).strip()


def description(value) -> str:
    """Titles and names keep their Chinese punctuation (NFKC would turn ，into ,); only digits and letters
    written full-width become half-width."""
    if value is None:
        return ""
    value = str(value)
    if value.isascii() or not _FULL_WIDTH.search(value):  # one scan in C; translate looks up every character
        return value.strip()
    return value.translate(_FULL_WIDTH_ALNUM).strip()


_FULL_WIDTH_ALNUM = {code: code - 0xFEE0 for code in range(0xFF10, 0xFF5B) if chr(code - 0xFEE0).isalnum()}
_FULL_WIDTH_ALNUM[0x3000] = ord(" ")  # the full-width space
_FULL_WIDTH = re.compile(f"[{''.join(map(chr, _FULL_WIDTH_ALNUM))}]")

_BRACKETS = re.compile(r"[\[【〔［﹝(（]\s*(\d{4})\s*[\]】〕］﹞)）]")


def document_number(value) -> str:
    """文号: the year's brackets, written [] 【】 () or 〔〕, all become 〔〕 (GB/T 9704)."""
    value = description(value)
    return _BRACKETS.sub(_year_in_brackets, value)


def _year_in_brackets(match: re.Match) -> str:
    # A function, not the template r"〔\1〕", which re parses again on every call.
    return f"〔{match[1]}〕"


_DATE_PATTERNS = [
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
    re.compile(r"^(\d{4})\s*[-./]\s*(\d{1,2})\s*[-./]\s*(\d{1,2})$"),
    re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?$"),
]


def date(value) -> datetime.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and len(value) == 8 and value.isascii() and value.isdigit():
        # 20230501, as most catalogues write it: no normalising, no pattern
        try:
            return datetime.date(int(value[:4]), int(value[4:6]), int(value[6:]))
        except ValueError:
            raise Invalid(_("日期不存在")) from None
    raw = text(value)
    if not raw:
        return None
    for pattern in _DATE_PATTERNS:
        match = pattern.match(raw)
        if match:
            year, month, day = (int(part) for part in match.groups())
            try:
                return datetime.date(year, month, day)
            except ValueError:
                raise Invalid(_("日期不存在")) from None
    raise Invalid(_("无法识别的日期，请写作 20230501、2023-05-01、2023.5.1 或 2023年5月1日"))


def whole_number(value, *, minimum=0) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise Invalid(_("必须是整数"))
    if isinstance(value, float):
        if not value.is_integer():
            raise Invalid(_("必须是整数"))
        value = int(value)
    if isinstance(value, int):
        number = value
    else:
        raw = text(value).removesuffix("页").removesuffix("件").strip()
        if not raw:
            return None
        if not raw.isdigit():
            raise Invalid(_("必须是整数"))
        number = int(raw)
    if number < minimum:
        raise Invalid(_("不能小于 %(n)d") % {"n": minimum})
    return number


def year(value) -> int | None:
    number = whole_number(value, minimum=1)
    if number is not None and not 1900 <= number <= 2100:
        raise Invalid(_("年度应在 1900 至 2100 之间"))
    return number


class Retentions:
    """保管期限 as written (永久, 30年, 定期30年, D30, 长期 …) to a Retention; old periods are mapped to their
    replacement (Retention.replaced_by), and the caller reports that it happened."""

    def __init__(self, retentions):
        self.by_text: dict[str, object] = {}
        for retention in retentions:
            names = {retention.code, retention.name, retention.name.removeprefix("定期")}
            if retention.years:
                names |= {f"{retention.years}年", f"定期{retention.years}年", str(retention.years)}
            for name in names:
                self.by_text.setdefault(text(name).upper(), retention)

    def clean(self, value):
        """(retention or None, the legacy retention it replaced or None)."""
        raw = text(value).upper()
        if not raw:
            return None, None
        retention = self.by_text.get(raw)
        if retention is None:
            raise Invalid(_("未知的保管期限"))
        if not retention.active:
            if retention.replaced_by is None:
                raise Invalid(
                    _("“%(name)s”是停用的旧保管期限，且未配置对应的新期限") % {"name": retention.name}
                )
            return retention.replaced_by, retention
        return retention, None


def _choice_map(choices) -> dict[str, str]:
    found = {}
    for value, label in choices:
        found[str(value).upper()] = value
        found[text(str(label)).upper()] = value
    return found


_SECURITY = _choice_map(SecurityLevel.choices) | {
    "无": SecurityLevel.PUBLIC,
    "非密": SecurityLevel.PUBLIC,
    "内部": SecurityLevel.INTERNAL,
}
_CONTROL = _choice_map(ControlStatus.choices) | {"不开放": ControlStatus.CONTROLLED}


def security_level(value) -> str | None:
    raw = text(value).upper()
    if not raw:
        return None
    if raw not in _SECURITY:
        raise Invalid(_("未知的密级"))
    return _SECURITY[raw]


def control(value) -> str | None:
    raw = text(value).upper()
    if not raw:
        return None
    if raw not in _CONTROL:
        raise Invalid(_("未知的控制标识"))
    return _CONTROL[raw]


def org_code(value) -> str:
    return text(value).upper()


def reference_code(value) -> str:
    # NFKC also makes a full-width middle dot ・ into ･, not the · DA/T 13 uses: put that back.
    return text(value).replace("･", "·").replace("・", "·").replace(" ", "")
