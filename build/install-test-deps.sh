#!/usr/bin/env bash
# Installs what the test suite needs beyond the .NET SDK: the Debian packages behind the
# external-client tests (Python grpcio and protoc with the gRPC Python plugin), h2load for
# the benchmark, PostgreSQL for the infrastructure tests, and the Node clients (grpc-js,
# buf). Idempotent: installs only what is missing, so a second run changes nothing.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
apt_packages=(
  nghttp2-client
  python3-grpcio
  python3-grpc-tools
  protobuf-compiler
  protobuf-compiler-grpc
  postgresql
)

missing=()
for package in "${apt_packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$package")
  fi
done

if ((${#missing[@]} > 0)); then
  echo "install-test-deps: installing ${missing[*]}"
  sudo_cmd=()
  if [[ $(id -u) -ne 0 ]]; then
    sudo_cmd=(sudo)
  fi
  "${sudo_cmd[@]}" apt-get update
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
else
  echo "install-test-deps: apt packages present"
fi

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "install-test-deps: node and npm are required (Node.js 18 or later)" >&2
  exit 1
fi

# npm ci only when node_modules is older than the lock file it was installed from.
node_dir="$repo_root/tests/clients/node"
installed_lock="$node_dir/node_modules/.package-lock.json"
if [[ ! -f "$installed_lock" || "$node_dir/package-lock.json" -nt "$installed_lock" ]]; then
  echo "install-test-deps: npm ci in tests/clients/node"
  (cd "$node_dir" && npm ci --no-audit --no-fund)
else
  echo "install-test-deps: node_modules up to date"
fi
