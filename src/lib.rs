//! # Eventide, the web app
//!
//! Thin Yew function components over the engine (`eventide-engine`). They render engine state
//! and send the engine messages; no business rule lives here.
//!
//! # Layout
//! - [`address`]: the address bar (fragments the app writes, and those it acts on).
//! - [`state`]: the one reducer, shared by context, holding the engine.
//! - [`components`]: one module per panel (commands, timeline, event log, read models, ...).
//! - [`bench_page`]: the in-browser benchmark behind `#bench`.
//! - [`lessons`]: the guided lessons (data, scenarios, step checks).
//! - [`format`]: how numbers, times and ids look on screen.
//! - [`share`]: a scenario compressed into the address, and back.
//! - [`scripting`]: the script worker, started on first use; user scripts never run on the page.
//! - [`panic`]: a visible report of a panic instead of a blank page.
//! - [`saved`]: what the browser keeps between visits (the autosave, sessions kept aside).

pub mod address;
pub mod bench_page;
pub mod clipboard;
pub mod components;
pub mod explore;
pub mod format;
pub mod lessons;
pub mod panic;
pub mod recipe;
pub mod room;
pub mod saved;
pub mod scripting;
pub mod share;
pub mod state;
