"""Runtime half of the BPMN sandbox: the errors, the CPU/memory watchdog and the guard functions.

``engine.bpmn.sandbox`` rewrites every script so that attribute reads, item writes, iteration, ``*``, ``**``,
``<<``, ``+``, ``%``, f-string fields, ``while`` loops and ``except``/``finally`` blocks call the functions in
:data:`GUARDS`; :data:`SAFE_BUILTINS` is the only ``__builtins__`` a script sees. Limits are size budgets
checked *before* the C-level operation runs, so a refused operation costs microseconds, not memory.
"""

from __future__ import annotations

import _string
import builtins
import operator
import os
import re
import string
import sys
import threading
import time
import types
from collections.abc import Callable, Iterable, Iterator, Sized
from functools import partial
from typing import Any, NoReturn

from RestrictedPython.Guards import guarded_iter_unpack_sequence, guarded_unpack_sequence
from RestrictedPython.PrintCollector import PrintCollector
from RestrictedPython.transformer import INSPECT_ATTRIBUTES

MAX_ITEMS = 1_000_000  # longest sequence/string one operation may build; also the budget for stored data
MAX_INT_BITS = 10_000  # largest integer ``*``, ``**`` and ``<<`` may build
MAX_FORMAT_WIDTH = 9_999  # largest width/precision in a format spec
SCRIPT_FILENAME = "<script>"  # co_filename of sandboxed code: the tracer only watches these frames

_TEXT = (str, bytes, bytearray)
_SEQUENCES = (str, bytes, bytearray, list, tuple)
_OPAQUE = (types.FrameType, types.TracebackType, types.CodeType)
_PLAIN = frozenset({bool, int, float, str, type(None)})


class SandboxError(Exception):
    """Base of the sandbox's own errors (deliberately not a SyntaxError: Spiff mishandles those)."""


class SandboxViolation(SandboxError):
    """The code uses something the sandbox refuses (at compile time or when it runs)."""


class SandboxTimeout(SandboxError):
    """The code ran longer than the CPU time limit."""


class SandboxLimitExceeded(SandboxError):
    """An operation would build a value, or the run would use memory, beyond the budget."""


class _Run:
    """One traced run: CPU deadline, memory budget, and the error that ended it (re-raised at every checkpoint)."""

    __slots__ = ("time_limit", "memory_limit", "started", "cpu_deadline", "next_check", "rss_base", "tripped", "tracer")

    def __init__(self, time_limit: float, memory_limit: int) -> None:
        self.time_limit = time_limit
        self.memory_limit = memory_limit
        self.started = time.perf_counter()
        self.cpu_deadline: float | None = None  # set at the first check: thread_time() costs ~1 µs
        self.next_check = self.started + min(time_limit, 0.002)
        self.rss_base: int | None = None
        self.tripped: SandboxError | None = None
        self.tracer = self.trace  # one bound-method object, so `sys.gettrace() is run.tracer` holds

    def trace(self, frame: types.FrameType, event: str, arg: Any) -> Any:
        """The sys.settrace function: watches only sandboxed frames, never raises inside host code."""
        if frame.f_code.co_filename != SCRIPT_FILENAME:
            return None
        if event == "line" or event == "call":  # never on "exception"/"return": an error is already unwinding
            if self.tripped is not None:  # a host helper swallowed it: raise it again
                raise self.tripped
            if time.perf_counter() >= self.next_check:
                self.check()
        return self.tracer

    def check(self) -> None:
        cpu = time.thread_time()
        if self.cpu_deadline is None:  # count the first wall-clock interval as CPU time (conservative)
            self.cpu_deadline = cpu - (time.perf_counter() - self.started) + self.time_limit
        if cpu >= self.cpu_deadline:
            trip(SandboxTimeout(f"script ran longer than {float(self.time_limit)} s"))
        if self.memory_limit:
            rss = _rss()
            if self.rss_base is None:
                self.rss_base = rss
            elif rss - self.rss_base > self.memory_limit:
                trip(SandboxLimitExceeded(f"script used more than {self.memory_limit >> 20} MB of memory"))
        self.next_check = time.perf_counter() + min(self.cpu_deadline - cpu, 0.01)


_statm: tuple[int, int] | None = None  # (pid, fd): one descriptor per process, read with pread


