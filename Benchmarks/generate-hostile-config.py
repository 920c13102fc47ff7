#!/usr/bin/env python3
"""Writes a large configuration for Benchmarks/hostile-bench.sh.

  generate-hostile-config.py DIR references N   N providers and N templates, each naming an
                                                 undeclared provider (N invalid references, each
                                                 one looked up among N declared names)
  generate-hostile-config.py DIR providers N    N local providers (a plan over N providers)
"""
import os
import sys

target, shape, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
os.makedirs(target, exist_ok=True)
per_file = 1000
if shape == "references":
    for p in range(count):
        with open(os.path.join(target, f"providers-{p // per_file:03d}.yaml"), "a") as out:
            out.write(f"---\napiVersion: orbrec/v1\nkind: Provider\nmetadata: {{name: declared-{p:05d}}}\n"
                      f"spec: {{type: local}}\n")
    for t in range(count):
        with open(os.path.join(target, f"templates-{t // per_file:03d}.yaml"), "a") as out:
            out.write(f"---\napiVersion: orbrec/v1\nkind: Template\nmetadata: {{name: tpl-{t:05d}}}\n"
                      f"spec: {{provider: missing-{t:05d}, command: [sleep, '60']}}\n")
elif shape == "providers":
    for p in range(count):
        with open(os.path.join(target, f"providers-{p // per_file:03d}.yaml"), "a") as out:
            out.write(f"---\napiVersion: orbrec/v1\nkind: Provider\nmetadata: {{name: local-{p:05d}}}\n"
                      f"spec: {{type: local}}\n")
else:
    sys.exit(f"unknown shape {shape!r}; expected references or providers")
