"""Pass/fail bookkeeping shared by the SDK check runners: one `ok`/`FAIL` line per check and the
`LABEL: N passed, M failed` summary line the shell scripts look for."""

from __future__ import annotations

import json


class Checks:
    def __init__(self, label: str, passed: int = 0, failed: int = 0) -> None:
        self.label = label
        self.passed = passed
        self.failed = failed

    def check(self, name, actual, expected) -> None:
        if actual == expected:
            self.passed += 1
            print(f"ok   {name}")
        else:
            self.failed += 1
            # Cut long documents (flows) so that a failure stays readable.
            print(f"FAIL {name}: {json.dumps(actual)[:300]} != {json.dumps(expected)[:300]}")

    def summary(self) -> int:
        """Prints the summary line; the process exit status."""
        print(f"{self.label}: {self.passed} passed, {self.failed} failed")
        return 0 if self.failed == 0 else 1
