"""The API's URLs, mounted at /api/v1/ by config.urls."""

from retorno.api.api import api

urlpatterns = [*api.urls[0]]
app_name = "api"
