"""Real servers on real databases, for the reliability tests and ``bench/soak.py``.

Nothing here is mocked:

* ``FreshDatabase`` — a new database of its own: a SQLite file in a temporary directory, or,
  when ``DATABASE_URL`` points to PostgreSQL, a uniquely named database (``aftersales_<label>_
  <pid>_<random>``) created and dropped on that server through psycopg. ``manage.py migrate``
  and every other command run as subprocesses with ``DATABASE_URL`` set to it.
* ``Server`` — gunicorn (``config.wsgi``, 2 sync workers, production settings) in its own
  process group, listening on a loopback socket this process opened on a free port (port 0)
  and hands over as ``fd://N``: no port race with other test runs, and the socket outlives a
  ``kill -9`` of the server, so connections made while it is down wait for the restart.
* ``Http`` — one keep-alive HTTP/1.1 connection (stdlib ``http.client``); a request that gets
  no answer (reset, refused, timeout) returns status ``None``.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


def postgres_server_url() -> str | None:
    """``DATABASE_URL`` when it names a PostgreSQL database (the CI's second pass), else None."""
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


class FreshDatabase:
    """A database of its own, migrated by subprocess; dropped (PostgreSQL) on exit."""

    def __init__(self, label: str, workdir: Path, *, postgres_url: str | None | bool = True):
        self.workdir = Path(workdir)
        self.var_dir = self.workdir / "var"
        self.var_dir.mkdir(parents=True, exist_ok=True)
        pg = postgres_server_url() if postgres_url is True else (postgres_url or None)
        self.vendor = "postgresql" if pg else "sqlite"
        self.name = f"aftersales_{label}_{os.getpid()}_{secrets.token_hex(3)}"
        if pg:
            parts = urlsplit(pg)
            self.admin_url = urlunsplit(parts._replace(path="/postgres"))
            self.url = urlunsplit(parts._replace(path="/" + self.name))
            self.path = None
        else:
            self.admin_url = None
            self.path = self.workdir / f"{self.name}.sqlite3"
            self.url = f"sqlite:///{self.path}"
        self._created = False

    # -- lifecycle ---------------------------------------------------------------------------

    def create(self) -> FreshDatabase:
        if self.vendor == "postgresql":
            import psycopg
            from psycopg import sql

            with psycopg.connect(self.admin_url, autocommit=True) as conn:
                conn.execute(
                    sql.SQL("CREATE DATABASE {} ENCODING 'UTF8' TEMPLATE template0").format(sql.Identifier(self.name))
                )
        self._created = True
        return self

    def drop(self) -> None:
        if not self._created:
            return
        self._created = False
        if self.vendor == "postgresql":
            import psycopg
            from psycopg import sql

            with psycopg.connect(self.admin_url, autocommit=True) as conn:
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(self.name)))

    def __enter__(self) -> FreshDatabase:
        return self.create()

    def __exit__(self, *exc) -> None:
        self.drop()

    # -- subprocesses ------------------------------------------------------------------------

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings.base",  # what production serves
            DATABASE_URL=self.url,
            AFTERSALES_VAR_DIR=str(self.var_dir),
            AFTERSALES_MEDIA_ROOT=str(self.var_dir / "media"),
            DJANGO_SECRET_KEY="reliability-tests-only",
            DJANGO_DEBUG="0",
            DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
            LOG_LEVEL="WARNING",
            PYTHONUNBUFFERED="1",
        )
        env.update(extra)
        return env

    def run(self, *args: str, timeout: float = 600) -> str:
        """``python <args>`` in the repository with this database; its stdout (raises on failure)."""
        done = subprocess.run(
            [sys.executable, *args], cwd=REPO, env=self.env(), capture_output=True, text=True, timeout=timeout
        )
        if done.returncode != 0:
            raise RuntimeError(
                f"{' '.join(args)} failed ({done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
            )
        return done.stdout

    def manage(self, *args: str, timeout: float = 600) -> str:
        return self.run("manage.py", *args, timeout=timeout)

    def migrate(self) -> None:
        self.manage("migrate", "--noinput", "-v0")

    def world(self, **options) -> dict:
        """Users, API tokens, console sessions and units for a test (``tests/reliability/world.py``)."""
        args = [f"--{k.replace('_', '-')}={v}" for k, v in options.items()]
        return json.loads(self.run("-m", "tests.reliability.world", *args).strip().splitlines()[-1])

    # -- reading it from the test process ------------------------------------------------------

    @contextlib.contextmanager
    def connect(self):
        """A plain DB-API connection (sqlite3 or psycopg), separate from Django's."""
        if self.vendor == "postgresql":
            import psycopg

            conn = psycopg.connect(self.url, autocommit=True)
        else:
            conn = sqlite3.connect(self.path, timeout=30)
        try:
            yield conn
        finally:
            conn.close()

    def rows(self, query: str, params=()) -> list[tuple]:
        """Rows of ``query`` (written with ``%s`` placeholders for both engines)."""
        if self.vendor == "sqlite":
            query = query.replace("%s", "?")
        with self.connect() as conn:
            cur = conn.cursor()
            cur.execute(query, tuple(params))
            return list(cur.fetchall())


