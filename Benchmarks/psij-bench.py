"""psij-python's local executor on N jobs of /bin/true (driven by task-bench.sh).

Usage: python psij-bench.py N   (with the venv's python, where psij-python is installed)

The local executor starts every job it is given at once (a subprocess.Popen each, reaped by a
thread woken by SIGCHLD); it has no slot limit and keeps no journal. So, as the issue measured
it, all N jobs are submitted and then all are waited for. The clock runs from just before the
first submit to the moment the last job is seen in a final state. Prints one JSON object:
{"tasks", "seconds", "completed", "failed", "version"}.
"""
import json
import sys
import time

import psij
from psij import Job, JobExecutor, JobSpec, JobState


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    executor = JobExecutor.get_instance("local")
    jobs = [Job(JobSpec(executable="/bin/true")) for _ in range(n)]
    started = time.monotonic()
    for job in jobs:
        executor.submit(job)
    for job in jobs:
        job.wait()
    seconds = time.monotonic() - started
    completed = sum(1 for job in jobs if job.status.state == JobState.COMPLETED)
    print(json.dumps({"tasks": n, "seconds": round(seconds, 4), "completed": completed,
                      "failed": n - completed, "version": getattr(psij, "__version__", "?")}))
    return 0 if completed == n else 1


if __name__ == "__main__":
    sys.exit(main())
