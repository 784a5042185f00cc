#!/bin/sh
# run.sh: `make run`, the main job. Decides a sample case from the demo shop
# and explains the decision in plain words.
set -eu
bin=${1:-build/aftercare}
echo "== aftercare decide --explain < examples/wrong-item.json"
"$bin" decide --explain < examples/wrong-item.json
echo
echo "== the same case as JSON (aftercare decide)"
"$bin" decide < examples/wrong-item.json
