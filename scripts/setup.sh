#!/usr/bin/env bash
# Idempotent set-up behind `make run` and `make test`; safe to run again and again.
#
#   scripts/setup.sh          .venv with requirements.txt
#   scripts/setup.sh --dev    ... plus requirements-dev.txt (tests, lint, font build)
#   scripts/setup.sh --test   ... plus, as root with apt-get, what the tests need from
#                             Debian (PostGIS, Chromium, CJK fonts), and a running PostgreSQL
#
# pip runs only when the requirements files changed since the last install
# (a hash stamp in .venv); apt-get only when a package is missing.
# Environment: PYTHON (default python3) creates the venv.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

mode=run
case "${1:-}" in
  "") ;;
  --dev) mode=dev ;;
  --test) mode=test ;;
  -h | --help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "usage: scripts/setup.sh [--dev | --test]" >&2; exit 2 ;;
esac

VENV=.venv
PYTHON=${PYTHON:-python3}

say() { printf 'setup: %s\n' "$*"; }

# Run a noisy command; show its output only if it fails.
quietly() {
  local log status=0
  log=$(mktemp)
  "$@" >"$log" 2>&1 || status=$?
  if ((status != 0)); then
    cat "$log" >&2
    say "FAILED ($status): $*"
  fi
  rm -f "$log"
  return "$status"
}

is_root() { [[ $(id -u) -eq 0 ]]; }
installed() { dpkg -s "$1" 2>/dev/null | grep -q '^Status: install ok installed'; }

# --------------------------------------------------------------------------- Python
if [[ -x $VENV/bin/python ]] && "$VENV/bin/python" -c 'import sys' 2>/dev/null; then
  say "venv: $VENV exists ($("$VENV/bin/python" --version 2>&1))"
else
  if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    say "FAILED: $PYTHON is missing or older than Python 3.11"
    exit 1
  fi
  say "venv: creating $VENV with $("$PYTHON" --version 2>&1)"
  rm -rf "$VENV"
  quietly "$PYTHON" -m venv "$VENV"
fi

# pip_install NAME FILE... : install -r the last FILE unless all FILEs hash as last time.
pip_install() {
  local name=$1 stamp hash
  shift
  local top=${*: -1}
  stamp=$VENV/.$name.sha256
  if [[ ! -f $top ]]; then
    say "FAILED: $top is missing"
    exit 1
  fi
  hash=$(cat "$@" | sha256sum | cut -d' ' -f1)
  if [[ -f $stamp && $(<"$stamp") == "$hash" ]]; then
    say "pip: $top unchanged since the last install, skipped"
    return
  fi
  say "pip: installing -r $top"
  quietly "$VENV/bin/python" -m pip install --disable-pip-version-check -q -r "$top"
  echo "$hash" >"$stamp"
}

pip_install requirements requirements.txt
if [[ $mode != run ]]; then
  pip_install requirements-dev requirements.txt requirements-dev.txt
fi
[[ $mode == test ]] || exit 0

# --------------------------------------------------------------------------- Debian packages
pg_version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -1 || true)
packages=(chromium chromium-driver fonts-noto-cjk)
if [[ -n $pg_version ]]; then
  packages=("postgresql-$pg_version-postgis-3" "${packages[@]}")
else
  say "postgres: no PostgreSQL installed (/etc/postgresql is empty); PostGIS tests will skip"
fi

missing=()
if command -v dpkg >/dev/null; then
  for package in "${packages[@]}"; do
    installed "$package" || missing+=("$package")
  done
else
  say "apt: no dpkg here; not checking ${packages[*]}"
fi

if ((${#missing[@]} == 0)); then
  command -v dpkg >/dev/null && say "apt: ${packages[*]} already installed"
elif is_root && command -v apt-get >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  say "apt: updating package lists"
  quietly apt-get update -q
  say "apt: installing ${missing[*]}"
  quietly apt-get install -y -q "${missing[@]}"
else
  say "apt: missing ${missing[*]}; run as root with apt-get to install them" \
    "(browser and PostGIS tests skip without them, or fail under CI)"
fi

# --------------------------------------------------------------------------- PostgreSQL
if [[ -n $pg_version ]] && command -v pg_isready >/dev/null; then
  if pg_isready -q -h 127.0.0.1 -p 5432; then
    say "postgres: answering on 127.0.0.1:5432"
  elif is_root && command -v pg_ctlcluster >/dev/null; then
    say "postgres: starting cluster $pg_version/main"
    quietly pg_ctlcluster --skip-systemctl-redirect "$pg_version" main start || true
    for _ in $(seq 30); do
      pg_isready -q -h 127.0.0.1 -p 5432 && break
      sleep 0.5
    done
    if pg_isready -q -h 127.0.0.1 -p 5432; then
      say "postgres: answering on 127.0.0.1:5432"
    else
      say "postgres: still not answering on 127.0.0.1:5432; PostGIS tests will skip or fail"
    fi
  else
    say "postgres: not answering on 127.0.0.1:5432 (start it as root:" \
      "pg_ctlcluster --skip-systemctl-redirect $pg_version main start)"
  fi
fi
