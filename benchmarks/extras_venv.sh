# Sourced by convnet_env.sh and nobuco_env.sh: makes the virtualenv "$VENV" (seeing the system site-packages) if
# it is not there, and installs "${EXTRAS[@]}" into it with --no-deps; stops if the venv's view of the system's
# framework packages changed. The caller sets VENV, PYTHON, EXTRAS and FRAMEWORK_PACKAGES (a Python tuple's items).
FRAMEWORKS="
import importlib.metadata as m
for name in ($FRAMEWORK_PACKAGES):
    print(name, m.version(name), m.distribution(name).locate_file(''))
"

if [[ ! -x "$VENV/bin/python" ]]; then
    "$PYTHON" -m venv --system-site-packages "$VENV"
fi
VPY="$VENV/bin/python"
# venv brings its own old setuptools, which would hide the system's (torch asks for a newer one)
if compgen -G "$VENV/lib/python3*/site-packages/setuptools" > /dev/null; then
    "$VPY" -m pip uninstall -y -q setuptools
fi

before="$("$VPY" -c "$FRAMEWORKS")"
"$VPY" -m pip install -q --disable-pip-version-check --no-deps "${EXTRAS[@]}"
after="$("$VPY" -c "$FRAMEWORKS")"
if [[ "$before" != "$after" ]]; then
    echo "$(basename "$0"): the venv's view of the system frameworks changed; before:" >&2
    echo "$before" >&2
    echo "after:" >&2
    echo "$after" >&2
    exit 1
fi
