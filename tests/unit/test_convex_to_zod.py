"""convex-helpers ``convexToZod``/``convexToZodFields`` (server/zod4.ts, 0.1.113–0.1.124):
a Convex validator as a zod schema, converted back by the zod builders. The same cases
run against the real package in tests/conformance/fixtures/zod_builders (roundtrip.ts)."""

from __future__ import annotations

import pytest

from convex_ssot import ir
from convex_ssot.packages.zod import from_convex, to_convex

S = ir.Validator("string")


@pytest.mark.parametrize("v", [
    S, ir.Validator("float64"), ir.Validator("int64"), ir.Validator("boolean"), ir.Validator("null"), ir.Validator("any"),
    ir.Validator("id", table="users"), ir.Validator("array", element=S),
    ir.Validator("object", fields=(ir.ObjectField("a", S.as_optional(True)), ir.ObjectField("b", ir.Validator("float64")))),
    ir.Validator("union", members=(ir.Validator("null"), S)),
    ir.Validator("literal", literal=ir.LiteralValue("string", "x")),
    ir.Validator("record", key=S, value=ir.Validator("any")),
])
def test_round_trip(v) -> None:
    z = from_convex(v)
    assert z is not None and to_convex(z) == v
    assert to_convex(from_convex(v.as_optional(True))) == v.as_optional(True)


def test_a_single_member_union_is_that_member_and_bytes_is_refused() -> None:
    assert to_convex(from_convex(ir.Validator("union", members=(S,)))) == S
    assert to_convex(from_convex(ir.Validator("union"))) == ir.Validator("union")  # z.never()
    with pytest.raises(ValueError, match="not supported by convexToZod"):
        from_convex(ir.Validator("bytes"))
    with pytest.raises(ValueError, match="not supported by convexToZod"):
        from_convex(ir.Validator("array", element=ir.Validator("bytes")))


def test_in_a_project(convex_project) -> None:
    b = convex_project({
        "convex/schema.ts": 'import { defineSchema } from "convex/server";\nexport default defineSchema({});\n',
        "convex/fns.ts": """import { z } from "zod";
import { v } from "convex/values";
import { paginationOptsValidator } from "convex/server";
import { convexToZod, convexToZodFields, zCustomQuery } from "convex-helpers/server/zod4";
import { NoOp } from "convex-helpers/server/customFunctions";
import { query } from "./_generated/server";
const zq = zCustomQuery(query, NoOp);
export const page = zq({ args: { paginationOpts: convexToZod(paginationOptsValidator), ...convexToZodFields({ n: v.optional(v.number()) }) }, handler: async () => null });
""",
    })
    fields = {f["name"]: (f["type"], f["optional"]) for f in b.function("fns:page")["argsValidator"]["fields"]}
    assert fields["n"] == ("float64", True) and fields["paginationOpts"][0] == "object"
    assert [d["code"] for d in b.diagnostics] == ["CSX245"]  # convex-helpers neither installed nor pinned
