//! Helpers shared by the engine's integration tests: a given/when/then harness over the shop
//! ([`shop`]) and a tiny counter domain that shows the event store knows no particular domain
//! ([`counter`]).

// Each test binary compiles this module but uses only part of it.
#![allow(dead_code)]

pub mod counter;
pub mod shop;
