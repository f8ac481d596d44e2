from django.urls import path

from retorno.registry import views

app_name = "registry"

urlpatterns = [
    path("arrival/", views.arrival, name="arrival"),
    path("arrival/candidates/", views.arrival_candidates, name="arrival_candidates"),
    path("people/", views.person_list, name="person_list"),
    path("people/new/", views.person_create, name="person_create"),
    path("people/<int:person_id>/", views.person_detail, name="person_detail"),
    path("people/<int:person_id>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:person_id>/erase/", views.person_delete, name="person_delete"),
    path("people/<int:person_id>/episodes/new/", views.episode_form, name="episode_create"),
    path(
        "people/<int:person_id>/episodes/<int:episode_id>/", views.episode_form, name="episode_edit"
    ),
    path("people/<int:person_id>/returns/new/", views.return_form, name="return_create"),
    path(
        "people/<int:person_id>/returns/<int:event_id>/edit/", views.return_form, name="return_edit"
    ),
    path("people/<int:person_id>/consents/new/", views.consent_form, name="consent_create"),
    path(
        "people/<int:person_id>/<str:kind>/new/", views.person_detail_add, name="person_detail_add"
    ),
    path(
        "people/<int:person_id>/<str:kind>/<int:item_id>/remove/",
        views.person_detail_remove,
        name="person_detail_remove",
    ),
    path("households/new/", views.household_create, name="household_create"),
    path("households/<int:household_id>/", views.household_detail, name="household_detail"),
    path("returns/", views.return_list, name="return_list"),
    path("returns/<int:event_id>/", views.return_detail, name="return_detail"),
    path("regions/<str:country>/", views.subdivisions, name="subdivisions"),
]
