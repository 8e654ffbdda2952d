from allauth.account.decorators import secure_admin_login
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import TemplateView

from participation import opendata, transparency_views, views
from participation.api import api, not_found_view
from reception import live_views
from reception import views as reception_views

# Staff sign in through allauth, with their second factor; never the admin's own form.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("health/", views.health, name="health"),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("api/", api.urls),
    re_path(r"^api/(?P<path>.*)$", not_found_view),
    path("open-data/<str:dataset>.<str:fmt>", opendata.export, name="open_data"),
    path(
        "robots.txt",
        TemplateView.as_view(template_name="robots.txt", content_type="text/plain"),
    ),
]

urlpatterns += i18n_patterns(
    # First: a petition's sign address is the hottest under a spike, and the
    # resolver tries patterns in order (every prefix below is distinct).
    path("petitions/", include("participation.petition_urls")),
    path("", views.home, name="home"),
    path("agencies/", views.agency_directory, name="agency_directory"),
    path("agencies/<slug:slug>/", views.agency_detail, name="agency"),
    path("officials/<slug:slug>/", views.official_detail, name="official"),
    path("accounts/profile/", views.profile, name="profile"),
    path("accounts/profile/api-tokens/", views.create_api_token, name="create_api_token"),
    path(
        "accounts/profile/api-tokens/<int:pk>/revoke/",
        views.revoke_api_token,
        name="revoke_api_token",
    ),
    path("accounts/", include("allauth.urls")),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/settings/", views.notification_settings, name="notification_settings"),
    path("people/<int:pk>/", views.person, name="person"),
    path("moderation/", include("moderation.urls")),
    path("reception/", include("reception.urls")),
    path("forums/", include("forums.urls")),
    path("appeals/track/", reception_views.track, name="track"),
    path("appeals/<str:number>/", reception_views.appeal, name="appeal"),
    path("appeals/<str:number>/slip/", reception_views.slip, name="slip"),
    path("appeals/<str:number>/files/<int:pk>/", reception_views.attachment, name="attachment"),
    path("office/", reception_views.office, name="office"),
    path("operator/", reception_views.operator, name="operator"),
    path("agencies/<slug:slug>/write/", reception_views.write_to_agency, name="write_agency"),
    path("live/", live_views.sessions, name="live_sessions"),
    path("live/schedule/", live_views.schedule, name="live_schedule"),
    path("live/<int:pk>/", live_views.room, name="live_session"),
    path("live/<int:pk>/transcript/", live_views.transcript, name="live_transcript"),
    path("transparency/", transparency_views.overview, name="transparency"),
    path("transparency/<slug:slug>/", transparency_views.agency, name="transparency_agency"),
    prefix_default_language=True,
)
