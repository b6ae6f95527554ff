#!/usr/bin/env bash
# Install the Debian packages the app needs (fonts and Pango for certificates; for tests also Chromium and
# poppler-utils). Runs apt-get only as root and only when something is missing.
set -euo pipefail
case "${1:-run}" in
  run) packages=(fonts-arphic-gbsn00lp fonts-arphic-gkai00mp fonts-noto-cjk fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0) ;;
  test) packages=(fonts-arphic-gbsn00lp fonts-arphic-gkai00mp fonts-noto-cjk fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 chromium poppler-utils) ;;
  *) echo "usage: $0 run|test" >&2; exit 2 ;;
esac
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "warning: not root, so these Debian packages were not installed: ${missing[*]}" >&2
  echo "         run: sudo apt-get install ${missing[*]}" >&2
  exit 0
fi
echo "installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
