"""What the product costs at national scale: the benchmark (`python -m bench`), the browser's
benchmark (`--browser`) and the load test. Development tooling, not part of the installed product:
it writes `docs/benchmarks.md` and drives Chromium through Playwright, a test-only dependency."""
