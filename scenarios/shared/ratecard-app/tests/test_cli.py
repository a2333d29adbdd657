import contextlib
import io
import json
import unittest

from ratecard import cli


class CliTest(unittest.TestCase):
    def run_cli(self, *argv):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = cli.main(list(argv))
        return code, out.getvalue()

    def test_quote_prints_json_with_string_amounts(self):
        code, out = self.run_cli("quote", "--units", "1500")
        self.assertEqual(code, 0)
        self.assertEqual(json.loads(out)["total"], "33.00")

    def test_selftest_passes(self):
        code, out = self.run_cli("selftest")
        self.assertEqual(code, 0)
        self.assertIn("selftest ok", out)

    def test_bad_discount_is_an_error_not_a_traceback(self):
        code, _ = self.run_cli("quote", "--units", "10", "--discount", "lots")
        self.assertEqual(code, 2)


if __name__ == "__main__":
    unittest.main()
