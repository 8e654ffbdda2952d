from django.urls import path

from forums.consumers import ThreadConsumer

websocket_urlpatterns = [
    path("ws/forums/threads/<int:pk>/", ThreadConsumer.as_asgi()),
]
