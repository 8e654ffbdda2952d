from django.urls import path

from moderation import views

app_name = "moderation"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("bulk/", views.bulk, name="bulk"),
    path("items/<int:pk>/", views.item, name="item"),
    path("report/", views.report, name="report"),
    path("register/", views.register, name="register"),
    path("reporters/", views.reporters, name="reporters"),
]
