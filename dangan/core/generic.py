"""A small set of generic views for CRUD screens (after NetBox's ``generic`` views).

Every view reads through ``restrict`` and writes through ``require``, so the screens obey the same rules as
the API and the CLI. A record the user may not see is answered with 404, and the attempt is audited.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.http import Http404
from django.shortcuts import redirect, render, resolve_url
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views import View

from dangan.core.permissions import ADD, CHANGE, DELETE, VIEW, record_denial, require


def get_visible_or_404(request, model, pk, action=VIEW):
    try:
        return model.objects.restrict(request.user, action).get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError):
        obj = model.objects.filter(pk=pk).first() if str(pk).isdigit() else None
        if obj is not None:
            record_denial(action, obj)
        raise Http404(_("没有找到该记录，或您无权查看")) from None


class ObjectListView(LoginRequiredMixin, View):
    model = None
    filterset = None
    template_name = "generic/list.html"
    columns: list[str] = []
    ordering_fields: list[str] = []
    default_ordering: str | None = None
    select_related: list[str] = []
    paginate_by = 50
    title = ""
    more_filters: list[str] = []  # filters folded away under "更多筛选" so the common ones stay in sight
    wrap_columns = (
        "title",
        "name",
        "description",
        "creator",
        "address",
        "notes",
    )  # the rest stay on one line

    def get_queryset(self, request):
        return self.model.objects.restrict(request.user, VIEW).select_related(*self.select_related)

    def get(self, request):
        queryset = self.get_queryset(request)
        filterset = None
        if self.filterset:
            filterset = self.filterset(request.GET or None, queryset=queryset, request=request)
        if filterset is not None and filterset.is_bound and filterset.is_valid():
            queryset = filterset.qs
        sort = request.GET.get("sort", "")
        if sort.lstrip("-") in self.ordering_fields:
            queryset = queryset.order_by(sort, "pk")
        elif self.default_ordering:
            queryset = queryset.order_by(self.default_ordering)
        page = Paginator(queryset, self.per_page(request)).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        unsorted = query.copy()
        unsorted.pop("sort", None)
        context = {
            "model": self.model,
            "opts": self.model._meta,
            "title": self.title or self.model._meta.verbose_name_plural,
            "filterset": filterset,
            **self.filter_fields(request, filterset),
            "page": page,
            "columns": self.columns,
            "wrap_columns": self.wrap_columns,
            "ordering_fields": self.ordering_fields,
            "sort": sort,
            "query_string": query.urlencode(),
            "unsorted_query_string": unsorted.urlencode(),
            "can_add": self.can_add(request),
            "add_url": self.add_url(),
            "rows": [(obj, self.row_url(obj)) for obj in page],
        }
        context.update(self.extra_context(request))
        return render(request, self.template_name, context)

    def filter_fields(self, request, filterset):
        if filterset is None:
            return {}
        for field in filterset.form.fields.values():
            field.widget.attrs.setdefault("class", "input")
        fields = list(filterset.form)
        return {
            "main_filters": [f for f in fields if f.name not in self.more_filters],
            "more_filters": [f for f in fields if f.name in self.more_filters],
            "more_filters_used": any(request.GET.get(name) for name in self.more_filters),
        }

    def per_page(self, request):
        try:
            return max(10, min(int(request.GET.get("per_page", self.paginate_by)), 500))
        except ValueError:
            return self.paginate_by

    def can_add(self, request):
        return bool(self.model.permits_new(request.user, self.model()))

    def add_url(self):
        """The add page, by the ``<app>:<model>_add`` naming convention (``add_url_name`` overrides it)."""
        opts = self.model._meta
        try:
            return reverse(getattr(self, "add_url_name", None) or f"{opts.app_label}:{opts.model_name}_add")
        except NoReverseMatch:
            return ""

    def row_url(self, obj):
        """Where the first cell of a row links to."""
        return obj.get_absolute_url() if hasattr(obj, "get_absolute_url") else ""

    def extra_context(self, request):
        return {}


class ObjectDetailView(LoginRequiredMixin, View):
    model = None
    template_name = None

    def get(self, request, pk):
        obj = get_visible_or_404(request, self.model, pk)
        context = {
            "object": obj,
            "opts": self.model._meta,
            "can_change": self.model.objects.restrict(request.user, CHANGE).filter(pk=obj.pk).exists(),
            "can_delete": self.model.objects.restrict(request.user, DELETE).filter(pk=obj.pk).exists(),
        }
        context.update(self.extra_context(request, obj))
        return render(
            request,
            self.template_name or f"{self.model._meta.app_label}/{self.model._meta.model_name}.html",
            context,
        )

    def extra_context(self, request, obj):
        return {}


class ObjectEditView(LoginRequiredMixin, View):
    """Create (no pk) or change (pk) one object through a ModelForm whose ``clean`` runs the model's rules."""

    model = None
    form_class = None
    template_name = "generic/edit.html"

    def get_object(self, request, pk):
        if pk is None:
            obj = self.model()
            self.initialise(request, obj)
            self.check_may_add(request, obj)
            return obj
        obj = get_visible_or_404(request, self.model, pk)
        require(request.user, CHANGE, obj)
        return obj

    def initialise(self, request, obj):
        """Fill a new object from the query string (e.g. ``?fonds=3``) before the form is shown."""

    def get_form(self, request, obj, data=None):
        return self.form_class(data, instance=obj, user=request.user)

    def get(self, request, pk=None):
        obj = self.get_object(request, pk)
        return self.render_form(request, obj, self.get_form(request, obj))

    def check_may_add(self, request, obj):
        """Refuse the add form (GET and POST) to a user who can add this kind of object nowhere."""
        if not self.model.permits_new(request.user, obj) and not self.may_try_add(request):
            require(request.user, ADD, obj)

    def may_try_add(self, request):
        """Whether the user can add an object of this kind somewhere (so the empty form is worth showing).

        The object actually submitted is checked again with ``require(ADD)`` before it is saved.
        """
        return False

    def post(self, request, pk=None):
        obj = self.get_object(request, pk)
        form = self.get_form(request, obj, request.POST)
        if form.is_valid():
            if pk is None:
                require(request.user, ADD, form.instance)
            try:
                with transaction.atomic():
                    obj = form.save()
            except (IntegrityError, ValidationError) as e:
                error = getattr(e, "messages", [str(e)])[0]
                form.add_error(None, _("保存失败：%(error)s") % {"error": error})
            else:
                messages.success(request, _("已保存：%(obj)s") % {"obj": obj})
                return redirect(self.success_url(obj))
        return self.render_form(request, obj, form, status=400)

    def success_url(self, obj):
        return obj.get_absolute_url()

    def cancel_url(self, obj):
        if obj.pk is not None:
            try:
                return self.success_url(obj)
            except (AttributeError, NoReverseMatch):
                return ""
        return ""

    def render_form(self, request, obj, form, status=200):
        context = {
            "object": obj,
            "form": form,
            "opts": self.model._meta,
            "is_new": obj.pk is None,
            "cancel_url": self.cancel_url(obj),
        }
        context.update(self.extra_context(request, obj))
        return render(request, self.template_name, context, status=status)

    def extra_context(self, request, obj):
        return {}


class ObjectDeleteView(LoginRequiredMixin, View):
    model = None
    template_name = "generic/delete.html"
    success_url = "home"  # a URL name (or a path) to go to once the object is gone

    def get_success_url(self, obj):
        return self.success_url

    def cancel_url(self, obj):
        return obj.get_absolute_url() if hasattr(obj, "get_absolute_url") else self.get_success_url(obj)

    def get_object(self, request, pk):
        obj = get_visible_or_404(request, self.model, pk)
        require(request.user, DELETE, obj)
        return obj

    def get(self, request, pk):
        obj = self.get_object(request, pk)
        return render(
            request,
            self.template_name,
            {"object": obj, "opts": self.model._meta, "cancel_url": resolve_url(self.cancel_url(obj))},
        )

    def post(self, request, pk):
        obj = self.get_object(request, pk)
        try:
            with transaction.atomic():
                obj.delete()
        except ProtectedError:
            messages.error(request, _("“%(obj)s”仍被其他记录引用，不能删除") % {"obj": obj})
            return redirect(self.cancel_url(obj))
        messages.success(request, _("已删除：%(obj)s") % {"obj": obj})
        return redirect(self.get_success_url(obj))
