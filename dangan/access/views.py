"""Staff screens of utilisation: requests, approvals, loans, readers, certificates, open review, statistics.

Workflows are POST-then-redirect function views; the rules are on the models.
"""

import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangan.access import certificates, statistics
from dangan.access.choices import RequestStatus, ReviewDecision
from dangan.access.forms import (
    CertificateForm,
    EffectForm,
    InternalRequestForm,
    ListingForm,
    LoanForm,
    ReasonForm,
    ReturnForm,
    ReviewForm,
    apply_model_errors,
)
from dangan.access.models import (
    AccessRequest,
    CatalogueListing,
    Certificate,
    Effect,
    Loan,
    OpenReview,
    Reader,
    due_for_review,
)
from dangan.catalogue.models import Fonds, Item
from dangan.core.generic import get_visible_or_404
from dangan.core.permissions import ADD, record_denial, require


def _page(request, queryset, per_page=50):
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def _message(error: ValidationError) -> str:
    return "；".join(error.messages)


def _staff_only(user, model=AccessRequest) -> None:
    if not (user.is_bureau or user.is_archivist):
        record_denial("view", object_type=model._meta.label_lower, user=user)
        raise PermissionDenied(_("您没有权限执行此操作"))


# Requests --------------------------------------------------------------------


@login_required
def request_list(request):
    requests = AccessRequest.objects.restrict(request.user).select_related("requester", "purpose")
    status = request.GET.get("status")
    if status in RequestStatus.values:
        requests = requests.filter(status=status)
    if request.GET.get("mine") == "1":
        requests = requests.filter(requester=request.user)
    page = _page(request, requests)
    for row in page:
        row.my_step = (
            row.status == RequestStatus.PENDING
            and row.requester_id != request.user.pk
            and row.step_for(request.user) is not None
        )
    return render(
        request,
        "access/request_list.html",
        {"page": page, "statuses": RequestStatus.choices, "status": status},
    )


@login_required
def request_new(request):
    form = InternalRequestForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            obj = form.save()
        except ValidationError as e:
            apply_model_errors(form, e)
        else:
            messages.success(
                request,
                _("申请已提交：%(number)s，%(status)s")
                % {"number": obj.number, "status": obj.get_status_display()},
            )
            return redirect(obj)
    return render(request, "access/request_new.html", {"form": form})


@login_required
def request_detail(request, pk):
    obj = get_visible_or_404(request, AccessRequest, pk)
    user = request.user
    staff = user.is_bureau or user.is_archivist
    context = {
        "object": obj,
        "request_items": obj.request_items.select_related("item__fonds", "item__category"),
        "decisions": obj.decisions.select_related("by", "unit"),
        "events": obj.events.all(),
        "effects": obj.effects.select_related("entered_by"),
        "certificates": obj.certificates.select_related("item", "issued_by"),
        "may_decide": obj.status == RequestStatus.PENDING
        and obj.requester_id != user.pk
        and obj.step_for(user) is not None
        and not obj.decisions.filter(by=user).exists(),
        "may_cancel": obj.status == RequestStatus.PENDING and obj.requester_id == user.pk,
        "may_lend": staff and obj.mode == "borrow" and obj.is_active_grant,
        "loans": obj.loans.select_related("item"),
        "may_certify": staff and obj.mode == "certificate" and obj.is_active_grant,
        "reason_form": ReasonForm(),
        "effect_form": EffectForm(),
        "certificate_form": CertificateForm(request_obj=obj),
        "views": obj.views.select_related("file", "user")[:50] if staff else [],
        "profile": Reader.objects.filter(user=obj.requester).first() if staff else None,
    }
    return render(request, "access/request_detail.html", context)


