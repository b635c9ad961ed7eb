//! What outlives a call: the tokens the host mints, and what the hosts of a fleet share.

pub mod shared;
pub mod tokens;