def _rss() -> int:
    """Resident memory of this process in bytes (0 where /proc is missing); no Python-level file object,
    because this runs inside the tracer, possibly at the recursion limit."""
    global _statm
    try:
        if _statm is None or _statm[0] != os.getpid():
            _statm = (os.getpid(), os.open("/proc/self/statm", os.O_RDONLY))
        return int(os.pread(_statm[1], 128, 0).split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        return 0


try:
    _PAGE = os.sysconf("SC_PAGE_SIZE")
except (AttributeError, ValueError, OSError):
    _PAGE = 4096
_state = threading.local()


def run_traced(code: types.CodeType, scope: dict[str, Any], time_limit: float, memory_limit: int) -> Any:
    """Evaluate ``code`` in ``scope`` under the CPU/memory watchdog (a thread-local sys.settrace tracer)."""
    run = _Run(time_limit, memory_limit)
    previous_run = getattr(_state, "run", None)
    previous_trace = sys.gettrace()
    _state.run = run
    sys.settrace(run.tracer)
    try:
        result = eval(code, scope)  # noqa: S307 - compiled by RestrictedPython, guarded globals
    finally:
        sys.settrace(previous_trace)
        _state.run = previous_run
    if run.tripped is not None:  # a host helper swallowed the error: the run still failed
        raise run.tripped
    return result


def trip(error: SandboxError) -> NoReturn:
    """Raise ``error``; inside a run, every later checkpoint (except/finally/loop) raises it again."""
    run = getattr(_state, "run", None)
    if run is not None and run.tripped is None:
        run.tripped = error
    raise error


def _checkpoint() -> None:
    """Called from sandboxed loops and handlers: re-raise a caught sandbox error, re-arm a lost tracer."""
    if isinstance(sys.exc_info()[1], GeneratorExit):
        # a suspended generator being closed (by the garbage collector, during or after a tripped run):
        # let close() finish; re-raising the trip here would only become an "exception ignored" warning
        raise GeneratorExit
    run = getattr(_state, "run", None)
    if run is None:  # sandboxed code called back after its run ended
        trip(SandboxViolation("sandboxed code cannot run outside the sandbox"))
    if run.tripped is not None:
        raise run.tripped
    if sys.gettrace() is not run.tracer:  # the tracer raised (e.g. RecursionError) and Python unset it
        sys.settrace(run.tracer)
        sys._getframe(2).f_trace = run.tracer
    if time.perf_counter() >= run.next_check:
        run.check()


def _guard_point() -> None:
    """``_tick_()`` at the top of every while body, ``_reraise_()`` at the top of every except/finally block."""
    _checkpoint()


def _getiter(ob: Iterable[Any]) -> Iterator[Any]:
    _checkpoint()
    return iter(ob)


def _too_big(what: str, size: int, limit: int = MAX_ITEMS, unit: str = "items") -> None:
    if size > limit:
        trip(SandboxLimitExceeded(f"{what} would create {size} {unit} (limit {limit})"))
    if size > 4096:  # a big C-level step: check the clock and memory now (a one-line script has no line events)
        run = getattr(_state, "run", None)
        if run is not None and time.perf_counter() >= run.next_check:
            run.check()


def _check_width(what: str, number: int) -> None:
    if number > MAX_FORMAT_WIDTH:
        trip(SandboxLimitExceeded(f"{what} {number} is too large (limit {MAX_FORMAT_WIDTH})"))


def _check_int_bits(bits: int, what: str) -> None:
    if bits > MAX_INT_BITS:
        trip(SandboxLimitExceeded(f"{what} result would exceed {MAX_INT_BITS} bits"))


def _check_add(a: Any, b: Any) -> None:
    if isinstance(a, _SEQUENCES) and isinstance(b, _SEQUENCES):
        _too_big("concatenation", len(a) + len(b))


def _check_mul(a: Any, b: Any) -> None:
    if isinstance(a, int) and isinstance(b, int):
        _check_int_bits(a.bit_length() + b.bit_length(), "multiplication")
    elif isinstance(a, _SEQUENCES) and isinstance(b, int):
        _too_big("repetition", len(a) * b)
    elif isinstance(b, _SEQUENCES) and isinstance(a, int):
        _too_big("repetition", len(b) * a)


def _check_pow(a: Any, b: Any, mod: Any = None) -> None:
    if isinstance(a, int) and isinstance(b, int) and b > 0:
        if isinstance(mod, int):
            _check_int_bits(max(mod.bit_length(), b.bit_length()), "pow()")
        elif abs(a) > 1:
            _check_int_bits(a.bit_length() * b, "power")


def _check_lshift(a: Any, b: Any) -> None:
    if isinstance(a, int) and isinstance(b, int) and a and b > 0:
        _check_int_bits(a.bit_length() + b, "shift")


_PERCENT = re.compile(r"%(?:%|(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?)")
_NUMBER = re.compile(r"\d+")


def _check_div(a: Any, b: Any) -> None:
    """Dividing two huge integers is quadratic C-level work (one huge and one small is fine)."""
    if isinstance(a, int) and isinstance(b, int) and min(a.bit_length(), b.bit_length()) > MAX_INT_BITS:
        trip(SandboxLimitExceeded(f"division of two integers over {MAX_INT_BITS} bits is not allowed"))


def _check_mod(a: Any, b: Any) -> None:
    if not isinstance(a, _TEXT):
        _check_div(a, b)
        return
    template = a if isinstance(a, str) else bytes(a).decode("latin-1")
    size = len(template) + text_size(b)
    for match in _PERCENT.finditer(template):
        for number in match.groups():
            if number == "*":
                trip(SandboxViolation("'*' width or precision in % formatting is not allowed"))
            if number:
                _check_width("% format width", int(number))
                size += int(number)
    _too_big("% formatting", size, unit="characters")


def check_format_spec(spec: str) -> None:
    for number in _NUMBER.findall(spec) if spec else ():
        _check_width("format width", int(number))


def data_size(value: Any, limit: int = MAX_ITEMS, *, strict: bool = False) -> int:
    """Flattened size (items + characters) of ``value``, counting shared references as often as JSON would.

    Shared sub-structures are walked once, so the cost is proportional to the distinct objects. With
    ``strict``, functions, iterators and modules nested anywhere are refused (they cannot be stored as data).
    """
    memo: dict[int, int] = {}

    def walk(v: Any) -> int:
        kind = type(v)
        if isinstance(v, _TEXT):
            return len(v) + 2
        if kind is int:
            return v.bit_length() // 3 + 1
        if kind in _PLAIN:
            return 1
        if isinstance(v, (list, tuple, set, frozenset, dict)):
            if id(v) in memo:
                return memo[id(v)]
            memo[id(v)] = 1  # a cycle counts once
            total = 2
            for item in (x for pair in v.items() for x in pair) if isinstance(v, dict) else v:
                total += walk(item)
                if total > limit:
                    trip(SandboxLimitExceeded(f"the value is larger than {limit} items"))
            memo[id(v)] = total
            return total
        if strict and (callable(v) or isinstance(v, (Iterator, types.ModuleType))):
            trip(SandboxViolation(f"a {kind.__name__} cannot be stored as data"))
        return 1

    try:
        return walk(value)
    except RecursionError:
        trip(SandboxLimitExceeded("the value is nested too deeply"))


def text_size(value: Any) -> int:
    return 1 if type(value) in _PLAIN and type(value) is not str else data_size(value)


class _SafeFormatter(string.Formatter):
    """str.format without attribute escapes ('{0.__class__}') and with bounded widths and output."""

    def __init__(self) -> None:
        self.size = 0

    def get_field(self, field_name: str, args: Any, kwargs: Any) -> Any:
        first, rest = _string.formatter_field_name_split(field_name)
        obj = self.get_value(first, args, kwargs)
        for is_attr, key in rest:
            obj = guarded_getattr(obj, key) if is_attr else obj[key]
        return obj, first

    def convert_field(self, value: Any, conversion: str | None) -> Any:
        text_size(value)
        return super().convert_field(value, conversion)

    def format_field(self, value: Any, format_spec: str) -> Any:
        check_format_spec(format_spec)
        text_size(value)
        out = format(value, format_spec)
        self.size += len(out)
        _too_big("format()", self.size, unit="characters")
        return out


_CONVERSIONS: dict[int, Callable[[Any], str]] = {ord("s"): str, ord("r"): repr, ord("a"): ascii}


def _fstring_field(value: Any, conversion: int, spec: str) -> str:
    """One ``{value!conversion:spec}`` of an f-string."""
    check_format_spec(spec)
    text_size(value)
    if conversion != -1:
        value = _CONVERSIONS[conversion](value)
    return format(value, spec)


def _pad(name: str, text: Any, width: Any, *args: Any) -> Any:
    if isinstance(width, int):
        _too_big(f"{name}()", width, unit="characters")
    return getattr(text, name)(width, *args)


def _expandtabs(text: Any, tabsize: int = 8) -> Any:
    _too_big("expandtabs()", len(text) * max(tabsize, 1), unit="characters")
    return text.expandtabs(tabsize)


def _replace(text: Any, old: Any, new: Any, count: int = -1) -> Any:
    hits = text.count(old) if old else len(text) + 1
    hits = hits if count < 0 else min(hits, count)
    _too_big("replace()", len(text) + hits * max(len(new) - len(old), 0), unit="characters")
    return text.replace(old, new, count)


def _join(sep: Any, items: Iterable[Any]) -> Any:
    parts = list(items)
    size = len(sep) * max(len(parts) - 1, 0) + sum(len(p) for p in parts if isinstance(p, _TEXT))
    _too_big("join()", size, unit="characters")
    return sep.join(parts)


def _list_extend(target: list[Any], items: Iterable[Any]) -> None:
    if isinstance(items, Sized):
        _too_big("extend()", len(target) + len(items))
    target.extend(items)


def _to_bytes(number: int, length: int = 1, *args: Any, **kwargs: Any) -> bytes:
    _too_big("to_bytes()", length, unit="bytes")
    return number.to_bytes(length, *args, **kwargs)


# name -> (types whose method is replaced, bounded replacement or None for "refused")
_SPECIAL: dict[str, tuple[tuple[type, ...], Callable[..., Any] | None]] = {
    "ljust": (_TEXT, partial(_pad, "ljust")),
    "rjust": (_TEXT, partial(_pad, "rjust")),
    "center": (_TEXT, partial(_pad, "center")),
    "zfill": (_TEXT, partial(_pad, "zfill")),
    "expandtabs": (_TEXT, _expandtabs),
    "replace": (_TEXT, _replace),
    "join": (_TEXT, _join),
    "format": ((str,), lambda text, *args, **kwargs: _SafeFormatter().vformat(text, args, kwargs)),
    "format_map": ((str,), lambda text, mapping: _SafeFormatter().vformat(text, (), mapping)),
    "translate": ((str,), None),
    "extend": ((list,), _list_extend),
    "to_bytes": ((int,), _to_bytes),
}


def _special_attribute(obj: Any, name: str) -> Callable[..., Any] | None:
    """Bounded replacements for the methods that can build a huge value in one C call."""
    kinds, guard = _SPECIAL[name]
    if isinstance(obj, kinds):
        if guard is None:
            trip(SandboxViolation(f"'{type(obj).__name__}.{name}()' is not allowed"))

        def method(*args: Any, **kwargs: Any) -> Any:  # a closure: a functools.partial would expose .func
            return guard(obj, *args, **kwargs)

        return method
    if isinstance(obj, type) and issubclass(obj, kinds):
        trip(SandboxViolation(f"'{obj.__name__}.{name}' is not allowed; call it on a value"))
    return None


def guarded_getattr(obj: Any, name: str, *default: Any) -> Any:
    """``obj.name`` for scripts: no ``_`` names, no frame/code introspection, no modules, bounded str methods."""
    if not isinstance(name, str):
        raise TypeError("attribute name must be a string")
    if name.startswith("_") or name in INSPECT_ATTRIBUTES or isinstance(obj, _OPAQUE):
        trip(SandboxViolation(f"access to '{name}' is not allowed"))
    if name in _SPECIAL:
        special = _special_attribute(obj, name)
        if special is not None:
            return special
    value = getattr(obj, name, *default)
    if isinstance(value, types.ModuleType):
        trip(SandboxViolation(f"access to module '{name}' is not allowed"))
    return value


def _write(obj: Any) -> Any:
    if isinstance(obj, (dict, list)):
        return obj
    trip(SandboxViolation(f"cannot modify a {type(obj).__name__} object"))


_UNSAFE_TYPES = (type, range, bytes, bytearray, memoryview, types.FunctionType, types.CodeType)


def _type(obj: Any, *more: Any) -> type:
    """type(x) with one argument, and never a class that would bypass a guarded builtin (range, bytes, ...)."""
    if more:
        trip(SandboxViolation("type() with 3 arguments (class creation) is not allowed"))
    kind = type(obj)
    if issubclass(kind, _UNSAFE_TYPES):
        trip(SandboxViolation(f"type() of a {'class' if issubclass(kind, type) else kind.__name__} is not allowed"))
    return kind


def _range(*args: int) -> range:
    span = range(*args)
    try:
        size = len(span)
    except OverflowError:
        size = MAX_ITEMS + 1
    _too_big("range()", size)
    return span


def _pow(a: Any, b: Any, mod: Any = None) -> Any:
    _check_pow(a, b, mod)
    return pow(a, b) if mod is None else pow(a, b, mod)


def _divmod(a: Any, b: Any) -> Any:
    _check_div(a, b)
    return divmod(a, b)


def _round(number: Any, ndigits: Any = None) -> Any:
    if isinstance(ndigits, int) and isinstance(number, int) and ndigits < -MAX_FORMAT_WIDTH:
        trip(SandboxLimitExceeded(f"round() to {ndigits} digits is not allowed"))
    return round(number) if ndigits is None else round(number, ndigits)


def _sum(items: Iterable[Any], start: Any = 0) -> Any:
    if isinstance(start, _SEQUENCES):
        trip(SandboxViolation("sum() of sequences is not allowed; use a comprehension"))
    return sum(items, start)


def _format(value: Any, spec: str = "") -> str:
    check_format_spec(spec)
    text_size(value)
    return format(value, spec)


def _repr(value: Any) -> str:
    text_size(value)
    return repr(value)


def _binary(check: Callable[[Any, Any], None], op: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    def guarded(a: Any, b: Any) -> Any:
        check(a, b)
        return op(a, b)

    return guarded


_INPLACE: dict[str, tuple[Callable[[Any, Any], None] | None, Callable[[Any, Any], Any]]] = {
    "+=": (_check_add, operator.iadd),
    "*=": (_check_mul, operator.imul),
    "**=": (_check_pow, operator.ipow),
    "<<=": (_check_lshift, operator.ilshift),
    "%=": (_check_mod, operator.imod),
    "-=": (None, operator.isub),
    "/=": (None, operator.itruediv),
    "//=": (_check_div, operator.ifloordiv),
    ">>=": (None, operator.irshift),
    "|=": (None, operator.ior),
    "&=": (None, operator.iand),
    "^=": (None, operator.ixor),
    "@=": (None, operator.imatmul),
}


def _inplacevar(op: str, target: Any, value: Any) -> Any:
    check, apply = _INPLACE[op]
    if check is not None:
        check(target, value)
    return apply(target, value)


def _apply(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    return func(*args, **kwargs)


_ALLOWED_BUILTINS = (
    "abs",
    "all",
    "any",
    "bin",
    "bool",
    "callable",
    "chr",
    "dict",
    "enumerate",
    "filter",
    "float",
    "frozenset",
    "hex",
    "int",
    "isinstance",
    "issubclass",
    "len",
    "list",
    "map",
    "max",
    "min",
    "next",
    "oct",
    "ord",
    "reversed",
    "set",
    "slice",
    "sorted",
    "str",
    "tuple",
    "zip",
    "ArithmeticError",
    "AssertionError",
    "AttributeError",
    "Exception",
    "IndexError",
    "KeyError",
    "LookupError",
    "NameError",
    "NotImplementedError",
    "OverflowError",
    "RecursionError",
    "RuntimeError",
    "StopIteration",
    "TypeError",
    "ValueError",
    "ZeroDivisionError",
)

SAFE_BUILTINS: dict[str, Any] = {name: getattr(builtins, name) for name in _ALLOWED_BUILTINS} | {
    "range": _range,
    "pow": _pow,
    "sum": _sum,
    "divmod": _divmod,
    "round": _round,
    "format": _format,
    "repr": _repr,
    "getattr": guarded_getattr,
    "type": _type,
}

GUARDS: dict[str, Any] = {
    "__builtins__": SAFE_BUILTINS,
    "__name__": "script",
    "_getattr_": guarded_getattr,
    "_getitem_": operator.getitem,
    "_getiter_": _getiter,
    "_write_": _write,
    "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
    "_unpack_sequence_": guarded_unpack_sequence,
    "_apply_": _apply,
    "_print_": PrintCollector,
    "_inplacevar_": _inplacevar,
    "_fmt_": _fstring_field,
    "_add_": _binary(_check_add, operator.add),
    "_mul_": _binary(_check_mul, operator.mul),
    "_pow_": _binary(_check_pow, operator.pow),
    "_lshift_": _binary(_check_lshift, operator.lshift),
    "_mod_": _binary(_check_mod, operator.mod),
    "_floordiv_": _binary(_check_div, operator.floordiv),
    "_tick_": _guard_point,
    "_reraise_": _guard_point,
}
