"""The restricted environment in which every BPMN gateway condition, timer expression, DMN cell and script runs.

Each source string is parsed once (LRU-cached) and compiled with RestrictedPython plus our own policy:

* refused at compile time: ``_``-names and ``_``-attributes (``__class__``, ``__import__``), frame/generator
  introspection (``gi_frame``, ``f_globals``), ``import``, ``class``, ``with``, and calls of ``eval``, ``exec``,
  ``open``, ``compile``, ``globals``, ``vars``, ``breakpoint``, ``input``, ``type(a, b, c)`` ...;
* rewritten to call guards (``sandbox_guards``): attribute reads (which also bound ``str.ljust``/``format``/
  ``join``/``replace``..., ``list.extend``, ``int.to_bytes``), item writes, iteration, ``*``, ``**``, ``<<``,
  ``+``, ``%``, ``//`` and f-string fields (size budgets checked before the C-level work), ``while`` bodies
  (CPU check) and ``except``/``finally`` blocks (a sandbox error cannot be swallowed by the script);
* run with :data:`SAFE_BUILTINS` plus the host's published helpers, under a thread-local ``sys.settrace``
  watchdog that stops the run after ``time_limit`` seconds of CPU time or ``memory_limit_mb`` of RSS growth;
* after the run, values stored in task data (or returned by an expression) must be plain, bounded data.

Short expressions without loops, comprehensions or lambdas run without the tracer: they cannot loop and
each of their few operations is bounded, so a cached ``amount > 5`` costs about 1 µs more than a plain
``eval`` of precompiled code.
"""

from __future__ import annotations

import _string
import ast
import functools
import string
import traceback
import types
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal, cast

from RestrictedPython import compile_restricted_eval, compile_restricted_exec
from RestrictedPython.transformer import INSPECT_ATTRIBUTES, RestrictingNodeTransformer, copy_locations
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment
from SpiffWorkflow.exceptions import SpiffWorkflowException

from engine.bpmn.sandbox_guards import (
    GUARDS,
    SAFE_BUILTINS,
    SCRIPT_FILENAME,
    SandboxError,
    SandboxLimitExceeded,
    SandboxTimeout,
    SandboxViolation,
    data_size,
    run_traced,
)

__all__ = [
    "SAFE_BUILTINS",
    "RestrictedEnvironment",
    "SandboxError",
    "SandboxLimitExceeded",
    "SandboxTimeout",
    "SandboxViolation",
    "SandboxedScriptEngine",
    "check_code",
    "make_script_engine",
]

Mode = Literal["eval", "exec"]

