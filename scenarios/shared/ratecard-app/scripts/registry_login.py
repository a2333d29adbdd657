"""Log in to the team's image registry.

Offline stand-in for `docker login`: it accepts only a robot token issued for
the given user (tokens look like `rgt.<user>.<32 hex digits>`, and CI gets
one from the REGISTRY_TOKEN environment variable) and records the session in
.registry-session for scripts/publish.py, which refuses to push without it.
"""

import argparse
import json
import os
import re
import sys
from pathlib import Path

TOKEN = re.compile(r"rgt\.([a-z0-9-]+)\.([0-9a-f]{32})")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--registry", required=True)
    parser.add_argument("--user", required=True)
    args = parser.parse_args()

    token = os.environ.get("REGISTRY_TOKEN", "")
    print(f"logging in to {args.registry} as {args.user}")
    if not token.strip():
        print(
            f"error: {args.registry}: 401 unauthorized: no token supplied for {args.user} "
            "(REGISTRY_TOKEN is empty or unset)",
            file=sys.stderr,
        )
        return 1
    match = TOKEN.fullmatch(token.strip())
    if not match or match.group(1) != args.user:
        print(f"error: {args.registry}: 401 unauthorized: token rejected for {args.user}", file=sys.stderr)
        return 1
    Path(".registry-session").write_text(json.dumps({"registry": args.registry, "user": args.user}) + "\n")
    print("login succeeded")
    return 0


if __name__ == "__main__":
    sys.exit(main())
