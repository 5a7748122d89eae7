//! The reducer's services side: the services listening or not, the storefront, their virtual
//! clock, delivery settings, idempotent or naive consumers, chaos mode, dead letters and the
//! coordination model. The knobs live in the engine only (read back through the session); what
//! is kept here is the clock's running and speed, which the engine has no word for.

use eventide_engine::delivery::{DeliverySettings, SubscriptionId};
use eventide_engine::Named;
use eventide_shop::events::ShopEvent;
use eventide_shop::services::{Mode, ServiceName};

use super::{AppState, ResetPoint, Tone};
use crate::format::fmt_count;
use crate::recipe::Step;

/// How much virtual time one tick of the running simulation covers, in milliseconds; a tick
/// comes every 100 ms of real time.
pub const SIM_SPEEDS: &[(u64, &str)] = &[
    (100, "1×"),
    (1_000, "10×"),
    (6_000, "60×"),
    (60_000, "600×"),
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Clock {
    /// Whether the simulation's virtual clock is running.
    pub running: bool,
    /// Virtual milliseconds per tick (one of `SIM_SPEEDS`).
    pub speed: u64,
}

impl Default for Clock {
    fn default() -> Self {
        Clock {
            running: false,
            speed: SIM_SPEEDS[1].0,
        }
    }
}

impl AppState {
    pub(super) fn set_reacting(&mut self, on: bool) {
        let _ = self.session_mut().run_services(Step::Reacting { on });
        if !on {
            self.clock.running = false;
        }
    }

    pub(super) fn open_storefront(&mut self, checkouts: u64) {
        let opened = {
            let mut session = self.session_mut();
            session
                .run_services(Step::Reacting { on: true })
                .and_then(|_| session.run_services(Step::OpenStorefront { checkouts }))
        };
        match opened {
            Ok(_) => {
                self.clock.running = true;
                self.notify(
                    Tone::Success,
                    format!(
                        "The storefront is open for {} checkouts",
                        fmt_count(checkouts)
                    ),
                    None,
                );
            }
            Err(error) => self.notify(Tone::Problem, error, None),
        }
    }

    /// One tick of the running simulation: virtual time moves on by the chosen speed.
    pub(super) fn sim_tick(&mut self) {
        if !self.clock.running {
            return;
        }
        let outcome = {
            let mut session = self.session_mut();
            let until = session.now().plus_millis(self.clock.speed as i64);
            session
                .run_services(Step::AdvanceTo { until })
                .map(|_| session.sim().is_quiescent())
        };
        match outcome {
            Ok(true) => {
                self.clock.running = false;
                self.notify(
                    Tone::Success,
                    "All quiet: every event has been delivered".into(),
                    None,
                );
            }
            Ok(false) => {}
            Err(error) => {
                self.clock.running = false;
                self.notify(Tone::Problem, error, None);
            }
        }
    }

    pub(super) fn sim_step(&mut self) {
        let outcome = self.session_mut().run_services(Step::SimSteps { count: 1 });
        if let Err(error) = outcome {
            self.notify(Tone::Problem, error, None);
        }
    }

    pub(super) fn set_delivery(
        &mut self,
        target: Option<SubscriptionId>,
        settings: DeliverySettings,
    ) {
        let _ = self.session_mut().run_services(Step::Delivery {
            subscription: target,
            settings: settings.clamped(),
        });
    }

    pub(super) fn set_idempotent(&mut self, idempotent: bool) {
        let _ = self.session_mut().run_services(Step::Idempotent {
            service: None,
            idempotent,
        });
    }

    /// Chaos on or off is an event in the log (the services hear it); asking for what the log
    /// already says changes nothing.
    pub(super) fn set_chaos(&mut self, on: bool) {
        if self.session().chaos() == on {
            return;
        }
        let event = if on {
            ShopEvent::ChaosModeEnabled {
                reason: "game day".into(),
            }
        } else {
            ShopEvent::ChaosModeDisabled {}
        };
        let outcome = {
            let mut session = self.session_mut();
            session
                .run_services(Step::Reacting { on: true })
                .and_then(|_| session.run_services(Step::Inject { event }))
        };
        match outcome {
            Ok(_) => self.clock.running = true,
            Err(error) => self.notify(Tone::Problem, error, None),
        }
    }

    pub(super) fn replay_parked(&mut self, service: ServiceName) {
        let count = self
            .session_mut()
            .run_services(Step::ReplayParked { service })
            .unwrap_or(0);
        self.notify(
            Tone::Success,
            format!(
                "{} parked deliveries to {} sent again",
                fmt_count(count as u64),
                service.name()
            ),
            None,
        );
        self.clock.running = true;
    }

    /// Moves a service's checkpoint back and lets the clock run, so the replay is seen arriving.
    /// A time resets to the last event recorded at or before it.
    pub(super) fn reset_subscription(&mut self, subscription: SubscriptionId, point: ResetPoint) {
        let to = match point {
            ResetPoint::Position(position) => position,
            // From a time: its own events are replayed too (the cursor just before them).
            ResetPoint::Time(time) => self
                .session()
                .shop()
                .store()
                .position_at(time.plus_millis(-1)),
        };
        let outcome = self
            .session_mut()
            .run_services(Step::ResetSubscription { subscription, to });
        match outcome {
            Ok(count) => {
                let name = self.session().sim().bus().name(subscription).to_string();
                self.notify(
                    Tone::Success,
                    format!(
                        "{name} reset to position {}: {} events sent again",
                        fmt_count(to.0),
                        fmt_count(count as u64)
                    ),
                    None,
                );
                self.clock.running = true;
            }
            Err(problem) => self.notify(Tone::Problem, problem, None),
        }
    }

    /// Switches the coordination model (between flows); the one in use is no change.
    pub(super) fn set_mode(&mut self, mode: Mode) {
        if self.session().sim().mode() == mode {
            return;
        }
        let outcome = self.session_mut().run_services(Step::Mode { mode });
        match outcome {
            Ok(_) => self.notify(
                Tone::Success,
                format!("Now coordinating by {}", mode.name()),
                None,
            ),
            Err(problem) => self.notify(Tone::Problem, problem, None),
        }
    }
}
