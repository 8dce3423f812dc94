"""The Gelato package stands on its own: it imports nothing of the portal above it, its client
nothing of its sandbox, and where it and the portal each read one documented rule, the two readings
are held equal here."""

import ast
from pathlib import Path

from portal.gelato import assumptions
from portal.orders import rules

GELATO_PACKAGE = Path(__file__).resolve().parents[2] / "portal" / "gelato"

#: What portal.gelato may import of the portal: itself and the core below it (DESIGN.md, layers).
BELOW_OR_BESIDE = ("portal.gelato", "portal.config", "portal.store", "portal.knowledge")


def portal_imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return {name for name in names if name == "portal" or name.startswith("portal.")}


def test_the_gelato_package_imports_nothing_of_the_layers_above_it():
    upward = {
        f"{path.relative_to(GELATO_PACKAGE.parent.parent)}: {name}"
        for path in GELATO_PACKAGE.rglob("*.py")
        for name in portal_imports(path)
        if not any(name == allowed or name.startswith(allowed + ".") for allowed in BELOW_OR_BESIDE)
    }
    assert upward == set()


def test_the_client_knows_nothing_of_the_sandbox():
    # The sandbox builds clients on its own transport; the client side never reaches for it.
    client_side = {
        f"{path.name}: {name}"
        for path in GELATO_PACKAGE.glob("*.py")
        for name in portal_imports(path)
        if name.startswith("portal.gelato.sandbox")
    }
    assert client_side == set()


def test_the_sandbox_cancels_from_exactly_the_statuses_the_portal_offers_cancel_in():
    # Gelato's cancel rule (reference, section 2) is read twice: by the sandbox as what Gelato's
    # endpoint accepts (assumption A4) and by the portal as what its pages offer.
    portal_reading = {status.code for status in rules.statuses_allowing(rules.CANCEL_ORDER)}
    assert portal_reading == assumptions.CANCELLABLE_STATUSES
