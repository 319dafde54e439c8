//! Sample homes in real formats, for tests, the demo and benchmarks.
