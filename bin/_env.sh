# Shared by bin/run and bin/test: find Python 3.12+, make .venv, install the locked requirements.
# Sourced, not run. Installs again only when the requirements file changed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

find_python() {
    local candidate
    for candidate in python3.12 python3.13 python3.14 python3; do
        if command -v "$candidate" >/dev/null 2>&1 &&
            "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
            command -v "$candidate"
            return
        fi
    done
    # pyenv installs that are not the global version: the shims refuse them, the files do not.
    for candidate in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.1[2-9]*/bin/python3; do
        if [ -x "$candidate" ]; then
            echo "$candidate"
            return
        fi
    done
    echo "Python 3.12 or newer is required and none was found." >&2
    exit 1
}

install_requirements() {
    local requirements="$1" stamp=".venv/.installed-$(basename "$1")"
    if [ ! -x .venv/bin/python ]; then
        "$(find_python)" -m venv .venv
    fi
    if [ ! -f "$stamp" ] || ! cmp -s "$requirements" "$stamp"; then
        .venv/bin/python -m pip install --quiet --upgrade pip
        .venv/bin/python -m pip install --quiet --require-hashes -r "$requirements"
        cp "$requirements" "$stamp"
    fi
    export PATH="$ROOT/.venv/bin:$PATH"
}
