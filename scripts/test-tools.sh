# Sourced by scripts/test: installs the outside tools that some tests drive and exports where
# they are. Each tool is installed once per checkout and reused while its pin is unchanged.
#
#   REGULA_TEST_PYTHON    a Python (virtual environment under .build/test-tools) with the
#                         packages pinned in scripts/test-requirements.txt: onnx and onnxruntime
#                         (ONNX export round trips), tensorboard (reads the event files back)
#   REGULA_TEST_CHROMIUM  headless Chromium from Debian's packages (screenshots of HTML reports)
#   REGULA_TEST_TORCH_PYTHON  Debian's /usr/bin/python3 with python3-torch (CPU; PyTorch export
#                         round trips and torchrun); PyPI's torch wheel pulls GBs of CUDA libraries
#
# A tool that cannot be installed is left unset: its tests then skip, except under CI=true,
# where they fail (TestSupport/TestTools.swift), so a missing install step cannot pass unseen.

regula_tools=".build/test-tools"
regula_venv="$regula_tools/venv"
mkdir -p "$regula_tools"

if ! cmp -s scripts/test-requirements.txt "$regula_venv/requirements.txt" 2>/dev/null; then
    echo "scripts/test: installing the Python test tools into $regula_venv" >&2
    rm -rf "$regula_venv"
    if python3 -m venv "$regula_venv" >&2 \
        && "$regula_venv/bin/pip" install --quiet --disable-pip-version-check -r scripts/test-requirements.txt >&2; then
        cp scripts/test-requirements.txt "$regula_venv/requirements.txt"
    else
        echo "scripts/test: could not install the Python test tools; their tests will skip (fail under CI)" >&2
        rm -rf "$regula_venv"
    fi
fi
if [ -x "$regula_venv/bin/python" ]; then
    export REGULA_TEST_PYTHON="$PWD/$regula_venv/bin/python"
fi

regula_chromium="$(command -v chromium || command -v chromium-browser || true)"
if [ -z "$regula_chromium" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "scripts/test: installing chromium from Debian's packages" >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core) >&2 \
        || echo "scripts/test: could not install chromium; the report screenshot tests will skip (fail under CI)" >&2
    regula_chromium="$(command -v chromium || true)"
fi
if [ -n "$regula_chromium" ]; then
    export REGULA_TEST_CHROMIUM="$regula_chromium"
fi

if ! /usr/bin/python3 -c 'import torch' >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "scripts/test: installing python3-torch from Debian's packages" >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-torch) >&2 \
        || echo "scripts/test: could not install python3-torch; the PyTorch export tests will skip (fail under CI)" >&2
fi
if /usr/bin/python3 -c 'import torch' >/dev/null 2>&1; then
    export REGULA_TEST_TORCH_PYTHON=/usr/bin/python3
fi
