from django.urls import path

from dangan.units import views

app_name = "units"
urlpatterns = [
    path("", views.unit_tree, name="tree"),
    path("list/", views.UnitListView.as_view(), name="unit_list"),
    path("add/", views.UnitEditView.as_view(), name="unit_add"),
    path("merge/", views.merge, name="merge"),
    path("<int:pk>/", views.UnitView.as_view(), name="unit"),
    path("<int:pk>/edit/", views.UnitEditView.as_view(), name="unit_edit"),
    path("<int:pk>/delete/", views.UnitDeleteView.as_view(), name="unit_delete"),
    path("groups/", views.GroupListView.as_view(), name="group_list"),
    path("groups/add/", views.GroupEditView.as_view(), name="group_add"),
    path("groups/<int:pk>/", views.GroupView.as_view(), name="group"),
    path("groups/<int:pk>/edit/", views.GroupEditView.as_view(), name="group_edit"),
    path("archivists/", views.ArchivistListView.as_view(), name="archivist_list"),
    path("archivists/add/", views.ArchivistEditView.as_view(), name="archivist_add"),
    path("archivists/<int:pk>/edit/", views.ArchivistEditView.as_view(), name="archivist_edit"),
    path("archivists/<int:pk>/delete/", views.ArchivistDeleteView.as_view(), name="archivist_delete"),
]
