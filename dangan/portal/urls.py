from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from dangan.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("items/<int:pk>/", views.item_detail, name="item"),
    path("items/<int:pk>/files/<int:file_pk>/", views.item_file, name="item_file"),
    path(
        "items/<int:pk>/files/<int:file_pk>/pages/<int:number>.png",
        views.item_file_page,
        name="item_file_page",
    ),
    path("register/", views.register, name="register"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="portal/login.html", next_page=reverse_lazy("portal:my_requests")
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(next_page=reverse_lazy("portal:home")), name="logout"),
    path("requests/", views.my_requests, name="my_requests"),
    path("requests/new/", views.request_new, name="request_new"),
    path("requests/<int:pk>/", views.request_detail, name="request"),
    path("requests/<int:pk>/cancel/", views.request_cancel, name="request_cancel"),
    path("requests/<int:pk>/files/<int:file_pk>/", views.read, name="read"),
    path("requests/<int:pk>/files/<int:file_pk>/pages/<int:number>.png", views.read_page, name="read_page"),
    path("requests/<int:pk>/files/<int:file_pk>/download/", views.download, name="download"),
    path("verify/", views.verify, name="verify"),
    path("notices/", views.notice_list, name="notice_list"),
    path("notices/<int:pk>/", views.notice_detail, name="notice"),
    path("manage/notices/", views.notice_manage, name="notice_manage"),
    path("manage/notices/new/", views.notice_edit, name="notice_new"),
    path("manage/notices/<int:pk>/", views.notice_edit, name="notice_edit"),
]
