"""Copy a published bundle to the release bucket the docs site downloads from.

Offline stand-in for `aws s3 cp`: it needs AWS credentials in the usual
environment variables (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY), checks
that they are well formed, and writes the bundle under
outbox/s3/<bucket>/<version>/.
"""

import argparse
import os
import re
import shutil
import sys
from pathlib import Path

KEY_ID = re.compile(r"(AKIA|ASIA)[0-9A-Za-z]{16}")
SECRET = re.compile(r"[0-9A-Za-z/+]{40}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bucket", required=True)
    parser.add_argument("bundle")
    args = parser.parse_args()

    key_id = os.environ.get("AWS_ACCESS_KEY_ID", "")
    secret = os.environ.get("AWS_SECRET_ACCESS_KEY", "")
    if not KEY_ID.fullmatch(key_id) or not SECRET.fullmatch(secret):
        print("error: s3: InvalidAccessKeyId: AWS credentials are missing or malformed", file=sys.stderr)
        return 1
    bundle = Path(args.bundle)
    if not bundle.is_file():
        print(f"error: {bundle} not found", file=sys.stderr)
        return 1
    version = (bundle.parent / "VERSION").read_text().strip()
    target = Path("outbox") / "s3" / args.bucket / version
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy2(bundle, target / bundle.name)
    print(f"upload: {bundle} to s3://{args.bucket}/{version}/{bundle.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
