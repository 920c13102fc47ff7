#!/usr/bin/env python3
"""A small orbrec pull-mode worker: claims tasks of a pool with a lease, runs each task's
command (argv, never a shell string), heartbeats while it runs, and completes or fails
the attempt with its fencing token. It follows the `next_actions` each answer carries.

    ORBREC_TOKEN=... python3 worker.py --url http://127.0.0.1:7077 --pool jobs --worker w1

Standard library only. Exits 0 after --idle-exit seconds with nothing to claim (default:
never), 1 on an error it cannot retry.
"""
import argparse
import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request


class Api:
    def __init__(self, url, token):
        self.url = url.rstrip("/")
        self.token = token

    def post(self, path, body, idempotency_key=None):
        data = json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method="POST")
        request.add_header("Content-Type", "application/json")
        if self.token:
            request.add_header("Authorization", "Bearer " + self.token)
        if idempotency_key:
            request.add_header("Idempotency-Key", idempotency_key)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                text = response.read().decode()
                return response.status, (json.loads(text) if text else None), response.headers
        except urllib.error.HTTPError as error:
            text = error.read().decode()
            return error.code, (json.loads(text) if text else None), error.headers


def action(answer, name):
    for candidate in (answer or {}).get("next_actions", []):
        if candidate["action"] == name:
            return candidate
    return None


class Heartbeat(threading.Thread):
    """Extends the lease at the interval the API recommends until stopped or refused."""

    def __init__(self, api, answer, lease_seconds):
        super().__init__(daemon=True)
        self.api = api
        self.task = answer["task"]
        self.beat = action(answer, "heartbeat")
        self.lease_seconds = lease_seconds
        self.stopped = threading.Event()
        self.lost = threading.Event()

    def run(self):
        while self.beat and not self.stopped.wait(max(1, self.beat["retryAfterSeconds"])):
            status, answer, _ = self.api.post(self.beat["path"], {"token": self.task["token"], "leaseSeconds": self.lease_seconds})
            if status == 409:  # stale_attempt: the lease was revoked or expired; stop working on it
                self.lost.set()
                return
            if status == 200:
                self.beat = action(answer, "heartbeat")


def work(task):
    """Runs the task's argv; without one, reports the task's item as its result."""
    argv = task.get("command")
    if not argv:
        return 0, {"item": task.get("item")}, ""
    environment = dict(os.environ, **(task.get("env") or {}))
    environment["ORBREC_TASK_ID"] = task["id"]
    environment["ORBREC_ATTEMPT"] = str(task["attempt"])
    completed = subprocess.run(argv, capture_output=True, text=True, env=environment)
    return completed.returncode, {"exit": completed.returncode, "stdout": completed.stdout[-2000:]}, completed.stderr[-500:]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=os.environ.get("ORBREC_URL", "http://127.0.0.1:7077"))
    parser.add_argument("--pool", required=True)
    parser.add_argument("--worker", default="%s-%d" % (os.uname().nodename, os.getpid()))
    parser.add_argument("--lease", type=int, default=30, help="lease length in seconds")
    parser.add_argument("--machine", default=os.environ.get("ORBREC_MACHINE"),
                        help="the orbrec machine this worker runs on (its leases are revoked when it goes)")
    parser.add_argument("--idle-exit", type=float, default=None, help="exit after this many seconds with nothing to claim")
    parser.add_argument("--max-tasks", type=int, default=None)
    arguments = parser.parse_args()
    api = Api(arguments.url, os.environ.get("ORBREC_TOKEN"))
    claim_path = "/api/v1/pools/%s/claim" % urllib.parse.quote(arguments.pool, safe="")
    idle_since = time.monotonic()
    done = 0
    while arguments.max_tasks is None or done < arguments.max_tasks:
        body = {"worker": arguments.worker, "leaseSeconds": arguments.lease}
        if arguments.machine:
            body["machine"] = arguments.machine
        status, answer, headers = api.post(claim_path, body)
        if status == 204:
            if arguments.idle_exit is not None and time.monotonic() - idle_since > arguments.idle_exit:
                return 0
            time.sleep(min(1.0, float(headers.get("Retry-After", "1"))) / 4)
            continue
        if status != 200:
            print("claim failed: HTTP %d %s" % (status, answer), file=sys.stderr)
            if status in (401, 403, 404, 409):
                return 1
            time.sleep(1)
            continue
        idle_since = time.monotonic()
        task = answer["task"]
        heartbeat = Heartbeat(api, answer, arguments.lease)
        heartbeat.start()
        code, result, errors = work(task)
        heartbeat.stopped.set()
        if heartbeat.lost.is_set():
            print("lost the lease of %s#%d; dropped its result" % (task["id"], task["attempt"]), file=sys.stderr)
            continue
        path_id = urllib.parse.quote(task["id"], safe="=,:")
        if code == 0:
            status, answer, _ = api.post("/api/v1/tasks/%s/complete" % path_id, {"token": task["token"], "result": result})
        else:
            status, answer, _ = api.post("/api/v1/tasks/%s/fail" % path_id,
                                         {"token": task["token"], "reason": "exit %d: %s" % (code, errors.strip()[-200:])})
        if status == 409:
            print("stale: %s" % answer["error"]["message"], file=sys.stderr)
        done += 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
