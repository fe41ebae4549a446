#!/usr/bin/env bash
# The benchmark-only extra of benchmarks/bench_from_torch.py, nobuco, in a virtualenv of its own. Idempotent.
#
# nobuco builds Keras 2 models only (tf.keras): the venv sees the system site-packages (torch, tensorflow-cpu,
# Keras 3, numpy, rich, nnspec itself, as installed) and adds nobuco and its two small needs (sty, tqdm) and
# tf_keras, the Keras 2 that TensorFlow 2.21 goes with, all with --no-deps. The benchmark's nobuco worker makes
# `import keras` give tf_keras and sets TF_USE_LEGACY_KERAS=1; nothing changes for any other process. nobuco
# imports torchvision, whose registry wheels are CUDA builds that do not load beside this CPU torch: the
# benchmark brings a stand-in instead (benchmarks/stubs/). The script stops if any of the system's framework
# packages would change.
#
#   benchmarks/nobuco_env.sh && python benchmarks/bench_from_torch.py
#
# NNSPEC_NOBUCO_VENV  where the venv goes (default /tmp/nnspec-nobuco; the benchmark looks for its python in
#                     NNSPEC_NOBUCO_PYTHON, default /tmp/nnspec-nobuco/bin/python)
# PYTHON              the interpreter with the system's torch and tensorflow (default python3)
set -euo pipefail

VENV="${NNSPEC_NOBUCO_VENV:-/tmp/nnspec-nobuco}"
PYTHON="${PYTHON:-python3}"
EXTRAS=(nobuco==0.17.0 sty==1.0.6 tqdm==4.70.1 tf-keras==2.21.0)

# The packages this project pins system-wide: the venv must see them exactly as the system has them.
FRAMEWORK_PACKAGES='"torch", "tensorflow-cpu", "keras", "numpy", "protobuf", "ml_dtypes", "rich"'
# shellcheck source=benchmarks/extras_venv.sh
source "$(dirname "$0")/extras_venv.sh"
# tf_keras asks for "tensorflow", which the system has as tensorflow-cpu
"$VPY" -m pip check --disable-pip-version-check | grep -v "requires tensorflow, which is not installed" || true
"$VPY" -m pip list --disable-pip-version-check --path "$(ls -d "$VENV"/lib/python3*/site-packages)" 2> /dev/null \
    | grep -Ei "^(nobuco|sty|tqdm|tf_keras) " | sed "s|^|$VENV: |"
