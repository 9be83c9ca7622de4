from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import render

from dangan.core.audit import verify_chain
from dangan.core.models import AuditEntry, about_object
from dangan.core.permissions import require_any


@login_required
def home(request):
    from dangan.catalogue.models import Fonds, Item, Volume  # the dashboard sits above every app
    from dangan.units.models import Unit

    user = request.user
    items = Item.objects.restrict(user)
    context = {
        "unit_count": Unit.objects.restrict(user).filter(status="active").count(),
        "fonds_count": Fonds.objects.restrict(user).count(),
        "item_count": items.count(),
        "volume_count": Volume.objects.restrict(user).count(),
        "by_category": items.values("category__name", "category__code")
        .annotate(n=Count("pk"))
        .order_by("-n")[:10],
        "recent": items.select_related("fonds").order_by("-updated_at")[:10],
        "can_file": Fonds.objects.restrict(user, "file").exists(),
    }
    return render(request, "home.html", context)


@login_required
def audit_log(request):
    require_any(request.user, "view", AuditEntry)
    entries = AuditEntry.objects.all()
    for key in ("actor_name", "action", "object_type"):
        if request.GET.get(key):
            entries = entries.filter(**{key: request.GET[key]})
    if request.GET.get("object_id"):
        entries = entries.filter(about_object(request.GET.get("object_type", ""), request.GET["object_id"]))
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "core/audit_log.html", {"page": page, "query_string": query.urlencode()})


@login_required
def audit_verify(request):
    require_any(request.user, "verify", AuditEntry)
    checked, problems = verify_chain()
    return render(request, "core/audit_verify.html", {"checked": checked, "problems": problems})


@login_required
def job_list(request):
    from dangan.core.models import Job

    page = Paginator(Job.objects.restrict(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "core/job_list.html", {"page": page, "query_string": ""})


@login_required
def job_detail(request, pk):
    from django.http import JsonResponse

    from dangan.core.generic import get_visible_or_404
    from dangan.core.models import Job

    job = get_visible_or_404(request, Job, pk)
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse(
            {
                "id": job.pk,
                "name": job.name,
                "status": job.status,
                "done": job.done,
                "total": job.total,
                "percent": job.percent,
                "error": job.error,
                "result": job.result,
            }
        )
    return render(request, "core/job.html", {"job": job})