def children_of(pid: int) -> list[int]:
    """Processes whose parent is ``pid`` (gunicorn's workers of a master)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        # "pid (comm) state ppid ...": comm may hold spaces, so split after the last ")"
        if int(stat.rpartition(")")[2].split()[1]) == pid:
            found.append(int(entry))
    return sorted(found)


def rss_kb(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_SIZE // 1024
    except (OSError, IndexError, ValueError):
        return 0


def process_group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # zombies still count for killpg(…, 0): look for a live member
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if int(stat[2]) == pgid and stat[0] != "Z":
            return True
    return False


class Server:
    """gunicorn serving ``config.wsgi`` on this database, started, killed and restarted at will."""

    def __init__(self, db: FreshDatabase, *, workers: int = 2, timeout: int = 60, label: str = "server",
                 env: dict | None = None):  # fmt: skip
        self.db = db
        self.env = db.env(**(env or {}))
        self.workers = workers
        self.timeout = timeout
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(512)
        self.port = self.sock.getsockname()[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = db.workdir / f"gunicorn-{label}.log"
        self.proc: subprocess.Popen | None = None
        self.starts = 0

    def start(self, wait: float = 60) -> None:
        assert self.proc is None or self.proc.poll() is not None, "already running"
        fd = self.sock.fileno()
        cmd = [
            str(BIN / "gunicorn"), "config.wsgi", "-w", str(self.workers), "-b", f"fd://{fd}",
            "--timeout", str(self.timeout), "--graceful-timeout", "10", "--error-logfile", "-",
        ]  # fmt: skip
        with open(self.log_path, "a") as log:
            log.write(f"\n=== start #{self.starts + 1} at {time.strftime('%H:%M:%S')}\n")
            log.flush()
            self.proc = subprocess.Popen(
                cmd, cwd=REPO, env=self.env, pass_fds=(fd,), start_new_session=True, stdout=log,
                stderr=subprocess.STDOUT,
            )  # fmt: skip
        self.starts += 1
        deadline = time.monotonic() + wait
        probe = Http(self.base, timeout=5)
        try:
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"gunicorn exited with {self.proc.returncode}:\n{self.log_tail()}")
                if len(self.worker_pids()) >= self.workers and probe.get("/healthz").status == 200:
                    return
                time.sleep(0.1)
        finally:
            probe.close()
        self.kill()
        raise RuntimeError(f"gunicorn did not come up in {wait} s:\n{self.log_tail()}")

    def worker_pids(self) -> list[int]:
        return children_of(self.proc.pid) if self.proc and self.proc.poll() is None else []

    def worker_rss_kb(self) -> dict[int, int]:
        return {pid: rss_kb(pid) for pid in self.worker_pids()}

    def kill(self) -> None:
        """``kill -9`` the master and its workers at once (the whole process group)."""
        if self.proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        deadline = time.monotonic() + 10
        while process_group_alive(self.proc.pid) and time.monotonic() < deadline:
            time.sleep(0.05)

    def stop(self) -> None:
        """A graceful stop (SIGTERM), ``kill -9`` if it takes longer than 20 s."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            pass
        self.kill()

    def close(self) -> None:
        try:
            self.kill()
        finally:
            self.sock.close()

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log_path.read_text()[-chars:]
        except OSError:
            return ""

    def log_errors(self) -> list[str]:
        """Tracebacks and worker timeouts in the server's log (a 500 leaves a traceback there)."""
        return [
            line
            for line in self.log_tail(1_000_000).splitlines()
            if "Traceback" in line or "WORKER TIMEOUT" in line or "Internal Server Error" in line
        ]