_FORBIDDEN_CALLS = frozenset(
    {
        "eval",
        "exec",
        "compile",
        "open",
        "globals",
        "locals",
        "vars",
        "breakpoint",
        "input",
        "help",
        "dir",
        "setattr",
        "delattr",
        "iter",
        "memoryview",
        "exit",
        "quit",
        "super",
        "object",
        "classmethod",
        "staticmethod",
        "property",
        "bytes",
        "bytearray",
    }
)
_BINOP_GUARDS = {
    ast.Mult: "_mul_",
    ast.Pow: "_pow_",
    ast.LShift: "_lshift_",
    ast.Add: "_add_",
    ast.Mod: "_mod_",
    ast.FloorDiv: "_floordiv_",
}
_LOOPING = (ast.For, ast.While, ast.FunctionDef, ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
_SITES = (ast.Call, ast.BinOp, ast.Starred, ast.FormattedValue)  # steps that may do bounded C-level work
_MAX_UNTRACED_SITES = 8
_PLAIN = frozenset({bool, int, float, str, type(None)})


def _refused_name(name: str) -> bool:
    return (name.startswith("_") and name != "_") or name in INSPECT_ATTRIBUTES


def _format_attributes(template: str) -> list[str]:
    """Attribute names a constant ``'...'.format()`` template would read, e.g. ``__class__`` in '{0.__class__}'."""
    try:
        fields = [field for _, field, _, _ in string.Formatter().parse(template) if field]
        return [
            key
            for field in fields
            for is_attr, key in _string.formatter_field_name_split(field)[1]
            if is_attr and _refused_name(key)
        ]
    except ValueError:
        return []  # malformed: str.format will say so when it runs


_Located = ast.stmt | ast.expr | ast.excepthandler


def _guard_call(name: str, args: list[ast.expr], like: _Located) -> ast.Call:
    call = ast.Call(func=ast.Name(name, ast.Load()), args=args, keywords=[])
    copy_locations(call, like)
    return call


def _guard_stmt(name: str, like: _Located) -> ast.Expr:
    stmt = ast.Expr(_guard_call(name, [], like))
    copy_locations(stmt, like)
    return stmt


class _SandboxPolicy(RestrictingNodeTransformer):
    """RestrictedPython's policy with clearer messages, fewer constructs and our guard rewrites."""

    def error(self, node: ast.AST, info: str) -> None:
        self.errors.append(f"line {getattr(node, 'lineno', '?')}: {info}")

    def _refuse(self, node: ast.AST, info: str) -> ast.AST:
        self.error(node, info)
        return node

    def visit_Import(self, node: ast.Import | ast.ImportFrom) -> ast.AST:
        return self._refuse(node, "import statements are not allowed")

    visit_ImportFrom = visit_Import

    def visit_ClassDef(self, node: ast.ClassDef) -> ast.AST:
        return self._refuse(node, "class definitions are not allowed")

    def visit_With(self, node: ast.With) -> ast.AST:
        return self._refuse(node, "'with' statements are not allowed")

    def visit_Name(self, node: ast.Name) -> Any:
        if node.id.startswith("_") and node.id != "_":
            return self._refuse(node, f"name '{node.id}' is not allowed")
        return super().visit_Name(node)

    def visit_Attribute(self, node: ast.Attribute) -> Any:
        if _refused_name(node.attr):
            return self._refuse(node, f"access to '{node.attr}' is not allowed")
        return super().visit_Attribute(node)

    def visit_Call(self, node: ast.Call) -> Any:
        func, args = node.func, node.args
        if isinstance(func, ast.Name):
            if func.id in _FORBIDDEN_CALLS:
                return self._refuse(node, f"name '{func.id}' is not allowed")
            if func.id == "type" and len(args) + len(node.keywords) > 1:
                return self._refuse(node, "type() with 3 arguments (class creation) is not allowed")
            if (
                func.id in ("getattr", "hasattr")
                and len(args) > 1
                and isinstance(args[1], ast.Constant)
                and isinstance(args[1].value, str)
                and _refused_name(args[1].value)
            ):
                return self._refuse(node, f"access to '{args[1].value}' is not allowed")
        elif (
            isinstance(func, ast.Attribute)
            and func.attr in ("format", "format_map")
            and isinstance(func.value, ast.Constant)
            and isinstance(func.value.value, str)
        ):
            for key in _format_attributes(func.value.value):
                self.error(node, f"access to '{key}' is not allowed")
        return super().visit_Call(node)

    def visit_BinOp(self, node: ast.BinOp) -> Any:
        node = cast(ast.BinOp, super().visit_BinOp(node))
        guard = _BINOP_GUARDS.get(type(node.op))
        return node if guard is None else _guard_call(guard, [node.left, node.right], node)

    def visit_FormattedValue(self, node: ast.FormattedValue) -> Any:
        node = cast(ast.FormattedValue, super().visit_FormattedValue(node))
        spec = node.format_spec or ast.Constant("")
        node.value = _guard_call("_fmt_", [node.value, ast.Constant(node.conversion), spec], node)
        node.conversion, node.format_spec = -1, None
        return node

    def visit_While(self, node: ast.While) -> Any:
        node = cast(ast.While, super().visit_While(node))
        node.body.insert(0, _guard_stmt("_tick_", node))  # `while True: pass` emits no line events
        return node

    def visit_Try(self, node: ast.Try) -> Any:
        node = cast(ast.Try, super().visit_Try(node))
        for handler in node.handlers:
            handler.body.insert(0, _guard_stmt("_reraise_", handler))
        if node.finalbody:
            node.finalbody.insert(0, _guard_stmt("_reraise_", node))
        return node


@dataclass(frozen=True)
class _Compiled:
    code: types.CodeType | None
    errors: tuple[str, ...]
    traced: bool


@functools.lru_cache(maxsize=4096)
def _compile(source: str, mode: Mode) -> _Compiled:
    try:
        tree = cast(ast.Module | ast.Expression, ast.parse(source, SCRIPT_FILENAME, mode))
    except SyntaxError as error:
        return _Compiled(None, (f"line {error.lineno or '?'}: syntax error: {error.msg}",), False)
    except (ValueError, RecursionError, MemoryError) as error:  # NUL bytes, absurd nesting
        return _Compiled(None, (f"cannot compile: {error or type(error).__name__}",), False)
    nodes = list(ast.walk(tree))
    traced = (
        mode == "exec"
        or any(isinstance(node, _LOOPING) for node in nodes)
        or sum(isinstance(node, _SITES) for node in nodes) > _MAX_UNTRACED_SITES
    )
    compile_restricted = compile_restricted_eval if mode == "eval" else compile_restricted_exec
    try:
        result = compile_restricted(tree, SCRIPT_FILENAME, policy=_SandboxPolicy)
    except RecursionError:
        return _Compiled(None, ("cannot compile: the code is nested too deeply",), False)
    return _Compiled(result.code, tuple(result.errors), traced)


def check_code(source: str, mode: Mode) -> list[str]:
    """Compile-time problems (syntax, refused constructs) the sandbox would raise; empty when acceptable."""
    return list(_compile(source, mode).errors)


def _frozen(value: Any) -> Any:
    """Helpers are shared by every run: hand scripts read-only views of mutable containers."""
    if isinstance(value, dict):
        return types.MappingProxyType(dict(value))
    if isinstance(value, (list, set)):
        return tuple(value) if isinstance(value, list) else frozenset(value)
    return value


def _storable(value: Any) -> bool:
    return not (callable(value) or isinstance(value, (Iterator, types.ModuleType)))


class RestrictedEnvironment(TaskDataEnvironment):
    """A Spiff TaskDataEnvironment whose evaluate/execute run RestrictedPython code under CPU/size limits.

    ``self.globals`` holds only the published helpers (so Spiff's overwrite check refuses task data that
    would shadow one); guards and builtins are added last to every scope, so task data cannot shadow them.
    """

    def __init__(
        self, helpers: Mapping[str, Any] | None = None, time_limit: float = 1.0, memory_limit_mb: float = 256.0
    ) -> None:
        published: dict[str, Any] = {}
        for name, value in (helpers or {}).items():
            if not name.isidentifier() or name.startswith("_"):
                raise ValueError(f"helper name {name!r} is not allowed")
            published[name] = _frozen(value)
        super().__init__(published)
        self.time_limit = float(time_limit)
        self.memory_limit = int(memory_limit_mb * 2**20)

    def _scope(self, context: Mapping[str, Any], external_context: Mapping[str, Any] | None) -> dict[str, Any]:
        scope = dict(self.globals)
        if external_context:
            scope.update(external_context)
        scope.update(context)
        scope.update(GUARDS)
        return scope

    def _run(self, source: str, mode: Mode, scope: dict[str, Any]) -> Any:
        compiled = _compile(source, mode)
        if compiled.code is None:
            raise SandboxViolation("; ".join(compiled.errors))
        if compiled.traced:
            return run_traced(compiled.code, scope, self.time_limit, self.memory_limit)
        return eval(compiled.code, scope)  # noqa: S307 - restricted code, guarded scope, cannot loop

    def evaluate(
        self, expression: str, context: dict[str, Any], external_context: Mapping[str, Any] | None = None
    ) -> Any:
        self._prepare_context(context)
        result = self._run(expression, "eval", self._scope(context, external_context))
        if type(result) not in _PLAIN:
            _checked("the expression result", result)
        return result

    def execute(self, script: str, context: dict[str, Any], external_context: Mapping[str, Any] | None = None) -> bool:
        """Run ``script``; on success its variables land in ``context`` (task data), helpers and functions don't."""
        external = external_context or {}
        self.check_for_overwrite(context, external)
        self._prepare_context(context)
        scope = self._scope(context, external)
        self._run(script, "exec", scope)
        stored = {
            key: value
            for key, value in scope.items()
            if key not in GUARDS
            and key not in self.globals
            and key not in external
            and (key in context or not key.startswith("_"))
        }
        for key, value in stored.items():
            if _storable(value):
                _checked(f"variable '{key}'", value)
        for key in [key for key in context if key not in scope]:  # `del name` in the script
            del context[key]
        for key, value in stored.items():
            if _storable(value):
                context[key] = value
            else:  # functions, lambdas, iterators: Spiff drops callables too
                context.pop(key, None)
        return True


def _checked(what: str, value: Any) -> None:
    try:
        data_size(value, strict=True)
    except SandboxError as error:
        raise type(error)(f"{what}: {error}") from None


class SandboxedScriptEngine(PythonScriptEngine):
    """PythonScriptEngine that keeps the sandbox error as ``__cause__`` and in the message."""

    def evaluate(self, task: Any, expression: str, external_context: Mapping[str, Any] | None = None) -> Any:
        try:
            return self.environment.evaluate(expression, task.data, external_context)
        except SpiffWorkflowException as error:
            error.add_note(f"Error evaluating expression '{expression}'")
            raise
        except Exception as error:
            raise WorkflowTaskException(
                f"Error evaluating expression '{expression}': {error}", task=task, exception=error
            ) from error

    def execute(self, task: Any, script: str, external_context: Mapping[str, Any] | None = None) -> Any:
        try:
            return self.environment.execute(script, task.data, external_context or {})
        except SpiffWorkflowException as error:
            self.create_task_exec_exception(task, script, error)  # annotates the same object
            raise
        except Exception as error:
            raise self.create_task_exec_exception(task, script, error) from error

    def create_task_exec_exception(self, task: Any, script: str, err: Exception) -> Exception:
        line_number, error_line = self.get_error_line_number_and_content(script, err)
        if isinstance(err, SpiffWorkflowException):
            err.line_number, err.error_line = line_number, error_line
            err.add_note(f"Python script error on line {line_number}: '{error_line}'")
            return err
        return WorkflowTaskException(
            f"{type(err).__name__}: {err}", task=task, exception=err, line_number=line_number, error_line=error_line
        )

    def get_error_line_number_and_content(self, script: str, err: BaseException) -> tuple[int, str]:
        line = 0
        for frame in traceback.extract_tb(err.__traceback__):
            if frame.filename == SCRIPT_FILENAME:
                line = frame.lineno or 0
        lines = script.splitlines()
        return line, lines[line - 1] if 0 < line <= len(lines) else ""


def make_script_engine(
    helpers: Mapping[str, Any], time_limit: float = 1.0, memory_limit_mb: float = 256.0
) -> PythonScriptEngine:
    """The script engine for every workflow: reattach it after each deserialize (Spiff does not store it)."""
    return SandboxedScriptEngine(environment=RestrictedEnvironment(helpers, time_limit, memory_limit_mb))
