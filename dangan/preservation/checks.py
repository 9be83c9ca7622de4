"""Four-property checks (四性检测, DA/T 70-2018): the check items are data (``CheckItem``); here is how each
kind of check is done. A file check looks at one stored file, a record check at an item or volume as a whole.
"""

import re
import shutil
import subprocess
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangan.catalogue.models import Item
from dangan.preservation import hashing
from dangan.preservation.choices import EventType, FileRole, FileStatus, Outcome, Stage
from dangan.preservation.formats import OFD_MIME
from dangan.preservation.models import (
    AcceptedFormat,
    CheckItem,
    CheckResult,
    CheckRun,
    DigitalFile,
    PreservationEvent,
    default_agent,
)
from dangan.preservation.storage import BlobMissing, get_storage

PASS, WARN, FAIL, SKIP = Outcome.SUCCESS, Outcome.WARNING, Outcome.FAILURE, Outcome.SKIPPED
REFERENCE_CODE_RE = re.compile(r"^[A-Za-z0-9]+(-[A-Za-z0-9·]+)+$")


@dataclass
class Context:
    stage: str
    rehash: bool = False


# File checks -----------------------------------------------------------------------------------------------


def check_fixity(f: DigitalFile, ctx: Context):
    if not f.storage_key.endswith(f.sha256):
        return FAIL, _("存储键与 SHA-256 不一致")
    if ctx.rehash:
        try:
            with get_storage().open(f.storage_key) as stream:
                found = hashing.digest_stream(stream, ("sha256",))["sha256"]
        except BlobMissing:
            return FAIL, _("存储中找不到该文件")
        if found != f.sha256:
            return FAIL, _("SHA-256 不符：记录 %(a)s，实际 %(b)s") % {"a": f.sha256, "b": found}
        return PASS, _("重新计算的 SHA-256 与记录一致")
    if f.status == FileStatus.DAMAGED:
        return FAIL, _("最近一次固定性检查发现摘要不符")
    return PASS, _("捕获时计算的 SHA-256 已核验") + (f" · SM3 {f.sm3[:16]}…" if f.sm3 else "")


def check_file_consistent(f: DigitalFile, ctx: Context):
    ident = f.characterisation.get("identification", {})
    if ident.get("extension_mismatch"):
        return FAIL, _("文件扩展名与实际格式（%(mime)s）不符") % {"mime": f.mime}
    if f.size == 0:
        return FAIL, _("文件为空（0 字节）")
    return PASS, ""


def check_provenance(f: DigitalFile, ctx: Context):
    events = {e.event_type for e in f.events.all()}
    missing = [
        t
        for t in (EventType.CAPTURE, EventType.MESSAGE_DIGEST, EventType.FORMAT_IDENTIFICATION)
        if t not in events
    ]
    if missing:
        return FAIL, _("缺少过程记录：%(list)s") % {
            "list": "、".join(str(EventType(t).label) for t in missing)
        }
    if f.created_by_id is None:
        return WARN, _("捕获人未记录（命令行或系统导入）")
    return PASS, ""


def check_signature(f: DigitalFile, ctx: Context):
    """Electronic signatures and seals (DA/T 70 authenticity): present, and signing the whole file.

    Only the signed byte ranges are examined; the signature value and the signer's certificate chain are
    not verified (that needs the issuing CA's trust list), and the result says so.
    """
    c = f.characterisation
    not_verified = _("未验证签名值和证书链")
    if f.mime == OFD_MIME and c.get("seals"):
        return PASS, _("含 %(n)d 个电子签章；%(nv)s") % {"n": c["seals"], "nv": not_verified}
    signatures = c.get("signatures") or []
    if not signatures:
        return SKIP, _("无电子签名") if f.is_pdf else ""
    names = "、".join(s.get("signer") or s.get("field") or "?" for s in signatures)
    if any(s.get("covers_whole_file") for s in signatures):
        return PASS, _("含 %(n)d 个电子签名（%(names)s），签名范围覆盖整个文件；%(nv)s") % {
            "n": len(signatures),
            "names": names,
            "nv": not_verified,
        }
    end = max((sum(s["byte_range"][2:]) for s in signatures if len(s.get("byte_range", [])) == 4), default=0)
    return WARN, _(
        "含 %(n)d 个电子签名（%(names)s），但签名只覆盖到第 %(end)d 字节，文件共 %(size)d 字节："
        "签名后文件被修改或追加；%(nv)s"
    ) % {"n": len(signatures), "names": names, "end": end, "size": f.size, "nv": not_verified}


def check_format_identified(f: DigitalFile, ctx: Context):
    if f.size == 0:
        return FAIL, _("空文件无法识别格式")
    if not (f.puid or f.mime):
        return FAIL, _("无法识别文件格式")
    return PASS, f"{f.puid or ''} {f.format_name}".strip()


