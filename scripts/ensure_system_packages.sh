#!/usr/bin/env bash
# Install the system programs the test suite drives, when they are missing and we can:
#   chromium      the browser tests (Playwright never downloads a browser of its own)
#   redis-server  the test of several server processes sharing a message queue
# Called by `make test` (and so by .ci/run). It installs with apt-get as root (or through
# passwordless sudo); otherwise it says loudly what is missing and carries on, and the tests
# that need the program are skipped with the reason. With CI=true a program that is still
# missing makes this script fail, because CI must run every test.
set -uo pipefail

missing_packages=()

have_chromium() {
  if [ -n "${CONFERENCE_ROOM_CHROMIUM:-}" ]; then
    [ -x "$CONFERENCE_ROOM_CHROMIUM" ]
    return
  fi
  for path in /usr/bin/chromium /usr/bin/chromium-browser /usr/lib/chromium/chromium \
    /snap/bin/chromium /usr/bin/google-chrome-stable /usr/bin/google-chrome; do
    [ -x "$path" ] && return 0
  done
  command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1
}

have_redis() {
  command -v redis-server >/dev/null 2>&1 || [ -x /usr/bin/redis-server ]
}

if [ -n "${CONFERENCE_ROOM_CHROMIUM:-}" ] && ! have_chromium; then
  # Installing a package would not help: the variable wins over every usual path.
  echo "CONFERENCE_ROOM_CHROMIUM=$CONFERENCE_ROOM_CHROMIUM is not an executable file." >&2
else
  have_chromium || missing_packages+=(chromium)
fi
have_redis || missing_packages+=(redis-server)

as_root=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    as_root=(sudo -n)
  else
    as_root=(none)
  fi
fi

if [ ${#missing_packages[@]} -gt 0 ] && [ "${as_root[*]}" != "none" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing ${missing_packages[*]} with apt-get (needed by the test suite)..."
  export DEBIAN_FRONTEND=noninteractive
  "${as_root[@]}" apt-get update -qq &&
    "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing_packages[@]}" ||
    echo "apt-get could not install ${missing_packages[*]}." >&2
fi

still_missing=()
have_chromium || still_missing+=(chromium)
have_redis || still_missing+=(redis-server)
if [ ${#still_missing[@]} -eq 0 ]; then
  exit 0
fi

cat >&2 <<EOF

************************************************************************************
  MISSING: ${still_missing[*]}
  The tests that need them will be SKIPPED. Install them with
      sudo apt-get install ${still_missing[*]}
  (or set CONFERENCE_ROOM_CHROMIUM to a Chromium or Chrome you already have).
************************************************************************************

EOF
case "${CI:-}" in
  true | TRUE | True | 1 | yes) echo "CI=true: every test must run, so this is an error." >&2; exit 1 ;;
esac
exit 0
