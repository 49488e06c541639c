#!/usr/bin/env bash
# Installs what the WeasyPrint peer benchmark (run.py beside this file) needs, idempotently:
#   - the shared libraries WeasyPrint loads at run time (Debian packages, installed with
#     apt-get only when one is missing; needs root), as WeasyPrint's "First Steps" lists them
#     for a pip install on Debian: Pango, its FreeType backend and HarfBuzz's subsetter
#     (which WeasyPrint uses to subset fonts; without it it falls back to fontTools);
#   - WeasyPrint and segno (QR codes) from PyPI, pinned, into a venv at
#     target/weasyprint-venv (relative to the repository root; target/ is git-ignored).
#
# Usage: bash documents-service/benches/weasyprint/setup.sh   (from anywhere)
# Environment: PYTHON (default python3, must be >= 3.10), WEASYPRINT_VERSION (default 70.0).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
venv="$root/target/weasyprint-venv"
python="${PYTHON:-python3}"
weasyprint_version="${WEASYPRINT_VERSION:-70.0}"
segno_version="1.6.6"

# 1. Debian packages (the libraries are dlopen'ed by WeasyPrint's cffi bindings).
packages=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 libfontconfig1)
missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done
if ((${#missing[@]})); then
    echo "installing Debian packages: ${missing[*]}"
    sudo_cmd=()
    if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
    echo "Debian packages present: ${packages[*]}"
fi

# 2. The venv and the Python packages.
if ! "$python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)'; then
    echo "error: $python is older than 3.10, which WeasyPrint $weasyprint_version needs" >&2
    exit 1
fi
if [ ! -x "$venv/bin/python" ]; then
    echo "creating venv $venv"
    mkdir -p "$root/target"
    "$python" -m venv "$venv"
fi
if "$venv/bin/python" - "$weasyprint_version" "$segno_version" <<'EOF'
import sys
from importlib.metadata import version, PackageNotFoundError
try:
    ok = version("weasyprint") == sys.argv[1] and version("segno") == sys.argv[2]
except PackageNotFoundError:
    ok = False
sys.exit(0 if ok else 1)
EOF
then
    echo "weasyprint $weasyprint_version and segno $segno_version already in $venv"
else
    echo "installing weasyprint==$weasyprint_version segno==$segno_version into $venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
        "weasyprint==$weasyprint_version" "segno==$segno_version"
fi

# 3. Check that WeasyPrint loads its libraries.
"$venv/bin/python" -c 'import weasyprint; print("weasyprint", weasyprint.__version__, "imports fine")'

rel_venv="${venv#"$root"/}"
cat <<EOF

Run the benchmark from the repository root ($root):
  $rel_venv/bin/python documents-service/benches/weasyprint/run.py            # 20 documents
  $rel_venv/bin/python documents-service/benches/weasyprint/run.py --runs 50 --out /tmp/wp
EOF
