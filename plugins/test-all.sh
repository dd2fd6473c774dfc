#!/usr/bin/env bash
# Install every strokebot plugin from its folder into the current Python environment, then run
# all plugin tests in one pytest run.
#
#   bash plugins/test-all.sh          (from a checkout, in a venv where strokebot is installed)
#
# The Inkscape extension's tests run Debian's Inkscape under a virtual display. When inkscape,
# xvfb-run or the Python modules Inkscape's extensions need (python3-lxml, python3-numpy,
# python3-cssselect) are missing and this runs as root with apt-get, they are installed
# (apt-get install --no-install-recommends inkscape python3-lxml python3-numpy python3-cssselect
# xvfb xauth); otherwise those tests are skipped, and say why.
# strokebot-arm's tests render the simulated arm offscreen with MuJoCo through EGL; Debian's libegl1,
# libegl-mesa0 and libgl1-mesa-dri are installed the same way when missing (without them the render
# tests check the message that says what to install).
# PYTHON names the environment's interpreter (default: python3 on PATH).
set -euo pipefail

plugins="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
python="${PYTHON:-python3}"

if ! "$python" -c "import strokebot" 2>/dev/null; then
    echo "test-all.sh: strokebot is not installed for $python; install it first (pip install -e .)" >&2
    exit 1
fi

missing=()
command -v inkscape >/dev/null 2>&1 || missing+=(inkscape)
command -v xvfb-run >/dev/null 2>&1 || missing+=(xvfb xauth)
/usr/bin/python3 -c "import lxml, numpy, cssselect" >/dev/null 2>&1 || missing+=(python3-lxml python3-numpy python3-cssselect)
if ((${#missing[@]})); then
    if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
        echo "test-all.sh: installing ${missing[*]} for the Inkscape extension's tests"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            inkscape python3-lxml python3-numpy python3-cssselect xvfb xauth >/dev/null
    else
        echo "test-all.sh: ${missing[*]} missing and not root: the Inkscape tests will be skipped" >&2
    fi
fi

if ! /sbin/ldconfig -p 2>/dev/null | grep -q "libEGL_mesa.so.0"; then
    if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
        echo "test-all.sh: installing libegl1 libegl-mesa0 libgl1-mesa-dri for strokebot-arm's offscreen renders"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            libegl1 libegl-mesa0 libgl1-mesa-dri >/dev/null
    else
        echo "test-all.sh: EGL (libegl1 libegl-mesa0 libgl1-mesa-dri) missing and not root: no arm renders" >&2
    fi
fi

# The Python packages install like any other; the Inkscape extension is copied into a
# temporary Inkscape configuration by its tests, with its own install.sh.
"$python" -m pip install --quiet -e "$plugins/vpype-strokebot[test]" -e "$plugins/strokebot-dxf[test]" \
    -e "$plugins/strokebot-arm[test,rtde]"

# importlib mode: the test folders each have a conftest.py and stay independent.
exec "$python" -m pytest --import-mode=importlib -p no:cacheprovider -ra \
    "$plugins/vpype-strokebot/tests" "$plugins/strokebot-dxf/tests" "$plugins/inkscape/tests" \
    "$plugins/strokebot-arm/tests" "$@"
