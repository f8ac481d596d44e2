from django.urls import include, path

from retorno.core import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("definitions/", views.glossary, name="glossary"),
    path("audit/", views.audit_trail, name="audit"),
    path("i18n/", include("django.conf.urls.i18n")),
]
