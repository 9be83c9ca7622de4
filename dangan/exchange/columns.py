"""Which spreadsheet column is which catalogue field: header synonyms as archivists write them."""

import re
import unicodedata

# Field keys an import understands. ``sequence`` (序号) is the row's place in the printed list, not data.
FIELDS = {
    "sequence": ("序号", "顺序号", "行号"),
    "fonds": ("全宗号", "全宗"),
    "reference_code": ("档号", "档案号"),
    "number": ("件号", "件序号", "文件号"),
    "year": ("年度", "年份", "归档年度"),
    "retention": ("保管期限", "期限", "保管年限"),
    "org_code": (
        "机构问题",
        "机构（问题）",
        "机构(问题)",
        "机构问题代码",
        "机构（问题）代码",
        "机构代码",
        "问题代码",
        "机构",
        "问题",
    ),
    "document_number": ("文号", "文件编号", "发文字号", "发文号"),
    "creator": ("责任者", "发文机关", "发文单位", "责任单位", "作者"),
    "title": ("题名", "文件题名", "标题", "题名或内容", "文件标题"),
    "date": ("日期", "文件日期", "成文日期", "形成日期", "发文日期"),
    "pages": ("页数", "页码数", "张数"),
    "security_level": ("密级",),
    "control": ("控制标识", "开放状态", "开放控制"),
    "remarks": ("备注", "附注", "说明"),
    "volume": ("案卷档号", "案卷号", "所属案卷"),
}
FIELD_LABELS = {key: names[0] for key, names in FIELDS.items()}
FIELD_LABELS["org_code"] = "机构（问题）"
IGNORE = ""  # a mapping value for a column the archivist chose to leave out


def header_key(text) -> str:
    """A header as compared: width-normalised, without spaces, brackets' width or a trailing colon."""
    text = unicodedata.normalize("NFKC", str(text or ""))
    return re.sub(r"[\s:：*＊]", "", text).lower()


_SYNONYMS = {header_key(name): field for field, names in FIELDS.items() for name in names}
_SYNONYMS.update({header_key(field): field for field in FIELDS})  # our own export's keys, and English


def detect(headers: list[str], category) -> tuple[dict[int, str], list[int]]:
    """Map column positions to field keys (``extra:KEY`` for the category's extra fields).

    Returns the mapping and the positions of columns nobody recognised (reported, not guessed).
    """
    extras = {}
    for field in category.fields.all():
        extras[header_key(field.label)] = f"extra:{field.key}"
        extras[header_key(field.key)] = f"extra:{field.key}"
    mapping, unknown, taken = {}, [], set()
    for position, header in enumerate(headers):
        key = header_key(header)
        if not key:
            continue
        target = _SYNONYMS.get(key) or extras.get(key)
        if target and target not in taken:
            mapping[position] = target
            taken.add(target)
        else:
            unknown.append(position)
    return mapping, unknown


def target_choices(category) -> list[tuple[str, str]]:
    """Every field a column may be mapped to, for the mapping form."""
    choices = [(IGNORE, "（不导入）")] + [(key, label) for key, label in FIELD_LABELS.items()]
    choices += [(f"extra:{f.key}", f"{f.label}（扩展）") for f in category.fields.all()]
    return choices


def target_label(target: str, category) -> str:
    if target.startswith("extra:"):
        key = target.removeprefix("extra:")
        for field in category.fields.all():
            if field.key == key:
                return field.label
        return key
    return FIELD_LABELS.get(target, target)