def _decide(request, pk, approve: bool):
    obj = get_visible_or_404(request, AccessRequest, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("意见过长或含有不允许的字符"))
        return redirect(obj)
    try:
        if approve:
            obj.approve(by=request.user, reason=form.cleaned_data["reason"])
        else:
            obj.reject(by=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as e:
        record_denial("decide", obj, user=request.user)
        messages.error(request, _message(e))
    else:
        messages.success(request, _("已审批：%(status)s") % {"status": obj.get_status_display()})
    return redirect(obj)


@login_required
@require_POST
def request_approve(request, pk):
    return _decide(request, pk, True)


@login_required
@require_POST
def request_reject(request, pk):
    return _decide(request, pk, False)


@login_required
@require_POST
def request_cancel(request, pk):
    obj = get_visible_or_404(request, AccessRequest, pk)
    try:
        obj.cancel(by=request.user)
    except ValidationError as e:
        messages.error(request, _message(e))
    return redirect(obj)


@login_required
@require_POST
def effect_add(request, pk):
    obj = get_visible_or_404(request, AccessRequest, pk)
    effect = Effect(request=obj, entered_by=request.user)
    require(request.user, ADD, effect)
    form = EffectForm(request.POST, instance=effect)
    if form.is_valid():
        form.save()
        messages.success(request, _("已登记利用效果"))
    else:
        messages.error(request, "；".join(m for errors in form.errors.values() for m in errors))
    return redirect(obj)


@login_required
def effect_list(request):
    _staff_only(request.user, Effect)
    effects = Effect.objects.restrict(request.user).select_related("request", "entered_by")
    return render(request, "access/effect_list.html", {"page": _page(request, effects)})


# Certificates ----------------------------------------------------------------


@login_required
@require_POST
def certificate_issue(request, pk):
    obj = get_visible_or_404(request, AccessRequest, pk)
    _staff_only(request.user, Certificate)
    form = CertificateForm(request.POST, request_obj=obj)
    if not form.is_valid():
        messages.error(request, "；".join(m for errors in form.errors.values() for m in errors))
        return redirect(obj)
    try:
        certificate = certificates.issue(
            obj,
            form.cleaned_data["item"],
            request.user,
            form.cleaned_data["statement"],
            request.build_absolute_uri("/"),
        )
    except ValidationError as e:
        messages.error(request, _message(e))
    else:
        messages.success(request, _("已出具档案证明，核验码 %(code)s") % {"code": certificate.code})
    return redirect(obj)


@login_required
@require_POST
def certificate_revoke(request, pk):
    certificate = get_visible_or_404(request, Certificate, pk)
    form = ReasonForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("理由过长"))
        certificate.revoke(by=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as e:
        messages.error(request, _message(e))
    else:
        messages.success(request, _("已作废证明 %(code)s") % {"code": certificate.code})
    return redirect(certificate.request)


@login_required
def certificate_pdf(request, pk):
    certificate = get_visible_or_404(request, Certificate, pk)
    response = HttpResponse(certificate.pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{certificate.code}.pdf"'
    return response


# Loans -----------------------------------------------------------------------


@login_required
def loan_list(request):
    _staff_only(request.user, Loan)
    loans = Loan.objects.restrict(request.user).select_related("item", "borrower", "lent_by")
    show = request.GET.get("show", "active")
    if show == "active":
        loans = loans.active()
    elif show == "overdue":
        loans = loans.overdue()
    return render(
        request,
        "access/loan_list.html",
        {
            "page": _page(request, loans),
            "show": show,
            "loan_form": LoanForm(user=request.user),
            "return_form": ReturnForm(),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def loan_new(request):
    _staff_only(request.user, Loan)
    form = LoanForm(request.POST, user=request.user)
    if form.is_valid():
        item = form.cleaned_data["reference_code"]
        loan = Loan(
            item=item,
            borrower=form.cleaned_data["borrower"],
            lent_by=request.user,
            due_date=form.cleaned_data["due_date"] or timezone.localdate(),
        )
        require(request.user, ADD, loan)
        try:
            loan = Loan.lend(
                item,
                form.cleaned_data["borrower"],
                request.user,
                form.cleaned_data["due_date"],
                request=form.cleaned_data["request"],
            )
        except ValidationError as e:
            messages.error(request, _message(e))
        else:
            messages.success(request, _("已借出，应还日期 %(due)s") % {"due": loan.due_date})
    else:
        messages.error(request, "；".join(m for errors in form.errors.values() for m in errors))
    return redirect(request.POST.get("next") if _safe_next(request) else "access:loan_list")


def _safe_next(request) -> bool:
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next", "")
    return bool(target) and url_has_allowed_host_and_scheme(target, {request.get_host()})


@login_required
@require_POST
def loan_return(request):
    _staff_only(request.user, Loan)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写档号"))
        return redirect("access:loan_list")
    code = form.cleaned_data["reference_code"].strip()
    item = Item.objects.restrict(request.user).filter(reference_code=code).first()
    if item is None:
        messages.error(request, _("没有找到档号为“%(code)s”的档案，或您无权办理") % {"code": code[:60]})
        return redirect("access:loan_list")
    try:
        loan = Loan.active_for(item)
        require(request.user, "change", loan)
        loan.mark_returned(by=request.user)
    except ValidationError as e:
        messages.error(request, _message(e))
    else:
        messages.success(request, _("已归还：%(code)s") % {"code": item.reference_code})
    return redirect("access:loan_list")


@login_required
@require_POST
def loan_renew(request, pk):
    loan = get_visible_or_404(request, Loan, pk, "change")
    try:
        loan.renew(by=request.user)
    except ValidationError as e:
        messages.error(request, _message(e))
    else:
        messages.success(request, _("已续借至 %(due)s") % {"due": loan.due_date})
    return redirect("access:loan_list")


# Readers ---------------------------------------------------------------------


@login_required
def reader_list(request):
    _staff_only(request.user, Reader)
    readers = Reader.objects.restrict(request.user).select_related("user")
    q = request.GET.get("q", "").strip()[:50]
    if q:
        readers = readers.filter(name__icontains=q)
    return render(request, "access/reader_list.html", {"page": _page(request, readers), "q": q})


# Open review -----------------------------------------------------------------


def _bureau_only(user) -> None:
    if not user.is_bureau:
        record_denial("review", object_type="access.openreview", user=user)
        raise PermissionDenied(_("只有档案局工作人员可以进行开放审核"))


@login_required
def review_list(request):
    _bureau_only(request.user)
    fonds = None
    if str(request.GET.get("fonds", "")).isdigit() and len(request.GET["fonds"]) < 18:
        fonds = Fonds.objects.filter(pk=request.GET["fonds"]).first()
    due = due_for_review(fonds)
    by_fonds = {}
    for row in due_for_review().values_list("fonds_id", "fonds__number", "fonds__name"):
        entry = by_fonds.setdefault(row[0], {"pk": row[0], "label": f"{row[1]} {row[2]}", "count": 0})
        entry["count"] += 1
    return render(
        request,
        "access/review_list.html",
        {
            "page": _page(request, due, 200),
            "fonds": fonds,
            "by_fonds": by_fonds.values(),
            "form": ReviewForm(),
            "reviews": OpenReview.objects.select_related("item", "reviewed_by")[:30],
            "open_after": settings.OPEN_AFTER_YEARS,
        },
    )


@login_required
@require_POST
def review_decide(request):
    _bureau_only(request.user)
    form = ReviewForm(request.POST)
    ids = [int(i) for i in request.POST.getlist("items") if i.isdigit() and len(i) < 18]
    items = list(due_for_review().filter(pk__in=ids))
    if not form.is_valid() or not items:
        messages.error(
            request,
            _("请选择档案并填写审核结论")
            if form.is_valid()
            else "；".join(m for errors in form.errors.values() for m in errors),
        )
        return redirect(request.META.get("HTTP_REFERER") or "access:review_list")
    data = form.cleaned_data
    try:
        OpenReview.decide_batch(
            items, data["decision"], request.user, data["reason"], data["defer_years"] or 5
        )
    except ValidationError as e:
        messages.error(request, _message(e))
        return redirect("access:review_list")
    if data["decision"] == ReviewDecision.DEFER and data["list_entry"]:
        listed = CatalogueListing.publish(items, request.user)
        messages.info(request, _("已公布目录 %(n)d 件（涉密或未归档的不公布）") % {"n": len(listed)})
    messages.success(request, _("已审核 %(n)d 件") % {"n": len(items)})
    return redirect("access:review_list")


@login_required
def listing_list(request):
    """目录公开: the controlled items whose catalogue entry the portal shows; publish more by 档号."""
    _bureau_only(request.user)
    form = ListingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        listed = CatalogueListing.publish(form.cleaned_data["codes"], request.user)
        messages.success(request, _("已公布目录 %(n)d 件（涉密或未归档的不公布）") % {"n": len(listed)})
        return redirect("access:listing_list")
    listings = CatalogueListing.objects.select_related("item", "listed_by").order_by("-listed_at", "-pk")
    return render(request, "access/listing_list.html", {"form": form, "page": _page(request, listings)})


@login_required
@require_POST
def listing_withdraw(request, pk):
    _bureau_only(request.user)
    listing = get_object_or_404(CatalogueListing.objects.select_related("item"), pk=pk)
    listing.withdraw(request.user)
    messages.success(request, _("已撤回目录公开：%(code)s") % {"code": listing.item.reference_code})
    return redirect("access:listing_list")


# Statistics ------------------------------------------------------------------


def _year(request) -> int:
    value = str(request.GET.get("year", ""))
    return int(value) if value.isdigit() and 1900 <= int(value) <= 2100 else timezone.localdate().year


def _period(request, year: int):
    """A chosen period (start and end dates, end inclusive), else the whole year."""
    try:
        start = datetime.date.fromisoformat(request.GET.get("start", ""))
        end = datetime.date.fromisoformat(request.GET.get("end", ""))
    except ValueError:
        return statistics.year_bounds(year)
    if end < start:
        return statistics.year_bounds(year)
    return start, end + datetime.timedelta(days=1)


@login_required
def stats(request):
    _staff_only(request.user)
    year = _year(request)
    start, end = _period(request, year)
    data = statistics.report(request.user, start, end)
    charts = {name: statistics.bar_chart(data.by[name]) for name in ("month", "purpose", "mode", "unit")}
    tables = [
        (_("按利用目的"), data.by["purpose"]),
        (_("按利用方式"), data.by["mode"]),
        (_("按立档单位"), data.by["unit"]),
        (_("按门类"), data.by["category"]),
        (_("按月份"), data.by["month"]),
    ]
    return render(
        request,
        "access/stats.html",
        {
            "year": year,
            "start": start,
            "last_day": end - datetime.timedelta(days=1),
            "data": data,
            "charts": charts,
            "tables": tables,
            "years": range(timezone.localdate().year, timezone.localdate().year - 10, -1),
        },
    )


@login_required
def stats_xlsx(request):
    _staff_only(request.user)
    year = _year(request)
    unit = request.user.unit.name if request.user.unit_id else ""
    data = statistics.annual_workbook(request.user, year, unit)
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="utilisation-{year}.xlsx"'
    return response
