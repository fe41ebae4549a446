#!/usr/bin/env bash
# The benchmark-only extras of benchmarks/bench_convnets.py, in a virtualenv of their own. Idempotent.
#
# The venv sees the system site-packages (torch, tensorflow-cpu, keras, numpy, protobuf and nnspec itself, as
# installed), and adds only onnx and onnx2torch, both with --no-deps: onnx2torch would otherwise pull a second
# torch and a torchvision that no wheel matches for this CPU torch (the benchmark brings a stand-in instead,
# benchmarks/stubs/). The script stops if any of the system's framework packages would change.
#
#   benchmarks/convnet_env.sh && /tmp/nnspec-bench/bin/python benchmarks/bench_convnets.py
#
# NNSPEC_BENCH_VENV   where the venv goes (default /tmp/nnspec-bench)
# PYTHON              the interpreter with the system's torch and tensorflow (default python3)
# NNSPEC_BENCH_TF2ONNX=1 also installs tf2onnx, for bench_convnets.py --onnx-route tensorflow (Keras's ONNX
#                     export on the TensorFlow backend); the default route (torch backend) needs no extra.
set -euo pipefail

VENV="${NNSPEC_BENCH_VENV:-/tmp/nnspec-bench}"
PYTHON="${PYTHON:-python3}"
EXTRAS=(onnx==1.23.2 onnx2torch==1.5.15)
if [[ "${NNSPEC_BENCH_TF2ONNX:-0}" == 1 ]]; then
    EXTRAS+=(tf2onnx==1.17.0)  # its other needs (flatbuffers, requests) come with tensorflow
fi

# The packages this project pins system-wide: the venv must see them exactly as the system has them.
FRAMEWORK_PACKAGES='"torch", "tensorflow-cpu", "keras", "numpy", "protobuf", "ml_dtypes", "nnspec"'
# shellcheck source=benchmarks/extras_venv.sh
source "$(dirname "$0")/extras_venv.sh"
# onnx's own needs (numpy, protobuf, ml_dtypes, typing_extensions) come from the system; only onnx2torch's
# torchvision may be missing (the stand-in covers it).
"$VPY" -m pip check --disable-pip-version-check | grep -v "requires torchvision, which is not installed" || true
"$VPY" -m pip list --disable-pip-version-check --path "$(ls -d "$VENV"/lib/python3*/site-packages)" 2> /dev/null \
    | grep -Ei "^(onnx|onnx2torch|tf2onnx) " | sed "s|^|$VENV: |"
