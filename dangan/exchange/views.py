"""Import and export screens. Thin: the work is in services, importer, exports, printing and ead."""

import tempfile
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangan.catalogue.models import Fonds, Item, Volume
from dangan.core.generic import get_visible_or_404
from dangan.exchange import ead, exports, printing, reports, services
from dangan.exchange.choices import BatchStatus
from dangan.exchange.columns import header_key
from dangan.exchange.forms import MappingForm, UploadForm
from dangan.exchange.models import ColumnMapping, ImportBatch
from dangan.exchange.readers import FileRejected
from dangan.lib.fonts import FontMissing

MAX_PRINTED_ITEMS = 20000  # a longer catalogue is printed per fonds and year, from the CLI


def _require_filer(request):
    if not Fonds.objects.restrict(request.user, "file").exists():
        raise PermissionDenied(_("只有能向全宗归档的档案员和档案局工作人员可以导入目录"))


@login_required
def home(request):
    _require_filer(request)
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            batch = services.start_batch(
                data["file"],
                fonds=data["fonds"],
                category=data["category"],
                user=request.user,
                key=data["key"],
            )
        except FileRejected as e:
            form.add_error("file", str(e))
        else:
            if data["saved_mapping"]:
                applied = data["saved_mapping"].apply(batch.headers)
                batch.mapping = {str(k): v for k, v in applied.items()}
                batch.save(update_fields=["mapping"])
            return redirect(batch)
    batches = ImportBatch.objects.restrict(request.user).select_related("fonds", "category")[:20]
    return render(request, "exchange/home.html", {"form": form, "batches": batches})


@login_required
def batch_detail(request, pk):
    batch = get_visible_or_404(request, ImportBatch, pk)
    mapping_form = MappingForm(batch=batch)
    try:
        preview = services.preview(batch) if batch.path.exists() else []
    except FileRejected as e:
        preview, batch.message = [], str(e)
    return render(
        request,
        "exchange/batch.html",
        {
            "batch": batch,
            "mapping_form": mapping_form,
            "preview": preview,
            "unknown": services.unknown_columns(batch),
            "editable": _editable(batch),
            "more_errors": max(0, batch.error_count - len(batch.errors)),
        },
    )


def _editable(batch) -> bool:
    open_states = (BatchStatus.UPLOADED, BatchStatus.VALID, BatchStatus.INVALID, BatchStatus.FAILED)
    return batch.status in open_states and batch.path.exists()


def _own_batch(request, pk) -> ImportBatch:
    batch = get_visible_or_404(request, ImportBatch, pk)
    if batch.created_by_id != request.user.pk:
        raise PermissionDenied(_("只有上传人可以处理这个导入批次"))
    return batch


@login_required
@require_POST
def batch_mapping(request, pk):
    batch = _own_batch(request, pk)
    form = MappingForm(request.POST, batch=batch)
    if not _editable(batch) or not form.is_valid():
        messages.error(request, " ".join(form.non_field_errors()) or _("列对应未能保存"))
        return redirect(batch)
    batch.mapping = form.mapping()
    batch.status = BatchStatus.UPLOADED  # a new mapping must be validated again before it commits
    batch.save(update_fields=["mapping", "status"])
    if form.cleaned_data["save_as"]:
        columns = {
            header_key(batch.headers[int(p)]): t for p, t in batch.mapping.items() if batch.headers[int(p)]
        }
        ColumnMapping.objects.update_or_create(
            user=request.user,
            category=batch.category,
            name=form.cleaned_data["save_as"],
            defaults={"columns": columns},
        )
        messages.success(request, _("列对应方案已保存"))
    return redirect(batch)


@login_required
@require_POST
def batch_validate(request, pk):
    batch = _own_batch(request, pk)
    if not _editable(batch):
        raise PermissionDenied(_("这个批次已经导入或正在导入"))
    services.queue(batch, commit=False)
    return redirect(batch)


@login_required
@require_POST
def batch_commit(request, pk):
    batch = _own_batch(request, pk)
    if batch.status != BatchStatus.VALID:
        messages.error(request, _("请先校验，全部通过后才能导入"))
        return redirect(batch)
    job = services.queue(batch, commit=True)
    return redirect("job", job.pk)


