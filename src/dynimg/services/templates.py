"""Template use cases behind the *VodTemplate Actions: animated-image (DynamicImage) and
snapshot (Snapshot) templates, each validated by its own config rules."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from dynimg.domain.accounts import Account
from dynimg.domain.codecs import AV1_ONLY, CodecPolicy
from dynimg.domain.ids import new_resource_id
from dynimg.domain.snapshots import SnapshotConfig
from dynimg.domain.template_documents import (
    AddTemplate,
    UpdateTemplate,
    check_template_type,
    read_template_document,
)
from dynimg.domain.templates import DynamicImageTemplateConfig, Template
from dynimg.errors import TemplateNotFound
from dynimg.ports import Clock, UnitOfWork, UnitOfWorkFactory
from dynimg.services.render_assembly import require_watermarks

DEFAULT_APP_ID = "app-1000000"


def add_template(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    account: Account,
    command: AddTemplate,
    *,
    codecs: CodecPolicy = AV1_ONLY,
) -> Template:
    """Store a new template of either type (an animated image's watermarks must exist, its
    codec must be one the operator allows)."""
    _check_codec(codecs, command.config.config)
    now = clock.now()
    template = Template(
        id=new_resource_id(),
        account_id=account.id,
        name=command.name,
        type=command.type,
        config=command.config.config,
        document=command.config.document,
        app_id=command.app_id or DEFAULT_APP_ID,
        is_default=False,
        created_at=now,
        modified_at=now,
    )
    with uow_factory() as uow:
        _check_watermarks(uow, account, template)
        uow.templates.add(template)
        uow.commit()
    return template


def get_template(uow_factory: UnitOfWorkFactory, account: Account, template_id: str) -> Template:
    """One of the account's templates; another account's is reported as not existing."""
    with uow_factory() as uow:
        template = uow.templates.get(account.id, template_id)
    if template is None:
        raise TemplateNotFound()
    return template


def list_templates(
    uow_factory: UnitOfWorkFactory,
    account: Account,
    template_type: str,
    app_id: str | None = None,
) -> Sequence[Template]:
    """The account's templates of a type, newest first, optionally of one AppId."""
    kind = check_template_type(template_type)
    with uow_factory() as uow:
        templates = uow.templates.list(account.id, kind.value)
    return [t for t in templates if app_id is None or t.app_id == app_id]


def update_template(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    account: Account,
    command: UpdateTemplate,
    *,
    codecs: CodecPolicy = AV1_ONLY,
) -> Template:
    """Change a template's name and/or config (a new config's codec must be allowed)."""
    with uow_factory() as uow:
        template = uow.templates.get(account.id, command.template_id)
        if template is None:
            raise TemplateNotFound()
        updated = replace(
            template,
            name=template.name if command.name is None else command.name,
            modified_at=clock.now(),
        )
        if command.document is not None:
            config = read_template_document(command.document, template.type)
            _check_codec(codecs, config.config)
            updated = replace(updated, config=config.config, document=config.document)
        _check_watermarks(uow, account, updated)
        uow.templates.update(updated)
        uow.commit()
    return updated


def delete_template(uow_factory: UnitOfWorkFactory, account: Account, template_id: str) -> None:
    """Delete one of the account's templates."""
    with uow_factory() as uow:
        if not uow.templates.delete(account.id, template_id):
            raise TemplateNotFound()
        uow.commit()


def _check_codec(codecs: CodecPolicy, config: DynamicImageTemplateConfig | SnapshotConfig) -> None:
    if isinstance(config, DynamicImageTemplateConfig):
        codecs.check(config)


def _check_watermarks(uow: UnitOfWork, account: Account, template: Template) -> None:
    if isinstance(template.config, DynamicImageTemplateConfig):  # snapshots carry none
        require_watermarks(uow, account.id, template.config.watermark_ids)
