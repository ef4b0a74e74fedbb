//! Test support shared by integration tests.

pub(crate) mod gateway_driver;
