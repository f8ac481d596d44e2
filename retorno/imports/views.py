"""Import pages: thin views that parse, call a selector or service, and render."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from retorno.accounts.access import orgs_with, require
from retorno.accounts.roles import Perm
from retorno.core.audit import Actor, actor_from_request
from retorno.imports import selectors, services
from retorno.imports.forms import MODE_HELP, MappingForm, UploadForm
from retorno.imports.models import ImportBatch, ImportStatus
from retorno.imports.readers import ImportFileError

ERRORS_PER_PAGE = 100


@login_required
@require_GET
def batch_list(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.IMPORT_RETURNS)
    page = Paginator(
        selectors.import_batches_visible(request.user).select_related("organisation", "created_by"),
        50,
    ).get_page(request.GET.get("page"))
    return render(request, "imports/batch_list.html", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
def batch_upload(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.IMPORT_RETURNS)
    organisation_ids = sorted(orgs_with(request.user, Perm.IMPORT_RETURNS))
    form = UploadForm(
        request.POST or None, request.FILES or None, organisation_ids=organisation_ids
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            batch = services.import_batch_create(
                actor=actor_from_request(request),
                organisation_id=data.get("organisation") or organisation_ids[0],
                uploaded_file=data["file"],
                source_name=data["source_name"],
                mode=data["mode"],
                encoding=data["encoding"] or "",
            )
        except ImportFileError as error:
            form.add_error("file", str(error))
        else:
            return redirect("imports:mapping", batch_id=batch.pk)
    return render(request, "imports/upload.html", {"form": form, "mode_help": MODE_HELP})


@login_required
@require_http_methods(["GET", "POST"])
def batch_mapping(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = selectors.access_import_batch(request.user, batch_id)
    if batch.status != ImportStatus.UPLOADED:
        return redirect("imports:detail", batch_id=batch.pk)
    form = MappingForm(request.POST or None, headers=batch.headers, mapping=batch.mapping)
    if request.method == "POST" and form.is_valid():
        try:
            services.import_batch_set_mapping(
                actor=actor_from_request(request), batch_id=batch.pk, mapping=form.mapping()
            )
        except ImportFileError as error:
            form.add_error(None, str(error))
        else:
            return redirect("imports:detail", batch_id=batch.pk)
    try:
        preview = selectors.import_batch_preview(batch)
    except ImportFileError as error:
        form.add_error(None, str(error))
        preview = []
    selectors.audit_rows_read(
        actor=actor_from_request(request), batch=batch, what=selectors.PREVIEW, shown=len(preview)
    )
    return render(
        request, "imports/mapping.html", {"batch": batch, "form": form, "preview": preview}
    )


@login_required
@require_GET
def batch_detail(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = selectors.access_import_batch(request.user, batch_id)
    first_errors = list(batch.row_errors.all()[:10])
    selectors.audit_rows_read(
        actor=actor_from_request(request),
        batch=batch,
        what=selectors.REJECTED_ROWS,
        shown=len(first_errors),
    )
    return render(
        request,
        "imports/batch_detail.html",
        {"batch": batch, "finished": batch.finished, "first_errors": first_errors},
    )


@login_required
@require_GET
def batch_status(request: HttpRequest, batch_id: int) -> JsonResponse:
    batch = selectors.access_import_batch(request.user, batch_id)
    return JsonResponse(
        {
            "status": batch.status,
            "status_label": batch.get_status_display(),
            "finished": batch.finished,
            "rows_in_file": batch.rows_in_file,
            "rows_total": batch.rows_total,
            "rows_imported": batch.rows_imported,
            "rows_duplicate": batch.rows_duplicate,
            "rows_rejected": batch.rows_rejected,
            "people_created": batch.people_created,
            "error": batch.error,
        }
    )


@login_required
@require_GET
def batch_errors(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = selectors.access_import_batch(request.user, batch_id)
    page = Paginator(batch.row_errors.all(), ERRORS_PER_PAGE).get_page(request.GET.get("page"))
    selectors.audit_rows_read(
        actor=actor_from_request(request),
        batch=batch,
        what=selectors.REJECTED_ROWS,
        shown=len(page.object_list),
    )
    return render(request, "imports/batch_errors.html", {"batch": batch, "page": page})


@login_required
@require_GET
def batch_errors_csv(request: HttpRequest, batch_id: int) -> StreamingHttpResponse:
    batch = selectors.access_import_batch(request.user, batch_id)
    return rejected_rows_download(actor_from_request(request), batch)


def rejected_rows_download(actor: Actor, batch: ImportBatch) -> StreamingHttpResponse:
    """Stream the rejected rows' CSV report as a download (for pages and API alike), audited."""
    selectors.audit_rows_read(actor=actor, batch=batch, what=selectors.REJECTED_CSV, shown=None)
    response = StreamingHttpResponse(
        selectors.rejected_rows_csv(batch), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="rejected-rows-{batch.pk}.csv"'
    return response
