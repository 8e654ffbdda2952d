from django.urls import path

from forums.routing import websocket_urlpatterns as forum_websocket_urlpatterns
from participation.consumers import NotificationsConsumer
from reception.routing import websocket_urlpatterns as reception_websockets

websocket_urlpatterns = [
    path("ws/notifications/", NotificationsConsumer.as_asgi()),
    *reception_websockets,
    *forum_websocket_urlpatterns,
]
