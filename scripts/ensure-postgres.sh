#!/usr/bin/env bash
# Makes sure the PostgreSQL the conformance tests use answers (SEATKIT_TEST_PG, else the local
# server at 127.0.0.1:5432 as postgres): starts the local cluster when it is down, installs
# Debian's postgresql when it is missing (as root with apt-get), else a one-line instruction.
set -euo pipefail
url="${SEATKIT_TEST_PG:-postgres://postgres@127.0.0.1:5432/postgres}"
answers() { node -e "
  const pg = require('pg'); const c = new pg.Client({ connectionString: process.argv[1], connectionTimeoutMillis: 3000 });
  c.connect().then(() => c.end()).then(() => process.exit(0), () => process.exit(1));" "$url" 2>/dev/null; }
answers && exit 0
if [ -n "${SEATKIT_TEST_PG:-}" ]; then echo "PostgreSQL does not answer at SEATKIT_TEST_PG ($url)." >&2; exit 1; fi
root=false; [ "$(id -u)" = "0" ] && root=true
if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
  if $root && command -v apt-get >/dev/null 2>&1; then
    echo "PostgreSQL not found: installing Debian's postgresql (apt-get)…" >&2
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  else
    echo "The tests need PostgreSQL at 127.0.0.1:5432 (Debian: sudo apt-get install postgresql), or SEATKIT_TEST_PG=postgres://… naming one." >&2
    exit 1
  fi
fi
version="$(ls /etc/postgresql | sort -V | tail -1)"
hba="/etc/postgresql/$version/main/pg_hba.conf"
# The tests connect over TCP as postgres without a password: trust loopback (a test machine's local server only).
if $root && ! grep -qE '^host\s+all\s+all\s+127\.0\.0\.1/32\s+trust' "$hba"; then
  sed -i '1i host all all 127.0.0.1/32 trust' "$hba"
fi
echo "Starting PostgreSQL $version…" >&2
if $root; then pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>/dev/null || pg_ctlcluster --skip-systemctl-redirect "$version" main reload
else pg_ctlcluster "$version" main start; fi
for _ in $(seq 1 30); do answers && exit 0; sleep 1; done
echo "PostgreSQL did not come up at $url (see /var/log/postgresql/)." >&2
exit 1
