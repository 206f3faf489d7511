#!/usr/bin/env bash
# Installs the Debian packages wh needs to build and test, only those that are missing.
# Quiet and fast (a dpkg query) when everything is already present.
set -euo pipefail
pkgs=(build-essential cmake pkg-config libzstd-dev libxxhash-dev libboost-iostreams-dev
      zlib1g-dev libsnappy-dev liblz4-dev libre2-dev libutf8proc-dev libgtest-dev libgmock-dev libbenchmark-dev libsimdjson-dev libedit-dev python3 python3-dev pybind11-dev python3-numpy python3-pandas python3-pytest python3-matplotlib clang
      libclang-rt-14-dev)
missing=()
for p in "${pkgs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  sudo=""
  if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
