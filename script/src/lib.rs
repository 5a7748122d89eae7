//! # Eventide's script host
//!
//! Users write their own read models ("projections") and reacting services ("policies") in
//! [Rhai](https://rhai.rs), a small scripting language with Rust-like syntax. This crate compiles
//! and runs them over the shop's events, natively or in a browser's Web Worker (wasm32), under
//! limits: operations per call, call depth, sizes of strings, arrays and maps, and a deadline the
//! caller supplies. It reads no clock, touches no file and executes nothing against the shop: a
//! policy's intentions come back as values.
//!
//! # Writing a script
//!
//! A script is a set of functions; nothing else may stand outside a function.
//!
//! - **Handlers** are named after event types and take the event: `fn OrderPlaced(event) { ... }`.
//!   A name with a capital first letter must be an event type (a misspelt one is a compile error
//!   with a suggestion); events of types without a handler are skipped. The set of handlers is
//!   what the script consumes.
//! - **The state is `this`.** `fn init() { #{} }` returns the state before the first event (an
//!   empty map if `init` is missing); a handler changes `this` in place and its return value is
//!   ignored (in a projection) or read as intentions (in a policy).
//! - **Helpers** start with a small letter and are called like any function: `fn window_ms() {
//!   600000 }`. Functions cannot see variables outside themselves, so constants are functions too.
//! - **The event** is a map:
//!
//!   ```text
//!   #{ type: "OrderPlaced", position: 12, id: "…", aggregate: "O-0042", aggregate_type: "Order",
//!      version: 1, schema_version: 1, recorded_at: 1795683600000, occurred_at: 1795683600000,
//!      correlation: "…", causation: () , metadata: #{},
//!      payload: #{ order: "O-0042", customer: "C-007", lines: [#{ sku: "SKU-03", quantity: 2,
//!                  unit_price: 1900 }], total: 3800 } }
//!   ```
//!
//!   `payload` is the event's JSON payload exactly as the event catalog documents it (ids are
//!   strings, money is integer cents). Times are milliseconds since the epoch (UTC), so
//!   `event.occurred_at - earlier < 10 * 60 * 1000` means "within ten minutes".
//!
//! A missing map field reads as `()`, so `this[key] ?? #{ count: 0 }` gives a fresh row the first
//! time; a misspelt field usually surfaces as "no function + ((), i64)", which the host words as
//! a hint. Prefer `this[key] ?? default` over `key in this` on a large state: a method call on a
//! map (`in`, `contains`, `keys`) costs time in proportion to its size, because Rhai measures it
//! against the size limits each time.
//!
//! ## Projections
//!
//! The state is shown as a table: rows keyed by string, with named columns.
//!
//! - By default the state itself is the table. With `fn rows()` (which reads `this`), its result
//!   is. Either way the table is a map of key to row (rows in key order), or an array of rows that
//!   each have a `key` field (rows in array order: sort them in `rows()`).
//! - A row is a map of column to value, or a single value (then its column is `value`). `key` is
//!   never a column.
//! - `fn columns() { ["orders", "revenue"] }` names the columns and their order; without it, every
//!   field any row has is a column, alphabetically.
//!
//! ```text
//! fn OrderPlaced(event) {
//!     let order = event.payload;
//!     let row = this[order.customer] ?? #{ orders: 0, ordered: 0 };
//!     row.orders += 1;
//!     row.ordered += order.total;
//!     this[order.customer] = row;
//! }
//! ```
//!
//! ## Policies
//!
//! A policy's handler returns what should happen next: nothing (`()` or `[]`), one intention, or
//! an array of them. An intention is a map with `command` (one of the shop's commands, its fields
//! beside it) or `publish` (an event type, its payload fields beside it):
//!
//! ```text
//! [#{ command: "CancelOrder", order: "O-0042", reason: "fraud" },
//!  #{ publish: "EmailSent", customer: "C-007", order: "O-0042", template: "loyalty-reward" }]
//! ```
//!
//! [`Intention::to_shop_command`] and [`Intention::to_shop_event`] turn them into the engine's
//! types, with errors that name the field at fault.
//!
//! # Using the host
//!
//! ```
//! use eventide_script::{Deadline, Projection, ScriptHost};
//!
//! let host = ScriptHost::default();
//! let projection = Projection::compile(&host, "fn OrderPlaced(event) {
//!     this[event.payload.customer] = (this[event.payload.customer] ?? 0) + 1;
//! }").unwrap();
//! let event = serde_json::json!({"event_type": "OrderPlaced", "position": 1,
//!     "payload": {"order": "O-0001", "customer": "C-007", "lines": [], "total": 0}});
//! let deadline = Deadline::none();
//! let mut state = projection.init(&deadline).unwrap();
//! projection.apply(&mut state, &event, &deadline).unwrap();
//! let checkpoint = state.clone(); // time travel: go back to it later
//! let table = projection.table(&state, &deadline).unwrap();
//! assert_eq!(table.columns, ["value"]);
//! assert_eq!(table.rows[0].key, "C-007");
//! # drop(checkpoint);
//! ```
//!
//! # Layout
//! - [`host`]: [`ScriptHost`] (one configured engine), [`Limits`], [`Deadline`].
//! - [`projection`]: [`Projection`], [`State`], [`ScriptTable`].
//! - [`policy`]: [`Policy`]; [`intention`]: [`Intention`] and its translation to shop types.
//! - [`error`]: [`ScriptError`] with line and column. [`examples`]: [`EXAMPLES`].
//! - `compiled` (the conventions both kinds share) and `value` (JSON to Rhai and back).
//! - `reads`: the payload fields each handler reads, found in its syntax tree
//!   ([`Projection::reads`], [`Policy::reads`]), so the event catalog can tell whether a schema
//!   change breaks a script. Read fields by name (`event.payload.total`, `order["total"]` after
//!   `let order = event.payload`): a computed key or the payload handed on whole counts as
//!   reading every field.

mod compiled;
pub mod error;
pub mod examples;
mod handler;
pub mod host;
pub mod intention;
pub mod policy;
pub mod projection;
mod reads;
mod value;

pub use error::{ErrorKind, ScriptError};
pub use examples::{Example, ExampleKind, EXAMPLES};
pub use handler::{handler_name, EventTypes};
pub use host::{Deadline, Limits, ScriptHost};
pub use intention::{Intention, IntentionError};
pub use policy::Policy;
pub use projection::{Projection, ScriptRow, ScriptTable, State};
