"""The fault matrix (issue 17): `descope-mgmt apply` under each fault the standalone emulator can
inject, each case ending with the live state read back through the official Python SDK.

Every case starts a fresh `descope-emulator`, applies a configuration of TENANTS tenants, one role
and one permission under the fault, then checks:
  - 0 lost: every change the run's `--report` says succeeded is live (read through the SDK);
  - 0 duplicated: no tenant id or role/permission name appears twice;
  - converged: a rerun without the fault exits 0 and a `plan --detailed-exitcode` then exits 0,
    and the SDK sees exactly the configured resources.

Cases: 30 % 503s; a 429 burst (server quota below the client's limit); latency above the
per-attempt timeout; the server killed (SIGKILL) and restarted on its state file mid-apply;
SIGINT and SIGTERM mid-apply; a second apply started while one runs (exit 4, from another
checkout).

Usage: fault_matrix.py --emulator BIN --cli BIN --work DIR
Prints one line per check and ends with `fault-matrix: N passed, M failed`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from descope import DescopeClient

PROJECT = "P2faults"
KEY = "K2faults"
TENANTS = 12
LABEL = "fault-matrix"

# Only bounds a hung case; nothing asserts on elapsed time.
HANG_BOUND_S = 120

passed = 0
failed = 0
STARTED = time.monotonic()


def check(name: str, ok: bool, detail: str = "") -> None:
    global passed, failed
    if ok:
        passed += 1
        print(f"ok   {name}")
    else:
        failed += 1
        print(f"FAIL {name}: {detail}")


class Emulator:
    """A standalone `descope-emulator` process; restartable on the same port and state file."""

    def __init__(self, binary: str, work: Path, extra: list[str]):
        self.binary = binary
        self.work = work
        self.extra = extra
        self.state = work / "emulator-state.json"
        self.port = 0
        self.proc: subprocess.Popen | None = None
        self.start()

    def start(self) -> None:
        out = open(self.work / "emulator.out", "w")
        err = open(self.work / "emulator.err", "a")
        self.proc = subprocess.Popen(
            [
                self.binary,
                "--listen",
                f"127.0.0.1:{self.port}",
                "--project",
                f"{PROJECT}:{KEY}",
                "--state",
                str(self.state),
                *self.extra,
            ],
            stdout=out,
            stderr=err,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            text = (self.work / "emulator.out").read_text()
            if text.startswith("listening on http://"):
                self.url = text.split()[2]
                self.port = int(self.url.rsplit(":", 1)[1])
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        raise RuntimeError(f"emulator did not start: {(self.work / 'emulator.err').read_text()}")

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait()

    def control(self, path: str, body: dict | None = None) -> dict:
        request = urllib.request.Request(
            f"{self.url}/emulator/{path}",
            data=None if body is None else json.dumps(body).encode(),
            headers={
                "Authorization": f"Bearer {PROJECT}:{KEY}",
                "Content-Type": "application/json",
            },
            method="GET" if body is None else "POST",
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            return json.loads(answer.read() or b"{}")

    def writes(self) -> int:
        return int(self.control("stats")["writes"])


def config(url: str, timeout_seconds: int | None = None) -> str:
    lines = [
        'version: "1.0"',
        "environments:",
        "  dev:",
        f"    project_id: {PROJECT}",
        "    management_key: ${FAULTS_KEY}",
        f"    base_url: {url}",
        "    rate_limit: {requests: 10000, per_seconds: 1}",
    ]
    if timeout_seconds is not None:
        lines.append(f"    timeout_seconds: {timeout_seconds}")
    lines += [
        "permissions:",
        "  - name: reports.read",
        "roles:",
        "  - name: viewer",
        "    permissions: [reports.read]",
        "tenants:",
    ]
    for n in range(TENANTS):
        lines += [f"  - id: t-{n:02}", f"    name: Tenant {n}", "    default_roles: [viewer]"]
    return "\n".join(lines) + "\n"


class Checkout:
    """A directory holding the configuration, its own state directory and a shared lock dir."""

    def __init__(self, cli: str, root: Path, name: str, url: str, locks: Path, **options):
        self.cli = cli
        self.dir = root / name
        self.dir.mkdir(parents=True, exist_ok=True)
        (self.dir / "descope.yaml").write_text(config(url, **options))
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "FAULTS_KEY": KEY,
            "DESCOPE_MGMT_STATE_DIR": str(self.dir / "state"),
            "DESCOPE_MGMT_LOCK_DIR": str(locks),
            "NO_COLOR": "1",
        }

    def spawn(self, *args: str) -> subprocess.Popen:
        return subprocess.Popen(
            [self.cli, "-c", "descope.yaml", *args],
            cwd=self.dir,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )

    def apply(self, report: str = "report.json") -> subprocess.Popen:
        return self.spawn("apply", "--env", "dev", "--no-progress", "--report", report)

    def run(self, *args: str) -> tuple[int, str]:
        proc = self.spawn(*args)
        _, err = proc.communicate(timeout=HANG_BOUND_S)
        return proc.returncode, err

    def report(self, name: str = "report.json") -> dict | None:
        path = self.dir / name
        return json.loads(path.read_text()) if path.exists() else None


def live(url: str) -> dict[str, list[str]]:
    mgmt = DescopeClient(project_id=PROJECT, management_key=KEY, base_url=url).mgmt
    tenants = mgmt.tenant.load_all()
    tenants = tenants.get("tenants", []) if isinstance(tenants, dict) else tenants
    return {
        "tenant": [t["id"] for t in tenants],
        "role": [r["name"] for r in mgmt.role.load_all()["roles"]],
        "permission": [p["name"] for p in mgmt.permission.load_all()["permissions"]],
    }


def wait_for(what: str, done) -> bool:
    deadline = time.monotonic() + HANG_BOUND_S
    while time.monotonic() < deadline:
        if done():
            return True
        time.sleep(0.02)
    print(f"gave up waiting: {what}")
    return False


def verify(case: str, emulator: Emulator, checkout: Checkout, report: dict | None) -> None:
    """0 lost, 0 duplicated, converged on rerun (without faults), all read through the SDK."""
    # The SDK's own calls must not meet the injected faults.
    emulator.control("faults", {"rateLimit": None, "latencyMs": 0, "failRate": 0})
    state = live(emulator.url)
    if report is not None:
        lost = [
            f"{r['kind']}:{r['id']}"
            for r in report["results"]
            if r["outcome"]["status"] == "succeeded"
            and r["action"] == "create"
            and r["id"] not in state.get(r["kind"], [])
        ]
        check(f"{case}: 0 lost", not lost, f"reported created but not live: {lost}")
    for kind, names in state.items():
        dups = sorted({n for n in names if names.count(n) > 1})
        check(f"{case}: 0 duplicated {kind}s", not dups, str(dups))
    code, err = checkout.run("apply", "--env", "dev", "--no-progress")
    check(f"{case}: rerun exits 0", code == 0, err[-2000:])
    code, err = checkout.run("plan", "--env", "dev", "--detailed-exitcode")
    check(f"{case}: converged (plan exits 0)", code == 0, err[-2000:])
    state = live(emulator.url)
    want = sorted(f"t-{n:02}" for n in range(TENANTS))
    check(f"{case}: every tenant live once", sorted(state["tenant"]) == want, str(state["tenant"]))
    check(f"{case}: role live once", state["role"].count("viewer") == 1, str(state["role"]))


def case(name: str, args, work: Path, emulator_args: list[str] = (), **options):
    print(f"case {name} (started at {time.monotonic() - STARTED:.1f} s)")
    root = work / name
    root.mkdir(parents=True)
    emulator = Emulator(args.emulator, root, list(emulator_args))
    checkout = Checkout(args.cli, root, "checkout", emulator.url, root / "locks", **options)
    return root, emulator, checkout


def interrupted(name: str, signal_number: int, expected_code: int, args, work: Path) -> None:
    root, emulator, checkout = case(name, args, work, ["--latency-ms", "300"])
    try:
        proc = checkout.apply()
        if wait_for("two writes", lambda: emulator.writes() >= 2):
            proc.send_signal(signal_number)
        _, err = proc.communicate(timeout=HANG_BOUND_S)
        check(f"{name}: exit {expected_code}", proc.returncode == expected_code, err[-2000:])
        report = checkout.report()
        check(f"{name}: report written", report is not None and report["status"] == "interrupted")
        verify(name, emulator, checkout, report)
    finally:
        emulator.stop()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--emulator", required=True)
    parser.add_argument("--cli", required=True)
    parser.add_argument("--work", required=True)
    args = parser.parse_args()
    work = Path(args.work)

    # 30 % of management calls answer 503 (seeded): the client's retries absorb them.
    _, emulator, checkout = case(
        "503s", args, work, ["--fail-rate", "0.3", "--seed", "17"]
    )
    try:
        code, err = checkout.run("apply", "--env", "dev", "--no-progress", "--report", "report.json")
        check("503s: apply exits 0 or 5", code in (0, 5), err[-2000:])
        verify("503s", emulator, checkout, checkout.report())
    finally:
        emulator.stop()

    # The server allows 10 calls per 2 s, far below the configured 10000 per second.
    _, emulator, checkout = case("429-burst", args, work, ["--rate-limit", "10/2"])
    try:
        code, err = checkout.run("apply", "--env", "dev", "--no-progress", "--report", "report.json")
        check("429-burst: apply adapts and exits 0", code == 0, err[-2000:])
        verify("429-burst", emulator, checkout, checkout.report())
    finally:
        emulator.stop()

    # Calls take 2.5 s against a 1 s per-attempt timeout while the first writes are under way.
    _, emulator, checkout = case("slow-server", args, work, timeout_seconds=1)
    try:
        proc = checkout.apply()
        if wait_for("the first write", lambda: emulator.writes() >= 1):
            emulator.control("faults", {"latencyMs": 2500})
            time.sleep(2)
            emulator.control("faults", {"latencyMs": 0})
        _, err = proc.communicate(timeout=HANG_BOUND_S)
        check("slow-server: apply exits 0, 1 or 5", proc.returncode in (0, 1, 5), err[-2000:])
        verify("slow-server", emulator, checkout, checkout.report())
    finally:
        emulator.stop()

    # SIGKILL of the server after a few writes; restarted on the same port and state file.
    _, emulator, checkout = case("server-restart", args, work, ["--latency-ms", "200"])
    try:
        proc = checkout.apply()
        if wait_for("three writes", lambda: emulator.writes() >= 3):
            emulator.kill()
            time.sleep(1)
            emulator.start()
        _, err = proc.communicate(timeout=HANG_BOUND_S)
        check("server-restart: apply exits 0 or 5", proc.returncode in (0, 5), err[-2000:])
        verify("server-restart", emulator, checkout, checkout.report())
    finally:
        emulator.stop()

    interrupted("sigint", signal.SIGINT, 130, args, work)
    interrupted("sigterm", signal.SIGTERM, 143, args, work)

    # A second apply from another checkout while the first runs: it exits 4, writing nothing.
    root, emulator, checkout = case("concurrent", args, work, ["--latency-ms", "300"])
    try:
        other = Checkout(args.cli, root, "other", emulator.url, root / "locks")
        proc = checkout.apply()
        if wait_for("the first write", lambda: emulator.writes() >= 1):
            code, err = other.run("apply", "--env", "dev", "--no-progress")
            check("concurrent: second apply exits 4", code == 4, err[-2000:])
            check("concurrent: names the lock", "locked by another run" in err, err[-2000:])
            check("concurrent: first still running", proc.poll() is None)
        _, err = proc.communicate(timeout=HANG_BOUND_S)
        check("concurrent: first apply exits 0", proc.returncode == 0, err[-2000:])
        verify("concurrent", emulator, other, checkout.report())
    finally:
        emulator.stop()

    print(f"all cases done in {time.monotonic() - STARTED:.1f} s")
    print(f"{LABEL}: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
