"""`chuangcheng backup`, `restore` and `export`: a round trip into a new installation (the database
the suite runs on: SQLite, or PostgreSQL when DATABASE_URL points at it), refusals that change
nothing, and an export without secrets.

The backup is made in this process from the test database; restores into another installation
run `chuangcheng` in a subprocess with its own data directory and database, as an operator would.
Backups read a consistent snapshot in a transaction of their own, so these tests are transactional;
they put the rows migrations wrote back before (and after) they run, as a flush removes them."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tarfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from moto.server import ThreadedMotoServer

from chuangcheng.core.backup import BackupError, make_backup, restore_backup, table_counts
from chuangcheng.evidence.services import accept_photo
from chuangcheng.notify.models import Webhook
from chuangcheng.org.models import User
from chuangcheng.org.services import create_api_token
from tests.conftest import PASSWORD, Cast, stored_files
from tests.demo_db import TableCopy
from tests.evidence.conftest import halves, jpeg

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module", autouse=True)
def migrated_rows_back_afterwards(django_db_setup: TableCopy, django_db_blocker: Any) -> Iterator[None]:
    """The tests after these find the catalogue, categories and holidays that migrations wrote."""
    yield
    with django_db_blocker.unblock():
        django_db_setup.restore()


@pytest.fixture(autouse=True)
def migrated_rows(django_db_setup: TableCopy, django_db_blocker: Any) -> None:
    """The rows migrations wrote, as a real installation has them (a transactional test flushed them)."""
    with django_db_blocker.unblock():
        django_db_setup.restore()


@pytest.fixture
def campaign(migrated_rows: None, media: Path, cast: Cast) -> dict[str, Any]:
    """Regions, users (one signed in, one in a group, one with an API token), a group robot and photos."""
    cast.street_admin.set_password(PASSWORD)
    cast.street_admin.save()
    Group.objects.create(name="督查组").user_set.add(cast.leader)
    token, _key = create_api_token(cast.grid_worker_a, name="手机")
    Webhook.objects.create(name="甲一网格工作群", kind=Webhook.Kind.DINGTALK, region=cast.grid_a,
                           url="https://oapi.dingtalk.com/robot/send?access_token=robotkey123",
                           secret="SECsigning456")
    photos = [accept_photo(jpeg(halves((320 + 16 * n, 200))), filename=f"{n}.jpg", by=cast.grid_worker_a)
              for n in range(3)]
    client = Client()
    client.force_login(cast.street_admin)
    from chuangcheng.notify.courier import courier

    assert courier.wait_idle(15)  # nothing is still being written by the delivery thread
    return {"cast": cast, "token": token, "photos": photos, "session": client.session.session_key}


def run_chuangcheng(*args: str, home: Path, database_url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CHUANGCHENG_HOME": str(home), "DATABASE_URL": database_url,
           "DJANGO_SETTINGS_MODULE": "chuangcheng.settings", "LANGUAGE_CODE": "zh-hans"}
    env.pop("SECRET_KEY", None)
    env.pop("MEDIA_ROOT", None)
    return subprocess.run([sys.executable, "-m", "chuangcheng", *args], env=env, capture_output=True,  # noqa: S603
                          text=True, timeout=600, check=False)


@pytest.fixture
def new_database(tmp_path: Path) -> Iterator[str]:
    """The URL of a database nobody has used: a new SQLite file, or a new PostgreSQL database."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored' / 'chuangcheng.sqlite3'}"
        return
    import psycopg

    settings_dict = connection.settings_dict
    name = f"{settings_dict['NAME']}_restored"
    server = {"host": settings_dict["HOST"] or "127.0.0.1", "port": settings_dict["PORT"] or 5432,
              "user": settings_dict["USER"], "password": settings_dict["PASSWORD"] or None, "dbname": "postgres"}
    with psycopg.connect(**server, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    password = f":{settings_dict['PASSWORD']}" if settings_dict["PASSWORD"] else ""
    yield f"postgres://{settings_dict['USER']}{password}@{server['host']}:{server['port']}/{name}"
    with psycopg.connect(**server, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manifest_of(archive: Path) -> dict[str, Any]:
    with tarfile.open(archive) as tar:
        handle = tar.extractfile("manifest.json")
        assert handle is not None
        return json.load(handle)


def test_a_backup_restores_into_an_empty_installation_with_the_same_rows_photos_and_key(
    campaign: dict[str, Any], tmp_path: Path, new_database: str, settings: Any
) -> None:
    archive = tmp_path / "backup.tar"
    lines: list[str] = []
    manifest = make_backup(archive, progress=lines.append)

    assert manifest["database"] == connection.vendor
    assert manifest["tables"] == table_counts()
    assert manifest["tables"]["evidence_photo"] == 3 and manifest["tables"]["org_user_groups"] == 1
    originals = {p.original.name: p.sha256 for p in campaign["photos"]}
    assert originals.items() <= manifest["files"].items()  # a photo's name and SHA-256, as stored
    assert len(manifest["files"]) == len(stored_files(settings.MEDIA_ROOT)) == 9  # original, display, thumbnail
    assert any("快照" in line for line in lines)  # progress, in Chinese, on the way

    home = tmp_path / "restored"
    restored = run_chuangcheng("restore", str(archive), home=home, database_url=new_database)
    assert restored.returncode == 0, restored.stderr
    assert "校验" in restored.stderr

    # The new installation backed up again: the same rows, files and key as the first.
    again = run_chuangcheng("backup", "-o", str(tmp_path / "again.tar"), home=home, database_url=new_database)
    assert again.returncode == 0, again.stderr
    second = manifest_of(tmp_path / "again.tar")
    assert second["tables"] == manifest["tables"]
    assert second["files"] == manifest["files"]
    assert second["migrations"] == manifest["migrations"]
    rows = {name: m["sha256"] for name, m in manifest["members"].items() if name.startswith("db/")}
    assert {name: m["sha256"] for name, m in second["members"].items() if name.startswith("db/")} == rows
    assert (home / "secret_key").read_text() == settings.SECRET_KEY
    assert {p.relative_to(home / "media").as_posix() for p in stored_files(home / "media")} == set(manifest["files"])


def test_rows_written_while_the_backup_runs_are_not_half_in_it(campaign: dict[str, Any], tmp_path: Path) -> None:
    """The app keeps serving during a backup: a group robot added by another connection after the
    backup began is in neither the counts nor the rows, and the table's rows match its count."""
    calls: list[str] = []

    def serve_meanwhile() -> None:
        try:
            Webhook.objects.create(name="乙一网格新群", kind=Webhook.Kind.WECOM, region=campaign["cast"].grid_b,
                                   url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=new")
        finally:
            connection.close()

    def progress(line: str) -> None:
        calls.append(line)
        if len(calls) == 2:  # after the first tables, before most
            writer = threading.Thread(target=serve_meanwhile)
            writer.start()
            writer.join()

    archive = tmp_path / "backup.tar"
    before = table_counts()
    manifest = make_backup(archive, progress=progress)

    assert Webhook.objects.filter(name="乙一网格新群").exists()  # the write went through meanwhile
    members = [name for name in manifest["members"] if name.startswith("db/")]
    assert members.index("db/notify.webhook.jsonl") > 10  # dumped after the write
    assert manifest["tables"] == before
    with tarfile.open(archive) as tar:
        robots = tar.extractfile("db/notify.webhook.jsonl")
        assert robots is not None
        text = robots.read().decode()
    assert "甲一网格工作群" in text and "乙一网格新群" not in text
    assert len(text.splitlines()) == manifest["members"]["db/notify.webhook.jsonl"]["rows"] == 1


def test_restore_refuses_a_database_that_is_not_empty_and_changes_nothing(
    campaign: dict[str, Any], tmp_path: Path, settings: Any
) -> None:
    archive = tmp_path / "backup.tar"
    make_backup(archive)
    before = table_counts()
    settings.MEDIA_ROOT = tmp_path / "new-media"  # an empty file store: the database is what refuses

    with pytest.raises(BackupError, match="数据库不是空的"):
        restore_backup(archive)

    assert table_counts() == before
    assert stored_files(settings.MEDIA_ROOT) == []


def test_restore_refuses_a_data_directory_with_files_in_it(campaign: dict[str, Any], tmp_path: Path) -> None:
    archive = tmp_path / "backup.tar"
    make_backup(archive)
    home = tmp_path / "restored"
    (home / "media").mkdir(parents=True)
    (home / "media" / "left-behind.jpg").write_bytes(b"an old photo")

    refused = run_chuangcheng("restore", str(archive), home=home, database_url=f"sqlite:///{home / 'db.sqlite3'}")

    assert refused.returncode == 1
    assert "文件存储不是空的" in refused.stderr and "left-behind.jpg" in refused.stderr
    assert not (home / "db.sqlite3").exists()
    assert stored_files(home / "media") == [home / "media" / "left-behind.jpg"]


def test_restore_refuses_a_tampered_archive_before_writing_anything(
    campaign: dict[str, Any], tmp_path: Path
) -> None:
    archive = tmp_path / "backup.tar"
    make_backup(archive)
    photo = "files/" + campaign["photos"][0].original.name
    with tarfile.open(archive) as tar:
        offset = tar.getmember(photo).offset_data
    data = bytearray(archive.read_bytes())
    data[offset + 200] ^= 0xFF  # one byte of the photo, inside the archive
    archive.write_bytes(bytes(data))
    home = tmp_path / "restored"

    refused = run_chuangcheng("restore", str(archive), home=home, database_url=f"sqlite:///{home / 'db.sqlite3'}")

    assert refused.returncode == 1
    assert photo in refused.stderr and "校验和不符" in refused.stderr
    assert not (home / "db.sqlite3").exists()
    assert stored_files(home / "media") == []


def test_restore_refuses_an_archive_from_another_migration_state(campaign: dict[str, Any], tmp_path: Path) -> None:
    made = tmp_path / "backup.tar"
    manifest = make_backup(made)
    manifest["migrations"].append("cases.9999_from_a_later_version")
    archive = tmp_path / "later.tar"
    with tarfile.open(made) as source, tarfile.open(archive, "w") as target:
        for info in source:
            if info.name == "manifest.json":
                data = json.dumps(manifest).encode()
                info.size = len(data)
                target.addfile(info, io.BytesIO(data))
            else:
                target.addfile(info, source.extractfile(info))
    home = tmp_path / "restored"

    refused = run_chuangcheng("restore", str(archive), home=home, database_url=f"sqlite:///{home / 'db.sqlite3'}")

    assert refused.returncode == 1
    assert "迁移状态不同" in refused.stderr and manifest["version"] in refused.stderr
    assert stored_files(home / "media") == []


def test_a_cut_off_archive_is_refused(campaign: dict[str, Any], tmp_path: Path, settings: Any) -> None:
    archive = tmp_path / "backup.tar"
    make_backup(archive)
    archive.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])  # a copy that broke off
    settings.MEDIA_ROOT = tmp_path / "new-media"

    with pytest.raises(BackupError, match="备份文件"):
        restore_backup(archive)

    assert stored_files(settings.MEDIA_ROOT) == []


def test_an_archive_with_a_part_its_manifest_does_not_list_is_refused(
    campaign: dict[str, Any], tmp_path: Path
) -> None:
    archive = tmp_path / "backup.tar"
    make_backup(archive)
    extra = tmp_path / "extra.txt"
    extra.write_text("x")
    with tarfile.open(archive, "a") as tar:
        tar.add(extra, arcname="files/extra.txt")

    with pytest.raises(BackupError, match="files/extra.txt"):
        restore_backup(archive)


def test_the_export_holds_the_campaign_without_password_hashes_sessions_or_keys(
    campaign: dict[str, Any], tmp_path: Path
) -> None:
    target = tmp_path / "export.jsonl"
    call_command("export", "-o", str(target))

    text = target.read_text(encoding="utf-8")
    header, *rows = [json.loads(line) for line in text.splitlines()]
    admin = User.objects.get(username="street_admin")
    assert admin.password and admin.password not in text
    assert "sessions.session" in header["left_out_tables"] and "password" in header["left_out_fields"]["org.user"]
    assert campaign["session"] not in text
    assert campaign["token"].key_hash not in text
    assert "robotkey123" not in text and "SECsigning456" not in text
    models = {row["model"] for row in rows}
    assert {"org.user", "org.region", "evidence.photo", "notify.webhook"} <= models
    assert not models & {"sessions.session", "org.apitoken"}
    [exported_admin] = [row for row in rows
                        if row["model"] == "org.user" and row["fields"]["username"] == "street_admin"]
    assert "password" not in exported_admin["fields"]
    assert not [row for row in rows if "key_hash" in row["fields"] or row["fields"].get("device")]
    assert {row["fields"]["sha256"] for row in rows if row["model"] == "evidence.photo"} == {
        p.sha256 for p in campaign["photos"]
    }


def test_a_backup_is_copied_to_an_s3_bucket_when_asked(
    campaign: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Against a moto S3 server on the loopback interface, reached with the photo storage's S3_* settings."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        keys = {"S3_ENDPOINT_URL": f"http://{host}:{port}", "S3_REGION": "us-east-1",
                "S3_ACCESS_KEY": "test-access", "S3_SECRET_KEY": "test-secret"}
        for name, value in keys.items():
            monkeypatch.setenv(name, value)
        s3 = boto3.client("s3", endpoint_url=keys["S3_ENDPOINT_URL"], region_name="us-east-1",
                          aws_access_key_id="test-access", aws_secret_access_key="test-secret")
        s3.create_bucket(Bucket="chuangcheng-backups")
        archive = tmp_path / "nightly.tar"

        call_command("backup", "-o", str(archive), "--s3", "s3://chuangcheng-backups/guangming/")

        copy = s3.get_object(Bucket="chuangcheng-backups", Key="guangming/nightly.tar")["Body"].read()
        assert copy == archive.read_bytes()
        with pytest.raises(CommandError, match="S3"):
            call_command("backup", "-o", str(tmp_path / "other.tar"), "--s3", "chuangcheng-backups/guangming")
        assert not (tmp_path / "other.tar").exists()  # refused before any work
    finally:
        server.stop()
