"""Tiered usage pricing.

Each plan is a list of tiers. A tier covers the units up to its upper bound
(inclusive) at its own unit price; the last tier has no upper bound. Money is
kept in Decimal and rounded to the cent once, on the final figures, so a quote
never drifts from what the invoice later shows.
"""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")

PLANS = {
    "standard": [(1000, Decimal("0.020")), (10000, Decimal("0.015")), (None, Decimal("0.010"))],
    "pro": [(5000, Decimal("0.018")), (None, Decimal("0.009"))],
}


def to_cents(amount):
    """Round an amount to the cent, halves away from zero."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def usage_charge(units, plan="standard"):
    """Price `units` on `plan`, before discount and tax."""
    if units < 0:
        raise ValueError("units cannot be negative")
    try:
        tiers = PLANS[plan]
    except KeyError:
        raise ValueError(f"unknown plan: {plan}") from None
    total = Decimal("0")
    lower = 0
    for upper, price in tiers:
        if units <= lower:
            break
        top = units if upper is None else min(units, upper)
        total += (top - lower) * price
        if upper is None:
            break
        lower = upper
    return to_cents(total)


def quote(units, plan="standard", discount=Decimal("0"), tax_rate=Decimal("0.20")):
    """A full quote: the discount comes off the net amount, tax is added on what remains."""
    if not Decimal("0") <= discount < Decimal("1"):
        raise ValueError("discount must be at least 0 and below 1")
    net = to_cents(usage_charge(units, plan) * (Decimal("1") - discount))
    tax = to_cents(net * tax_rate)
    return {"plan": plan, "units": units, "net": net, "tax": tax, "total": net + tax}
