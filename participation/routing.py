from django.urls import path

from forums.routing import websocket_urlpatterns as forum_websocket_urlpatterns
from participation.consumers import NotificationsConsumer

websocket_urlpatterns = [
    path("ws/notifications/", NotificationsConsumer.as_asgi()),
    *forum_websocket_urlpatterns,
]
