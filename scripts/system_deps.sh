#!/usr/bin/env bash
# The system packages the test suite needs (Debian names). Installs the missing ones when run as root
# with apt-get; otherwise prints the one command to run and exits 1, so `make test` never runs a suite
# that would skip tests for want of a tool.
set -euo pipefail

need=()
[ -x /usr/bin/chromium ] || need+=(chromium)                        # browser tests (Playwright)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)        # PDFs rendered back to pictures
command -v zbarimg >/dev/null 2>&1 || need+=(zbar-tools)            # QR labels decoded back
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)        # PDF text beyond Latin-1
[ -f /usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf ] || need+=(fonts-droid-fallback)  # CJK in PDFs
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)  # throwaway PostgreSQL
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)   # deployment test starts its own Redis

[ ${#need[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "== installing system packages the tests need: ${need[*]}"
  # Debian's postgresql package would otherwise create and start a cluster we never use.
  mkdir -p /etc/postgresql-common
  grep -qs '^create_main_cluster' /etc/postgresql-common/createcluster.conf ||
    echo 'create_main_cluster = false' >> /etc/postgresql-common/createcluster.conf
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  exit 0
fi

echo "The test suite needs these system packages: ${need[*]}" >&2
echo "Install them, then run make test again:" >&2
echo "  sudo apt-get install -y ${need[*]}" >&2
exit 1
