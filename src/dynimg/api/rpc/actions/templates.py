"""AddVodTemplate, GetVodTemplate, ListVodTemplate, UpdateVodTemplate, DeleteVodTemplate."""

from __future__ import annotations

from typing import Any

from dynimg.api.rpc.action import Action
from dynimg.api.rpc.context import ActionContext
from dynimg.api.rpc.params import Param
from dynimg.domain.json_document import MAX_DOCUMENT_BYTES, dump_compact
from dynimg.domain.template_documents import read_add_template, read_update_template
from dynimg.domain.templates import Template
from dynimg.domain.timestamps import format_utc
from dynimg.services import templates

_CONFIG = Param("TemplateConfig", max_bytes=MAX_DOCUMENT_BYTES)


def add_vod_template(ctx: ActionContext) -> dict[str, Any]:
    deps = ctx.deps
    command = read_add_template(
        ctx.require("Name"),
        ctx.require("TemplateType"),
        ctx.require("TemplateConfig"),
        ctx.params["AppId"],
    )
    template = templates.add_template(
        deps.uow_factory, deps.clock, ctx.account, command, codecs=deps.codecs
    )
    return {"VodTemplateId": template.id}


def get_vod_template(ctx: ActionContext) -> dict[str, Any]:
    template = templates.get_template(
        ctx.deps.uow_factory, ctx.account, ctx.require("VodTemplateId")
    )
    return {"VodTemplateInfo": template_info(template)}


def list_vod_template(ctx: ActionContext) -> dict[str, Any]:
    found = templates.list_templates(
        ctx.deps.uow_factory, ctx.account, ctx.require("TemplateType"), ctx.params["AppId"]
    )
    return {"VodTemplateInfoList": [template_info(t) for t in found]}


def update_vod_template(ctx: ActionContext) -> dict[str, Any]:
    command = read_update_template(
        ctx.require("VodTemplateId"), ctx.params["Name"], ctx.params["TemplateConfig"]
    )
    deps = ctx.deps
    template = templates.update_template(
        deps.uow_factory, deps.clock, ctx.account, command, codecs=deps.codecs
    )
    return {"VodTemplateId": template.id}


def delete_vod_template(ctx: ActionContext) -> dict[str, Any]:
    template_id = ctx.require("VodTemplateId")
    templates.delete_template(ctx.deps.uow_factory, ctx.account, template_id)
    return {"VodTemplateId": template_id}


def template_info(template: Template) -> dict[str, Any]:
    """A ``VodTemplateInfo`` object; every value a string, TemplateConfig as JSON text."""
    return {
        "VodTemplateId": template.id,
        "Name": template.name,
        "TemplateType": template.type.value,
        "IsDefault": "Default" if template.is_default else "NotDefault",
        "TemplateConfig": dump_compact(template.document),
        "Source": "Custom",
        "AppId": template.app_id,
        "CreationTime": format_utc(template.created_at),
        "ModifyTime": format_utc(template.modified_at),
    }


_ID = Param("VodTemplateId", required=True, max_bytes=64)
ACTIONS = [
    Action(
        "AddVodTemplate",
        add_vod_template,
        (
            Param("Name", required=True, max_bytes=128),
            Param("TemplateType", required=True, max_bytes=32),
            Param("TemplateConfig", required=True, max_bytes=MAX_DOCUMENT_BYTES),
            Param("AppId", max_bytes=64),
        ),
    ),
    Action("GetVodTemplate", get_vod_template, (_ID,)),
    Action(
        "ListVodTemplate",
        list_vod_template,
        (Param("TemplateType", required=True, max_bytes=32), Param("AppId", max_bytes=64)),
    ),
    Action(
        "UpdateVodTemplate",
        update_vod_template,
        (_ID, Param("Name", max_bytes=128), _CONFIG),
    ),
    Action("DeleteVodTemplate", delete_vod_template, (_ID,)),
]
