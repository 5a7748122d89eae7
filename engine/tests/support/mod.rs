//! Helpers shared by the kernel's integration tests: a tiny counter domain that shows the kernel
//! knows no particular domain ([`counter`]). The shop's tests borrow it for their store
//! properties.

// Each test binary compiles this module but uses only part of it.
#![allow(dead_code)]

pub mod counter;
