//! What outlives a call: the tokens the host mints.

pub mod tokens;