def check_format_accepted(f: DigitalFile, ctx: Context):
    if f.role == FileRole.EXTRACTED_TEXT:
        return SKIP, ""
    if AcceptedFormat.is_accepted(f.puid, f.mime):
        return PASS, ""
    return FAIL, _("%(name)s 不在长期保存格式目录中") % {"name": f.format_name or f.mime or _("未知格式")}


def check_opens(f: DigitalFile, ctx: Context):
    c = f.characterisation
    if f.size == 0:
        return FAIL, _("文件为空")
    if c.get("opens") is False:
        return FAIL, _("文件无法正常打开：%(error)s") % {"error": c.get("error", "")}
    if "opens" not in c:
        return SKIP, _("该格式没有解析检查")
    return PASS, ""


def check_not_encrypted(f: DigitalFile, ctx: Context):
    if f.characterisation.get("encrypted"):
        return FAIL, _("文件已加密或设有口令")
    return PASS, ""


def check_fonts_embedded(f: DigitalFile, ctx: Context):
    if not f.is_pdf or f.characterisation.get("encrypted"):
        return SKIP, ""
    missing = f.characterisation.get("fonts_not_embedded") or []
    if missing:
        return FAIL, _("未嵌入字体：%(fonts)s") % {"fonts": "、".join(missing[:10])}
    return PASS, ""


def check_scan_resolution(f: DigitalFile, ctx: Context):
    c = f.characterisation
    if not f.is_image or "dpi" not in c:
        return SKIP, _("没有分辨率信息") if f.is_image else ""
    if c.get("below_dpi_text"):
        return FAIL, _("%(dpi)d dpi，低于 DA/T 31 文字页要求的 200 dpi") % {"dpi": c["dpi"]}
    if c.get("below_dpi_photo"):
        return WARN, _("%(dpi)d dpi，低于照片与小字页要求的 300 dpi") % {"dpi": c["dpi"]}
    return PASS, f"{c['dpi']} dpi"


def check_no_executable(f: DigitalFile, ctx: Context):
    c = f.characterisation
    found = [
        label
        for key, label in (
            ("javascript", _("JavaScript 脚本")),
            ("launch_actions", _("启动动作")),
            ("macros", _("宏")),
        )
        if c.get(key)
    ]
    if c.get("unsafe"):
        found.append(c.get("error", _("不安全的压缩包")))
    if found:
        return FAIL, _("含可执行内容：%(list)s") % {"list": "、".join(found)}
    return PASS, ""


def check_storage_readable(f: DigitalFile, ctx: Context):
    try:
        size = get_storage().size(f.storage_key)
    except BlobMissing:
        return FAIL, _("存储中找不到该文件")
    except OSError as e:
        return FAIL, _("存储不可读：%(error)s") % {"error": e}
    if size != f.size:
        return FAIL, _("存储中的大小 %(a)d 与记录 %(b)d 不符") % {"a": size, "b": f.size}
    return PASS, ""


def check_virus(f: DigitalFile, ctx: Context):
    scanner = shutil.which("clamscan")
    path = get_storage().local_path(f.storage_key)
    if scanner is None or path is None:
        return SKIP, _("本机未安装病毒扫描程序（clamscan）")
    done = subprocess.run([scanner, "--no-summary", str(path)], capture_output=True, text=True, timeout=600)
    return (PASS, "") if done.returncode == 0 else (FAIL, done.stdout.strip()[:400])


# Record checks ---------------------------------------------------------------------------------------------


def check_files_present(record, files, ctx: Context):
    originals = [f for f in files if f.role == FileRole.ORIGINAL]
    if not originals:
        return FAIL, _("没有原件电子文件")
    missing = [f.original_name for f in files if f.status == FileStatus.MISSING]
    if missing:
        return FAIL, _("文件缺失：%(list)s") % {"list": "、".join(missing)}
    return PASS, _("%(n)d 个文件，共 %(size)d 字节") % {"n": len(files), "size": sum(f.size for f in files)}


def check_metadata_valid(record, files, ctx: Context):
    problems = []
    if not REFERENCE_CODE_RE.match(record.reference_code or ""):
        problems.append(_("档号格式不正确"))
    if record.year and not 1900 <= record.year <= timezone.now().year + 1:
        problems.append(_("年度超出合理范围"))
    date = getattr(record, "date", None)
    if date and record.year and date.year != record.year:
        problems.append(_("日期与年度不一致"))
    if any(ch in (record.title or "") for ch in "\x00\r\n\t"):
        problems.append(_("题名含特殊字符"))
    return (FAIL, "；".join(problems)) if problems else (PASS, "")


def check_required_metadata(record, files, ctx: Context):
    required = [
        ("title", _("题名")),
        ("reference_code", _("档号")),
        ("year", _("年度")),
        ("retention_id", _("保管期限")),
    ]
    if isinstance(record, Item):
        required += [("creator", _("责任者")), ("date", _("日期"))]
    missing = [label for name, label in required if not getattr(record, name, None)]
    return (FAIL, _("缺少：%(list)s") % {"list": "、".join(missing)}) if missing else (PASS, "")


