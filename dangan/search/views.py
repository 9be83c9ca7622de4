from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from dangan.search import services
from dangan.search.backends.base import DATE, RELEVANCE


@login_required
def search(request):
    q = request.GET.get("q", "")
    sort = DATE if request.GET.get("sort") == DATE else RELEVANCE
    results = None
    if q.strip() or any(request.GET.get(p) for p in services.FILTER_PARAMS):
        results = services.search(request.user, q, request.GET, request.GET.get("page", 1), sort=sort)
    query = request.GET.copy()
    query.pop("page", None)
    facets = []
    if results is not None:
        for name, values in results.facets.items():
            facets.append(
                (
                    services.facet_title(name),
                    list(zip(values[:15], _toggle_links(query, name, values[:15]), strict=True)),
                )
            )
    context = {
        "q": q,
        "sort": sort,
        "results": results,
        "facets": facets,
        "query_string": query.urlencode(),
        "sort_links": {s: _with(query, sort=s) for s in (RELEVANCE, DATE)},
    }
    return render(request, "search/search.html", context)


def _with(query, **changes) -> str:
    params = query.copy()
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    return params.urlencode()


def _toggle_links(query, name, values) -> list[str]:
    """For each facet value: the query with it chosen, or without it when it is the chosen one."""
    links = []
    for value in values:
        changes = {name: None if value.selected else str(value.value).lower()}
        if name == "year":
            changes.update(year_from=None, year_to=None)
        links.append(_with(query, **changes))
    return links
