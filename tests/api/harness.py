"""Test harness for the black-box API tests: a real `polis serve` on a temporary
database and a loopback port, and a small HTTP client with a cookie jar and CSRF.

Environment: POLIS_BIN (the binary under test, default build/polis); POLIS_TEST_DB=postgres
with POLIS_TEST_PG (a server's URL, scripts/pg.sh prints one) runs every server on a fresh
PostgreSQL database of its own instead of a SQLite file."""

import http.client
import itertools
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.parse
import re

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
POLIS_BIN = os.environ.get("POLIS_BIN", os.path.join(ROOT, "build", "polis"))
ADMIN_PASSWORD = "correct horse battery staple"
DEMO_USERS = ["coordinator", "officer.bishkek", "officer.odihr", "librarian",
              "inspector.osh", "auditor"]


ENGINE = "postgres" if os.environ.get("POLIS_TEST_DB") == "postgres" else "sqlite"
PG_URL = os.environ.get("POLIS_TEST_PG", "")
_pg_databases = itertools.count(1)


def on_postgres():
    """True when the servers of this run store their data in PostgreSQL."""
    return ENGINE == "postgres"


def pg_url(dbname):
    """The URL of database dbname on the test cluster."""
    head, _, _ = PG_URL.rpartition("/")
    return f"{head}/{dbname}"


def psql(url, sql):
    """Runs sql with psql on url; returns its unaligned output (fields \x1f, rows \x1e,
    NULL as \x01)."""
    proc = subprocess.run(["psql", url, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                           "-F", "\x1f", "-R", "\x1e", "-P", "null=\x01", "-c", sql],
                          capture_output=True, text=True, timeout=60)
    if proc.returncode != 0:
        raise AssertionError(f"psql: {sql}: {proc.stderr}")
    return proc.stdout


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_polis(*args, stdin=None, env=None, check=False):
    """Runs the polis CLI; returns the CompletedProcess (text mode)."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    proc = subprocess.run([POLIS_BIN, *args], input=stdin, capture_output=True, text=True,
                          env=full_env, timeout=120)
    if check and proc.returncode != 0:
        raise AssertionError(f"polis {' '.join(args)} exited {proc.returncode}: {proc.stderr}")
    return proc


class PolisServer:
    """A polis serve process on a fresh database with demo data. All demo users share
    ADMIN_PASSWORD. Use as a context manager or call start()/stop()."""

    def __init__(self, env=None, demo=True, same_db_as=None):
        """same_db_as: another PolisServer whose database this one serves too (it must have
        been started first; that one creates and removes the database)."""
        self.dir = tempfile.mkdtemp(prefix="polis-test-")
        self.db = os.path.join(self.dir, "polis.db")
        self.pg_name = None
        self.initialized = False
        if same_db_as is not None:
            self.db = same_db_as.db
            self.initialized = True
        elif on_postgres():
            self.pg_name = f"polis_test_{os.getpid()}_{next(_pg_databases)}"
            psql(PG_URL, f"CREATE DATABASE {self.pg_name}")
            self.db = pg_url(self.pg_name)
        self.env = {"POLIS_LOGIN_MAX_CLIENT": "100000", "POLIS_LOG_REQUESTS": "1"}
        if on_postgres():  # no database file to put the library's files beside
            self.env["POLIS_FILES"] = os.path.join(self.dir, "files")
        self.env.update(env or {})
        self.demo = demo
        self.proc = None
        self.port = None
        self.log_path = os.path.join(self.dir, "serve.log")

    def init_db(self):
        args = ["init", "--db", self.db, "--admin-password-stdin"]
        if self.demo:
            args.append("--demo")
        run_polis(*args, stdin=ADMIN_PASSWORD + "\n", env=self.env, check=True)
        self.initialized = True

    def start(self):
        on_url = self.db.startswith(("postgres://", "postgresql://"))
        if not (self.initialized if on_url else os.path.exists(self.db)):
            self.init_db()
        self.port = free_port()
        self.log = open(self.log_path, "w")
        full_env = dict(os.environ)
        full_env.update(self.env)
        self.proc = subprocess.Popen(
            [POLIS_BIN, "serve", "--db", self.db, "--listen", f"127.0.0.1:{self.port}"],
            stdout=self.log, stderr=subprocess.STDOUT, env=full_env)
        deadline = time.time() + 15
        while time.time() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    conn.close()
                    return self
            except OSError:
                time.sleep(0.05)
            if self.proc.poll() is not None:
                break
        raise AssertionError("polis serve did not start:\n" + self.read_log())

    def stop(self, sig=signal.SIGTERM, timeout=20):
        """Stops the server; returns its exit code."""
        if not self.proc:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait()
        self.log.close()
        self.proc = None
        return code

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def read_log(self):
        try:
            with open(self.log_path) as f:
                return f.read()
        except OSError:
            return ""

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
        if self.pg_name:
            psql(PG_URL, f"DROP DATABASE IF EXISTS {self.pg_name} WITH (FORCE)")
            self.pg_name = None

    def client(self):
        return Client(self.port)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.cleanup()


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def headers_all(self, name):
        return [v for k, v in self.headers if k.lower() == name.lower()]

    @property
    def json(self):
        return json.loads(self.body.decode("utf-8"))

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")

    def __repr__(self):
        return f"<Response {self.status} {self.body[:300]!r}>"


class Client:
    """Keep-alive HTTP client with a cookie jar. After login() it sends the session's
    CSRF token on writes unless csrf=False is passed."""

    def __init__(self, port):
        self.port = port
        self.cookies = {}
        self.csrf = None
        self.token = None
        self.conn = None

    def _connection(self):
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        return self.conn

    def request(self, method, path, body=None, headers=None, csrf=True, raw=False,
                content_type=None):
        hdrs = {}
        if self.cookies:
            hdrs["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if self.token:
            hdrs["Authorization"] = "Bearer " + self.token
        if csrf and self.csrf and method not in ("GET", "HEAD"):
            hdrs["X-CSRF-Token"] = self.csrf
        data = None
        if body is not None:
            if raw:
                data = body if isinstance(body, bytes) else body.encode("utf-8")
                hdrs["Content-Type"] = content_type or "application/json"
            elif isinstance(body, dict) and content_type == "application/x-www-form-urlencoded":
                data = urllib.parse.urlencode(body).encode()
                hdrs["Content-Type"] = content_type
            else:
                data = json.dumps(body).encode("utf-8")
                hdrs["Content-Type"] = content_type or "application/json"
        hdrs.update(headers or {})
        for attempt in range(2):
            conn = self._connection()
            try:
                conn.request(method, path, body=data, headers=hdrs)
                r = conn.getresponse()
                payload = r.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()
                self.conn = None
                if attempt == 1:
                    raise
        resp = Response(r.status, r.getheaders(), payload)
        if r.getheader("Connection", "").lower() == "close":
            conn.close()
            self.conn = None
        for c in resp.headers_all("Set-Cookie"):
            name, _, rest = c.partition("=")
            value = rest.split(";", 1)[0]
            if "Max-Age=0" in c:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return resp

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body if body is not None else {}, **kw)

    def patch(self, path, body=None, **kw):
        return self.request("PATCH", path, body if body is not None else {}, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)

    def login(self, login="admin", password=ADMIN_PASSWORD):
        r = self.post("/api/v1/session", {"login": login, "password": password})
        if r.status == 200:
            self.csrf = r.json["csrf"]
        return r

    def close(self):
        if self.conn:
            self.conn.close()
            self.conn = None


def signed_in(server, login="admin"):
    """A client signed in as login (a demo user or admin)."""
    c = server.client()
    r = c.login(login)
    assert r.status == 200, r
    return c


# --- Helpers for tests that need raw sockets, the database file or the server log. ---

SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:",
                     "WARNING: ThreadSanitizer")


def sanitizer_report(text):
    """The first sanitizer report in text (a log or stderr), or None."""
    for marker in SANITIZER_MARKERS:
        at = text.find(marker)
        if at >= 0:
            return text[max(0, at - 200):at + 2000]
    return None


def health_ok(port, timeout=5):
    """True when GET /healthz on a fresh connection answers 200."""
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        conn.request("GET", "/healthz")
        ok = conn.getresponse().status == 200
        conn.close()
        return ok
    except OSError:
        return False


def raw_exchange(port, head, body_chunks=(), timeout=15, method="GET"):
    """Sends head (bytes: request line and headers, with the blank line) and then each of
    body_chunks on a fresh connection, and reads one response. The server may answer and
    close before reading everything, so send errors are ignored. Returns a Response, or
    None when the connection closed without a response."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        try:
            sock.sendall(head)
            for chunk in body_chunks:
                sock.sendall(chunk)
        except OSError:
            pass
        resp = http.client.HTTPResponse(sock, method=method)
        try:
            resp.begin()
            payload = resp.read()
        except (http.client.HTTPException, OSError):
            return None
        return Response(resp.status, resp.getheaders(), payload)
    finally:
        sock.close()


