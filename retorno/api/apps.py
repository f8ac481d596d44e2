from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core import checks


def check_docs_assets(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    """Warn when the Swagger UI assets shipped with django-ninja cannot be served."""
    if "ninja" in settings.INSTALLED_APPS:
        return []
    return [
        checks.Warning(
            "The API docs at /api/v1/docs load the Swagger UI from django-ninja's static "
            "files, which are only served when 'ninja' is in INSTALLED_APPS.",
            hint="Add 'ninja' to INSTALLED_APPS.",
            id="retorno_api.W001",
        )
    ]


class ApiConfig(AppConfig):
    name = "retorno.api"
    label = "api"

    def ready(self) -> None:
        """Register the API's system checks."""
        checks.register(check_docs_assets)
