from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView

from participation import views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("health/", views.health, name="health"),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path(
        "robots.txt",
        TemplateView.as_view(template_name="robots.txt", content_type="text/plain"),
    ),
]

urlpatterns += i18n_patterns(
    path("", views.home, name="home"),
    path("agencies/", views.agency_directory, name="agency_directory"),
    path("agencies/<slug:slug>/", views.agency_detail, name="agency"),
    path("officials/<slug:slug>/", views.official_detail, name="official"),
    path("accounts/profile/", views.profile, name="profile"),
    path("accounts/", include("allauth.urls")),
    path("notifications/", views.notifications, name="notifications"),
    path("reception/", include("reception.urls")),
    prefix_default_language=True,
)