@login_required
def batch_report(request, pk):
    batch = get_visible_or_404(request, ImportBatch, pk)
    if not batch.report_path.exists():
        raise Http404
    name = f"导入错误报告-{batch.pk}"
    if request.GET.get("format") == "xlsx":
        handle = tempfile.NamedTemporaryFile(suffix=".xlsx")
        reports.write_xlsx(reports.read_csv(batch.report_path), Path(handle.name))
        return FileResponse(open(handle.name, "rb"), as_attachment=True, filename=f"{name}.xlsx")
    return FileResponse(batch.report_path.open("rb"), as_attachment=True, filename=f"{name}.csv")


# Export -----------------------------------------------------------------------------------------------------
def _stamp() -> str:
    return timezone.localtime().strftime("%Y%m%d-%H%M")


@login_required
def export_items(request):
    """Any filtered catalogue list (the list page's filters in the query string) as .csv or .xlsx."""
    params = request.GET.copy()
    kind = params.pop("format", ["csv"])[-1]
    header, rows = exports.export_items(exports.items_for_export(request.user, params, request))
    name = f"归档文件目录-{_stamp()}"
    if kind == "xlsx":
        handle = tempfile.NamedTemporaryFile(suffix=".xlsx")
        exports.write_xlsx(header, rows, handle.name)
        return FileResponse(open(handle.name, "rb"), as_attachment=True, filename=f"{name}.xlsx")
    response = StreamingHttpResponse(exports.csv_chunks(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(name)}.csv"
    return response


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


def _pdf(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{_quote(name)}.pdf"
    return response


@login_required
def print_items(request):
    """归档文件目录, 盒脊 or 备考表 of a filtered list, as PDF."""
    params = request.GET.copy()
    form = params.pop("form", ["catalogue"])[-1]
    per_box = _int(params.pop("per_box", ["50"])[-1], 50)
    items = exports.items_for_export(request.user, params, request).filter(volume__isnull=True)
    items = items.select_related("fonds", "retention").order_by(
        "fonds__number", "category__code", "year", "retention__order", "org_code", "number"
    )
    if items.count() > MAX_PRINTED_ITEMS:
        messages.error(request, _("一次最多打印 %(n)d 件，请按全宗和年度筛选") % {"n": MAX_PRINTED_ITEMS})
        return redirect("catalogue:item_list")
    try:
        if form == "spines":
            return _pdf(printing.box_spines(printing.boxes(items, per_box)), _("盒脊"))
        if form == "records":
            return _pdf(
                printing.box_records(printing.boxes(items, per_box), arranged_by=str(request.user)),
                _("备考表"),
            )
        return _pdf(printing.item_catalogue(items), _("归档文件目录"))
    except FontMissing as e:
        return HttpResponse(str(e), status=503, content_type="text/plain; charset=utf-8")


@login_required
def print_volumes(request, pk):
    """案卷目录 of a fonds."""
    fonds = get_visible_or_404(request, Fonds, pk)
    volumes = Volume.objects.restrict(request.user).filter(fonds=fonds).select_related("retention")
    return _pdf(printing.volume_catalogue(volumes, str(fonds)), _("案卷目录"))


@login_required
def print_volume_contents(request, pk):
    """卷内文件目录 of one volume."""
    volume = get_visible_or_404(request, Volume, pk)
    items = Item.objects.restrict(request.user).filter(volume=volume).order_by("number")
    return _pdf(printing.volume_contents(volume, items), _("卷内文件目录"))


@login_required
def export_ead(request, pk):
    """A fonds as EAD3 XML: only the items this user may see are described."""
    fonds = get_visible_or_404(request, Fonds, pk)
    return ead_response(request.user, fonds)


def ead_response(user, fonds):
    """The EAD3 file of a fonds describing only the items ``user`` may see (for the page and the API)."""
    handle = tempfile.NamedTemporaryFile(suffix=".xml")
    ead.write_fonds(fonds, handle, items=Item.objects.restrict(user))
    handle.flush()
    return FileResponse(
        open(handle.name, "rb"),
        as_attachment=True,
        filename=f"EAD3-{fonds.number}.xml",
        content_type="application/xml",
    )


def _int(value, default: int) -> int:
    try:
        return max(1, int(value))
    except (TypeError, ValueError):
        return default
