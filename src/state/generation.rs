//! The reducer's generation side: a workload generated a chunk per frame, refused when the tab
//! could not hold it.

use super::{AppState, Tone};
use crate::format::fmt_count;

/// Events generated per chunk: small enough that a frame stays responsive.
pub const GENERATE_CHUNK: u64 = 20_000;

/// The most events one tab holds: a wasm32 tab has 4 GiB, and the log, its indexes, the read
/// models and their checkpoints take a few hundred bytes an event.
pub const MAX_EVENTS_IN_TAB: u64 = 10_000_000;
/// What an order takes in the generated workload, rounded up (about 8.3 events measured).
const EVENTS_PER_ORDER: u64 = 9;

impl AppState {
    pub(super) fn start_generating(&mut self, seed: u64, orders: u64) {
        let held = self.session().shop().store().len() as u64;
        let after = held.saturating_add(orders.saturating_mul(EVENTS_PER_ORDER));
        if after > MAX_EVENTS_IN_TAB {
            self.notify(
                Tone::Problem,
                format!(
                    "{} more orders would take this tab past about {} events, more than its memory holds (it has {}). Generate fewer, or export this session and start fresh.",
                    fmt_count(orders),
                    fmt_count(MAX_EVENTS_IN_TAB),
                    fmt_count(held)
                ),
                None,
            );
        } else {
            self.session_mut().start_generating(seed, orders);
        }
    }

    pub(super) fn continue_generating(&mut self) {
        let outcome = self.session_mut().continue_job(GENERATE_CHUNK);
        match outcome {
            Ok(Some(done)) => self.notify(
                Tone::Success,
                format!(
                    "Generated {} orders in {} events",
                    fmt_count(done.orders_finished),
                    fmt_count(done.events)
                ),
                None,
            ),
            Ok(None) => {}
            Err(error) => self.notify(Tone::Problem, error.to_string(), None),
        }
    }

    pub(super) fn cancel_generating(&mut self) {
        let cancelled = self.session_mut().cancel_job();
        if let Some(job) = cancelled {
            self.notify(
                Tone::Success,
                format!(
                    "Generation stopped after {} events; they stay in the log",
                    fmt_count(job.events)
                ),
                None,
            );
        }
    }
}
