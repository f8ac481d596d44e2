from django.urls import path

from retorno.imports import views

app_name = "imports"

urlpatterns = [
    path("", views.batch_list, name="list"),
    path("new/", views.batch_upload, name="upload"),
    path("<int:batch_id>/", views.batch_detail, name="detail"),
    path("<int:batch_id>/mapping/", views.batch_mapping, name="mapping"),
    path("<int:batch_id>/status/", views.batch_status, name="status"),
    path("<int:batch_id>/rejected/", views.batch_errors, name="errors"),
    path("<int:batch_id>/rejected.csv", views.batch_errors_csv, name="errors_csv"),
]
