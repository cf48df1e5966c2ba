# Shared by scripts/run and scripts/check: a project venv, installed from pyproject.toml.
# Sourced, not executed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-python3}"
VENV="${CC_VENV:-$ROOT/.venv}"

# Qt needs these shared libraries and a CJK font; a bare Debian/Ubuntu lacks them.
SYSTEM_PACKAGES="libegl1 libgl1 libfontconfig1 libxkbcommon0 libxkbcommon-x11-0 libdbus-1-3 \
libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-randr0 \
libxcb-shape0 libxcb-xfixes0 libxcb-xkb1 fonts-noto-cjk"

ensure_system_packages() {
  command -v dpkg-query >/dev/null 2>&1 || return 0   # not Debian-like: see README
  local missing=()
  for p in $SYSTEM_PACKAGES; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo ">> installing system packages: ${missing[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  else
    echo ">> missing system packages: ${missing[*]}" >&2
    echo ">> install them with: sudo apt-get install -y ${missing[*]}" >&2
    return 1
  fi
}

ensure_venv() {  # $1: the extras to install, e.g. "" or "[dev]"
  "$PYTHON" - <<'PY' || { echo ">> Python 3.11, 3.12 or 3.13 is required (set PYTHON=...)" >&2; exit 1; }
import sys; sys.exit(0 if (3, 11) <= sys.version_info[:2] < (3, 14) else 1)
PY
  [ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
  local stamp="$VENV/.installed$1" want
  want="$(cat pyproject.toml | sha256sum | cut -d' ' -f1)"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo ">> installing Python packages into $VENV"
    "$VENV/bin/python" -m pip install -q --upgrade pip
    "$VENV/bin/python" -m pip install -q -e ".$1"
    echo "$want" > "$stamp"
  fi
}
