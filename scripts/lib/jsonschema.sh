# check-jsonschema, a real JSON Schema validator, for checking configurations against the
# schema `orbrec schema` prints. Sourced by the scripts, after deps.sh.

CHECK_JSONSCHEMA_VERSION="0.39.0"
JSONSCHEMA_VENV="${JSONSCHEMA_VENV:-$PWD/.build/jsonschema-venv}"

# ensure_jsonschema: a virtual environment under .build with check-jsonschema (and with it
# ruamel.yaml, which split_documents uses), made once and reused while the version stays.
ensure_jsonschema() {
  local stamp="$JSONSCHEMA_VENV/.orbrec-check-jsonschema-$CHECK_JSONSCHEMA_VERSION"
  [ -f "$stamp" ] && return 0
  command -v python3 >/dev/null 2>&1 || ensure_apt python3
  python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || ensure_apt python3-venv
  echo "installing check-jsonschema $CHECK_JSONSCHEMA_VERSION into $JSONSCHEMA_VENV" >&2
  rm -rf "$JSONSCHEMA_VENV"
  python3 -m venv "$JSONSCHEMA_VENV"
  "$JSONSCHEMA_VENV/bin/pip" install -q --disable-pip-version-check "check-jsonschema==$CHECK_JSONSCHEMA_VERSION" >&2
  touch "$stamp"
}

# split_documents SOURCE OUT: writes each document of each configuration file below SOURCE
# (a YAML stream's documents, a JSON file's object or the objects of its list) as its own
# JSON file under OUT, named after the file and the document's position, because
# check-jsonschema reads one document per file. Empty documents are skipped, as orbrec
# skips them. Prints the files it could not read (YAML or JSON syntax, duplicate keys) on
# stdout, one a line, and goes on.
split_documents() {
  "$JSONSCHEMA_VENV/bin/python" - "$1" "$2" <<'PY'
import json, os, sys
from ruamel.yaml import YAML

source, out = sys.argv[1], sys.argv[2]
yaml = YAML(typ="safe", pure=True)  # YAML 1.2, as orbrec reads it
for root, dirs, files in os.walk(source):
    dirs[:] = sorted(d for d in dirs if not d.startswith("."))
    for name in sorted(files):
        if name.startswith(".") or not name.lower().endswith((".yaml", ".yml", ".json")):
            continue
        path = os.path.join(root, name)
        relative = os.path.relpath(path, source)
        try:
            with open(path, encoding="utf-8") as handle:
                documents = [d for d in yaml.load_all(handle) if d is not None]
        except Exception:
            print(relative)
            continue
        if name.lower().endswith(".json") and len(documents) == 1 and isinstance(documents[0], list):
            documents = documents[0]
        for index, document in enumerate(documents):
            target = os.path.join(out, relative.replace(os.sep, "__") + f"--{index + 1}.json")
            with open(target, "w", encoding="utf-8") as handle:
                json.dump(document, handle, default=str)
PY
}

# check_documents SCHEMA FILE...: validates each JSON file against SCHEMA; check-jsonschema's status.
check_documents() {
  local schema="$1"; shift
  "$JSONSCHEMA_VENV/bin/check-jsonschema" --schemafile "$schema" "$@"
}
