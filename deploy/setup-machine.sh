#!/usr/bin/env bash
# What `make test` needs from the machine beyond Python: Chromium (the browser tests), CJK fonts (their
# Japanese screenshots) and gettext (compiling the message catalogs). As root it installs what is
# missing from Debian's packages; otherwise it stops at once with one line naming the command to run.
# Used by `make test` and by .ci/run. --no-browser: gettext only (make test-fast).
set -euo pipefail

missing=()
if [ "${1:-}" != "--no-browser" ]; then
  chromium="${KYODO_CHROMIUM:-/usr/bin/chromium}"
  [ -x "$chromium" ] || missing+=(chromium)
  fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || missing+=(fonts-noto-cjk)
fi
command -v msgfmt >/dev/null 2>&1 || missing+=(gettext)
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "Kyodo: this machine lacks ${missing[*]}; install them with: sudo deploy/setup-machine.sh" >&2
  exit 1
fi
echo "== installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
log="$(mktemp -t kyodo-apt.XXXXXX)"
apt-get update -qq > "$log" 2>&1 || true
apt-get install -y -qq "${missing[@]}" >> "$log" 2>&1 || { tail -20 "$log"; exit 1; }
