#!/usr/bin/env bash
# Which certificate each of the emulator's cloud resources serves, as one JSON object keyed
# `TYPE INSTANCE` (null: none yet), read from the admin path: the CI job's view of what replace
# and deploy-to did.
#   scripts/emulator-serving.sh [BASE_URL]   (default: $EMULATOR)
set -euo pipefail
curl -sf "${1:-${EMULATOR:?set EMULATOR or pass the emulator URL}}/_emulator/resources" \
  | jq -cS '[.resources[] | {key: "\(.type) \(.instance)", value: .certId}] | from_entries'
