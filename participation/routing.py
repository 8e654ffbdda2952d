from django.urls import path

from participation.consumers import NotificationsConsumer
from reception.routing import websocket_urlpatterns as reception_websockets

websocket_urlpatterns = [
    path("ws/notifications/", NotificationsConsumer.as_asgi()),
    *reception_websockets,
]
