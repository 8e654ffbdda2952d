from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParticipationConfig(AppConfig):
    name = "participation"
    verbose_name = _("Participation")

    def ready(self) -> None:
        from participation import tasks  # noqa: F401  (registers the periodic tasks)
        from participation.moderated import register_profile
        from participation.petition_moderated import register_petitions

        register_profile()
        register_petitions()

        from participation.petition_stats import transparency_section
        from participation.transparency import register_section

        register_section(transparency_section)
