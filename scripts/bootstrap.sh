#!/usr/bin/env bash
# Installs what addresshub needs on a Debian 12 machine, idempotently:
#   Debian packages (as root, only when missing), a virtual environment in .venv with the
#   pinned Python packages (re-installed only when pyproject.toml or the constraints change).
# Usage: scripts/bootstrap.sh [--postgis]   (--postgis also installs PostgreSQL 15 + PostGIS 3)
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(libsqlite3-mod-spatialite)
if [[ "${1:-}" == "--postgis" ]]; then
  packages+=(postgresql-15 postgresql-15-postgis-3)
fi

missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if (( ${#missing[@]} )); then
  echo "bootstrap: installing Debian packages: ${missing[*]}"
  if [[ $(id -u) -ne 0 ]]; then
    echo "bootstrap: need root to install ${missing[*]} (or install them first)" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi

python=${PYTHON:-python3}
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "bootstrap: Python >= 3.11 is required (found $("$python" --version 2>&1))" >&2
  exit 1
fi
[[ -x .venv/bin/python ]] || "$python" -m venv .venv

stamp=.venv/.addresshub-installed
want=$(cat pyproject.toml requirements/constraints.txt | sha256sum | cut -d' ' -f1)
if [[ ! -f $stamp || $(cat "$stamp") != "$want" ]]; then
  echo "bootstrap: installing Python packages into .venv"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -c requirements/constraints.txt -e '.[dev]'
  echo "$want" > "$stamp"
fi
