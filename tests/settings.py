"""Test settings: the project's settings with a throw-away data directory, so tests never touch
a real installation's database, secret or uploaded files."""

import os
import tempfile

os.environ.setdefault("CHUANGCHENG_HOME", tempfile.mkdtemp(prefix="chuangcheng-test-"))

from chuangcheng.settings import *  # noqa: E402, F403

# Argon2 is what production uses (see chuangcheng.settings); tests hash thousands of times.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
