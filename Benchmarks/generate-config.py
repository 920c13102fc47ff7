#!/usr/bin/env python3
"""Writes a configuration of FLEETS fleets over TEMPLATES templates on one local provider,
and, when TASKS is given, a local scheduler with one task pool of TASKS tasks."""
import os
import sys

target, fleets, templates, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
tasks = int(sys.argv[5]) if len(sys.argv) > 5 else 0
os.makedirs(target, exist_ok=True)
with open(os.path.join(target, "provider.yaml"), "w") as out:
    out.write("apiVersion: orbrec/v1\nkind: Provider\nmetadata: {name: here}\nspec: {type: local, maxInFlight: 32}\n")
with open(os.path.join(target, "templates.yaml"), "w") as out:
    for t in range(templates):
        out.write(f"---\napiVersion: orbrec/v1\nkind: Template\nmetadata: {{name: tpl-{t:02d}}}\n"
                  f"spec: {{provider: here, command: [sleep, '{3600 + t}'], stopTimeout: 1s}}\n")
for f in range(fleets):
    # Several files, several documents each, as a real repository would have.
    with open(os.path.join(target, f"fleets-{f // 100:02d}.yaml"), "a") as out:
        out.write(f"---\napiVersion: orbrec/v1\nkind: Fleet\nmetadata: {{name: fleet-{f:04d}, labels: {{team: t{f % 7}}}}}\n"
                  f"spec: {{template: tpl-{f % templates:02d}, count: {count}}}\n")
if tasks:
    with open(os.path.join(target, "pool.yaml"), "w") as out:
        out.write("apiVersion: orbrec/v1\nkind: Scheduler\nmetadata: {name: cpu}\nspec: {type: local, slots: 16}\n---\n")
        out.write(f"apiVersion: orbrec/v1\nkind: TaskPool\nmetadata: {{name: sims}}\n"
                  f"spec: {{scheduler: cpu, range: {{from: 1, to: {tasks}}}, command: [\"true\", \"${{item}}\"], parallelism: 16}}\n")
