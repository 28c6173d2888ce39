"""Reading settings from environment variables: each from ``<PREFIX><NAME>`` or from the file
``<PREFIX><NAME>_FILE`` names (Docker and Kubernetes mount secrets as files)."""

from __future__ import annotations

from collections.abc import Container, Mapping
from pathlib import Path

ENV_PREFIX = "DYNIMG_"
FILE_SUFFIX = "_file"


def environment_values(
    environ: Mapping[str, str], prefix: str, fields: Container[str]
) -> tuple[dict[str, str], list[str]]:
    """Each field's raw value, from its variable or its ``_FILE`` variant, and the problems
    (a value given both ways, an unreadable file). Unknown names are kept for the caller's
    validation to report."""
    values: dict[str, str] = {}
    problems: list[str] = []
    for key, value in environ.items():
        if not key.startswith(prefix) or value == "":
            continue
        name = key[len(prefix) :].lower()
        field = name.removesuffix(FILE_SUFFIX)
        if field == name or name in fields or field not in fields:
            values[name] = value
        elif environ.get(prefix + field.upper()):
            problems.append(f"{key}: set {prefix}{field.upper()} or {key}, not both")
        else:
            try:
                values[field] = _read_value_file(Path(value))
            except ValueError as exc:
                problems.append(f"{key}: {exc}")
    return values, problems


def _read_value_file(path: Path) -> str:
    try:
        text = path.read_text(encoding="utf-8").rstrip("\r\n")
    except OSError as exc:
        raise ValueError(f"cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ValueError(f"{path} is not UTF-8 text") from None
    if not text:
        raise ValueError(f"{path} is empty")
    return text
