"""The managed local Neo4j: fetch the Community jars with Maven, start, stop and inspect the launcher process.

Why: CBSI Graph runs on a real Neo4j even on a machine with no Docker and no Neo4j installed. Maven Central
serves the Neo4j Community 5.26 LTS jars; `neo4j_launcher/` holds the pom and a small Java launcher that
starts the DBMS with Bolt on 127.0.0.1. The Python side then talks Bolt to it like to any remote server.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from neo4j import GraphDatabase
from neo4j.exceptions import AuthError, ServiceUnavailable

LAUNCHER_DIR = Path(__file__).resolve().parent / "neo4j_launcher"
LAUNCHER_CLASS = "org.cbsigraph.Launcher"
BUILD_STAMP = "cbsi-build.sha256"

# Neo4j's own start scripts pass these on Java 17; the embedded DBMS needs them just the same.
JVM_FLAGS: tuple[str, ...] = (
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+ExitOnOutOfMemoryError",
    "-XX:+UnlockExperimentalVMOptions",
    "-XX:+TrustFinalNonStaticFields",
    "-XX:+DisableExplicitGC",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Dlog4j2.disable.jmx=true",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens=java.base/java.lang=ALL-UNNAMED",
    "--add-opens=java.base/java.util=ALL-UNNAMED",
    "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
    "--add-opens=java.base/jdk.internal.misc=ALL-UNNAMED",
)


# Maven's batch-mode transfer lines: "Downloaded from central: URL (9.3 MB at 2.1 MB/s)".
_DOWNLOADED = re.compile(r"Downloaded from [\w.-]+: (\S+) \(([\d.,]+) (B|kB|KB|MB|GB)")
_UNITS = {"B": 1, "kB": 1e3, "KB": 1e3, "MB": 1e6, "GB": 1e9}
EXPECTED_DOWNLOAD_MB = 125  # Neo4j Community 5.26 with Bolt and Maven's own plugins, on an empty ~/.m2


class MavenProgress:
    """Turns Maven's output into a progress line every `every` seconds: files, megabytes, speed, current file."""

    def __init__(self, progress: Callable[[str], None], every: float = 2.0) -> None:
        self.progress, self.every = progress, every
        self.files, self.bytes = 0, 0.0
        self.started = self._last = time.monotonic()
        self.tail: list[str] = []  # the last lines, to show when Maven fails

    def line(self, text: str) -> None:
        self.tail = [*self.tail[-29:], text.rstrip()]
        match = _DOWNLOADED.search(text)
        if match is None:
            return
        self.files += 1
        self.bytes += float(match.group(2).replace(",", "")) * _UNITS[match.group(3)]
        now = time.monotonic()
        if now - self._last >= self.every:
            self._last = now
            self.progress(f"  {self.describe()}; now {match.group(1).rsplit('/', 1)[-1]}")

    def describe(self) -> str:
        seconds = max(time.monotonic() - self.started, 1e-3)
        return (f"downloaded {self.files} files, {self.bytes / 1e6:.1f} of about {EXPECTED_DOWNLOAD_MB} MB "
                f"({self.bytes / 1e6 / seconds:.1f} MB/s)")


def run_maven(command: list[str], progress: Callable[[str], None], every: float = 2.0) -> tuple[int, str]:
    """Run Maven, reporting its downloads as they happen (at most every `every` seconds); its exit code and the
    last lines of its output."""
    watcher = MavenProgress(progress, every)
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                          text=True, errors="replace") as process:
        for text in process.stdout or ():
            watcher.line(text)
    if watcher.files:
        progress(f"  {watcher.describe()}, done")
    return process.returncode, "\n".join(watcher.tail)


class LocalNeo4jError(RuntimeError):
    """The managed Neo4j could not be built, started or stopped; the message says why and where to look."""


@dataclass(frozen=True)
class LocalNeo4jStatus:
    """What `cbsi-graph neo4j status` reports."""

    running: bool
    pid: int | None
    uri: str
    home: Path
    log_file: Path

    def describe(self) -> str:
        state = f"running (pid {self.pid})" if self.running else "stopped"
        return f"local Neo4j {state} at {self.uri}; data {self.home}; log {self.log_file}"


