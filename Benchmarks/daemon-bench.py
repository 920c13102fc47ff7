#!/usr/bin/env python3
"""The daemon against DESIGN.md section 8 (run by daemon-bench.sh: daemon-bench.py BIN WORKDIR).

1. Saves: `orbrec run` watches a configuration with one fleet of `sleep 3600` machines on
   the local provider. SAVES times, the fleet's count goes 1 -> 2 -> 1 ..., each save made
   as editors make it (a temporary file in the same directory, fsync, rename over the
   target), so each causes exactly one action (provision or return). For each save:
   - journaled: the new action row's created_at (the daemon's clock, ms) minus the wall
     time just before the rename;
   - SSE: the arrival, on an event stream opened before the saves, of the first
     `event: action` going to `planned`;
   - visible: when a read-only SQLite connection polling the journal first saw the row.
   The next save waits until the action has succeeded and 200 ms more.
2. Idle: the daemon restarted on the same state (2 machines converged) with the default
   intervals and no client, left alone IDLE_SECONDS after 3 s of settling: CPU (utime +
   stime from /proc/PID/stat) as a percentage of one core, RSS and peak RSS.

Each daemon is stopped with SIGTERM and must exit 0. Environment: SAVES (100),
IDLE_SECONDS (30), BENCH_OUT (a path for the numbers as JSON).
"""
import http.client
import json
import os
import re
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import threading
import time

BUDGET_MS = 100.0  # DESIGN.md 8: file saved -> first action journaled, p50
SETTLE_AFTER_ACTION = 0.2
SETTLE_BEFORE_IDLE = 3.0
TIMEOUT = 60.0

BASE_YAML = """apiVersion: orbrec/v1
kind: Provider
metadata: {name: here}
spec: {type: local}
---
apiVersion: orbrec/v1
kind: Template
metadata: {name: sleeper}
spec: {provider: here, command: ["sleep", "3600"], stopTimeout: 2s}
"""

FLEET_YAML = """apiVersion: orbrec/v1
kind: Fleet
metadata: {{name: bench, annotations: {{}}}}
spec:
  template: sleeper
  count: {count}
  updateStrategy: {{maxSurge: 1, maxUnavailable: 0}}
"""


class BenchError(Exception):
    pass


def wait_until(what, check, timeout=TIMEOUT, interval=0.01, daemon=None):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if daemon is not None and daemon.process.poll() is not None:
            raise BenchError(f"the daemon exited ({daemon.process.returncode}) while waiting for {what}\n{daemon.log_tail()}")
        if time.monotonic() >= deadline:
            raise BenchError(f"timed out after {timeout:.0f} s waiting for {what}" + (f"\n{daemon.log_tail()}" if daemon else ""))
        time.sleep(interval)


