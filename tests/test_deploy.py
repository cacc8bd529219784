"""The documented deployment (deploy/compose.yaml, the Dockerfile, nginx and systemd files), checked
against the code: no container registry is reachable from this machine, so the image is not built
here; instead every setting the files give must be one the application reads, the topology must be
the one docs/deploy describes (one-off migrate, app servers that never migrate, one worker with
beat, nginx believed as the only proxy), and the limits must agree with the application's."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.conf import settings

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
# Read by the processes or their libraries rather than by settings.py.
READ_ELSEWHERE = {"DJANGO_SETTINGS_MODULE", "PROMETHEUS_MULTIPROC_DIR"}


def setting_names() -> set[str]:
    """Every environment variable settings.py (and the storage settings it calls) reads."""
    text = (ROOT / "src/chuangcheng/settings.py").read_text(encoding="utf-8")
    text += (ROOT / "src/chuangcheng/core/storage_config.py").read_text(encoding="utf-8")
    names = set(re.findall(r'env_[a-z_]+\(\s*"([A-Z][A-Z0-9_]*)"', text))
    names |= set(re.findall(r'environ(?:\.get\(|\[)\s*"([A-Z][A-Z0-9_]*)"', text))
    names |= set(re.findall(r'\.get\("([A-Z][A-Z0-9_]*)"', text))
    return names | READ_ELSEWHERE


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))


def app_services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: svc for name, svc in compose["services"].items() if svc.get("image") == "chuangcheng:latest"}


def env_file(path: Path) -> dict[str, str]:
    pairs = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            pairs[name.strip()] = value.strip()
    return pairs


def test_the_compose_file_has_the_whole_topology(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert {"postgres", "redis", "minio", "minio-init", "migrate", "web1", "web2", "worker", "nginx"} <= set(services)
    assert set(app_services(compose)) == {"migrate", "web1", "web2", "worker"}


def test_every_setting_the_deployment_gives_is_one_the_application_reads(compose: dict[str, Any]) -> None:
    known = setting_names()
    given = set()
    for svc in app_services(compose).values():
        given |= set(svc["environment"])
    given |= set(env_file(DEPLOY / "chuangcheng.env.example"))
    assert sorted(given - known) == []
    # And the ones a production server cannot do without are given.
    assert {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS", "S3_BUCKET",
            "BEHIND_PROXY", "TRUSTED_PROXIES", "HTTPS"} <= given


def test_migrations_run_once_before_the_app_servers_which_never_migrate(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert services["migrate"]["command"][:2] == ["chuangcheng", "migrate"]
    assert services["migrate"]["restart"] == "no"
    for name in ("web1", "web2"):
        command = services[name]["command"]
        assert command[:2] == ["chuangcheng", "serve"] and "--no-migrate" in command
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["worker"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_exactly_one_process_runs_the_schedule(compose: dict[str, Any]) -> None:
    with_beat = [name for name, svc in app_services(compose).items() if "--beat" in svc["command"]]
    assert with_beat == ["worker"]
    assert compose["services"]["worker"]["command"][:2] == ["chuangcheng", "worker"]


def test_nginx_is_the_only_proxy_the_app_servers_believe(compose: dict[str, Any]) -> None:
    nginx_address = compose["services"]["nginx"]["networks"]["backend"]["ipv4_address"]
    for name in ("web1", "web2", "worker", "migrate"):
        environment = compose["services"][name]["environment"]
        assert environment["BEHIND_PROXY"] == "true"
        assert environment["TRUSTED_PROXIES"] == nginx_address


def test_nginx_passes_the_client_and_takes_the_largest_form() -> None:
    conf = (DEPLOY / "nginx/chuangcheng.conf").read_text(encoding="utf-8")
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in conf
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in conf
    assert "proxy_set_header X-Request-ID $request_id;" in conf
    body = re.search(r"client_max_body_size (\d+)m;", conf)
    assert body and int(body.group(1)) * 1024 * 1024 >= 4 * settings.PHOTO_MAX_BYTES
    assert re.search(r"server web1:8000", conf) and re.search(r"server web2:8000", conf)
    # Readiness and metrics stay on the monitoring network.
    for location in ("/readyz", "/metrics"):
        block = conf.split(f"location = {location}", 1)[1].split("}", 1)[0]
        assert "deny all;" in block


def test_the_image_runs_as_an_unprivileged_user_from_the_built_package() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    users = re.findall(r"^USER (\S+)", dockerfile, flags=re.MULTILINE)
    assert users and users[-1] not in {"root", "0"}
    assert "pip wheel" in dockerfile and "chuangcheng-*.whl" in dockerfile
    assert "COPY src" not in dockerfile.split("FROM", 2)[2]  # the final stage has no source tree
    assert "--no-migrate" in dockerfile


def test_the_systemd_units_migrate_once_and_serve_without_migrating() -> None:
    units = DEPLOY / "systemd"
    migrate = (units / "chuangcheng-migrate.service").read_text(encoding="utf-8")
    web = (units / "chuangcheng-web.service").read_text(encoding="utf-8")
    worker = (units / "chuangcheng-worker.service").read_text(encoding="utf-8")
    assert "Type=oneshot" in migrate and "chuangcheng migrate" in migrate
    assert "Requires=chuangcheng-migrate.service" in web and "--no-migrate" in web
    assert "worker --beat" in worker
    for unit in (migrate, web, worker):
        assert "User=chuangcheng" in unit and "EnvironmentFile=/etc/chuangcheng/chuangcheng.env" in unit
