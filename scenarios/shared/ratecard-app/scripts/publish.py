"""Push a built bundle to the registry.

Offline stand-in for `docker push`: it needs the session written by
scripts/registry_login.py in the same job, checks the bundle against the
SHA256SUMS the build wrote, and files it under outbox/<registry>/<image>/<version>/.
"""

import argparse
import hashlib
import json
import shutil
import sys
from pathlib import Path


def checksum_ok(bundle):
    sums = bundle.parent / "SHA256SUMS"
    if not sums.is_file():
        print(f"error: {sums} is missing; was the build output downloaded?", file=sys.stderr)
        return False
    want = {}
    for line in sums.read_text().splitlines():
        digest, _, name = line.partition("  ")
        want[name.strip()] = digest
    got = hashlib.sha256(bundle.read_bytes()).hexdigest()
    if want.get(bundle.name) != got:
        print(f"error: {bundle} does not match SHA256SUMS", file=sys.stderr)
        return False
    return True


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--registry", required=True)
    parser.add_argument("--image", required=True)
    parser.add_argument("bundle")
    args = parser.parse_args()

    session = Path(".registry-session")
    if not session.is_file():
        print(f"error: not logged in to {args.registry}; run scripts/registry_login.py first", file=sys.stderr)
        return 1
    if json.loads(session.read_text()).get("registry") != args.registry:
        print(f"error: the session is for another registry, not {args.registry}", file=sys.stderr)
        return 1
    bundle = Path(args.bundle)
    if not bundle.is_file():
        print(f"error: {bundle} not found", file=sys.stderr)
        return 1
    if not checksum_ok(bundle):
        return 1
    version = (bundle.parent / "VERSION").read_text().strip()
    target = Path("outbox") / args.registry / args.image / version
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy2(bundle, target / bundle.name)
    print(f"pushed {args.registry}/{args.image}:{version}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
