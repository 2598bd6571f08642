"""Same sources → same bytes (docs/contracts.md §1.1), whatever the process environment.

``updatedAt`` is the only time-dependent value; comparisons replace it with the epoch
(``normalize_updated_at``) and everything else must match byte for byte, including the
committed goldens for examples/chat-app.
"""

from __future__ import annotations

import json
import re
import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from ssot_testlib import (
    DB_CONTRACT,
    EPOCH,
    FUNCTIONS_CONTRACT,
    GOLDEN_DIR,
    copy_example,
    normalize_updated_at,
    run_cli,
)

OUTPUTS = (DB_CONTRACT, FUNCTIONS_CONTRACT)
GOLDEN = {DB_CONTRACT: GOLDEN_DIR / "chat-app" / "schema.json", FUNCTIONS_CONTRACT: GOLDEN_DIR / "chat-app" / "functions.json"}
ISO_MS_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


def sync(root: Path, *, env: dict | None = None, cwd: Path | None = None, repo_root_arg: str | None = None, no_cache: bool = True) -> dict[str, bytes]:
    args = ["sync-to-context", "--repo-root", repo_root_arg or str(root)]
    if no_cache:
        args.append("--no-cache")
    run = run_cli(args, env=env, cwd=cwd or root.parent)
    assert run.returncode == 0, str(run)
    assert "Traceback" not in run.stderr
    return {rel: (root / rel).read_bytes() for rel in OUTPUTS}


def assert_golden(outputs: dict[str, bytes]) -> None:
    for rel, data in outputs.items():
        assert normalize_updated_at(data) == GOLDEN[rel].read_bytes(), rel


def test_two_in_process_derivations_are_identical(tmp_path) -> None:
    from convex_ssot.config import load_config
    from convex_ssot.emit.jsonout import dumps
    from convex_ssot.pipeline import derive

    root = copy_example("chat-app", tmp_path / "chat-app")
    a = derive(load_config(root), use_cache=False)
    b = derive(load_config(root), use_cache=False)
    assert dumps(a.db) == dumps(b.db)
    assert dumps(a.functions) == dumps(b.functions)
    assert a.db["updatedAt"] == EPOCH, "in-memory contracts carry the epoch placeholder"


def test_two_runs_on_two_copies_are_byte_identical(tmp_path) -> None:
    a = sync(copy_example("chat-app", tmp_path / "a" / "chat-app"))
    b = sync(copy_example("chat-app", tmp_path / "b" / "chat-app"))
    for rel in OUTPUTS:
        assert normalize_updated_at(a[rel]) == normalize_updated_at(b[rel]), rel
    assert_golden(a)


def test_hash_seed_does_not_change_output(tmp_path) -> None:
    outs = []
    for seed in ("0", "1", "4242"):
        root = copy_example("chat-app", tmp_path / f"seed{seed}" / "chat-app")
        outs.append(sync(root, env={"PYTHONHASHSEED": seed}))
    for rel in OUTPUTS:
        assert len({normalize_updated_at(o[rel]) for o in outs}) == 1, rel
    assert_golden(outs[0])


@pytest.mark.parametrize(
    "env",
    [
        {"TZ": "UTC", "LC_ALL": "C"},
        {"TZ": "Asia/Kolkata", "LC_ALL": "C.UTF-8"},
        {"TZ": "America/St_Johns", "LC_ALL": "tr_TR.UTF-8", "LANG": "tr_TR.UTF-8"},
        {"TZ": "Pacific/Kiritimati", "LC_ALL": "de_DE.UTF-8"},
        {"TZ": "Etc/GMT+12", "LC_ALL": "POSIX", "PYTHONIOENCODING": "latin-1"},
    ],
    ids=["utc-c", "kolkata-cutf8", "stjohns-tr", "kiritimati-de", "gmt+12-posix-latin1"],
)
def test_timezone_and_locale_do_not_change_output(tmp_path, env) -> None:
    root = copy_example("chat-app", tmp_path / "chat-app")
    before = datetime.now(timezone.utc)
    out = sync(root, env=env)
    after = datetime.now(timezone.utc)
    assert_golden(out)
    for rel in OUTPUTS:
        stamp = json.loads(out[rel])["updatedAt"]
        assert ISO_MS_UTC.match(stamp), stamp
        t = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
        assert before - timedelta(seconds=1) <= t <= after + timedelta(seconds=1), f"updatedAt {stamp} is not the current UTC time"


