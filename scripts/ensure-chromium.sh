#!/usr/bin/env bash
# Makes sure a Chromium for the browser tests exists: CHROME_PATH, else Debian's chromium
# (installed with apt-get when we are root), else a one-line instruction.
set -euo pipefail
for candidate in "${CHROME_PATH:-}" /usr/lib/chromium/chromium /usr/bin/chromium /usr/bin/google-chrome; do
  if [ -n "$candidate" ] && [ -x "$candidate" ]; then exit 0; fi
done
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Chromium not found: installing Debian's chromium (apt-get)…" >&2
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  [ -x /usr/lib/chromium/chromium ] && exit 0
fi
echo "Browser tests need Chromium: install it (Debian: sudo apt-get install chromium) or set CHROME_PATH to a Chrome/Chromium binary." >&2
exit 1
