"""Pages of assisted return and reintegration, gathered from the modules that serve them."""

from retorno.cases import views_case, views_plan, views_programme, views_referral

app_name = "cases"

urlpatterns = [
    *views_case.urlpatterns,
    *views_referral.urlpatterns,
    *views_plan.urlpatterns,
    *views_programme.urlpatterns,
]
