"""Photos in S3-compatible object storage: the storage is built from S3_* variables by the same
function the settings use, and talks to a local moto server standing in for MinIO, OSS or COS."""

from __future__ import annotations

import hashlib
import importlib.util
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from moto.server import ThreadedMotoServer

from chuangcheng.core.storage_config import file_storage
from chuangcheng.evidence import services
from chuangcheng.evidence.models import Photo
from chuangcheng.evidence.services import accept_photo, regenerate_derivatives
from chuangcheng.evidence.views import photo_response
from tests.conftest import stored_files
from tests.evidence.conftest import encoded, halves, jpeg

BUCKET = "chuangcheng-evidence"
KEYS = {"S3_ACCESS_KEY": "test-access", "S3_SECRET_KEY": "test-secret", "S3_REGION": "us-east-1"}


@dataclass
class Bucket:
    client: Any
    prefix: str

    def keys(self) -> set[str]:
        listing = self.client.list_objects_v2(Bucket=BUCKET, Prefix=self.prefix + "/")
        return {item["Key"] for item in listing.get("Contents", [])}

    def key(self, name: str) -> str:
        return f"{self.prefix}/{name}"

    def read(self, name: str) -> bytes:
        return bytes(self.client.get_object(Bucket=BUCKET, Key=self.key(name))["Body"].read())


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    """A moto S3 server on the loopback interface, with one empty bucket."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    client(url).create_bucket(Bucket=BUCKET)
    yield url
    server.stop()


def client(url: str) -> Any:
    return boto3.client("s3", endpoint_url=url, region_name=KEYS["S3_REGION"],
                        aws_access_key_id=KEYS["S3_ACCESS_KEY"], aws_secret_access_key=KEYS["S3_SECRET_KEY"])


@pytest.fixture
def bucket(settings: Any, endpoint: str) -> Bucket:
    """The default storage switched to the bucket, each test under its own prefix."""
    prefix = f"run-{uuid.uuid4().hex[:12]}"
    env = {"S3_BUCKET": BUCKET, "S3_ENDPOINT_URL": endpoint, "S3_PREFIX": f"/{prefix}/", **KEYS}
    # Changing STORAGES sends setting_changed, which makes Django drop the storage it had built.
    settings.STORAGES = {**settings.STORAGES, "default": file_storage(env)}
    return Bucket(client(endpoint), prefix)


def names(photo: Photo) -> list[str]:
    return [photo.original.name or "", photo.display.name or "", photo.thumbnail.name or ""]


def body(response: Any) -> bytes:
    return b"".join(response.streaming_content)


def test_an_accepted_photo_is_stored_in_the_bucket_under_the_prefix(db: None, bucket: Bucket, media: Path) -> None:
    data = jpeg()
    photo = accept_photo(data, filename="IMG_0001.JPG", by=None)
    photo.refresh_from_db()
    digest = hashlib.sha256(data).hexdigest()
    assert re.fullmatch(rf"evidence/\d{{4}}/\d{{2}}/{digest}\.jpg", photo.original.name or "")
    folder = (photo.original.name or "").rsplit("/", 1)[0]
    assert names(photo) == [f"{folder}/{digest}.jpg", f"{folder}/{digest}-display.jpg", f"{folder}/{digest}-thumb.jpg"]
    assert bucket.keys() == {bucket.key(name) for name in names(photo)}
    assert bucket.read(photo.original.name or "") == data
    assert hashlib.sha256(bucket.read(photo.original.name or "")).hexdigest() == photo.sha256 == digest
    assert bucket.read(photo.thumbnail.name or "")[:2] == b"\xff\xd8"
    assert stored_files(media) == []


def test_the_pages_stream_each_version_from_the_bucket(db: None, bucket: Bucket) -> None:
    data = encoded(halves(), "PNG")
    photo = accept_photo(data, filename="a.png", by=None)
    display = photo_response(Photo.objects.get(pk=photo.pk), "display")
    assert display["Content-Type"] == "image/jpeg"
    assert body(display) == bucket.read(photo.display.name or "")
    assert body(photo_response(Photo.objects.get(pk=photo.pk), "original")) == data


def test_derived_versions_are_made_again_under_the_same_names(db: None, bucket: Bucket) -> None:
    photo = accept_photo(jpeg(), filename="a.jpg", by=None)
    before = names(photo)
    regenerate_derivatives(Photo.objects.get(pk=photo.pk))
    assert names(Photo.objects.get(pk=photo.pk)) == before
    assert bucket.keys() == {bucket.key(name) for name in before}

    bucket.client.delete_object(Bucket=BUCKET, Key=bucket.key(photo.thumbnail.name or ""))
    response = photo_response(Photo.objects.get(pk=photo.pk), "thumbnail")
    assert body(response) == bucket.read(photo.thumbnail.name or "")
    assert names(Photo.objects.get(pk=photo.pk)) == before


def test_a_refused_photo_leaves_nothing_in_the_bucket(db: None, bucket: Bucket) -> None:
    with pytest.raises(ValidationError):
        accept_photo(b"not a photo at all", filename="a.jpg", by=None)
    assert bucket.keys() == set()


def test_files_written_before_a_failure_are_removed_from_the_bucket(
        db: None, bucket: Bucket, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(**kwargs: Any) -> None:
        raise RuntimeError("the audit table is gone")

    monkeypatch.setattr(services.audit, "record", broken)
    with pytest.raises(RuntimeError):
        accept_photo(jpeg(), filename="a.jpg", by=None)
    assert bucket.keys() == set() and not Photo.objects.exists()


def test_the_same_photo_sent_twice_at_once_keeps_the_first_ones_files(
        db: None, bucket: Bucket, monkeypatch: pytest.MonkeyPatch) -> None:
    """A phone retrying an upload: the second request misses the first's row, writes the same
    names, loses on the unique SHA-256 and removes what it wrote, which must not be the first's files."""
    data = jpeg()
    first = accept_photo(data, filename="a.jpg", by=None)
    monkeypatch.setattr(Photo.objects, "filter", lambda **kwargs: Photo.objects.none())
    second = accept_photo(data, filename="a.jpg", by=None)
    assert second.pk == first.pk
    assert bucket.keys() == {bucket.key(name) for name in names(first)}
    assert bucket.read(first.original.name or "") == data
    assert body(photo_response(Photo.objects.get(pk=first.pk), "display"))[:2] == b"\xff\xd8"