def check_page_count(record, files, ctx: Context):
    pages = [f.characterisation.get("pages") for f in files if f.role == FileRole.ORIGINAL]
    counted = [p for p in pages if isinstance(p, int)]
    if not counted or not getattr(record, "pages", None):
        return SKIP, _("无可比对的页数")
    if sum(counted) != record.pages:
        return WARN, _("著录页数 %(a)d，电子文件共 %(b)d 页") % {"a": record.pages, "b": sum(counted)}
    return PASS, ""


FILE_CHECKS = {
    "fixity": check_fixity,
    "file_consistent": check_file_consistent,
    "provenance": check_provenance,
    "signature": check_signature,
    "format_identified": check_format_identified,
    "format_accepted": check_format_accepted,
    "opens": check_opens,
    "not_encrypted": check_not_encrypted,
    "fonts_embedded": check_fonts_embedded,
    "scan_resolution": check_scan_resolution,
    "no_executable": check_no_executable,
    "storage_readable": check_storage_readable,
    "virus_scan": check_virus,
}
RECORD_CHECKS = {
    "files_present": check_files_present,
    "metadata_valid": check_metadata_valid,
    "required_metadata": check_required_metadata,
    "page_count": check_page_count,
}
WORST = {FAIL: 3, WARN: 2, PASS: 1, SKIP: 0}


def run_checks(
    files, stage: str = Stage.CAPTURE, title: str = "", user=None, rehash: bool = False
) -> CheckRun:
    """Run the enabled check items of ``stage`` over ``files`` and their items/volumes; record all results."""
    items = [c for c in CheckItem.objects.filter(enabled=True) if c.applies_to(stage)]
    ctx = Context(stage, rehash=rehash)
    run = CheckRun.objects.create(
        stage=stage, title=title, started_by=user if getattr(user, "pk", None) else None
    )
    files = list(files.select_related("item", "volume").prefetch_related("events"))
    results, per_file = [], defaultdict(list)
    by_record = defaultdict(list)
    for f in files:
        by_record[("item", f.item_id) if f.item_id else ("volume", f.volume_id)].append(f)
        for check_item in items:
            if check_item.method in FILE_CHECKS:
                outcome, message = _safely(FILE_CHECKS[check_item.method], f, ctx)
                per_file[f.pk].append(outcome)
                results.append(
                    CheckResult(
                        run=run,
                        file=f,
                        item_id=f.item_id,
                        volume_id=f.volume_id,
                        check_item=check_item,
                        outcome=outcome,
                        message=message[:500],
                    )
                )
    for (kind, pk), record_files in by_record.items():
        record = record_files[0].record
        all_files = list(DigitalFile.objects.complete().filter(**{kind: pk}))
        for check_item in items:
            if check_item.method in RECORD_CHECKS:
                outcome, message = _safely(RECORD_CHECKS[check_item.method], record, all_files, ctx)
                for f in record_files:
                    per_file[f.pk].append(outcome)
                results.append(
                    CheckResult(
                        run=run,
                        **{f"{kind}_id": pk},
                        check_item=check_item,
                        outcome=outcome,
                        message=message[:500],
                    )
                )
    _record_run(run, files, results, per_file)
    return run


def _safely(function, *args):
    try:
        return function(*args)
    except Exception as e:  # one broken check must not hide the others' results
        return FAIL, f"{type(e).__name__}: {e}"


def _record_run(run, files, results, per_file) -> None:
    now, agent = timezone.now(), default_agent()
    events = []
    for f in files:
        worst = max(per_file[f.pk], key=WORST.get, default=SKIP)
        counts = {o: per_file[f.pk].count(o) for o in (PASS, WARN, FAIL)}
        events.append(
            PreservationEvent(
                file=f,
                event_type=EventType.VALIDATION,
                agent=agent,
                outcome=worst if worst != SKIP else PASS,
                detail=f"{run.get_stage_display()} #{run.pk}: {counts}",
                data={"run": run.pk},
            )
        )
        if worst == FAIL:
            run.failed += 1
        elif worst == WARN:
            run.warnings += 1
        else:
            run.passed += 1
    with transaction.atomic():
        CheckResult.objects.bulk_create(results, batch_size=1000)
        PreservationEvent.objects.bulk_create(events, batch_size=1000)
        DigitalFile.objects.filter(pk__in=[f.pk for f in files]).update(checked_at=now)
        run.files, run.finished_at = len(files), timezone.now()
        run.save()


def latest_results(record) -> list[CheckResult]:
    """The newest result of every check item for a record and its files (an item's report)."""
    kind = "item" if isinstance(record, Item) else "volume"
    results = (
        CheckResult.objects.filter(**{kind: record})
        .select_related("check_item", "file", "run")
        .order_by("-run__started_at", "-run_id")
    )
    newest, seen = [], set()
    for result in results:
        key = (result.file_id, result.check_item_id)
        if key not in seen:
            seen.add(key)
            newest.append(result)
    return sorted(newest, key=lambda r: (r.file_id or 0, r.check_item.code))
