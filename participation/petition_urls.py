from django.urls import path

from participation import petition_views as views

app_name = "petitions"
urlpatterns = [
    path("", views.petition_list, name="list"),
    path("new/", views.petition_new, name="new"),
    path("moderation/", views.petition_moderation, name="moderation"),
    path("data.json", views.list_json, name="list_json"),
    path("data.csv", views.list_csv, name="list_csv"),
    path("<int:pk>/", views.petition_detail, name="detail"),
    path("<int:pk>/sign/", views.petition_sign, name="sign"),
    path("<int:pk>/data.json", views.petition_json, name="json"),
    path("<int:pk>/count.json", views.petition_count, name="count"),
    path("<int:pk>/regions.csv", views.petition_csv, name="csv"),
]
