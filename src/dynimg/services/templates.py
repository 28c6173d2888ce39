"""Template use cases behind the *VodTemplate Actions: animated-image (DynamicImage) and
snapshot (Snapshot) templates, each validated by its own config rules."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace

from dynimg.domain.accounts import Account
from dynimg.domain.ids import new_resource_id
from dynimg.domain.json_document import dump_compact, parse_json_object
from dynimg.domain.snapshots import parse_snapshot_template_config
from dynimg.domain.templates import (
    DEFAULT_WATERMARK,
    Template,
    TemplateType,
    parse_template_config,
    parse_template_name,
)
from dynimg.errors import InvalidParameter, TemplateNotFound
from dynimg.ports import Clock, UnitOfWork, UnitOfWorkFactory

DEFAULT_APP_ID = "app-1000000"


def add_template(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    account: Account,
    *,
    name: str,
    template_type: str,
    config_text: str,
    app_id: str | None = None,
) -> Template:
    """Validate and store a new template of either type."""
    kind = check_template_type(template_type)
    now = clock.now()
    template = Template(
        id=new_resource_id(),
        account_id=account.id,
        name=parse_template_name(name),
        type=kind,
        config_json=_validated_config(config_text, kind),
        app_id=app_id or DEFAULT_APP_ID,
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
    template_id: str,
    *,
    name: str | None = None,
    config_text: str | None = None,
) -> Template:
    """Change a template's name and/or config."""
    with uow_factory() as uow:
        template = uow.templates.get(account.id, template_id)
        if template is None:
            raise TemplateNotFound()
        updated = replace(
            template,
            name=parse_template_name(name) if name is not None else template.name,
            config_json=(
                _validated_config(config_text, template.type)
                if config_text
                else template.config_json
            ),
            modified_at=clock.now(),
        )
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


def check_template_type(value: str) -> TemplateType:
    """``DynamicImage`` or ``Snapshot``, as Alibaba spells them."""
    for kind in TemplateType:
        if value == kind.value:
            return kind
    raise InvalidParameter("TemplateType", "must be DynamicImage or Snapshot")


def _check_watermarks(uow: UnitOfWork, account: Account, template: Template) -> None:
    if template.type is not TemplateType.DYNAMIC_IMAGE:
        return  # snapshots carry no watermarks
    config = parse_template_config(json.loads(template.config_json))  # validated just before
    for watermark_id in config.watermark_ids:
        if (
            watermark_id != DEFAULT_WATERMARK
            and uow.watermarks.get(account.id, watermark_id) is None
        ):
            raise InvalidParameter(
                "TemplateConfig.WatermarkIds", f"watermark {watermark_id} does not exist"
            )


def _validated_config(text: str, kind: TemplateType) -> str:
    document = parse_json_object(text, "TemplateConfig")
    if kind is TemplateType.SNAPSHOT:
        parse_snapshot_template_config(document)
    else:
        parse_template_config(document)
    return dump_compact(document)
