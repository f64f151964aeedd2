"""A booted app loads the optional components only when they are configured (docs/decisions.md,
"Optional components at boot"): Authlib for single sign-on, the Redis client for Redis."""
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BOOT = """
import json, sys
sys.path.insert(0, {root!r})
from config import TestingConfig
from inspect_app import create_app
app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI="sqlite:///{db}", INSTANCE_DIR={instance!r}, **{overrides!r})
print(json.dumps(sorted({{name.split(".")[0] for name in sys.modules}})))
"""


def _loaded(tmp_path: Path, **overrides) -> set[str]:
    code = BOOT.format(root=str(ROOT), db=tmp_path / "boot.db", instance=str(tmp_path), overrides=overrides)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def test_without_their_settings_authlib_and_redis_are_not_imported(tmp_path):
    loaded = _loaded(tmp_path)
    assert "inspect_app" in loaded and "flask" in loaded
    assert not loaded & {"authlib", "redis", "boto3"}


def test_with_their_settings_they_are(tmp_path):
    loaded = _loaded(tmp_path, OIDC_ISSUER="https://login.example.test", OIDC_CLIENT_ID="wsi",
                     REDIS_URL="redis://127.0.0.1:1/0")
    assert {"authlib", "redis"} <= loaded
