#!/usr/bin/env bash
# Installs the Debian packages the test suites need, and nothing when they are already there
# (idempotent; `apt-get update` runs only when something is missing). Usable by CI on a fresh
# Debian/Ubuntu machine; run as root or with sudo available.
#
#   zookeeper        Apache ZooKeeper 3.8 (zkServer.sh, zkCli.sh; pulls in a Java runtime):
#                    the reference server for test/compat and test/interop, and zkCli.sh itself
#   python3-kazoo    kazoo for Debian's /usr/bin/python3 (test/interop/kazoo)
#   util-linux       setpriv --pdeathsig: test children die with the test runner
#   redis-server     Redis 7 for the API's BullMQ jobs: test/api and the embedded default start a private one
#   build-essential, python3
#                    compiler + node-gyp's python for the npm `zookeeper` C-client addon, which
#                    `npm ci` builds from source (run this script before `npm ci`)
#   chromium         headless browser for test/e2e (the console), driven by playwright-core with
#                    executablePath /usr/bin/chromium (never `npx playwright install`)
#   openjdk-17-jdk-headless
#                    javac for the Java RMI provider fixtures of test/platform (zookeeper pulls in only a JRE)
#
# usage: scripts/install-system-deps.sh [--check]   (--check: report what is missing, exit 1 if any)
set -euo pipefail

PACKAGES=(zookeeper python3-kazoo util-linux redis-server build-essential python3 chromium openjdk-17-jdk-headless)

installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

missing=()
for package in "${PACKAGES[@]}"; do
  installed "$package" || missing+=("$package")
done

if [[ "${1:-}" == "--check" ]]; then
  if ((${#missing[@]})); then
    echo "missing Debian packages: ${missing[*]}" >&2
    exit 1
  fi
  echo "system deps present: ${PACKAGES[*]}"
  exit 0
fi

if ((${#missing[@]})); then
  SUDO=()
  if [[ "$(id -u)" -ne 0 ]]; then
    command -v sudo >/dev/null || { echo "need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
    SUDO=(sudo)
  fi
  export DEBIAN_FRONTEND=noninteractive
  echo "installing: ${missing[*]}"
  "${SUDO[@]}" apt-get update -qq
  "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "system deps present: ${PACKAGES[*]}"
fi

# What the suites rely on, beyond the package names
problems=()
[[ -x /usr/share/zookeeper/bin/zkServer.sh ]] || problems+=("/usr/share/zookeeper/bin/zkServer.sh missing")
[[ -x /usr/share/zookeeper/bin/zkCli.sh ]] || problems+=("/usr/share/zookeeper/bin/zkCli.sh missing")
command -v java >/dev/null || problems+=("no java on PATH")
/usr/bin/python3 -c 'import kazoo' 2>/dev/null || problems+=("/usr/bin/python3 cannot import kazoo")
[[ -x /usr/bin/setpriv ]] || problems+=("/usr/bin/setpriv missing")
command -v redis-server >/dev/null || problems+=("no redis-server on PATH")
[[ -x /usr/bin/chromium ]] || problems+=("/usr/bin/chromium missing")
if ((${#problems[@]})); then
  printf 'system deps incomplete: %s\n' "${problems[@]}" >&2
  exit 1
fi
