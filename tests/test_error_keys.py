"""Every refusal a person can meet has words in both languages: each raise of a domain error
carries a translation key (``key=``, or ``errors.value_error``'s key in a validator), the key
is in vi.toml and en.toml, and the values its sentence names are given. Read from the code
(ast), so a new raise without a key fails here, named by file and line."""

import ast
import re
from collections.abc import Iterator
from pathlib import Path

from evidence_service.i18n import messages

PACKAGE = Path(__file__).resolve().parent.parent / "evidence_service"

# Errors whose words do not come from ``key=``: web/errors.py explains them by their class
# (scans, capacity, hazards, logins, forms, the database), or they carry sentences already
# written in the reader's language (the stocktake page's refusals).
OWN_WORDS = {
    "DamagedLabel",
    "CapacityExceeded",
    "HazardConflict",
    "TooManyAttempts",
    "LoginRequired",
    "CsrfFailed",
    "DatabaseConflict",
    "DatabaseBusy",
    "DatabaseRefusedValue",
    "_Unprocessable",  # pydantic's errors, each read by field_errors
    "FormInvalid",  # the same list, each error read by its type (validation.*) or its key
    "_Refused",
}


def _modules() -> Iterator[tuple[str, ast.Module]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path.relative_to(PACKAGE).as_posix(), ast.parse(path.read_text(encoding="utf-8"))


def _name(node: ast.expr) -> str | None:
    return getattr(node, "id", None) or getattr(node, "attr", None)


def domain_errors() -> set[str]:
    """DomainError and the names of its subclasses (and aliases of them) in the package."""
    found = {"DomainError"}
    modules = [tree for _, tree in _modules()]
    while True:
        more = set(found)
        for tree in modules:
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef) and any(_name(b) in found for b in node.bases):
                    more.add(node.name)
                elif (
                    isinstance(node, ast.Assign)
                    and isinstance(node.value, ast.Name)
                    and node.value.id in found
                ):
                    more |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        if more == found:
            return found
        found = more


def raises() -> Iterator[tuple[str, ast.Call]]:
    """(file:line, call) of every ``raise SomeDomainError(...)``."""
    errors = domain_errors()
    for where, tree in _modules():
        for node in ast.walk(tree):
            call = node.exc if isinstance(node, ast.Raise) else None
            if isinstance(call, ast.Call) and _name(call.func) in errors:
                yield f"{where}:{node.lineno}", call


def test_the_walk_finds_the_domain_errors_and_their_raises():
    errors = domain_errors()
    assert {"NotFound", "Invalid", "InvalidTransition", "BadFile", "PrinterError"} <= errors
    assert len(list(raises())) > 250  # the walk still sees the raises


def test_every_domain_error_raised_carries_a_translation_key():
    missing = [
        where
        for where, call in raises()
        if not any(k.arg == "key" for k in call.keywords)
        if _name(call.func) not in OWN_WORDS
    ]
    assert missing == [], "\n".join(["raised without key=:", *missing])


def _keys(node: ast.expr) -> list[str | tuple[str]]:
    """The key an expression gives: a constant, either branch of ``a if c else b``, or the
    fixed start of an f-string (as a 1-tuple: some key must begin with it)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _keys(node.body) + _keys(node.orelse)
    if isinstance(node, ast.JoinedStr) and isinstance(node.values[0], ast.Constant):
        return [(str(node.values[0].value),)]
    return []


def used_keys() -> Iterator[tuple[str, str | tuple[str], set[str] | None]]:
    """(file:line, key, names of the values given or None if not literal) of every key given
    to a domain error or to ``value_error``."""
    errors = domain_errors()
    for where, tree in _modules():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            kw = {k.arg: k.value for k in node.keywords}
            if _name(node.func) in errors and "key" in kw:
                key_node, params = kw["key"], kw.get("params")
                given: set[str] | None = set()
                if isinstance(params, ast.Dict):
                    names = [k.value for k in params.keys if isinstance(k, ast.Constant)]
                    given = set(names) if len(names) == len(params.keys) else None
                elif params is not None:
                    given = None
            elif _name(node.func) == "value_error" and len(node.args) >= 2:
                key_node = node.args[1]
                given = {k.arg for k in node.keywords if k.arg} if None not in kw else None
            else:
                continue
            for key in _keys(key_node):
                yield f"{where}:{node.lineno}", key, given


def test_every_key_given_is_in_both_languages_with_the_values_it_names():
    vi, en = messages("vi"), messages("en")
    seen, wrong = 0, []
    for where, key, given in used_keys():
        seen += 1
        if isinstance(key, tuple):
            if not any(k.startswith(key[0]) for k in vi) or not any(
                k.startswith(key[0]) for k in en
            ):
                wrong.append(f"{where}: no key starts with {key[0]!r}")
            continue
        if key not in vi or key not in en:
            wrong.append(f"{where}: {key} is not in vi.toml and en.toml")
            continue
        named = set(re.findall(r"{(\w+)}", vi[key]))
        if given is not None and not named <= given:
            wrong.append(f"{where}: {key} names {sorted(named - given)}, not given")
    assert seen > 100
    assert wrong == [], "\n".join(wrong)
