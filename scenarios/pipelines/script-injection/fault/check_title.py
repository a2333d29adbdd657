"""Check that a pull request title follows the changelog convention.

The release notes are built from merged pull request titles, so each title
must start with one of the prefixes below, then a colon and a summary.
"""

import re
import sys

PREFIXES = ("feat", "fix", "perf", "docs", "ci", "chore")
TITLE = re.compile(r"(%s)(\([a-z0-9-]+\))?: \S.{0,70}" % "|".join(PREFIXES))


def main(argv):
    if len(argv) != 2:
        print("usage: check_title.py TITLE", file=sys.stderr)
        return 2
    title = argv[1]
    if TITLE.fullmatch(title):
        print(f"title ok: {title}")
        return 0
    print(f"error: title {title!r} must look like 'fix(pricing): short summary'", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
