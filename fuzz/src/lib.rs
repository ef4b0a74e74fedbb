//! The properties the fuzz targets check, one module per attack surface.
//! Each module is plain Rust over the crate it tests, so the crate's normal
//! tests can replay the seed corpus through the same checks.

pub mod initiator;
pub mod message;
pub mod tree;
pub mod wire;
