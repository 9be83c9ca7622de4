from django.urls import path

from dangan.catalogue import views

app_name = "catalogue"
urlpatterns = [
    path("fonds/", views.FondsListView.as_view(), name="fonds_list"),
    path("fonds/add/", views.FondsEditView.as_view(), name="fonds_add"),
    path("fonds/<int:pk>/", views.FondsView.as_view(), name="fonds"),
    path("fonds/<int:pk>/edit/", views.FondsEditView.as_view(), name="fonds_edit"),
    path("fonds/<int:pk>/delete/", views.FondsDeleteView.as_view(), name="fonds_delete"),
    path("items/", views.ItemListView.as_view(), name="item_list"),
    path("items/add/", views.ItemEditView.as_view(), name="item_add"),
    path("items/<int:pk>/", views.ItemView.as_view(), name="item"),
    path("items/<int:pk>/edit/", views.ItemEditView.as_view(), name="item_edit"),
    path("items/<int:pk>/delete/", views.ItemDeleteView.as_view(), name="item_delete"),
    path("volumes/", views.VolumeListView.as_view(), name="volume_list"),
    path("volumes/add/", views.VolumeEditView.as_view(), name="volume_add"),
    path("volumes/<int:pk>/", views.VolumeView.as_view(), name="volume"),
    path("volumes/<int:pk>/edit/", views.VolumeEditView.as_view(), name="volume_edit"),
    path("volumes/<int:pk>/delete/", views.VolumeDeleteView.as_view(), name="volume_delete"),
    path("categories/", views.CategoryListView.as_view(), name="category_list"),
    path("categories/add/", views.CategoryEditView.as_view(), name="category_add"),
    path("categories/<int:pk>/", views.CategoryView.as_view(), name="category"),
    path("categories/<int:pk>/edit/", views.CategoryEditView.as_view(), name="category_edit"),
    path("category-fields/add/", views.CategoryFieldEditView.as_view(), name="categoryfield_add"),
    path("category-fields/<int:pk>/edit/", views.CategoryFieldEditView.as_view(), name="categoryfield_edit"),
    path("retention/", views.RetentionListView.as_view(), name="retention_list"),
    path("retention/add/", views.RetentionEditView.as_view(), name="retention_add"),
    path("retention/<int:pk>/edit/", views.RetentionEditView.as_view(), name="retention_edit"),
    path("schedules/", views.ScheduleListView.as_view(), name="schedule_list"),
    path("schedules/add/", views.ScheduleEditView.as_view(), name="schedule_add"),
    path("schedules/<int:pk>/", views.ScheduleView.as_view(), name="schedule"),
    path("schedules/<int:pk>/edit/", views.ScheduleEditView.as_view(), name="schedule_edit"),
    path("schedule-entries/add/", views.ScheduleEntryEditView.as_view(), name="scheduleentry_add"),
    path("schedule-entries/<int:pk>/edit/", views.ScheduleEntryEditView.as_view(), name="scheduleentry_edit"),
    path("suggest-retention/", views.retention_suggestion, name="suggest_retention"),
]
