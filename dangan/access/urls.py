from django.urls import path

from dangan.access import views

app_name = "access"

urlpatterns = [
    path("requests/", views.request_list, name="request_list"),
    path("requests/new/", views.request_new, name="request_new"),
    path("requests/<int:pk>/", views.request_detail, name="request"),
    path("requests/<int:pk>/approve/", views.request_approve, name="request_approve"),
    path("requests/<int:pk>/reject/", views.request_reject, name="request_reject"),
    path("requests/<int:pk>/cancel/", views.request_cancel, name="request_cancel"),
    path("requests/<int:pk>/effects/", views.effect_add, name="effect_add"),
    path("requests/<int:pk>/certificates/", views.certificate_issue, name="certificate_issue"),
    path("certificates/<int:pk>/pdf/", views.certificate_pdf, name="certificate_pdf"),
    path("certificates/<int:pk>/revoke/", views.certificate_revoke, name="certificate_revoke"),
    path("effects/", views.effect_list, name="effect_list"),
    path("loans/", views.loan_list, name="loan_list"),
    path("loans/new/", views.loan_new, name="loan_new"),
    path("loans/return/", views.loan_return, name="loan_return"),
    path("loans/<int:pk>/renew/", views.loan_renew, name="loan_renew"),
    path("readers/", views.reader_list, name="reader_list"),
    path("review/", views.review_list, name="review_list"),
    path("review/decide/", views.review_decide, name="review_decide"),
    path("listings/", views.listing_list, name="listing_list"),
    path("listings/<int:pk>/withdraw/", views.listing_withdraw, name="listing_withdraw"),
    path("stats/", views.stats, name="stats"),
    path("stats/annual.xlsx", views.stats_xlsx, name="stats_xlsx"),
]
