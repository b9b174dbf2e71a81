#!/usr/bin/env bash
# Rebuilds gdviz/vendor/plotly-gdviz.min.js: plotly.js with only the trace types gdviz draws
# (entry.js), from the exact versions in package-lock.json (plotly.js = the version the pinned
# python plotly package ships; tests/test_bundle.py checks both). Needs node and npm, and only here:
# the built file is committed and nothing at run time needs node.
#   bash tools/plotly-bundle/build.sh
set -euo pipefail
cd "$(dirname "$0")"
npm ci --ignore-scripts --no-audit --no-fund
node build.mjs
