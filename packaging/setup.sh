#!/usr/bin/env bash
# csirtgw development set-up on Debian 12, run as root from anywhere:
#   packaging/setup.sh serve   install packages, build, run the daemon in the foreground
#   packaging/setup.sh test    install packages, build, run every test
# Idempotent: packages already installed are not fetched again; the build is incremental.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  build-essential cmake pkg-config
  libgpgme-dev libmimetic-dev libboost-dev libsqlite3-dev libspdlog-dev doctest-dev
  nlohmann-json3-dev libcli11-dev libtomlplusplus-dev libssl-dev libyaml-cpp-dev
  gnupg gpg-agent sqlite3
  postfix swaks sq python3 procps
  neomutt   # test_staff_mail: a staff reply signed and encrypted by neomutt (GPGME)
  clang-14 libclang-rt-14-dev   # fuzz_smoke: clang++-14; libFuzzer, ASan and UBSan runtimes
  libsystemd-dev
  dovecot-imapd   # the queues over IMAP (tests/integration/test_imap_desk.py)
  # the Debian package and its test (tests/integration/test_deb_package.py)
  dpkg-dev debhelper fakeroot lintian systemd util-linux adduser man-db
)

install_packages() {
  local missing=() p
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: missing packages (${missing[*]}); run as root to install them" >&2
    exit 1
  fi
  # Postfix is only a test peer here: no system mail configuration, no service.
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
}

build() {
  cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build build -j"$(nproc)"
}

case "${1:-}" in
  serve)
    install_packages
    build
    exec ./build/csirtgw serve --state-dir var "${@:2}"
    ;;
  test)
    install_packages
    build
    cd build
    exec ctest --output-on-failure --timeout 900 "${@:2}"
    ;;
  *)
    echo "usage: $0 serve|test" >&2
    exit 2
    ;;
esac
