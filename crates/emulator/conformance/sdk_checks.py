"""The pass/fail tally the SDK check runners share: one line per check, then the summary line
`<label>: N passed, M failed` that scripts/lib/emulator.sh's `finish` looks for."""

from __future__ import annotations


class Checks:
    def __init__(self, label: str) -> None:
        self.label = label
        self.passed = 0
        self.failed = 0

    def check(self, name, actual, expected) -> None:
        if actual == expected:
            self.passed += 1
            print(f"ok   {name}")
        else:
            self.failed += 1
            print(f"FAIL {name}: {actual!r} != {expected!r}")

    def finish(self) -> int:
        """Prints the summary line; the exit status for it."""
        print(f"{self.label}: {self.passed} passed, {self.failed} failed")
        return 0 if self.failed == 0 else 1
