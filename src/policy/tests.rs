//! Unit tests of reading and evaluating policies.
