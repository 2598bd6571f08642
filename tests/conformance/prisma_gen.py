"""Random valid Prisma schemas for the differential tests (seeded, reproducible).

Each schema has a datasource (one of the relational providers), 1–4 enums, 2–6 models
with scalar fields of every built-in type (optional, list where the provider allows it),
field attributes (@id, @unique, @default with literals and functions, @map, @updatedAt,
@db.X on PostgreSQL), ``///`` documentation, one-to-many and one-to-one relations (named
or not, with referential actions), @@unique/@@index (with sort orders) and @@map. Names
are drawn so that upper/lower case and underscores exercise the row order.
"""

from __future__ import annotations

import random

PROVIDERS = ("postgresql", "mysql", "sqlite")
NAMES = ("alpha", "Beta", "gamma_x", "delta", "Echo", "foxtrot", "golf2", "hotel", "India", "juliet_", "kilo", "Lima")
ACTIONS = ("Cascade", "Restrict", "NoAction", "SetNull")


def _defaults(t: str, rng: random.Random, enum_values: dict) -> str | None:
    choices = {
        "String": ['"x"', '"a b"', '"q\\"uote"', "cuid()", "uuid()"],
        "Int": ["0", "-3", "42", "autoincrement()"],
        "BigInt": ["7", "-9"],
        "Float": ["1.5", "-0.25", "3"],
        "Decimal": ["2.5", "10"],
        "Boolean": ["true", "false"],
        "DateTime": ["now()", '"2024-01-01T00:00:00Z"'],
        "Json": ['"{}"', '"[1]"'],
    }
    if t in enum_values:
        return rng.choice(enum_values[t])
    opts = choices.get(t)
    return rng.choice(opts) if opts and rng.random() < 0.4 else None


def schema(seed: int) -> str:
    """The schema text for ``seed``."""
    rng = random.Random(seed)
    provider = rng.choice(PROVIDERS)
    out = [f'datasource db {{\n  provider = "{provider}"\n  url      = env("DATABASE_URL")\n}}\n']
    enums: dict[str, list[str]] = {}
    if provider != "sqlite":
        for i in range(rng.randint(0, 3)):
            name = f"Kind{rng.choice(['', 'X', 'y'])}{i}"
            values = rng.sample(["A", "b", "C_c", "d2", "Eee", "f"], rng.randint(1, 4))
            enums[name] = values
            maps = [(' @map("' + v.lower() + '_m")') if rng.random() < 0.3 else "" for v in values]
            body = "".join(f"  {v}{m}\n" for v, m in zip(values, maps))
            doc = "/// an enum\n" if rng.random() < 0.5 else ""
            out.append(f"{doc}enum {name} {{\n{body}}}\n")
    model_names = [n[0].upper() + n[1:] for n in rng.sample(NAMES, rng.randint(2, 6))]
    fields: dict[str, list[str]] = {m: [] for m in model_names}
    attrs: dict[str, list[str]] = {m: [] for m in model_names}
    scalars = ["String", "Int", "BigInt", "Float", "Decimal", "Boolean", "DateTime", "Json", "Bytes"]
    for m in model_names:
        fields[m].append("  id Int @id" + (" @default(autoincrement())" if rng.random() < 0.7 else ""))
        used = {"id"}
        for _ in range(rng.randint(1, 7)):
            t = rng.choice(scalars + list(enums))
            name = rng.choice(NAMES).lower() + str(rng.randint(0, 9))
            if name in used:
                continue
            used.add(name)
            optional = rng.random() < 0.3
            is_list = provider == "postgresql" and not optional and rng.random() < 0.15 and t not in ("Json",)
            line = f"  {name} {t}{'[]' if is_list else ('?' if optional else '')}"
            if not is_list:
                d = _defaults(t, rng, enums)
                if d and not (d == "autoincrement()" or (provider == "sqlite" and t in ("Json",))):
                    line += f" @default({d})"
                if t in ("String", "Int") and rng.random() < 0.2:
                    line += " @unique"
                if t == "DateTime" and rng.random() < 0.3 and "@default" not in line:
                    line += " @updatedAt"
                if provider == "postgresql" and t == "String" and rng.random() < 0.3:
                    line += rng.choice([" @db.VarChar(64)", " @db.Text", " @db.Char(3)"])
            if rng.random() < 0.2:
                line += f' @map("{name}_col")'
            if rng.random() < 0.2:
                line = f"  /// doc of {name}\n" + line
            fields[m].append(line)
        plain = [f.split()[0] for f in fields[m][1:] if "[]" not in f and "Json" not in f and "Bytes" not in f and "///" not in f]
        if plain and rng.random() < 0.5:
            picked = rng.sample(plain, min(len(plain), rng.randint(1, 2)))
            if provider != "mysql" or not any("String" in f for f in fields[m] if f.split()[0] in picked):
                attrs[m].append(f"  @@index([{', '.join(p + ('(sort: Desc)' if rng.random() < 0.3 else '') for p in picked)}])")
        if rng.random() < 0.3:
            attrs[m].append(f'  @@map("{m.lower()}s")')
    # relations: each later model may point to an earlier one
    for i, m in enumerate(model_names[1:], 1):
        if rng.random() < 0.7:
            target = rng.choice(model_names[:i])
            fk = f"{target.lower()}Ref"
            one_to_one = rng.random() < 0.3
            name = f'"r{i}", ' if rng.random() < 0.4 else ""
            optional = rng.random() < 0.5
            action = f", onDelete: {rng.choice(ACTIONS if optional else ACTIONS[:3])}" if rng.random() < 0.5 else ""
            fields[m].append(f"  {fk} Int{'?' if optional else ''}{' @unique' if one_to_one else ''}")
            fields[m].append(f"  {target.lower()}Rel {target}{'?' if optional else ''} @relation({name}fields: [{fk}], references: [id]{action})")
            back = f"{m.lower()}Back{i}"
            fields[target].append(f"  {back} {m}{'?' if one_to_one else '[]'}" + (f' @relation("r{i}")' if name else ""))
    for m in model_names:
        doc = f"/// model {m}\n" if rng.random() < 0.5 else ""
        body = "\n".join(fields[m] + attrs[m])
        out.append(f"{doc}model {m} {{\n{body}\n}}\n")
    return "\n".join(out)
