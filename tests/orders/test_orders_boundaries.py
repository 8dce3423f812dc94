"""The orders package is domain code: plain Python over the Gelato layer and the core, so its
rules, steps and exactly-once placing are testable without Flask and the layers above it."""

import ast
from pathlib import Path

ORDERS_PACKAGE = Path(__file__).resolve().parents[2] / "portal" / "orders"

#: What portal.orders may import of the portal: itself, the Gelato layer and the core below it
#: (DESIGN.md, layers). ``portal.context`` and ``portal.auth`` are the web's: they need Flask.
BELOW_OR_BESIDE = (
    "portal.orders",
    "portal.gelato",
    "portal.store",
    "portal.knowledge",
    "portal.sources",
    "portal.redact",
    "portal.audit",
)


def imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_the_orders_package_imports_neither_flask_nor_the_layers_above_it():
    upward = {
        f"{path.name}: {name}"
        for path in ORDERS_PACKAGE.glob("*.py")
        for name in imports(path)
        if name.split(".")[0] in ("flask", "flask_wtf", "wtforms", "werkzeug")
        or (
            name.startswith("portal")
            and not any(name == ok or name.startswith(ok + ".") for ok in BELOW_OR_BESIDE)
        )
    }
    assert upward == set()
