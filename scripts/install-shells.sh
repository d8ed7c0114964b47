#!/usr/bin/env bash
# The shells the completion tests run their scripts in (test/shells/, `npm run test:shells`): zsh and fish from
# Debian's packages, besides bash and git's bash completion (Debian's git package). Does nothing when all are there.
set -euo pipefail

missing=()
for shell in zsh fish; do
  command -v "$shell" >/dev/null || missing+=("$shell")
done
if [ ! -f /usr/share/bash-completion/completions/git ] && [ ! -f /etc/bash_completion.d/git ]; then
  missing+=(git)
fi
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
