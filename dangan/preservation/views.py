"""Files of an item or a volume: upload, view, download, events; four-property check reports (page, xlsx,
PDF); alerts. Views for a record take ``model`` (Item or Volume) from the URL."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from dangan.catalogue.models import Item, Volume
from dangan.core.generic import get_visible_or_404
from dangan.core.permissions import CHANGE, require_any
from dangan.lib.fonts import FontMissing
from dangan.preservation import reports
from dangan.preservation.checks import latest_results, run_checks
from dangan.preservation.choices import FileStatus, Stage
from dangan.preservation.models import CheckRun, DigitalFile
from dangan.preservation.services import IngestError, ingest_file, remove_file
from dangan.preservation.storage import BlobMissing, get_storage

RECORD_KIND = {Item: "item", Volume: "volume"}

VIEWABLE_INLINE = ("application/pdf", "image/jpeg", "image/png", "image/gif", "image/webp", "text/plain")


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@login_required
def overview(request):
    files = DigitalFile.objects.restrict(request.user)
    context = {
        "alerts": files.filter(status__in=[FileStatus.DAMAGED, FileStatus.MISSING]).select_related(
            "item", "volume"
        ),
        "file_count": files.complete().count(),
        "runs": CheckRun.objects.restrict(request.user)[:10],
    }
    return render(request, "preservation/overview.html", context)


@login_required
@require_POST
def upload(request, pk, model=Item):
    """Several files to one item or volume (the drag-and-drop form posts here with XHR and shows progress)."""
    item = get_visible_or_404(request, model, pk, CHANGE)
    uploaded = request.FILES.getlist("files")
    role = request.POST.get("role") or "original"
    done, errors = [], []
    for upload_file in uploaded:
        try:
            f = ingest_file(item, upload_file, upload_file.name, role, user=request.user)
            done.append({"id": f.pk, "name": f.original_name, "size": f.size, "sha256": f.sha256})
        except (IngestError, PermissionDenied) as e:
            errors.append(f"{upload_file.name}：{e}")
    if not uploaded:
        errors.append(_("没有选择文件"))
    if _wants_json(request):
        return JsonResponse({"files": done, "errors": errors}, status=400 if errors and not done else 200)
    for error in errors:
        messages.error(request, error)
    if done:
        messages.success(request, _("已接收 %(n)d 个文件") % {"n": len(done)})
    return redirect(item)


@login_required
def file_detail(request, pk):
    f = get_visible_or_404(request, DigitalFile, pk)
    context = {
        "file": f,
        "record": f.record,
        "events": f.events.all(),
        "results": f.check_results.select_related("check_item", "run").order_by(
            "-run_id", "check_item__code"
        )[:60],
        "viewable": f.mime in VIEWABLE_INLINE,
        "can_remove": DigitalFile.objects.restrict(request.user, CHANGE).filter(pk=f.pk).exists(),
    }
    return render(request, "preservation/file.html", context)


def _open_or_404(f):
    try:
        return get_storage().open(f.storage_key)
    except BlobMissing:
        raise Http404(_("存储中找不到该文件，已列入告警")) from None


@login_required
@xframe_options_sameorigin
def download(request, pk):
    f = get_visible_or_404(request, DigitalFile, pk)
    inline = request.GET.get("inline") == "1" and f.mime in VIEWABLE_INLINE
    response = FileResponse(
        _open_or_404(f),
        as_attachment=not inline,
        filename=f.original_name,
        content_type=f.mime or "application/octet-stream",
    )
    response["Content-Length"] = str(f.size)
    response["X-Content-Type-Options"] = "nosniff"
    if not f.is_pdf:
        # Served content runs no script against this site. PDFs are left to the browser's own viewer, which
        # does not run inside a sandboxed document (and runs a PDF's scripts, if at all, in its own sandbox).
        response["Content-Security-Policy"] = "sandbox; default-src 'none'; style-src 'unsafe-inline'"
    return response


@login_required
@require_POST
def remove(request, pk):
    f = get_visible_or_404(request, DigitalFile, pk, CHANGE)
    record = f.record
    try:
        remove_file(f, request.user, request.POST.get("reason", ""))
    except IngestError as e:
        messages.error(request, str(e))
        return redirect("preservation:file", pk)
    messages.success(request, _("已删除“%(name)s”") % {"name": f.original_name})
    return redirect(record)


@login_required
def viewer(request, pk):
    f = get_visible_or_404(request, DigitalFile, pk)
    if f.mime not in VIEWABLE_INLINE:
        raise Http404(_("该格式不能在浏览器中查看，请下载"))
    return render(request, "preservation/viewer.html", {"file": f, "record": f.record})


@login_required
def thumbnail(request, pk, size=256):
    """A JPEG of an image or of a PDF's first page, ``size`` pixels at most (the thumbnail, or the larger
    first-page access copy)."""
    from dangan.preservation.extraction import thumbnail as make_thumbnail

    f = get_visible_or_404(request, DigitalFile, pk)
    try:
        data = make_thumbnail(f, size)
    except (BlobMissing, OSError):
        data = None
    if data is None:
        raise Http404()
    response = HttpResponse(data, content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=86400"
    return response


@login_required
def record_report(request, pk, model=Item):
    record = get_visible_or_404(request, model, pk)
    results = latest_results(record)
    kind = RECORD_KIND[model]
    export = _export(
        request,
        f"四性检测报告 {record.reference_code}",
        results,
        f"checks-{kind}-{record.pk}",
        [(_("档号"), record.reference_code), (_("题名"), record.title)],
    )
    if export:
        return export
    return render(
        request,
        "preservation/item_report.html",
        {
            "record": record,
            "kind": kind,
            "results": results,
            "can_check": DigitalFile.objects.restrict(request.user, CHANGE).filter(**{kind: record}).exists(),
            "summary": _summary(results),
        },
    )


@login_required
@require_POST
def check_record(request, pk, model=Item):
    record = get_visible_or_404(request, model, pk, CHANGE)
    kind = RECORD_KIND[model]
    files = DigitalFile.objects.complete().filter(**{kind: record})
    if not files.exists():
        messages.error(request, _("没有电子文件"))
        return redirect(record)
    # Re-reading the bits makes this a preservation-stage check, as a periodic run would do.
    run = run_checks(files, Stage.PRESERVATION, title=record.reference_code, user=request.user, rehash=True)
    messages.success(
        request,
        _("检测完成：%(p)d 通过，%(w)d 警告，%(f)d 不通过")
        % {"p": run.passed, "w": run.warnings, "f": run.failed},
    )
    return redirect(f"preservation:{kind}_report", record.pk)


@login_required
def run_list(request):
    require_any(request.user, "view", CheckRun)
    page = Paginator(CheckRun.objects.all(), 50).get_page(request.GET.get("page"))
    return render(request, "preservation/run_list.html", {"page": page})


@login_required
def run_detail(request, pk):
    run = get_visible_or_404(request, CheckRun, pk)
    results = run.results.select_related("check_item", "file", "item", "volume")
    export = _export(
        request,
        f"四性检测报告 {run}",
        results,
        f"check-run-{run.pk}",
        [
            (_("环节"), run.get_stage_display()),
            (_("批次"), run.title or f"#{run.pk}"),
            (_("检测时间"), run.started_at.strftime("%Y-%m-%d %H:%M")),
            (_("文件数"), run.files),
            (_("通过"), run.passed),
            (_("警告"), run.warnings),
            (_("不通过"), run.failed),
        ],
        details_only_problems=True,
    )
    if export:
        return export
    failing = results.exclude(outcome__in=["success", "skipped"])
    page = Paginator(failing, 200).get_page(request.GET.get("page"))
    return render(request, "preservation/run.html", {"run": run, "page": page})


def _summary(results) -> dict:
    summary = {}
    for r in results:
        summary[r.outcome] = summary.get(r.outcome, 0) + 1
    return summary


def _export(request, title, results, filename, summary, details_only_problems=False):
    """The report as a file when ``?format=xlsx`` or ``pdf`` asks for one; None for the web page."""
    wanted = request.GET.get("format")
    if wanted == "xlsx":
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        data = reports.xlsx(title, results, summary)
    elif wanted == "pdf":
        try:
            data = reports.pdf(
                title,
                results,
                summary,
                details_only_problems=details_only_problems,
                prepared_by=request.user.get_full_name() or request.user.username,
            )
        except FontMissing as e:
            return HttpResponse(str(e), status=503, content_type="text/plain; charset=utf-8")
        content_type = "application/pdf"
    else:
        return None
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}.{wanted}"'
    return response
