"""The one place a render is assembled: which watermarks a render draws, and its RenderSpec.

Assembling happens in two halves. :func:`plan_layers` runs inside a unit of work: it resolves
watermark ids (``USER_DEFAULT_WATERMARK`` is the account's default, when it has one) and the
request's overrides into :class:`PlannedLayer` values that name files by storage key.
:func:`assemble` runs after that unit of work has closed: it opens those files, so a download
from remote storage never holds a database transaction open.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from contextlib import AbstractContextManager, ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from dynimg.domain.rendering import RenderSpec, WatermarkLayer, WatermarkOverride, apply_override
from dynimg.domain.templates import DEFAULT_WATERMARK, DynamicImageTemplateConfig
from dynimg.errors import InvalidParameter, WatermarkNotFound

if TYPE_CHECKING:
    # ports names every repository; dynimg render assembles without them.
    from dynimg.domain.uploads import UploadPolicy
    from dynimg.domain.watermarks import Watermark, WatermarkConfig
    from dynimg.ports import UnitOfWork

FileOpener = Callable[[str], AbstractContextManager[Path]]
"""Makes a named file readable for the ``with`` block (``Storage.readable`` for stored ones)."""


@dataclass(frozen=True)
class PlannedLayer:
    """A watermark to draw; ``image`` names its file (a storage key) until it is opened."""

    watermark_id: str
    config: WatermarkConfig
    image: str | None = None


def find_watermarks(
    uow: UnitOfWork, account_id: str, ids: Iterable[str]
) -> tuple[list[Watermark], list[str]]:
    """The watermarks ``ids`` name, in order, and the ids that name none.

    ``USER_DEFAULT_WATERMARK`` is the account's default watermark; without one it names
    nothing and is not missing either: there is simply nothing to draw.
    """
    found: list[Watermark] = []
    missing: list[str] = []
    for watermark_id in ids:
        if watermark_id == DEFAULT_WATERMARK:
            default = uow.watermarks.default(account_id)
            found += [default] if default else []
            continue
        watermark = uow.watermarks.get(account_id, watermark_id)
        if watermark is None:
            missing.append(watermark_id)
        else:
            found.append(watermark)
    return found, missing


def require_watermarks(uow: UnitOfWork, account_id: str, ids: Iterable[str]) -> list[Watermark]:
    """The watermarks a TemplateConfig names, each of which must exist."""
    found, missing = find_watermarks(uow, account_id, ids)
    for watermark_id in missing:
        raise InvalidParameter(
            "TemplateConfig.WatermarkIds", f"watermark {watermark_id} does not exist"
        )
    return found


def applied_ids(uow: UnitOfWork, account_id: str, ids: tuple[str, ...]) -> set[str]:
    """The ids a template applies, the default watermark's own id included."""
    found, _ = find_watermarks(uow, account_id, ids)
    return set(ids) | {watermark.id for watermark in found}


def plan_layers(
    uow: UnitOfWork,
    uploads: UploadPolicy,
    account_id: str,
    ids: tuple[str, ...],
    overrides: Mapping[str, WatermarkOverride],
) -> tuple[PlannedLayer, ...]:
    """What a job draws: its watermarks with the request's Content and FileUrl overrides.

    A watermark deleted since the job was submitted fails it (WatermarkNotFound).
    """
    # Here, not at the top: a stored watermark's upload rules (accounts, uploads, hashlib) are
    # for jobs; `dynimg render` assembles local files and should not import them at start-up.
    from dynimg.services.watermarks import uploaded_key

    found, missing = find_watermarks(uow, account_id, ids)
    for watermark_id in missing:
        raise WatermarkNotFound(f"Watermark {watermark_id} no longer exists.")
    layers = []
    for watermark in found:
        override = overrides.get(watermark.id)
        layer = planned(watermark)
        if layer.image is not None and override is not None and override.file_url:
            key = uploaded_key(uow, uploads, account_id, override.file_url)
            layer = PlannedLayer(layer.watermark_id, layer.config, key)
        layers.append(layer)
    return tuple(with_override(layer, overrides.get(layer.watermark_id)) for layer in layers)


def planned(watermark: Watermark) -> PlannedLayer:
    """A stored watermark as drawn without overrides."""
    from dynimg.domain.watermarks import WatermarkType  # a job's stored watermark: see plan_layers

    image = watermark.storage_key if watermark.type is WatermarkType.IMAGE else None
    return PlannedLayer(watermark.id, watermark.config, image)


def assemble(
    config: DynamicImageTemplateConfig,
    layers: Iterable[PlannedLayer],
    files: ExitStack,
    open_file: FileOpener,
) -> RenderSpec:
    """The RenderSpec, each watermark image opened with ``open_file`` until ``files`` closes.

    Call it once the unit of work that planned the layers has closed.
    """
    return RenderSpec(
        config,
        tuple(
            WatermarkLayer(
                layer.watermark_id,
                layer.config,
                None if layer.image is None else files.enter_context(open_file(layer.image)),
            )
            for layer in layers
        ),
    )


def with_override(layer: PlannedLayer, override: WatermarkOverride | None) -> PlannedLayer:
    """The layer with the request's new Content (a text watermark's); a new FileUrl is the
    planner's to resolve, as it names a file."""
    drawn = apply_override(WatermarkLayer(layer.watermark_id, layer.config), override)
    return PlannedLayer(layer.watermark_id, drawn.config, layer.image)
