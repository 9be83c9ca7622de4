"""Default check items (DA/T 70-2018) and accepted formats, loaded by a data migration; the bureau
edits them."""

# code, name, property, method, at_capture, at_transfer, at_preservation, description
CHECK_ITEMS = [
    (
        "1-1",
        "电子文件摘要值（SHA-256/SM3）一致",
        "authenticity",
        "fixity",
        True,
        True,
        True,
        "捕获时计算并核验摘要；移交和长期保存环节重新计算比对",
    ),
    (
        "1-2",
        "元数据合规（档号格式、取值范围、特殊字符）",
        "authenticity",
        "metadata_valid",
        True,
        True,
        True,
        "",
    ),
    (
        "1-3",
        "文件名、大小、格式与元数据及内容一致",
        "authenticity",
        "file_consistent",
        True,
        True,
        True,
        "扩展名与识别出的格式不符、0 字节文件不通过",
    ),
    (
        "1-4",
        "来源与过程记录完整（捕获、摘要、格式识别事件）",
        "authenticity",
        "provenance",
        True,
        True,
        True,
        "",
    ),
    (
        "1-5",
        "电子签名与电子签章存在且覆盖整个文件",
        "authenticity",
        "signature",
        True,
        True,
        True,
        "PDF 的 /ByteRange 须覆盖整个文件；OFD 记录签章数；不验证签名值和证书链",
    ),
    ("2-1", "电子文件齐全，无缺失", "integrity", "files_present", True, True, True, ""),
    (
        "2-2",
        "必填元数据项齐全",
        "integrity",
        "required_metadata",
        True,
        True,
        True,
        "题名、档号、年度、保管期限、责任者、日期",
    ),
    ("2-3", "页数与著录一致", "integrity", "page_count", True, True, False, ""),
    ("3-1", "文件格式可识别", "usability", "format_identified", True, True, True, "PRONOM 标识或 MIME 类型"),
    ("3-2", "文件格式为长期保存格式", "usability", "format_accepted", True, True, True, "见长期保存格式目录"),
    ("3-3", "文件可正常打开和解析", "usability", "opens", True, True, True, ""),
    ("3-4", "无加密、无口令保护", "usability", "not_encrypted", True, True, True, ""),
    ("3-5", "PDF 字体已嵌入", "usability", "fonts_embedded", True, True, False, ""),
    (
        "3-6",
        "扫描件分辨率符合 DA/T 31（文字 ≥200 dpi，照片 ≥300 dpi）",
        "usability",
        "scan_resolution",
        True,
        True,
        False,
        "",
    ),
    (
        "4-1",
        "无可执行内容（PDF 脚本与启动动作、Office 宏）",
        "security",
        "no_executable",
        True,
        True,
        True,
        "",
    ),
    ("4-2", "存储载体可读，文件大小一致", "security", "storage_readable", True, True, True, ""),
    ("4-3", "病毒检测", "security", "virus_scan", True, True, False, "需安装 clamscan，未安装时记为未检"),
]

# name, puid, mime: a PUID row accepts that exact format version; a row without PUID accepts the MIME type.
ACCEPTED_FORMATS = [
    ("PDF/A-1a", "fmt/95", "application/pdf"),
    ("PDF/A-1b", "fmt/354", "application/pdf"),
    ("PDF/A-2a", "fmt/476", "application/pdf"),
    ("PDF/A-2b", "fmt/477", "application/pdf"),
    ("PDF/A-2u", "fmt/478", "application/pdf"),
    ("PDF/A-3a", "fmt/479", "application/pdf"),
    ("PDF/A-3b", "fmt/480", "application/pdf"),
    ("PDF", "", "application/pdf"),
    ("OFD", "", "application/ofd"),
    ("JPEG", "", "image/jpeg"),
    ("TIFF", "", "image/tiff"),
    ("JPEG 2000", "", "image/jp2"),
    ("PNG", "", "image/png"),
    ("XML", "", "text/xml"),
    ("XML", "", "application/xml"),
    ("纯文本", "", "text/plain"),
    ("XLSX", "", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("DOCX", "", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("WAV", "", "audio/x-wav"),
    ("MP3", "", "audio/mpeg"),
    ("MP4", "", "video/mp4"),
    ("MPEG", "", "video/mpeg"),
]


def load(apps, schema_editor=None):
    CheckItem = apps.get_model("preservation", "CheckItem")
    AcceptedFormat = apps.get_model("preservation", "AcceptedFormat")
    for code, name, prop, method, capture, transfer, preservation, description in CHECK_ITEMS:
        CheckItem.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "property": prop,
                "method": method,
                "at_capture": capture,
                "at_transfer": transfer,
                "at_preservation": preservation,
                "description": description,
            },
        )
    for name, puid, mime in ACCEPTED_FORMATS:
        AcceptedFormat.objects.get_or_create(name=name, puid=puid, mime=mime)
