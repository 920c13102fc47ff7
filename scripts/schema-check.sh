#!/usr/bin/env bash
# Checks the JSON Schema that `orbrec schema` prints with a real validator (check-jsonschema):
# every configuration under examples/ must pass it, and each case of the invalid corpus
# (Tests/OrbrecSpecTests/Corpus) must be rejected or accepted as listed below. A case the
# schema can judge one document at a time (an unknown or missing field, a wrong type, a value
# out of range or not among the choices, a bad name or duration) must be rejected; a case
# that needs orbrec itself (references between documents, per-provider rules, duplicate
# names, expressions, task keys) must pass the schema, so that the list stays exact both ways.
#
#   ORBREC_BIN=.build/debug/orbrec scripts/schema-check.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/deps.sh
source scripts/lib/jsonschema.sh
ensure_jsonschema

ORBREC_BIN="${ORBREC_BIN:-.build/debug/orbrec}"
[ -x "$ORBREC_BIN" ] || { echo "no orbrec binary at $ORBREC_BIN: swift build first, or set ORBREC_BIN" >&2; exit 2; }

# Corpus cases with at least one document the schema rejects.
SCHEMA_REJECTS=(
  01-unknown-top-level-field 02-unknown-spec-field-cuont 03-unknown-spec-field-tempalte
  04-unknown-field-maxsurg 05-unknown-field-no-close-match 06-missing-apiversion
  07-wrong-apiversion 08-missing-kind 09-unknown-kind-flet 10-missing-metadata-name
  11-invalid-name-uppercase 12-invalid-name-underscore-leading-dash 13-invalid-name-64-chars
  16-same-name-different-kinds 19-bad-duration-text 20-bad-duration-empty-and-number
  21-count-wrong-type 22-command-is-string 23-labels-as-list 24-replace-unhealthy-not-bool
  25-max-in-flight-zero 26-negative-count 32-document-not-mapping 33-spec-missing
  34-unsupported-kinds 36-provider-unknown-type 38-price-type-invalid 40-empty-command-list
  41-one-valid-file-one-invalid 43-nested-subdirectory-error
  44-multi-document-errors-in-2nd-and-3rd 46-json-list-of-documents 47-json-element-not-object
  48-annotations-not-strings 49-spec-not-mapping 52-taskpool-sources
  53-taskpool-bad-retry-and-resources 55-scheduler-types-and-matrix 57-workflow-rules
  58-policy-rules 60-field-indented-too-little 61-spec-indented-under-metadata
  62-empty-spec-fields-at-top-level 63-nested-field-one-level-out 68-taskpool-api-source
  69-scheduler-ssh-block
)
# Corpus cases that do not parse as YAML (syntax errors, duplicate keys): no schema to apply.
UNPARSABLE=(
  27-yaml-bad-indentation 28-yaml-unclosed-quote 29-yaml-unclosed-bracket 30-json-syntax-error
  31-duplicate-key 45-many-errors-across-files 64-duplicate-keys-several 65-yaml-tab-indentation
  66-yaml-colon-in-plain-value 67-duplicate-key-and-syntax-error
)

work=$(mktemp -d "${TMPDIR:-/tmp}/orbrec-schema.XXXXXX")
trap 'rm -rf "$work"' EXIT
"$ORBREC_BIN" schema --dir "$work/schemas" >/dev/null
schema="$work/schemas/orbrec.schema.json"
failures=0

# 1. Every example, document by document, is valid.
for example in examples/*/; do
  name=$(basename "$example")
  mkdir -p "$work/examples/$name"
  unreadable=$(split_documents "$example" "$work/examples/$name")
  if [ -n "$unreadable" ]; then
    echo "FAIL examples/$name: cannot be read as YAML: $unreadable" >&2
    failures=$((failures + 1))
  fi
  shopt -s nullglob
  documents=("$work/examples/$name"/*.json)
  shopt -u nullglob
  ((${#documents[@]} == 0)) && continue
  if check_documents "$schema" "${documents[@]}" >"$work/out" 2>&1; then
    echo "ok   examples/$name (${#documents[@]} documents)"
  else
    echo "FAIL examples/$name does not pass the schema:" >&2
    cat "$work/out" >&2
    failures=$((failures + 1))
  fi
done

# 2. The invalid corpus: rejected, accepted or unparsable, exactly as listed.
listed() { local item="$1"; shift; for entry in "$@"; do [ "$entry" = "$item" ] && return 0; done; return 1; }
for case in Tests/OrbrecSpecTests/Corpus/*/; do
  name=$(basename "$case")
  mkdir -p "$work/corpus/$name"
  unreadable=$(split_documents "$case" "$work/corpus/$name")
  shopt -s nullglob
  documents=("$work/corpus/$name"/*.json)
  shopt -u nullglob
  if [ -n "$unreadable" ]; then
    outcome=unparsable
  elif ((${#documents[@]} == 0)) || check_documents "$schema" "${documents[@]}" >"$work/out" 2>&1; then
    outcome=accepted
  else
    outcome=rejected
  fi
  expected=accepted
  listed "$name" "${SCHEMA_REJECTS[@]}" && expected=rejected
  listed "$name" "${UNPARSABLE[@]}" && expected=unparsable
  if [ "$outcome" = "$expected" ]; then
    echo "ok   corpus/$name: $outcome"
  else
    echo "FAIL corpus/$name: $outcome by the schema, expected $expected" >&2
    [ "$outcome" = rejected ] && cat "$work/out" >&2
    failures=$((failures + 1))
  fi
done

if ((failures > 0)); then
  echo "schema check: $failures failure(s)" >&2
  exit 1
fi
echo "schema check: every example passes, every corpus case as listed"
