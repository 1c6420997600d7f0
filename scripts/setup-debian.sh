#!/usr/bin/env bash
# Prepares a Debian machine (as root) to build, run and test Mizzen: system packages, npm
# dependencies and the build. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

need_root() {
  if [ "$(id -u)" -ne 0 ]; then
    echo "error: run this as root (it installs system packages; the embedded cluster needs root for its network namespaces)" >&2
    exit 1
  fi
}

need_root
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends \
  ca-certificates curl openssl iproute2 iptables procps util-linux bind9-dnsutils python3 make g++ >/dev/null

if ! command -v node >/dev/null 2>&1; then
  apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 20 ]; then
  echo "error: Node.js 20 or newer is required (found $(node --version))" >&2
  exit 1
fi
if ! command -v kubectl >/dev/null 2>&1; then
  echo "error: kubectl is not installed; Mizzen is used (and tested) with the real kubectl 1.32 or 1.33" >&2
  exit 1
fi

npm ci --no-audit --no-fund --loglevel=error
npm run build --silent
