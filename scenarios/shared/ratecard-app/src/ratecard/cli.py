"""Command line entry point, also the zipapp's main function."""

import argparse
import json
import sys
from decimal import Decimal, InvalidOperation

from ratecard import pricing

SERVICE = "@{service}"


def _selftest():
    got = pricing.quote(1500, "standard")
    want = {"net": Decimal("27.50"), "tax": Decimal("5.50"), "total": Decimal("33.00")}
    for key, value in want.items():
        if got[key] != value:
            print(f"selftest failed: {key} is {got[key]}, expected {value}", file=sys.stderr)
            return 1
    print(f"{SERVICE} selftest ok")
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(prog=SERVICE, description="Price a month of usage.")
    sub = parser.add_subparsers(dest="command", required=True)
    q = sub.add_parser("quote", help="price a number of units")
    q.add_argument("--units", type=int, required=True)
    q.add_argument("--plan", default="standard", choices=sorted(pricing.PLANS))
    q.add_argument("--discount", default="0", help="fraction off the net amount, e.g. 0.1")
    sub.add_parser("selftest", help="price a known case and compare")
    args = parser.parse_args(argv)

    if args.command == "selftest":
        return _selftest()
    try:
        result = pricing.quote(args.units, args.plan, Decimal(args.discount))
    except (ValueError, InvalidOperation) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(json.dumps({k: str(v) for k, v in result.items()}, indent=2))
    return 0


def run():
    """Entry point of the zipapp: exit with main's status, so a failed selftest fails."""
    sys.exit(main())


if __name__ == "__main__":
    run()
