"""Checks on generated source: it parses, imports only what it should, calls nothing
dangerous, and differs from the same spec with plain names only in identifiers and
string literals."""

from __future__ import annotations

import ast
import builtins
from typing import Any

ALLOWED_IMPORTS = {
    ("__future__", "annotations"),
    ("torch", None),
    ("torch.nn.functional", "F"),
    ("torch", "nn"),
    ("keras", None),
    ("keras", "layers"),
}
"""(module, bound name) pairs a generated file may import."""

ALLOWED_BUILTINS = {
    "super",
    "sum",
    "print",
    "tuple",
    "list",
    "dict",
    "str",
    "bool",
    "float",
    "int",
    "len",
    "range",
    "enumerate",
}
"""Builtins the generated files use; any other free name is suspicious."""

FORBIDDEN_ATTRIBUTES = {
    "system",
    "popen",
    "spawn",
    "execv",
    "remove",
    "rmtree",
    "__import__",
    "__builtins__",
    "__globals__",
}


def imports_of(tree: ast.Module) -> set[tuple[str, str | None]]:
    found: set[tuple[str, str | None]] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {(alias.name, alias.asname) for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            found |= {(node.module or "", alias.asname or alias.name) for alias in node.names}
    return found


def free_names(tree: ast.Module) -> set[str]:
    """Names loaded somewhere but bound nowhere in the file (builtins, injected names)."""
    bound: set[str] = set()
    loaded: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (loaded if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.ClassDef):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.alias):
            bound.add(node.asname or node.name.split(".")[0])
    return loaded - bound


def assert_safe_source(text: str, framework: str) -> ast.Module:
    """The generated file parses and compiles; its top level is a docstring, the
    expected imports, functions/classes and the __main__ block; it reaches no
    name it does not define except a few builtins."""
    tree = ast.parse(text)
    compile(text, f"<generated {framework}>", "exec")
    imports = imports_of(tree)
    assert imports <= ALLOWED_IMPORTS, f"unexpected imports: {imports - ALLOWED_IMPORTS}"
    for i, node in enumerate(tree.body):
        if i == 0:
            assert isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant), "module docstring first"
            continue
        if isinstance(node, ast.Import | ast.ImportFrom | ast.FunctionDef | ast.ClassDef):
            continue
        assert isinstance(node, ast.If), f"unexpected top-level statement: {ast.dump(node)[:200]}"
        assert ast.unparse(node.test) == "__name__ == '__main__'", ast.unparse(node.test)
        assert node is tree.body[-1], "the __main__ block comes last"
    free = free_names(tree) - {"__name__"}
    unexpected = {name for name in free if name not in ALLOWED_BUILTINS}
    assert not unexpected, f"names neither defined nor allowed: {sorted(unexpected)}"
    assert free <= set(dir(builtins)) | {"__name__"}
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            assert node.attr not in FORBIDDEN_ATTRIBUTES, ast.unparse(node)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            assert node.func.id not in {"eval", "exec", "open", "compile", "__import__", "getattr", "setattr"}
    return tree


class _Anonymise(ast.NodeTransformer):
    """Replace identifiers and string constants with placeholders, keeping structure."""

    def visit_Name(self, node: ast.Name) -> Any:
        return ast.copy_location(ast.Name(id="_", ctx=node.ctx), node)

    def visit_Attribute(self, node: ast.Attribute) -> Any:
        self.generic_visit(node)
        node.attr = "_"
        return node

    def visit_arg(self, node: ast.arg) -> Any:
        self.generic_visit(node)
        node.arg = "_"
        return node

    def visit_FunctionDef(self, node: ast.FunctionDef) -> Any:
        self.generic_visit(node)
        node.name = "_"
        return node

    def visit_ClassDef(self, node: ast.ClassDef) -> Any:
        self.generic_visit(node)
        node.name = "_"
        return node

    def visit_Constant(self, node: ast.Constant) -> Any:
        if isinstance(node.value, str):
            return ast.copy_location(ast.Constant(value="_"), node)
        return node


def skeleton(text: str) -> str:
    """The file's AST with every identifier and string replaced: what names cannot change."""
    return ast.dump(_Anonymise().visit(ast.parse(text)), include_attributes=False)


def string_keywords(tree: ast.Module, keyword: str) -> list[str]:
    """Every string passed as `keyword=...` in a call (the Keras `name=` arguments)."""
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            for kw in node.keywords:
                if kw.arg == keyword and isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, str):
                    out.append(kw.value.value)
    return out
