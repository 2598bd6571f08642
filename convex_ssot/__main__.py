"""``python -m convex_ssot`` runs ``ctl-db-ssot``; ``python -m convex_ssot convex …`` runs ``ctl-convex``."""

import sys


def main() -> None:
    from .cli import entry

    if len(sys.argv) > 1 and sys.argv[1] == "convex":
        del sys.argv[1]
        entry.convex()
    else:
        entry.db_ssot()


if __name__ == "__main__":
    main()
