from django.urls import path

from forums import views

app_name = "forums"
urlpatterns = [
    path("", views.index, name="index"),
    path("search/", views.search_page, name="search"),
    path("c/<slug:slug>/", views.category, name="category"),
    path("c/<slug:slug>/new/", views.new_thread, name="new_thread"),
    path("c/<slug:slug>/watch/", views.watch, name="watch_category"),
    path("t/<int:pk>/", views.thread, name="thread"),
    path("t/<int:pk>/p/<int:post_id>/", views.thread, name="branch"),
    path("t/<int:pk>/watch/", views.watch, name="watch_thread"),
    path("t/<int:pk>/manage/", views.manage, name="manage"),
    path("t/<int:pk>/unpin/", views.unpin, name="unpin"),
    path("posts/<int:pk>/", views.post, name="post"),
    path("posts/<int:pk>/reply/", views.reply, name="reply"),
    path("posts/<int:pk>/edit/", views.edit, name="edit"),
    path("posts/<int:pk>/history/", views.history, name="history"),
    path("posts/<int:pk>/react/", views.react, name="react"),
    path("posts/<int:pk>/pin/", views.pin, name="pin"),
    path("posts/<int:pk>/report/", views.report, name="report"),
    path("drafts/<slug:slug>/", views.draft, name="draft"),
    path("drafts/<slug:slug>/paragraphs/<int:pk>/", views.paragraph, name="paragraph"),
]
