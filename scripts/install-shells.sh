#!/usr/bin/env bash
# The shells the completion tests check their scripts with (test/cli/completion.test.ts): zsh and fish, from Debian's
# packages, besides bash. Run by .ci/run before the tests; does nothing when both are there. Without them the tests
# of their scripts do not run (bash's always do).
set -euo pipefail

missing=()
for shell in zsh fish; do
  command -v "$shell" >/dev/null || missing+=("$shell")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-shells: ${missing[*]} missing, and installing needs root: apt-get install -y ${missing[*]}" >&2
  exit 1
fi

echo "install-shells: installing Debian's ${missing[*]} (once per machine)..." >&2
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
