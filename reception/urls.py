from django.urls import path

from reception import views

app_name = "reception"
urlpatterns = [
    path("<slug:slug>/", views.room, name="room"),
    path("<slug:slug>/write/", views.write_to_official, name="write"),
]
