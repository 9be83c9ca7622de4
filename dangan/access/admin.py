"""The bureau administrator's view of utilisation records in the Django admin.

Purposes and readers are data the administrator may correct. Everything else is either worked through its
own rules (requests, loans and certificates change state only through ``AccessRequest.approve``,
``Loan.lend`` … in the app) or is evidence — decisions, the request history, the reading log, certificates,
open-review decisions — so the admin shows it and never edits or deletes it.
"""

from django.contrib import admin

from dangan.access.models import (
    AccessRequest,
    CatalogueListing,
    Certificate,
    Decision,
    Effect,
    Loan,
    OpenReview,
    Purpose,
    Reader,
    RequestEvent,
    RequestItem,
    ViewLog,
)


class ReadOnly:
    """Shown, never added, changed or deleted here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ReadOnly, admin.ModelAdmin):
    pass


class ReadOnlyInline(ReadOnly, admin.TabularInline):
    extra = 0


@admin.register(Purpose)
class PurposeAdmin(admin.ModelAdmin):
    list_display = ["name", "order", "active"]
    list_editable = ["order", "active"]


@admin.register(Reader)
class ReaderAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "id_type", "masked_id", "phone", "organisation", "created_at"]
    list_filter = ["kind", "id_type"]
    search_fields = ["name", "phone", "user__username"]
    raw_id_fields = ["user"]


class RequestItemInline(ReadOnlyInline):
    model = RequestItem
    fields = ["item", "pages"]


class DecisionInline(ReadOnlyInline):
    model = Decision
    fields = ["step", "unit", "by", "approved", "reason", "at"]


class RequestEventInline(ReadOnlyInline):
    model = RequestEvent
    fields = ["at", "actor_name", "status_from", "status_to", "message"]


@admin.register(AccessRequest)
class AccessRequestAdmin(ReadOnlyAdmin):
    list_display = ["number", "requester", "purpose", "mode", "status", "created_at", "decided_at"]
    list_filter = ["status", "mode", "purpose"]
    search_fields = ["number", "requester__username", "requester__reader_profile__name"]
    date_hierarchy = "created_at"
    inlines = [RequestItemInline, DecisionInline, RequestEventInline]


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = ["request", "step", "unit", "by", "approved", "at"]
    list_filter = ["step", "approved"]
    search_fields = ["request__number", "by__username"]


@admin.register(Loan)
class LoanAdmin(ReadOnlyAdmin):
    list_display = ["item", "borrower", "lent_at", "due_date", "renewals", "returned_at"]
    list_filter = ["returned_at"]
    search_fields = ["item__reference_code", "borrower__username"]


@admin.register(ViewLog)
class ViewLogAdmin(ReadOnlyAdmin):
    list_display = ["at", "user", "request", "file", "action", "page", "ip"]
    list_filter = ["action"]
    search_fields = ["request__number", "user__username"]
    date_hierarchy = "at"


@admin.register(Effect)
class EffectAdmin(ReadOnlyAdmin):
    list_display = ["request", "summary", "entered_by", "entered_at"]
    search_fields = ["request__number", "summary"]


@admin.register(Certificate)
class CertificateAdmin(ReadOnlyAdmin):
    list_display = ["code", "item", "request", "pages", "issued_by", "issued_at", "revoked"]
    list_filter = ["revoked"]
    search_fields = ["code", "item__reference_code", "request__number"]


@admin.register(OpenReview)
class OpenReviewAdmin(ReadOnlyAdmin):
    list_display = ["item", "batch", "decision", "defer_until", "reviewed_by", "reviewed_at"]
    list_filter = ["decision"]
    search_fields = ["item__reference_code", "batch"]


@admin.register(CatalogueListing)
class CatalogueListingAdmin(ReadOnlyAdmin):
    """Published entries are made in open review (``CatalogueListing.publish``); withdrawing one is a
    deletion here, written to the audit trail."""

    list_display = ["item", "listed_by", "listed_at"]
    search_fields = ["item__reference_code", "item__title"]

    def has_delete_permission(self, request, obj=None):
        return request.user.is_bureau
