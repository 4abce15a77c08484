#!/usr/bin/env bash
# Prepares a release: checks that HEAD can be released as vX.Y.Z and tags it. The release itself
# is .github/workflows/release.yml, which runs on the pushed tag: the tests, dist/ against a fresh
# build, the SBOM, the attestations, the GitHub release and the major tag (v1).
# Refuses when the tree is dirty, package.json's version is not X.Y.Z, CHANGELOG.md has no
# section for it, or dist/ is not what src/ builds.
# Usage: scripts/release.sh 1.2.3   (then: git push origin v1.2.3)
set -euo pipefail
version="${1:?usage: scripts/release.sh X.Y.Z}"
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "not a version: $version" >&2; exit 1; }
cd "$(dirname "$0")/.."
[ -z "$(git status --porcelain)" ] || { echo "commit or stash your changes first" >&2; exit 1; }
declared="$(node -p 'JSON.parse(require("fs").readFileSync("package.json","utf8")).version')"
[ "$declared" = "$version" ] || { echo "package.json says $declared, not $version" >&2; exit 1; }
node --import tsx scripts/release-notes.ts "$version" >/dev/null \
  || { echo "add a '## [$version] - $(date -u +%F)' section to CHANGELOG.md" >&2; exit 1; }
npm run --silent package >/dev/null
[ -z "$(git status --porcelain -- dist)" ] || { echo "dist/ is stale: run npm run package and commit" >&2; exit 1; }
git tag -a "v$version" -m "v$version"
echo "tagged v$version; push it to release: git push origin v$version"
echo "(.github/workflows/release.yml then tests, attests and releases it, and moves v${version%%.*})"