class Daemon:
    """One `orbrec run` on a port the kernel chose, its logs in files under the work directory."""

    def __init__(self, binary, config, state, work, label, extra):
        self.err_path = os.path.join(work, f"daemon-{label}.err")
        self.out_path = os.path.join(work, f"daemon-{label}.out")
        env = {k: v for k, v in os.environ.items()
               if k not in ("ORBREC_TOKEN", "ORBREC_STATE", "ORBREC_FAILPOINT", "ORBREC_FAILPOINT_DELAY",
                            "NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "JOURNAL_STREAM")}
        env["NO_COLOR"] = "1"
        argv = [binary, "run", "-c", config, "--state", state, "--listen", "127.0.0.1:0", "--log-level", "info"] + extra
        with open(self.out_path, "wb") as out, open(self.err_path, "wb") as err:
            self.process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=env,
                                            start_new_session=True)
        self.port = wait_until("the daemon's 'listening' line", self.listening_port, daemon=self)

    def log(self):
        try:
            with open(self.err_path, encoding="utf-8", errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def log_tail(self, lines=25):
        return "--- daemon log (tail) ---\n" + "\n".join(self.log().splitlines()[-lines:])

    def listening_port(self):
        match = re.search(r'msg=listening address="?127\.0\.0\.1:(\d+)', self.log())
        return int(match.group(1)) if match else None

    def get(self, path, timeout=5.0):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def ready(self):
        try:
            status, _ = self.get("/readyz")
            return status == 200
        except OSError:
            return False

    def passes(self):
        _, body = self.get("/metrics")
        return int(sum(float(line.split()[-1]) for line in body.decode().splitlines()
                       if line.startswith("orbrec_reconcile_passes_total{")))

    def stop(self, timeout=30.0):
        """SIGTERM; returns (exit code, seconds to exit)."""
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise BenchError(f"the daemon did not exit within {timeout:.0f} s of SIGTERM\n{self.log_tail()}")
        return code, time.monotonic() - started

    def kill(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


class EventReader(threading.Thread):
    """GET /api/v1/events kept open; records each `action` event going to `planned` with its arrival time."""

    def __init__(self, port):
        super().__init__(daemon=True)
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
        self.connection.request("GET", "/api/v1/events", headers={"Accept": "text/event-stream"})
        self.response = self.connection.getresponse()
        if self.response.status != 200:
            raise BenchError(f"GET /api/v1/events answered {self.response.status}")
        self.condition = threading.Condition()
        self.planned = []  # (arrival time.time(), data)
        self.error = None

    def run(self):
        kind, data = None, None
        try:
            while True:
                line = self.response.readline()  # chunked transfer decoded by http.client
                if not line:
                    return
                line = line.decode("utf-8").rstrip("\r\n")
                if line == "":
                    arrived = time.time()
                    if kind == "action" and data is not None:
                        document = json.loads(data)
                        if document.get("to") == "planned":
                            with self.condition:
                                self.planned.append((arrived, document))
                                self.condition.notify_all()
                    kind, data = None, None
                elif line.startswith("event:"):
                    kind = line[6:].strip()
                elif line.startswith("data:"):
                    data = line[5:].lstrip(" ") if data is None else data + "\n" + line[5:].lstrip(" ")
        except (OSError, ValueError, http.client.HTTPException) as error:
            self.error = error

    def count(self):
        with self.condition:
            return len(self.planned)

    def wait_after(self, index, timeout):
        with self.condition:
            if not self.condition.wait_for(lambda: len(self.planned) > index, timeout=timeout):
                return None
            return self.planned[index]

    def close(self):
        try:
            self.connection.sock and self.connection.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.connection.close()


class Journal:
    """A read-only connection to the state (WAL: it sees each commit as it lands)."""

    def __init__(self, path):
        self.db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None, check_same_thread=False)

    def last(self):
        row = self.db.execute("SELECT rowid, id, created_at, state, verb FROM actions ORDER BY rowid DESC LIMIT 1").fetchone()
        return row if row else (0, None, None, None, None)

    def first_after(self, rowid):
        return self.db.execute("SELECT rowid, id, created_at, state, verb FROM actions WHERE rowid > ? ORDER BY rowid LIMIT 1",
                               (rowid,)).fetchone()

    def count_after(self, rowid):
        return self.db.execute("SELECT COUNT(*) FROM actions WHERE rowid > ?", (rowid,)).fetchone()[0]

    def latest_state(self):
        row = self.db.execute("SELECT state FROM actions WHERE rowid = (SELECT MAX(rowid) FROM actions)").fetchone()
        return row[0] if row else None

    def close(self):
        self.db.close()


def save(path, text):
    """As editors save: a temporary file beside the target (hidden, so the watcher skips it), fsync, rename.
    Returns the wall time just before the rename."""
    directory, name = os.path.split(path)
    temporary = os.path.join(directory, f".{name}.{os.getpid()}.tmp")
    with open(temporary, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    t0 = time.time()
    os.rename(temporary, path)
    return t0


def wait_finished(journal, daemon, what):
    state = wait_until(what, lambda: (s := journal.latest_state()) in ("succeeded", "failed", "cancelled") and s,
                       daemon=daemon)
    if state != "succeeded":
        raise BenchError(f"{what}: the action ended {state}\n{daemon.log_tail()}")


def percentiles(values):
    ordered = sorted(values)
    if len(ordered) == 1:
        cuts = ordered * 99
    else:
        cuts = statistics.quantiles(ordered, n=100, method="inclusive")
    return {"n": len(ordered), "p50": round(statistics.median(ordered), 2), "p90": round(cuts[89], 2),
            "p99": round(cuts[98], 2), "max": round(ordered[-1], 2)}


def proc_cpu_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat(5))


def proc_status_kb(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise BenchError(f"no {key} in /proc/{pid}/status")


def state_id(binary, config, state):
    result = subprocess.run([binary, "plan", "--json", "-c", config, "--state", state], capture_output=True, text=True,
                            env={**os.environ, "NO_COLOR": "1"})
    try:
        return json.loads(result.stdout)["state_id"]
    except (ValueError, KeyError):
        raise BenchError(f"orbrec plan --json gave no state_id (exit {result.returncode}): {result.stderr.strip()[:500]}")


def machine_processes(owner):
    """Live session leaders whose environment has ORBREC_MANAGED_BY=owner."""
    found = []
    needle = b"ORBREC_MANAGED_BY=" + owner.encode()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        pid = int(entry)
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            if fields[0] == "Z" or int(fields[3]) != pid:
                continue
            with open(f"/proc/{pid}/environ", "rb") as f:
                if needle in f.read().split(b"\0"):
                    found.append(pid)
        except (OSError, IndexError, ValueError):
            continue
    return found


def kill_machines(owner):
    pids = machine_processes(owner)
    for pid in pids:
        for target in (-pid, pid):
            try:
                os.kill(target, signal.SIGKILL)
            except OSError:
                pass
    return len(pids)


def main():
    binary, work = sys.argv[1], sys.argv[2]
    saves = int(os.environ.get("SAVES", "100"))
    idle_seconds = float(os.environ.get("IDLE_SECONDS", "30"))
    out_path = os.environ.get("BENCH_OUT", "")
    if saves < 1 or idle_seconds <= 0:
        raise BenchError("SAVES must be at least 1 and IDLE_SECONDS positive")

    config, state = os.path.join(work, "cfg"), os.path.join(work, "state", "state.db")
    fleet = os.path.join(config, "bench.yaml")
    os.makedirs(config)
    with open(os.path.join(config, "base.yaml"), "w") as f:
        f.write(BASE_YAML)
    with open(fleet, "w") as f:
        f.write(FLEET_YAML.format(count=1))

    version = subprocess.run([binary, "--version"], capture_output=True, text=True).stdout.strip()
    print(f"orbrec {version} ({binary}), {os.cpu_count()} cores; {saves} saves, idle {idle_seconds:g} s")

    daemons, owner = [], None
    try:
        # 1. Saves.
        daemon = Daemon(binary, config, state, work, "saves", ["--observe-interval", "1h", "--task-interval", "1h"])
        daemons.append(daemon)
        wait_until("/readyz to answer 200", daemon.ready, daemon=daemon)
        journal = Journal(state)
        wait_until("the first provision", lambda: journal.last()[4] == "provision", daemon=daemon)
        wait_finished(journal, daemon, "the first provision")
        events = EventReader(daemon.port)
        events.start()
        time.sleep(SETTLE_AFTER_ACTION)

        journaled, sse, visible, anomalies = [], [], [], []
        count = 1
        for number in range(saves):
            count = 2 if count == 1 else 1
            expected = "provision" if count == 2 else "return"
            before, _, _, _, _ = journal.last()
            seen_events = events.count()
            t0 = save(fleet, FLEET_YAML.format(count=count))
            row = None
            deadline = time.monotonic() + TIMEOUT
            while row is None:
                row = journal.first_after(before)
                if row is None:
                    if time.monotonic() >= deadline or daemon.process.poll() is not None:
                        raise BenchError(f"save {number + 1}: no action journaled\n{daemon.log_tail()}")
                    time.sleep(0.001)
            seen = time.time()
            rowid, action_id, created_at, _, verb = row
            journaled.append(created_at - t0 * 1000.0)
            visible.append((seen - t0) * 1000.0)
            if verb != expected:
                anomalies.append(f"save {number + 1}: expected {expected}, journaled {verb}")
            event = events.wait_after(seen_events, timeout=10.0)
            if event is None:
                raise BenchError(f"save {number + 1}: no action event on the stream within 10 s"
                                 + (f" (stream error: {events.error})" if events.error else "") + f"\n{daemon.log_tail()}")
            arrived, document = event
            sse.append((arrived - t0) * 1000.0)
            if document.get("subject") != f"action/{action_id}":
                anomalies.append(f"save {number + 1}: the stream's first planned action is {document.get('subject')}, "
                                 f"the journal's is action/{action_id}")
            wait_finished(journal, daemon, f"the action of save {number + 1}")
            time.sleep(SETTLE_AFTER_ACTION)
            extra = journal.count_after(before) - 1
            if extra:
                anomalies.append(f"save {number + 1}: {extra} more action(s) than the one expected")

        if count != 2:  # the idle phase wants 2 machines: one more save, not measured
            before = journal.last()[0]
            save(fleet, FLEET_YAML.format(count=2))
            wait_until("the last provision", lambda: journal.first_after(before), daemon=daemon)
            wait_finished(journal, daemon, "the last provision")
        journal.close()
        stop_codes, stop_seconds = [], []
        code, seconds = daemon.stop()  # with the event stream still open
        events.close()
        stop_codes.append(code)
        stop_seconds.append(seconds)
        if code != 0:
            raise BenchError(f"the daemon exited {code} on SIGTERM (want 0)\n{daemon.log_tail()}")
        owner = state_id(binary, config, state)

        # 2. Idle, default intervals, no client.
        daemon = Daemon(binary, config, state, work, "idle", [])
        daemons.append(daemon)
        wait_until("/readyz to answer 200 after the restart", daemon.ready, daemon=daemon)
        journal = Journal(state)
        rows_before = journal.last()[0]
        time.sleep(SETTLE_BEFORE_IDLE)
        passes_before = daemon.passes()
        ticks_start, wall_start = proc_cpu_ticks(daemon.process.pid), time.monotonic()
        time.sleep(idle_seconds)
        ticks_end, wall_end = proc_cpu_ticks(daemon.process.pid), time.monotonic()
        rss_kb = proc_status_kb(daemon.process.pid, "VmRSS")
        hwm_kb = proc_status_kb(daemon.process.pid, "VmHWM")
        passes = daemon.passes() - passes_before
        idle_actions = journal.count_after(rows_before)
        journal.close()
        machines = len(machine_processes(owner))
        cpu_seconds = (ticks_end - ticks_start) / os.sysconf("SC_CLK_TCK")
        cpu_percent = 100.0 * cpu_seconds / (wall_end - wall_start)
        code, seconds = daemon.stop()
        stop_codes.append(code)
        stop_seconds.append(seconds)
        if code != 0:
            raise BenchError(f"the restarted daemon exited {code} on SIGTERM (want 0)\n{daemon.log_tail()}")
        if machines != 2:
            anomalies.append(f"idle: {machines} live machine processes, expected 2")
        if idle_actions:
            anomalies.append(f"idle: {idle_actions} action(s) journaled while idle")
    finally:
        for running in daemons:
            running.kill()
        if owner is None:
            try:
                owner = state_id(binary, config, state)
            except BenchError as error:
                print(f"cleanup: {error}", file=sys.stderr)
        if owner is not None:
            kill_machines(owner)

    results = {
        "orbrec_version": version,
        "binary": binary,
        "cores": os.cpu_count(),
        "saves": saves,
        "latency_ms": {
            "save_to_action_journaled": percentiles(journaled),
            "save_to_sse_event": percentiles(sse),
            "save_to_row_visible": percentiles(visible),
        },
        "budget": {"save_to_action_journaled_p50_ms": BUDGET_MS,
                   "met": statistics.median(journaled) <= BUDGET_MS},
        "idle": {
            "seconds": round(wall_end - wall_start, 3),
            "intervals": "defaults (observe 10s, task 2s)",
            "machines": machines,
            "cpu_seconds": round(cpu_seconds, 3),
            "cpu_percent_one_core": round(cpu_percent, 3),
            "passes": passes,
            "rss_mb": round(rss_kb / 1024.0, 1),
            "peak_rss_mb": round(hwm_kb / 1024.0, 1),
        },
        "sigterm": {"exit_codes": stop_codes, "seconds_to_exit": [round(s, 3) for s in stop_seconds]},
        "anomalies": anomalies,
    }

    print(f"{'latency from the rename (ms)':<44} {'p50':>8} {'p90':>8} {'p99':>8} {'max':>8}")
    for label, key in (("save -> action journaled (created_at)", "save_to_action_journaled"),
                       ("save -> SSE 'action' event, to planned", "save_to_sse_event"),
                       ("save -> row seen by a polling reader", "save_to_row_visible")):
        p = results["latency_ms"][key]
        print(f"{label:<44} {p['p50']:8.1f} {p['p90']:8.1f} {p['p99']:8.1f} {p['max']:8.1f}")
    idle = results["idle"]
    print(f"idle {idle['seconds']:.0f} s, default intervals, {machines} machines: CPU {cpu_percent:.2f} % of one core "
          f"({cpu_seconds:.2f} s, {passes} passes), RSS {idle['rss_mb']:.1f} MB, peak RSS {idle['peak_rss_mb']:.1f} MB")
    print("SIGTERM: exit " + ", ".join(f"{c} in {s:.2f} s" for c, s in zip(stop_codes, stop_seconds)))
    p50 = results["latency_ms"]["save_to_action_journaled"]["p50"]
    print(f"budget (DESIGN.md 8): file saved -> first action journaled <= {BUDGET_MS:.0f} ms at p50: "
          f"{p50:.1f} ms, {'within' if results['budget']['met'] else 'OVER'} budget")
    for note in anomalies:
        print(f"note: {note}")
    if out_path:
        with open(out_path, "w") as f:
            json.dump(results, f, indent=2)
            f.write("\n")
        print(f"numbers written to {out_path}")


if __name__ == "__main__":
    try:
        main()
    except BenchError as error:
        print(f"daemon-bench: {error}", file=sys.stderr)
        sys.exit(1)
