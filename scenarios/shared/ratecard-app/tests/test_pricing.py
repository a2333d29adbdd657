import unittest
from decimal import Decimal

from ratecard import pricing


class UsageChargeTest(unittest.TestCase):
    def test_zero_units_cost_nothing(self):
        self.assertEqual(pricing.usage_charge(0), Decimal("0.00"))

    def test_first_tier_only(self):
        self.assertEqual(pricing.usage_charge(800), Decimal("16.00"))

    def test_tier_boundary_belongs_to_the_lower_tier(self):
        self.assertEqual(pricing.usage_charge(1000), Decimal("20.00"))

    def test_units_spread_over_two_tiers(self):
        self.assertEqual(pricing.usage_charge(1500), Decimal("27.50"))

    def test_half_cent_is_rounded_once_on_the_total(self):
        # 1000 x 0.020 + 333 x 0.015 = 24.995, which rounds up to 25.00
        self.assertEqual(pricing.usage_charge(1333), Decimal("25.00"))

    def test_open_ended_last_tier(self):
        self.assertEqual(pricing.usage_charge(12000), Decimal("175.00"))

    def test_pro_plan(self):
        self.assertEqual(pricing.usage_charge(6000, "pro"), Decimal("99.00"))

    def test_negative_units_are_rejected(self):
        with self.assertRaises(ValueError):
            pricing.usage_charge(-1)

    def test_unknown_plan_is_rejected(self):
        with self.assertRaises(ValueError):
            pricing.usage_charge(10, "enterprise")


class QuoteTest(unittest.TestCase):
    def test_tax_is_added_on_the_net_amount(self):
        q = pricing.quote(1500)
        self.assertEqual((q["net"], q["tax"], q["total"]), (Decimal("27.50"), Decimal("5.50"), Decimal("33.00")))

    def test_discount_comes_off_before_tax(self):
        q = pricing.quote(1500, discount=Decimal("0.10"))
        self.assertEqual((q["net"], q["tax"], q["total"]), (Decimal("24.75"), Decimal("4.95"), Decimal("29.70")))

    def test_discount_of_one_hundred_percent_is_rejected(self):
        with self.assertRaises(ValueError):
            pricing.quote(10, discount=Decimal("1"))


if __name__ == "__main__":
    unittest.main()