def test_non_ascii_sources_are_written_as_utf8_without_escapes(tmp_path) -> None:
    root = copy_example("chat-app", tmp_path / "chat-app")
    schema = root / "convex" / "schema.ts"
    schema.write_text(
        schema.read_text(encoding="utf-8").replace('v.literal("member"),', 'v.literal("member"),\n  v.literal("propriétaire 👑"),'),
        encoding="utf-8",
    )
    out = sync(root, env={"LC_ALL": "C", "PYTHONIOENCODING": "ascii"})
    data = out[DB_CONTRACT]
    assert "propriétaire 👑".encode("utf-8") in data, "non-ASCII is written as is (§1.1), not as \\u escapes"
    assert b"\\u00e9" not in data


@pytest.mark.parametrize("where", ["root-dir", "unrelated-dir", "inside-repo-subdir"])
def test_running_from_another_cwd(tmp_path, where) -> None:
    root = copy_example("chat-app", tmp_path / "work" / "chat-app")
    if where == "root-dir":
        cwd = Path("/")
    elif where == "unrelated-dir":
        cwd = tmp_path / "unrelated"
        cwd.mkdir()
    else:
        cwd = root / "convex" / "lib"
    out = sync(root, cwd=cwd)
    assert_golden(out)


def test_relative_repo_root(tmp_path) -> None:
    root = copy_example("chat-app", tmp_path / "work" / "chat-app")
    out = sync(root, cwd=tmp_path, repo_root_arg="work/chat-app")
    assert_golden(out)
    out2 = sync(root, cwd=root / "convex", repo_root_arg="..")
    assert out2 == out, "same repository, same bytes (updatedAt kept)"


def test_file_creation_order_does_not_matter(tmp_path) -> None:
    src = copy_example("chat-app", tmp_path / "src")
    files = sorted(p for p in src.rglob("*") if p.is_file())
    roots = []
    for name, order in (("fwd", files), ("rev", list(reversed(files)))):
        root = tmp_path / name / "chat-app"
        for p in order:
            dest = root / p.relative_to(src)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(p, dest)
        roots.append(sync(root))
    for rel in OUTPUTS:
        assert normalize_updated_at(roots[0][rel]) == normalize_updated_at(roots[1][rel]), rel


def test_cache_state_does_not_change_output(tmp_path) -> None:
    cache = tmp_path / "cache"
    env = {"CONVEX_SSOT_CACHE_DIR": str(cache)}
    cold = sync(copy_example("chat-app", tmp_path / "cold" / "chat-app"), env=env, no_cache=False)
    warm = sync(copy_example("chat-app", tmp_path / "warm" / "chat-app"), env=env, no_cache=False)
    off = sync(copy_example("chat-app", tmp_path / "off" / "chat-app"), env=env, no_cache=True)
    for rel in OUTPUTS:
        assert len({normalize_updated_at(x[rel]) for x in (cold, warm, off)}) == 1, rel


@pytest.mark.parametrize("variant", ["crlf", "bom", "crlf+bom"])
def test_line_endings_and_bom_do_not_change_output(tmp_path, variant) -> None:
    # Editors on Windows save CRLF and sometimes a UTF-8 BOM; the contracts describe the
    # code, not its encoding details (rawValidator collapses whitespace).
    root = copy_example("chat-app", tmp_path / "chat-app")
    for path in sorted((root / "convex").rglob("*.ts")):
        data = path.read_bytes()
        if "crlf" in variant:
            data = data.replace(b"\n", b"\r\n")
        if "bom" in variant:
            data = b"\xef\xbb\xbf" + data
        path.write_bytes(data)
    assert_golden(sync(root))
