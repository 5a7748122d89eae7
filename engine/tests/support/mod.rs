//! Helpers shared by the kernel's integration tests: a tiny counter domain that shows the kernel
//! knows no particular domain ([`counter`]), and the one-event stock domain the kernel's unit
//! tests use too ([`stock`]), both on the public API alone. The shop's tests borrow it for their store
//! properties.

// Each test binary compiles this module but uses only part of it.
#![allow(dead_code)]

pub mod counter;
pub mod stock;
