#!/usr/bin/env bash
# The browser of the browser test layer (npm run test:browser) and of the docs' screenshots: Debian's chromium at
# /usr/bin/chromium, which playwright-core drives. Playwright's own browser download fails on these machines
# (docs/development.md), so the system package it is. Does nothing when chromium is already there.
set -euo pipefail

CHROMIUM=/usr/bin/chromium
if [ -x "$CHROMIUM" ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-browser: $CHROMIUM is missing, and installing it needs root." >&2
  echo "  Run as root: apt-get update && apt-get install -y chromium" >&2
  echo "  (or: sudo bash scripts/install-browser.sh), then run the browser tests again." >&2
  exit 1
fi

echo "install-browser: installing Debian's chromium (once per machine)..." >&2
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
if [ ! -x "$CHROMIUM" ]; then
  echo "install-browser: apt-get installed chromium, but $CHROMIUM is not there; look at 'dpkg -L chromium'." >&2
  exit 1
fi
echo "install-browser: $("$CHROMIUM" --version 2>/dev/null || echo chromium) is at $CHROMIUM" >&2
