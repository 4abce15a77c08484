#!/usr/bin/env bash
# The ids of the emulator's live (not deleted) certificates, sorted, comma-separated: the CI job's
# own view of what each run of the action did, read from the admin path.
#   scripts/emulator-live-ids.sh [BASE_URL]   (default: $EMULATOR)
set -euo pipefail
curl -sf "${1:-${EMULATOR:?set EMULATOR or pass the emulator URL}}/_emulator/state" \
  | jq -r '[.certificates[] | select(.deleted | not) | .id] | sort | join(",")'
