"""The command line: exit codes, output, malformed files, and no framework imports."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nnspec.compiler.cli import app

ROOT = Path(__file__).resolve().parents[2]
IRIS = ROOT / "examples" / "iris.yaml"
runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, [str(a) for a in args])


def test_validate_ok_exits_0() -> None:
    result = run("validate", IRIS, ROOT / "examples" / "iris_functional.yaml")
    assert result.exit_code == 0, result.output
    assert "1,873 parameters" in result.output and "1,283 parameters" in result.output


def test_validate_invalid_exits_1_with_path() -> None:
    result = run("validate", ROOT / "examples" / "invalid_unknown_layer.yaml")
    assert result.exit_code == 1
    assert "config.layers[1]: unknown layer 'Dence'" in result.output
    assert "did you mean 'Dense'?" in result.output


@pytest.mark.parametrize("args", [[], ["validate"], ["summary", "--bogus", "x"], ["normalize", IRIS, "--to", "xml"]])
def test_misuse_exits_2(args: list[str]) -> None:
    assert run(*args).exit_code == 2


@pytest.mark.parametrize(
    ("name", "expected_total"), [("iris", "1,873"), ("iris_small", "403"), ("iris_functional", "1,283")]
)
def test_summary_prints_keras_totals(name: str, expected_total: str) -> None:
    result = run("summary", ROOT / "examples" / f"{name}.yaml")
    assert result.exit_code == 0, result.output
    assert f"Total params: {expected_total} (" in result.output


def test_summary_json() -> None:
    result = run("summary", ROOT / "examples" / "mnist_bn.yaml", "--json")
    data = json.loads(result.output)
    assert (data["total_params"], data["trainable_params"], data["non_trainable_params"]) == (331538, 330818, 720)
    assert data["torch_buffers"] == 721  # running mean/var (720) + num_batches_tracked
    assert [row["output_shape"] for row in data["rows"]][:2] == ["(None, 784)", "(None, 360)"]


@pytest.mark.parametrize("fmt", ["yaml", "json", "keras-json"])
def test_normalize_output_loads_back_to_the_same_model(tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"iris.{'yaml' if fmt == 'yaml' else 'json'}"
    assert run("normalize", ROOT / "examples" / "iris_functional.yaml", "--to", fmt, "-o", out).exit_code == 0
    result = run("summary", out, "--json")
    assert json.loads(result.output)["total_params"] == 1283


def test_schema_prints_json_schema() -> None:
    result = run("schema")
    assert json.loads(result.output)["$schema"].startswith("https://json-schema.org")


ALIAS_BOMB = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
    f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
    for i in range(8)
)

MALFORMED = {
    "empty.yaml": ("", "file is empty"),
    "blank.json": ("  \n\n", "file is empty"),
    "bad.json": ('{"class_name": "Sequential",', "invalid JSON at line 1"),
    "bad.yaml": ("class_name: [Sequential\nconfig: {", "invalid YAML"),
    "list.yaml": ("- 1\n- 2\n", "a model spec must be a mapping"),
    "string.json": ('"Sequential"', "a model spec must be a mapping"),
    "number.yaml": ("42\n", "a model spec must be a mapping"),
    "bomb.yaml": (ALIAS_BOMB, "YAML aliases expand to too many nodes"),
    "recursive.yaml": ("a: &a\n  b: *a\n", "recursive YAML alias"),
    "dupkey.json": ('{"class_name": "Sequential", "class_name": "Functional"}', "duplicate key 'class_name'"),
    "dupkey.yaml": ("class_name: Sequential\nclass_name: Functional\n", "duplicate key 'class_name'"),
    "binary.json": (b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe", "file is not UTF-8 text"),
    "no_config.yaml": ("class_name: Sequential\n", "config: required field 'config' is missing"),
    "bad_class.yaml": ("class_name: Squential\nconfig: {name: m, layers: []}\n", "did you mean 'Sequential'?"),
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_input_exits_1_with_a_clear_error(tmp_path: Path, name: str) -> None:
    content, message = MALFORMED[name]
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    result = run("validate", path)
    assert result.exit_code == 1, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_missing_file_and_directory(tmp_path: Path) -> None:
    missing = run("validate", tmp_path / "nope.yaml")  # a usage error, as typer reports other bad arguments
    assert missing.exit_code == 2 and "does not exist" in missing.output
    assert "is a directory" in run("validate", tmp_path).output


def test_huge_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    with path.open("wb") as handle:
        handle.truncate(300 * 1024 * 1024)  # sparse: 300 MB on paper, nothing on disk
    result = run("validate", path)
    assert result.exit_code == 1
    assert "file is too large" in result.output


def test_the_size_limit_holds_for_what_has_no_size(tmp_path: Path) -> None:
    """A device, a FIFO or stdin reports no size: the limit holds while reading."""
    import contextlib
    import os
    import threading

    from nnspec.spec.errors import SpecError
    from nnspec.spec.read import read_file

    assert "file is too large" in run("validate", "/dev/zero").output
    fifo = tmp_path / "spec.json"
    os.mkfifo(fifo)

    def write() -> None:
        with contextlib.suppress(BrokenPipeError), fifo.open("wb") as sink:
            sink.write(b" " * 2048)

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    with pytest.raises(SpecError) as caught:
        read_file(fifo, max_bytes=1024)
    writer.join(timeout=10)
    assert "more than 1,024 bytes" in str(caught.value)


def test_param_limit_is_settable() -> None:
    assert run("validate", IRIS, "--max-params", "1000").exit_code == 1
    assert "model is too large" in run("validate", IRIS, "--max-params", "1000").output
    assert run("validate", IRIS, "--max-params", "2000").exit_code == 0


def test_normalize_writes_nothing_for_an_invalid_spec(tmp_path: Path) -> None:
    out = tmp_path / "out.yaml"
    assert run("normalize", ROOT / "examples" / "invalid_cycle.yaml", "-o", out).exit_code == 1
    assert not out.exists() and not list(tmp_path.iterdir())


@pytest.mark.parametrize(
    "args",
    [
        ["validate", str(IRIS)],
        ["summary", str(IRIS)],
        ["summary", str(IRIS), "--json"],
        ["schema"],
        ["normalize", str(IRIS), "--to", "keras-json"],
        ["plot", str(IRIS), "-o", "{tmp}/iris.dot"],
        ["plot", str(IRIS), "-o", "{tmp}/iris.svg"],
    ],
)
def test_commands_import_no_framework(args: list[str], tmp_path: Path) -> None:
    args = [arg.format(tmp=tmp_path) for arg in args]
    code = (
        "import sys\n"
        f"sys.argv = ['nnspec', *{args!r}]\n"
        "from nnspec.compiler.cli import app\n"
        "try:\n    app()\nexcept SystemExit as exit:\n    assert not exit.code, exit.code\n"
        "loaded = {m.split('.')[0] for m in sys.modules} & {'tensorflow', 'keras', 'torch', 'tf_keras', 'jax'}\n"
        "assert not loaded, loaded\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


def test_console_script_exit_codes() -> None:
    ok = subprocess.run(["nnspec", "validate", str(IRIS)], capture_output=True, text=True, check=False)
    bad = subprocess.run(
        ["nnspec", "validate", str(ROOT / "examples" / "invalid_cycle.yaml")], capture_output=True, text=True
    )
    misuse = subprocess.run(["nnspec", "frobnicate"], capture_output=True, text=True, check=False)
    assert (ok.returncode, bad.returncode, misuse.returncode) == (0, 1, 2)
    assert "Traceback" not in bad.stderr + misuse.stderr


def test_validating_json_imports_only_what_it_needs() -> None:
    """Cold start (issue 2): no YAML parser for a JSON file, no rich, no templates, no jsonschema."""
    code = (
        "import sys\n"
        f"sys.argv = ['nnspec', 'validate', {str(ROOT / 'tests' / 'fixtures' / 'keras3' / 'iris.json')!r}]\n"
        "from nnspec.compiler.cli import app\n"
        "try:\n    app()\nexcept SystemExit as exit:\n    assert not exit.code, exit.code\n"
        "loaded = {m.split('.')[0] for m in sys.modules} & {'yaml', 'rich', 'jinja2', 'jsonschema', 'numpy'}\n"
        "assert not loaded, loaded\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


@pytest.mark.keras
def test_tensorflow_start_up_lines_are_silenced_unless_asked_for() -> None:
    """`check` loads TensorFlow: its absl, oneDNN and cpu_feature_guard lines stay out of
    the output, unless the user set TF_CPP_MIN_LOG_LEVEL (then theirs is kept)."""
    env = {k: v for k, v in os.environ.items() if k not in ("TF_CPP_MIN_LOG_LEVEL", "TF_ENABLE_ONEDNN_OPTS")}
    result = subprocess.run(["nnspec", "check", str(IRIS)], capture_output=True, text=True, env=env, check=False)
    assert result.returncode == 0, result.stderr
    for noise in ("absl", "oneDNN", "cpu_feature_guard"):
        assert noise not in result.stderr + result.stdout, noise
    from nnspec.compiler.cli import quiet_tensorflow

    chosen = {"TF_CPP_MIN_LOG_LEVEL": "0"}
    quiet_tensorflow(chosen)
    assert chosen == {"TF_CPP_MIN_LOG_LEVEL": "0"}


def test_a_file_written_in_place_gets_the_usual_mode(tmp_path: Path) -> None:
    """Written through a temporary file (all or nothing), yet readable as open() would leave it."""
    out = tmp_path / "iris.json"
    assert run("normalize", IRIS, "--to", "json", "-o", out).exit_code == 0
    mask = os.umask(0)
    os.umask(mask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~mask


def test_validate_reads_keras_files_and_reports_each_dialect(tmp_path: Path) -> None:
    """validate takes the architecture a .keras or full-model .h5 holds, as data, and says
    which Keras wrote it; a weights-only or broken file is one problem at its path."""
    fixtures = ROOT / "tests" / "fixtures"
    files = {
        "keras1": fixtures / "old_h5" / "k1_mlp_bn.h5",
        "keras2": fixtures / "old_h5" / "k21_convnet.h5",
        "keras3": fixtures / "keras3_ops" / "k3_activations.keras",
        "tfjs": fixtures / "tfjs" / "mlp_uint8" / "model.json",
        "concise": IRIS,
    }
    result = run("validate", "--json", *files.values())
    assert result.exit_code == 0, result.output
    assert [entry["dialect"] for entry in json.loads(result.output)] == list(files)
    (tmp_path / "broken.keras").write_text("not a zip")
    for bad, message in [
        (fixtures / "keras21" / "nested_first.h5", "holds weights only, no architecture"),
        (tmp_path / "broken.keras", "not a readable Keras model file"),
    ]:
        result = run("validate", bad)
        assert result.exit_code == 1 and f"{bad}: {message}" in result.output, result.output
