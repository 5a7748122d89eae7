//! Helpers shared by the shop's integration tests: a given/when/then harness over the shop
//! ([`shop`]) and the kernel's tiny counter domain ([`counter`], kept in the kernel's tests).

// Each test binary compiles this module but uses only part of it.
#![allow(dead_code)]

#[path = "../../../engine/tests/support/counter.rs"]
pub mod counter;
pub mod shop;
