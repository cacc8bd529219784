"""Where uploaded files live, read from the environment: the local data directory by default,
S3-compatible object storage (AWS S3, MinIO, 阿里云 OSS, 腾讯云 COS …) through django-storages when
`S3_BUCKET` is set. Settings and tests build the storage from the same function."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ImproperlyConfigured

# Django's file system storage, writing each file under a temporary name first (chuangcheng.core.files).
LOCAL = {"BACKEND": "chuangcheng.core.files.AtomicFileSystemStorage"}
S3_BACKEND = "storages.backends.s3.S3Storage"
ADDRESSING_STYLES = {"path", "virtual", "auto"}


def file_storage(env: Mapping[str, str]) -> dict[str, Any]:
    """The STORAGES["default"] entry for this environment (`os.environ` in settings)."""
    bucket = env.get("S3_BUCKET", "").strip()
    if not bucket:
        return dict(LOCAL)
    endpoint = env.get("S3_ENDPOINT_URL", "").strip()
    style = env.get("S3_ADDRESSING_STYLE", "").strip().lower() or ("path" if endpoint else "auto")
    if style not in ADDRESSING_STYLES:
        raise ImproperlyConfigured(f"S3_ADDRESSING_STYLE must be path, virtual or auto, got {style!r}")
    access_key = env.get("S3_ACCESS_KEY", "").strip()
    secret_key = env.get("S3_SECRET_KEY", "").strip()
    if bool(access_key) != bool(secret_key):
        raise ImproperlyConfigured("S3_ACCESS_KEY and S3_SECRET_KEY are set together or not at all")
    options: dict[str, Any] = {
        "bucket_name": bucket,
        "location": env.get("S3_PREFIX", "chuangcheng").strip().strip("/"),
        # Photos are evidence, never public objects: no ACL header (the bucket's own private
        # default applies, and buckets with ACLs disabled accept the upload), and any URL the
        # storage makes is signed and expires. The pages serve photos themselves after checking
        # who is asking, so such URLs are not handed out anyway.
        "default_acl": None,
        "querystring_auth": True,
        # Not overwriting: a name already taken gets a suffix, as on the local disk. Originals are
        # named by their SHA-256, so overwriting would rewrite identical bytes, but when the same
        # photo is sent twice at once the request that loses the race deletes the files it wrote;
        # with overwriting those would be the winner's files. Derived versions are deleted before
        # they are regenerated, so they keep their names. The cost is one HEAD request per file.
        "file_overwrite": False,
        "client_config": _client_config(style, third_party=bool(endpoint)),
    }
    if endpoint:
        options["endpoint_url"] = endpoint
    region = env.get("S3_REGION", "").strip()
    if region:
        options["region_name"] = region
    if access_key:
        # Without keys boto3 looks in its usual places (AWS_* variables, an instance role).
        options["access_key"], options["secret_key"] = access_key, secret_key
    return {"BACKEND": S3_BACKEND, "OPTIONS": options}


def _client_config(style: str, *, third_party: bool) -> Any:
    try:
        from botocore.config import Config  # type: ignore[import-untyped]
    except ImportError as exc:  # pragma: no cover - depends on the installed extras
        raise ImproperlyConfigured("S3_BUCKET is set: install the s3 extra (pip install 'chuangcheng[s3]')") from exc
    extra: dict[str, str] = {}
    if third_party:
        # Recent botocore adds CRC checksums (aws-chunked uploads) to every request by default;
        # several S3-compatible services refuse them. Send checksums only where S3 requires them.
        extra = {"request_checksum_calculation": "when_required", "response_checksum_validation": "when_required"}
    return Config(s3={"addressing_style": style}, signature_version="s3v4", **extra)
