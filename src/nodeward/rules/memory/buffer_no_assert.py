"""## What it finds
`Buffer` read and write methods (`readUInt8`, `readInt32LE`, `readDoubleBE`, `readUIntLE`,
`writeUInt16BE`, `writeIntLE`, ...) called with their last `noAssert` argument set to `true`,
which turns off the check that the offset lies inside the buffer.

## Why it matters
Up to Node.js 9, `noAssert = true` skipped the validation of the offset (and of the value being
written). An offset that comes from input then silently returns `undefined`, `NaN` or bytes that
were never part of the value, drops or truncates writes, and for the float and double methods,
implemented in C++, read and wrote memory past the end of the buffer (out-of-bounds read CWE-125,
out-of-bounds write CWE-787, crashes). Node.js 10 removed the parameter (DEP0102) and always checks,
so the argument is ignored there; the call remains a hazard for code that still runs on older
runtimes, and it records an intent to skip validation. Buffers are rarely traceable to their
creation, so the call is recognised by method name, argument count and a constant `true` in the
`noAssert` position.

## How to fix
Drop the `noAssert` argument and let Node.js check the offset; validate offsets that come from input
(`offset + size <= buf.length`) before reading, and handle the `RangeError` the check throws.

## Bad
```js
function readHeader(buf, offset) {
  const length = buf.readUInt32LE(offset, true);
  return buf.readUIntBE(offset + 4, length, true);
}
```

## Good
```js
function readHeader(buf, offset) {
  const length = buf.readUInt32LE(offset);
  return buf.readUIntBE(offset + 4, length);
}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from nodeward.findings import Confidence, Finding, Severity
from nodeward.rules.base import Rule, last_names
from nodeward.rules.context import RuleContext

# Buffer method -> index of its `noAssert` argument in the Node.js <= 9 signatures:
# read<Type>(offset, noAssert), read[U]Int{LE,BE}(offset, byteLength, noAssert),
# write<Type>(value, offset, noAssert), write[U]Int{LE,BE}(value, offset, byteLength, noAssert).
# The BigInt methods and the lower-case `Uint` aliases came after `noAssert` was removed: absent.
_FIXED_SIZE_TYPES = (
    "UInt8", "Int8",
    "UInt16LE", "UInt16BE", "Int16LE", "Int16BE",
    "UInt32LE", "UInt32BE", "Int32LE", "Int32BE",
    "FloatLE", "FloatBE", "DoubleLE", "DoubleBE",
)
_VARIABLE_SIZE_TYPES = ("UIntLE", "UIntBE", "IntLE", "IntBE")
NO_ASSERT_INDEX: dict[str, int] = {
    **{f"read{t}": 1 for t in _FIXED_SIZE_TYPES},
    **{f"read{t}": 2 for t in _VARIABLE_SIZE_TYPES},
    **{f"write{t}": 2 for t in _FIXED_SIZE_TYPES},
    **{f"write{t}": 3 for t in _VARIABLE_SIZE_TYPES},
}


class BufferNoAssert(Rule):
    id = "NW402"
    name = "buffer-no-assert"
    title = "Buffer bounds check disabled with noAssert"
    cwe = (125, 787)
    owasp = "A04"
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    fix = "Remove the `noAssert` argument and validate offsets taken from input before reading or writing."
    visits = ("call_expression",)
    call_names = last_names(NO_ASSERT_INDEX)

    def check(self, node: Node, ctx: RuleContext) -> Iterator[Finding]:
        method = ctx.method_name(node)
        if method is None or method not in NO_ASSERT_INDEX:
            return
        index = NO_ASSERT_INDEX[method]
        args = ctx.arguments(node)
        # Exactly the documented arity, so that look-alike APIs with other signatures stay quiet.
        if len(args) != index + 1 or any(arg.type == "spread_element" for arg in args):
            return
        value = ctx.model.evaluate(args[index])
        if value is None or value.value is not True:
            return
        kind = "reads" if method.startswith("read") else "writes"
        yield ctx.report(
            node,
            f"`{method}` with `noAssert` set to true {kind} without a bounds check on Node.js 9 and older",
        )
