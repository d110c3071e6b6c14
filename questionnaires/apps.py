from django.apps import AppConfig
from django.core import checks


class QuestionnairesConfig(AppConfig):
    name = "questionnaires"
    verbose_name = "Questionnaires"

    def ready(self) -> None:
        checks.register(public_texts_check)


def public_texts_check(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """`manage.py check` (and so every `runserver` and test run) validates the public texts."""
    from .public_texts import PublicTextsError, public_texts

    try:
        public_texts()
    except PublicTextsError as error:
        return [
            checks.Error(problem, id="questionnaires.E001", obj="data/public-texts.toml")
            for problem in error.problems
        ]
    return []
