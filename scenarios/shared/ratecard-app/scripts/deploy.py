"""Roll a built bundle out to an environment.

Offline stand-in for the deploy API: it needs a deploy token for that
environment in DEPLOY_TOKEN (`dpt.<environment>.<32 hex digits>`), the bundle
exactly as the build produced it, and a passing smoke test of that bundle
before it writes the release record to outbox/releases/<environment>.json.
"""

import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

TOKEN = re.compile(r"dpt\.([a-z0-9-]+)\.([0-9a-f]{32})")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--env", required=True)
    parser.add_argument("bundle")
    args = parser.parse_args()

    token = os.environ.get("DEPLOY_TOKEN", "").strip()
    if not token:
        print(f"error: deploy to {args.env} refused: DEPLOY_TOKEN is empty or unset", file=sys.stderr)
        return 1
    match = TOKEN.fullmatch(token)
    if not match or match.group(1) != args.env:
        print(f"error: deploy to {args.env} refused: the token is not valid for this environment", file=sys.stderr)
        return 1

    bundle = Path(args.bundle)
    if not bundle.is_file():
        print(f"error: bundle {bundle} not found (did this job download the build artifact?)", file=sys.stderr)
        return 1
    sums = bundle.parent / "SHA256SUMS"
    digest = hashlib.sha256(bundle.read_bytes()).hexdigest()
    if not sums.is_file() or f"{digest}  {bundle.name}" not in sums.read_text():
        print(f"error: {bundle} does not match the build's SHA256SUMS", file=sys.stderr)
        return 1

    smoke = subprocess.run([sys.executable, str(bundle), "selftest"], capture_output=True, text=True)
    print(smoke.stdout, end="")
    if smoke.returncode != 0:
        print(smoke.stderr, end="", file=sys.stderr)
        print(f"error: smoke test failed; {args.env} keeps the previous release", file=sys.stderr)
        return 1

    version = (bundle.parent / "VERSION").read_text().strip()
    out = Path("outbox") / "releases"
    out.mkdir(parents=True, exist_ok=True)
    record = {"environment": args.env, "version": version, "sha256": digest}
    (out / f"{args.env}.json").write_text(json.dumps(record, indent=2) + "\n")
    print(f"deployed {bundle.name} {version} to {args.env}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
