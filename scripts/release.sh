#!/usr/bin/env bash
# Tags a release: vX.Y.Z on HEAD (package.json's version must match), and moves the major tag
# (v1) to it. Refuses when the tree is dirty or dist/ is not what src/ builds.
# Usage: scripts/release.sh 1.2.3   (then: git push origin v1.2.3 && git push --force origin v1)
set -euo pipefail
version="${1:?usage: scripts/release.sh X.Y.Z}"
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "not a version: $version" >&2; exit 1; }
cd "$(dirname "$0")/.."
[ -z "$(git status --porcelain)" ] || { echo "commit or stash your changes first" >&2; exit 1; }
declared="$(node -p 'JSON.parse(require("fs").readFileSync("package.json","utf8")).version')"
[ "$declared" = "$version" ] || { echo "package.json says $declared, not $version" >&2; exit 1; }
npm run --silent package >/dev/null
[ -z "$(git status --porcelain -- dist)" ] || { echo "dist/ is stale: run npm run package and commit" >&2; exit 1; }
major="v${version%%.*}"
git tag -a "v$version" -m "v$version"
git tag -f -a "$major" -m "$major -> v$version"
echo "tagged v$version and moved $major; push with: git push origin v$version && git push --force origin $major"
