"""``python -m convex_ssot`` runs ``ctl-db-ssot``; ``python -m convex_ssot convex …`` runs ``ctl-convex``."""

import sys


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "convex":
        del sys.argv[1]
        from .cli.convex import main as convex_main

        convex_main()
    else:
        from .cli.db_ssot import main as db_main

        db_main()


if __name__ == "__main__":
    main()
