"""Background work of the imports app: tasks take an id and call a service."""

from django_tasks import task

from retorno.imports.services import import_batch_run


@task()
def run_import(batch_id: int) -> None:
    """Run the import of one queued batch."""
    import_batch_run(batch_id=batch_id)
