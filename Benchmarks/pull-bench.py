#!/usr/bin/env python3
"""Claims plus completions per second over HTTP: WORKERS threads, each with its own
keep-alive connection, claim a task of a pull pool and complete it at once, until TASKS
tasks are done. Prints the rate and per-call latency percentiles. Used by pull-bench.sh."""
import http.client
import json
import sys
import threading
import time
import urllib.parse

base, token, pool, tasks, workers = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
host, port = urllib.parse.urlparse(base).hostname, urllib.parse.urlparse(base).port
headers = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}
lock = threading.Lock()
completed = 0
latencies = {"claim": [], "complete": []}
empty_claims = 0


def worker(index):
    global completed, empty_claims
    connection = http.client.HTTPConnection(host, port, timeout=30)
    while True:
        with lock:
            if completed >= tasks:
                return
        started = time.perf_counter()
        connection.request("POST", "/api/v1/pools/%s/claim" % pool, json.dumps({"worker": "b%d" % index, "leaseSeconds": 60}), headers)
        response = connection.getresponse()
        body = response.read()
        claimed = time.perf_counter()
        if response.status == 204:
            with lock:
                empty_claims += 1
                if completed >= tasks:
                    return
            time.sleep(0.005)
            continue
        assert response.status == 200, (response.status, body)
        task = json.loads(body)["task"]
        path = "/api/v1/tasks/%s/complete" % urllib.parse.quote(task["id"], safe="=,:")
        connection.request("POST", path, json.dumps({"token": task["token"], "result": {"ok": True}}), headers)
        response = connection.getresponse()
        response.read()
        assert response.status == 200, response.status
        done = time.perf_counter()
        with lock:
            completed += 1
            latencies["claim"].append(claimed - started)
            latencies["complete"].append(done - claimed)


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000 if ordered else 0.0


started = time.perf_counter()
threads = [threading.Thread(target=worker, args=(i,)) for i in range(workers)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
elapsed = time.perf_counter() - started
print("%d tasks, %d workers: %.2f s, %.0f claims+completions/s (%.0f HTTP calls/s), %d empty claims"
      % (completed, workers, elapsed, completed / elapsed, 2 * completed / elapsed, empty_claims))
for name in ("claim", "complete"):
    print("  %-8s p50 %6.1f ms  p90 %6.1f ms  p99 %6.1f ms" % (name, percentile(latencies[name], 0.5),
                                                         percentile(latencies[name], 0.9), percentile(latencies[name], 0.99)))
