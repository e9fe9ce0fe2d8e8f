#!/usr/bin/env bash
# Makes sure the browser tests (apps/console-e2e) have Debian's chromium: does nothing when it is
# there (HOOKYARD_CHROMIUM, else /usr/bin/chromium); otherwise installs the `chromium` package with
# apt-get, as root or through sudo. Exits non-zero with what to do when it cannot.
set -euo pipefail

chromium="${HOOKYARD_CHROMIUM:-/usr/bin/chromium}"
if [ -x "$chromium" ]; then
  echo "chromium: $chromium"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: $chromium is missing and there is no apt-get here; install Chromium and set HOOKYARD_CHROMIUM to its binary" >&2
  exit 1
fi

if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  as_root=(sudo -n)
else
  echo "ensure-chromium: $chromium is missing; run as root (or with sudo): apt-get install -y chromium" >&2
  exit 1
fi

echo "chromium: installing Debian's chromium package"
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq --no-install-recommends chromium

if [ ! -x "$chromium" ]; then
  echo "ensure-chromium: apt-get installed chromium but $chromium is still missing; set HOOKYARD_CHROMIUM to its binary" >&2
  exit 1
fi
echo "chromium: $chromium"
