from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReceptionConfig(AppConfig):
    name = "reception"
    verbose_name = _("Reception rooms")

    def ready(self) -> None:
        from reception import tasks  # noqa: F401  (registers the periodic sweep)
        from reception.moderated import register_appeals, register_live

        register_appeals()
        register_live()

        from participation.transparency import register_section
        from reception.live_queries import transparency_section

        register_section(transparency_section)