def test_without_a_bucket_files_stay_on_the_local_disk() -> None:
    assert file_storage({}) == {"BACKEND": "chuangcheng.core.files.AtomicFileSystemStorage"}
    assert file_storage({"S3_BUCKET": " ", "S3_ENDPOINT_URL": "http://minio:9000"})["BACKEND"].endswith(
        "FileSystemStorage")


def test_the_settings_module_reads_the_s3_variables(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHUANGCHENG_HOME", str(tmp_path))
    monkeypatch.setenv("S3_BUCKET", "cc-photos")
    monkeypatch.setenv("S3_ENDPOINT_URL", "https://oss-cn-huhehaote.aliyuncs.com")
    monkeypatch.setenv("S3_ADDRESSING_STYLE", "virtual")
    path = Path(services.__file__).parents[1] / "settings.py"
    spec = importlib.util.spec_from_file_location("settings_with_s3", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    default = module.STORAGES["default"]
    assert default["BACKEND"] == "storages.backends.s3.S3Storage"
    options = default["OPTIONS"]
    assert options["bucket_name"] == "cc-photos" and options["location"] == "chuangcheng"
    assert options["endpoint_url"] == "https://oss-cn-huhehaote.aliyuncs.com"
    assert options["client_config"].s3 == {"addressing_style": "virtual"}
    assert options["default_acl"] is None and options["querystring_auth"] is True
    assert "access_key" not in options
    # Static files stay on the local disk (collected into the data directory), photos go to S3.
    assert module.STORAGES["staticfiles"] == {"BACKEND": "chuangcheng.core.staticfiles.CollectedStaticStorage"}


def test_an_endpoint_means_path_style_addressing_unless_told_otherwise() -> None:
    minio = file_storage({"S3_BUCKET": "b", "S3_ENDPOINT_URL": "http://127.0.0.1:9000"})["OPTIONS"]
    aws = file_storage({"S3_BUCKET": "b", "S3_REGION": "cn-north-1"})["OPTIONS"]
    assert minio["client_config"].s3 == {"addressing_style": "path"}
    assert minio["client_config"].request_checksum_calculation == "when_required"
    assert aws["client_config"].s3 == {"addressing_style": "auto"} and "endpoint_url" not in aws
    assert aws["region_name"] == "cn-north-1"


@pytest.mark.parametrize("env", [
    {"S3_BUCKET": "b", "S3_ADDRESSING_STYLE": "sideways"},
    {"S3_BUCKET": "b", "S3_ACCESS_KEY": "only-the-key"},
    {"S3_BUCKET": "b", "S3_SECRET_KEY": "only-the-secret"},
])
def test_a_half_configured_bucket_stops_the_start(env: dict[str, str]) -> None:
    with pytest.raises(ImproperlyConfigured):
        file_storage(env)
