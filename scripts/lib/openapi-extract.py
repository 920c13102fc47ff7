#!/usr/bin/env python3
"""Prints the OpenAPI document held in Sources/OrbrecServer/OpenAPI/OpenAPIDocument.swift: the
text between its `#\"\"\"` and `\"\"\"#` markers, checked to be JSON.

    openapi-extract.py [SWIFT_FILE] > openapi.json
"""
import json
import pathlib
import sys

path = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else
                    pathlib.Path(__file__).resolve().parents[2] / "Sources/OrbrecServer/OpenAPI/OpenAPIDocument.swift")
source = path.read_text(encoding="utf-8")
start = source.index('#"""\n') + len('#"""\n')
end = source.index('\n"""#', start)
text = source[start:end]
json.loads(text)  # fails loudly if the literal is not JSON
sys.stdout.write(text + "\n")
