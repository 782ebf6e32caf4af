"""
Test-only: trims moto's catalogue of AWS managed IAM policies to the names listed in
SECURE_START_TEST_MANAGED_POLICIES (comma-separated), when that variable is set.

moto builds its whole catalogue (about 1,500 policies, 4 MB of JSON) for every IAM backend it
creates, which it does again after each /moto-api/reset: about 2.5 s per test on the suite's
emulators, for policies no test uses. The suite starts its "full" emulators with this directory
on PYTHONPATH (test/helpers/global-setup.ts), so Python runs this file at start-up. The policies
kept are real ones, served by moto's own code; a test that needs one more fails with moto's
NoSuchEntity until it is added to the list. The product's sandbox never loads this file.
"""
import os

_names = os.environ.get("SECURE_START_TEST_MANAGED_POLICIES", "").strip()
if _names:
    import json

    import moto.iam.aws_managed_policies as _catalogue
    import moto.iam.models as _iam_models

    _keep = {n.strip() for n in _names.split(",") if n.strip()}
    _all = json.loads(_catalogue.aws_managed_policies_data)
    _missing = _keep - set(_all)
    if _missing:
        raise SystemExit("SECURE_START_TEST_MANAGED_POLICIES names policies moto does not have: " + ", ".join(sorted(_missing)))
    _catalogue.aws_managed_policies_data = json.dumps({k: v for k, v in _all.items() if k in _keep})
    # models.py imported the string by name: replace it there too.
    _iam_models.aws_managed_policies_data = _catalogue.aws_managed_policies_data