def _sql_literal(v):
    if v is None:
        return "NULL"
    if isinstance(v, (int, float)):
        return str(v)
    return "'" + str(v).replace("'", "''") + "'"


def _pg_rows(url, sql, params):
    parts = sql.split("?")
    if len(parts) != len(params) + 1:
        raise AssertionError(f"db_rows: {len(params)} parameters for {sql}")
    text = parts[0] + "".join(_sql_literal(p) + rest for p, rest in zip(params, parts[1:]))
    out = psql(url, text)
    rows = []
    for line in out.split("\x1e"):
        if line.strip("\n") == "":
            continue
        row = []
        for v in line.strip("\n").split("\x1f"):
            row.append(None if v == "\x01" else int(v) if re.fullmatch(r"-?\d+", v) else v)
        rows.append(tuple(row))
    return rows


def db_rows(db, sql, params=()):
    """Rows of a read-only query on a database file (through Python's sqlite3), or on a
    PostgreSQL URL (through psql; integers come back as int, NULL as None)."""
    if db.startswith(("postgres://", "postgresql://")):
        return _pg_rows(db, sql, params)
    import sqlite3
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def log_records(server):
    """The server log's JSON lines, parsed (other lines skipped)."""
    out = []
    for line in server.read_log().splitlines():
        try:
            rec = json.loads(line)
        except ValueError:
            continue
        if isinstance(rec, dict):
            out.append(rec)
    return out


def finish(server):
    """Stops server, removes its files, and raises when it did not exit 0 or its log holds
    a sanitizer report (leaks are reported at exit, so the log is read after the stop)."""
    code = server.stop()
    log = server.read_log()
    server.cleanup()
    report = sanitizer_report(log)
    if report:
        raise AssertionError("sanitizer report in serve log:\n" + report)
    if code not in (0, None):
        raise AssertionError(f"polis serve exited {code}:\n{log[-3000:]}")
