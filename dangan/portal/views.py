"""The public portal: browse and search the open catalogue without signing in; register, request, read
granted files with a watermark, and verify certificates.

Everything the public sees of the catalogue comes through ``public_items()`` (which items) and
``published_entry()`` (which of their fields), both in ``dangan.access.models``.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from dangan.access import certificates, rendering
from dangan.access.choices import ViewAction
from dangan.access.forms import RegistrationForm, RequestForm, VerifyForm, apply_model_errors
from dangan.access.models import (
    AccessRequest,
    display_name,
    open_items,
    public_items,
    published_entry,
)
from dangan.access.services import log_view
from dangan.core.permissions import record_denial
from dangan.portal import search as portal_search
from dangan.portal.forms import NoticeForm
from dangan.portal.models import Notice
from dangan.preservation.storage import get_storage
from dangan.preservation.storage.base import BlobMissing

portal_login_required = login_required(login_url="portal:login")
MAX_UPLOAD = 30 * 1024 * 1024


def home(request):
    notices = Notice.objects.published()[:5]
    recent = open_items().select_related("fonds").order_by("-pk")[:8]
    return render(request, "portal/home.html", {"notices": notices, "recent": recent})


def search(request):
    q = request.GET.get("q", "")[:200]
    results = portal_search.search(q, request.GET.get("page"))
    return render(request, "portal/search.html", {"q": q, "results": results})


def _public_item(pk):
    return get_object_or_404(public_items().select_related("fonds", "category", "retention"), pk=pk)


def _published_files(item):
    # Only opened items publish their files, and only those that can be shown as pages.
    if item.control != "open":
        return []
    return [f for f in item.digital_files.complete().order_by("pk") if rendering.renderable(f)]


def item_detail(request, pk):
    item = _public_item(pk)
    fields = published_entry(item).values()
    return render(
        request, "portal/item.html", {"item": item, "fields": fields, "files": _published_files(item)}
    )


def _published_file(item_pk, file_pk):
    item = _public_item(item_pk)
    for f in _published_files(item):
        if f.pk == file_pk:
            return item, f
    raise Http404(_("没有找到该文件"))


def item_file(request, pk, file_pk):
    item, f = _published_file(pk, file_pk)
    return render(
        request,
        "portal/reader.html",
        {"item": item, "file": f, "pages": range(1, _pages(f) + 1), "public": True},
    )


def _pages(f) -> int:
    try:
        return rendering.page_count(f)
    except (rendering.RenderError, BlobMissing, OSError):
        raise Http404(_("该文件暂时无法显示")) from None


def _png(image) -> HttpResponse:
    response = HttpResponse(rendering.to_png(image), content_type="image/png")
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _render(f, number, lines):
    try:
        return rendering.watermark(rendering.render_page(f, number), lines)
    except (rendering.RenderError, BlobMissing, OSError):
        raise Http404(_("没有这一页")) from None


def item_file_page(request, pk, file_pk, number):
    item, f = _published_file(pk, file_pk)
    return _png(_render(f, number, [settings.DANGAN_ARCHIVES_NAME, _("开放档案"), item.reference_code]))


# Registration and sign-in ----------------------------------------------------


def register(request):
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("注册成功"))
        return redirect(request.GET.get("next") if _safe_next(request) else "portal:my_requests")
    return render(request, "portal/register.html", {"form": form})


def _safe_next(request) -> bool:
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.GET.get("next", "")
    return bool(target) and url_has_allowed_host_and_scheme(target, {request.get_host()})


# Requests --------------------------------------------------------------------


@portal_login_required
def request_new(request):
    form = RequestForm(
        request.POST or None, initial={"items": request.GET.get("items", "")[:200]}, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        try:
            obj = form.save()
        except ValidationError as e:
            record_denial("request", object_type="catalogue.item", user=request.user)
            apply_model_errors(form, e)
        else:
            messages.success(
                request,
                _("申请已提交：%(number)s，%(status)s")
                % {"number": obj.number, "status": obj.get_status_display()},
            )
            return redirect("portal:request", obj.pk)
    return render(request, "portal/request_new.html", {"form": form, "chosen": form.chosen_items()})


@portal_login_required
def my_requests(request):
    requests = AccessRequest.objects.filter(requester=request.user).select_related("purpose")
    return render(
        request,
        "portal/my_requests.html",
        {"page": Paginator(requests, 20).get_page(request.GET.get("page"))},
    )


def _own_request(request, pk) -> AccessRequest:
    obj = AccessRequest.objects.filter(pk=pk, requester=request.user).first()
    if obj is None:
        other = AccessRequest.objects.filter(pk=pk).first()
        if other is not None:
            record_denial("view", other, user=request.user)
        raise Http404(_("没有找到该申请"))
    return obj


@portal_login_required
def request_detail(request, pk):
    obj = _own_request(request, pk)
    return render(
        request,
        "portal/request.html",
        {
            "object": obj,
            "request_items": obj.request_items.select_related("item"),
            "decisions": obj.decisions.select_related("unit"),
            "events": obj.events.all(),
            "files": [f for f in obj.readable_files().select_related("item") if rendering.renderable(f)],
            "downloadable": obj.readable_files() if obj.allow_download else [],
        },
    )


@require_POST
@portal_login_required
def request_cancel(request, pk):
    obj = _own_request(request, pk)
    try:
        obj.cancel(by=request.user)
    except ValidationError as e:
        messages.error(request, "；".join(e.messages))
    return redirect("portal:request", obj.pk)


def _granted_file(request, pk, file_pk):
    obj = _own_request(request, pk)
    f = obj.readable_files().filter(pk=file_pk).first()
    if f is None:
        record_denial("read", obj, user=request.user)
        raise Http404(_("该文件不在您已获批准的范围内，或授权已过期"))
    return obj, f


@portal_login_required
def read(request, pk, file_pk):
    obj, f = _granted_file(request, pk, file_pk)
    if not rendering.renderable(f):
        raise Http404(_("该格式不能在线阅览"))
    return render(
        request,
        "portal/reader.html",
        {"object": obj, "file": f, "item": f.item, "pages": range(1, _pages(f) + 1), "public": False},
    )


@never_cache
@portal_login_required
def read_page(request, pk, file_pk, number):
    obj, f = _granted_file(request, pk, file_pk)
    now = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    image = _render(f, number, [display_name(request.user), request.user.username, now, obj.number])
    log_view(obj, f, request.user, page=number, ip=request.META.get("REMOTE_ADDR"))
    return _png(image)


@portal_login_required
def download(request, pk, file_pk):
    obj, f = _granted_file(request, pk, file_pk)
    if not obj.allow_download:
        record_denial("download", obj, user=request.user)
        raise PermissionDenied(_("该授权只允许在线阅览，不允许下载"))
    try:
        stream = get_storage().open(f.storage_key)
    except BlobMissing:
        raise Http404(_("该文件暂时无法提供")) from None
    log_view(obj, f, request.user, action=ViewAction.DOWNLOAD, ip=request.META.get("REMOTE_ADDR"))
    response = FileResponse(
        stream,
        as_attachment=True,
        filename=f.original_name,
        content_type=f.mime or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# Certificate verification ----------------------------------------------------


def verify(request):
    form = VerifyForm(
        request.POST or None, request.FILES or None, initial={"code": request.GET.get("code", "")}
    )
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data.get("file")
        if upload is not None and upload.size > MAX_UPLOAD:
            form.add_error("file", _("文件过大"))
        else:
            result = certificates.verify(form.cleaned_data["code"], upload.read() if upload else None)
    elif request.method == "GET" and request.GET.get("code"):
        result = certificates.verify(request.GET["code"][:40])
    return render(request, "portal/verify.html", {"form": form, "result": result})


# Notices ---------------------------------------------------------------------


def notice_list(request):
    notices = Notice.objects.published()
    page = Paginator(notices, 20).get_page(request.GET.get("page"))
    return render(request, "portal/notice_list.html", {"page": page})


def notice_detail(request, pk):
    notice = get_object_or_404(Notice.objects.published(), pk=pk)
    return render(request, "portal/notice.html", {"notice": notice})


def _bureau(request):
    if not request.user.is_bureau:
        record_denial("change", object_type="portal.notice", user=request.user)
        raise PermissionDenied(_("只有档案局工作人员可以管理通知公告"))


@login_required
def notice_manage(request):
    _bureau(request)
    return render(request, "portal/notice_manage.html", {"notices": Notice.objects.all()[:200]})


@login_required
def notice_edit(request, pk=None):
    _bureau(request)
    notice = get_object_or_404(Notice, pk=pk) if pk else Notice(created_by=request.user)
    form = NoticeForm(request.POST or None, instance=notice)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("已保存"))
        return redirect("portal:notice_manage")
    return render(request, "portal/notice_edit.html", {"form": form, "notice": notice})
