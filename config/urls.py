from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("retorno.core.urls")),
    path("accounts/", include("retorno.accounts.urls")),
    path("registry/", include("retorno.registry.urls")),
    path("imports/", include("retorno.imports.urls")),
    path("cases/", include("retorno.cases.urls")),
    path("statistics/", include("retorno.stats.urls")),
    path("api/v1/", include("retorno.api.urls")),
]
