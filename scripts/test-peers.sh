#!/usr/bin/env bash
# The ACME suite's peers (__tests__/acme): Pebble, a test ACME server, and lego, an ACME client,
# both Debian/Ubuntu packages. Run by `npm test` first (pretest) and by .ci/run. Nothing to do
# when both are on PATH; when one is missing, apt-get installs them if this user may (root, or
# sudo without a password, as on GitHub's runners); otherwise it stops with the command to run.
# ACME_PEERS=skip skips the check (for a run of other test files; the ACME suite then fails).
set -uo pipefail

missing=()
for tool in pebble lego; do command -v "$tool" >/dev/null 2>&1 || missing+=("$tool"); done
[ "${#missing[@]}" -eq 0 ] && exit 0

if [ "${ACME_PEERS:-}" = skip ]; then
  echo "test peers: ${missing[*]} not found; ACME_PEERS=skip, so not installed (the ACME tests will fail)" >&2
  exit 0
fi

refuse() {
  {
    echo "test peers: npm test needs pebble and lego for the ACME tests (__tests__/acme); missing: ${missing[*]}."
    echo "test peers: $1"
    echo "test peers: install them with:  sudo apt-get install -y pebble lego   (Debian, Ubuntu)"
    echo "test peers: or put both on PATH, or set ACME_PEERS=skip to run other test files without them."
  } >&2
  exit 1
}

if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  as_root=(sudo -n)
else
  refuse "this user is not root and cannot use sudo without a password, so they were not installed."
fi
command -v apt-get >/dev/null 2>&1 || refuse "apt-get was not found, so they were not installed."

echo "test peers: ${missing[*]} not found; installing: apt-get install -y pebble lego" >&2
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null 2>&1 \
  || echo "test peers: apt-get update failed; trying the install with the package lists at hand" >&2
if ! "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y -qq --no-install-recommends pebble lego >/dev/null; then
  refuse "apt-get install pebble lego failed (its message is above)."
fi
for tool in pebble lego; do
  command -v "$tool" >/dev/null 2>&1 || refuse "apt-get installed the packages, but $tool is not on PATH."
done
echo "test peers: installed pebble and lego" >&2
