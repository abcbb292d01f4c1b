//! Exit codes: 0 success, 1 verification or policy failure, 2 could not check (usage, network).

pub const OK: u8 = 0;
pub const FAILED: u8 = 1;
pub const COULD_NOT_CHECK: u8 = 2;