def _say(message: str) -> None:
    print(message, flush=True)


class LocalNeo4j:
    """One managed Neo4j: its folder holds the store, logs, the 0600 password file and a pid file."""

    def __init__(
        self,
        home: Path,
        port: int = 7687,
        heap: str = "2g",
        pagecache: str = "1g",
        start_timeout: float = 180.0,
        progress: Callable[[str], None] = _say,
    ) -> None:
        self.home = home.resolve()
        self.port = port
        self.heap = heap
        self.pagecache = pagecache
        self.start_timeout = start_timeout
        self.progress = progress

    # -- files ------------------------------------------------------------------------------------
    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.port}"

    @property
    def password_file(self) -> Path:
        return self.home / "password"

    @property
    def pid_file(self) -> Path:
        return self.home / "neo4j.pid"

    @property
    def log_file(self) -> Path:
        return self.home / "logs" / "launcher.log"

    def password(self) -> str:
        """The generated password, made on first use and kept readable by the owner alone."""
        self.home.mkdir(parents=True, exist_ok=True)
        os.chmod(self.home, 0o700)  # the store and the password are the owner's alone
        if not self.password_file.exists():
            fd = os.open(self.password_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(secrets.token_urlsafe(24) + "\n")
        os.chmod(self.password_file, 0o600)
        return self.password_file.read_text(encoding="utf-8").strip()

    # -- build --------------------------------------------------------------------------------------
    @staticmethod
    def _sources_digest() -> str:
        digest = hashlib.sha256()
        for path in sorted([LAUNCHER_DIR / "pom.xml", *LAUNCHER_DIR.glob("src/**/*.java")]):
            digest.update(path.read_bytes())
        return digest.hexdigest()

    @staticmethod
    def classpath() -> str:
        target = LAUNCHER_DIR / "target"
        return os.pathsep.join([str(target / "classes"), str(target / "lib" / "*")])

    def ensure_built(self) -> None:
        """Fetch the Neo4j jars and compile the launcher once; later calls cost one file read."""
        stamp = LAUNCHER_DIR / "target" / BUILD_STAMP
        digest = self._sources_digest()
        if stamp.exists() and stamp.read_text().strip() == digest:
            return
        mvn = shutil.which("mvn")
        if mvn is None:
            raise LocalNeo4jError(
                "Maven (mvn) is needed once to fetch Neo4j from Maven Central: install it (apt-get install maven) "
                "or point NEO4J_URI at an existing Neo4j"
            )
        self.progress(
            f"Fetching Neo4j Community 5.26 jars from Maven Central (about {EXPECTED_DOWNLOAD_MB} MB on a first run, "
            "into ~/.m2) and compiling the launcher..."
        )
        started = time.monotonic()
        returncode, tail = run_maven([mvn, "-B", "-f", str(LAUNCHER_DIR / "pom.xml"), "package"], self.progress)
        if returncode != 0:
            raise LocalNeo4jError(f"mvn package in {LAUNCHER_DIR} failed (exit {returncode}):\n{tail}")
        stamp.write_text(digest + "\n")
        self.progress(f"Neo4j jars ready in {time.monotonic() - started:.0f}s ({LAUNCHER_DIR / 'target' / 'lib'}).")

    # -- process ------------------------------------------------------------------------------------
    def _read_pid(self) -> int | None:
        try:
            record = json.loads(self.pid_file.read_text())
            return int(record["pid"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    @staticmethod
    def _is_launcher(pid: int) -> bool:
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            return False
        return LAUNCHER_CLASS.encode() in cmdline

    def running_pid(self) -> int | None:
        """The pid of this folder's launcher if it is alive (guarding against a reused pid)."""
        pid = self._read_pid()
        if pid is not None and self._is_launcher(pid):
            return pid
        return None

    def _port_free(self) -> bool:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind(("127.0.0.1", self.port))
            except OSError:
                return False
        return True

    def bolt_answers(self, timeout: float = 3.0) -> bool:
        """True when Bolt accepts our credentials and answers a query."""
        try:
            with GraphDatabase.driver(
                self.uri, auth=("neo4j", self.password()), connection_timeout=timeout
            ) as driver:
                driver.verify_connectivity()
            return True
        except (ServiceUnavailable, OSError):
            return False
        except AuthError as exc:
            raise LocalNeo4jError(
                f"Neo4j on {self.uri} refused the password in {self.password_file}: another Neo4j owns this port"
            ) from exc

    def _log_tail(self, lines: int = 25) -> str:
        try:
            text = self.log_file.read_text(errors="replace").splitlines()
        except OSError:
            return "(no log written)"
        return "\n".join(text[-lines:])

    def start(self) -> LocalNeo4jStatus:
        """Start Neo4j (or reuse the one already running here) and wait until Bolt answers."""
        pid = self.running_pid()
        if pid is not None:
            if self._wait_for_bolt(pid, self.start_timeout):
                self.progress(f"Reusing the local Neo4j already running (pid {pid}) at {self.uri}.")
                return self.status()
            raise LocalNeo4jError(f"local Neo4j pid {pid} runs but Bolt does not answer; see {self.log_file}")
        if not self._port_free():
            raise LocalNeo4jError(
                f"port {self.port} on 127.0.0.1 is in use by another process; set CBSI_NEO4J_PORT to a free port "
                "or NEO4J_URI to use that server"
            )
        java = shutil.which("java")
        if java is None:
            raise LocalNeo4jError("Java 17+ is needed for the local Neo4j (apt-get install openjdk-17-jdk-headless)")
        self.ensure_built()
        password = self.password()  # make the file before the launcher reads it
        del password
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        command = [
            java,
            f"-Xms{self.heap}",
            f"-Xmx{self.heap}",
            *JVM_FLAGS,
            "-cp",
            self.classpath(),
            LAUNCHER_CLASS,
            "--home",
            str(self.home),
            "--port",
            str(self.port),
            "--password-file",
            str(self.password_file),
            "--pagecache",
            self.pagecache,
        ]
        self.progress(f"Starting local Neo4j on {self.uri} (data {self.home})...")
        started = time.monotonic()
        with open(self.log_file, "ab") as log:
            process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.home,
                start_new_session=True,
            )
        self.pid_file.write_text(json.dumps({"pid": process.pid, "port": self.port}))
        if not self._wait_for_bolt(process.pid, self.start_timeout, process):
            self._terminate(process.pid)
            raise LocalNeo4jError(
                f"Neo4j did not answer on {self.uri} within {self.start_timeout:.0f}s; its log is {self.log_file}:\n"
                + self._log_tail()
            )
        self.progress(f"Local Neo4j ready in {time.monotonic() - started:.1f}s (pid {process.pid}).")
        return self.status()

    def _wait_for_bolt(self, pid: int, timeout: float, process: subprocess.Popen[bytes] | None = None) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process is not None and process.poll() is not None:
                raise LocalNeo4jError(
                    f"Neo4j exited with code {process.returncode} while starting; its log is {self.log_file}:\n"
                    + self._log_tail()
                )
            if process is None and not self._is_launcher(pid):
                return False
            if self.bolt_answers(timeout=2.0):
                return True
            time.sleep(0.5)
        return False

    def _terminate(self, pid: int, timeout: float = 60.0) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, os.WNOHANG)
            if not self._is_launcher(pid):
                return
            time.sleep(0.2)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)

    def stop(self) -> bool:
        """Stop the launcher cleanly (SIGTERM, then SIGKILL after a minute). False if none was running."""
        pid = self.running_pid()
        if pid is None:
            self.pid_file.unlink(missing_ok=True)
            return False
        self.progress(f"Stopping local Neo4j (pid {pid})...")
        self._terminate(pid)
        self.pid_file.unlink(missing_ok=True)
        return True

    def status(self) -> LocalNeo4jStatus:
        pid = self.running_pid()
        return LocalNeo4jStatus(pid is not None, pid, self.uri, self.home, self.log_file)