@dataclass
class Answer:
    status: int | None
    body: bytes = b""
    headers: dict = field(default_factory=dict)
    error: str = ""
    seconds: float = 0.0

    def json(self):
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class Http:
    """One keep-alive connection to ``base``, with a bearer token or session cookies."""

    def __init__(self, base: str, *, token: str | None = None, cookies: dict | None = None, timeout: float = 30,
                 language: str = "en"):  # fmt: skip
        parts = urlsplit(base)
        self.host, self.port = parts.hostname, parts.port
        assert self.host in ("127.0.0.1", "localhost", "::1"), "loopback only"
        self.timeout = timeout
        self.headers = {"Accept-Language": language}
        if token:
            self.headers["Authorization"] = f"Bearer {token}"
        self.cookies = dict(cookies or {})
        self.conn: http.client.HTTPConnection | None = None

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def request(self, method: str, path: str, *, json_body=None, form: dict | None = None, headers=None,
                params: dict | None = None) -> Answer:  # fmt: skip
        if params:
            path = f"{path}?{urlencode(params, doseq=True)}"
        hdrs = {**self.headers, **(headers or {})}
        body = None
        if json_body is not None:
            body = json.dumps(json_body).encode()
            hdrs["Content-Type"] = "application/json"
        elif form is not None:
            body = urlencode(form, doseq=True).encode()
            hdrs["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            hdrs["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        t0 = time.perf_counter()
        try:
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            self.conn.request(method, path, body=body, headers=hdrs)
            response = self.conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as exc:
            self.close()
            return Answer(None, error=repr(exc), seconds=time.perf_counter() - t0)
        headers = {k.lower(): v for k, v in response.getheaders()}
        for raw in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(raw).items():
                self.cookies[name] = morsel.value
        if response.will_close:
            self.close()
        return Answer(response.status, data, headers, seconds=time.perf_counter() - t0)

    def get(self, path: str, **kw) -> Answer:
        return self.request("GET", path, **kw)

    def post(self, path: str, body=None, **kw) -> Answer:
        return self.request("POST", path, json_body=body, **kw)


class _Forms(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"action": a.get("action", ""), "method": a.get("method", "get").lower(), "fields": {}})
        elif not self.forms:
            return
        fields = self.forms[-1]["fields"]
        if tag == "input" and a.get("name"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            fields[a["name"]] = a.get("value") or ""
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
            fields.setdefault(a["name"], "")
        elif tag == "option" and self._select:
            if "selected" in a or not self.forms[-1]["fields"].get(self._select):
                fields[self._select] = a.get("value", "")
        elif tag == "textarea" and a.get("name"):
            self._textarea = a["name"]
            fields[a["name"]] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea and self.forms:
            self.forms[-1]["fields"][self._textarea] += data


def forms_in(html: str) -> list[dict]:
    """The forms of a page: ``{"action", "method", "fields": {name: value}}`` as a browser would send them."""
    parser = _Forms()
    parser.feed(html)
    return parser.forms
