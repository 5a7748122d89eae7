use crate::commands::{PaymentOutcome, ShopCommand};
use crate::events::{ShopEvent, ShopEventKind as K};
use crate::ids::Money;
use crate::services::{draw, Declaration, Failure, Mode, Reaction, Service, ServiceName};
use crate::ShopRecorded;
use eventide_engine::envelope::PayloadReads;

/// Charges the card once an order has passed its fraud check.
#[derive(Clone, Default)]
pub(super) struct PaymentService {
    mode: Mode,
    declines_everything: bool,
    charges: i64,
    charged: Money,
    declines: i64,
}

impl PaymentService {
    pub(super) fn new(mode: Mode) -> Self {
        Self {
            mode,
            ..Default::default()
        }
    }
}

/// The share of cards the payment provider declines.
pub const DECLINE_RATE: f64 = 0.08;

impl Service for PaymentService {
    fn name(&self) -> ServiceName {
        ServiceName::Payment
    }
    fn reads(&self) -> PayloadReads<K> {
        &[
            (K::FraudCheckPassed, &["order", "amount"]),
            (K::PaymentRequested, &["order", "amount"]),
            (K::ChaosModeEnabled, &[]),
            (K::ChaosModeDisabled, &[]),
        ]
    }
    fn declaration(&self) -> Declaration {
        let publishes = &[K::PaymentProcessed, K::PaymentFailed];
        match self.mode {
            Mode::Choreography => Declaration {
                consumes: &[
                    K::FraudCheckPassed,
                    K::ChaosModeEnabled,
                    K::ChaosModeDisabled,
                ],
                publishes,
            },
            Mode::Orchestration => Declaration {
                consumes: &[
                    K::PaymentRequested,
                    K::ChaosModeEnabled,
                    K::ChaosModeDisabled,
                ],
                publishes,
            },
        }
    }
    fn react(&mut self, event: &ShopRecorded, seed: u64) -> Vec<Reaction> {
        let (order, amount) = match &event.event {
            ShopEvent::FraudCheckPassed { order, amount, .. }
            | ShopEvent::PaymentRequested { order, amount } => (*order, *amount),
            _ => return Vec::new(),
        };
        let declined =
            self.declines_everything || draw(seed, event.correlation_id, "payment") < DECLINE_RATE;
        let outcome = if declined {
            self.declines += 1;
            PaymentOutcome::Declined {
                reason: "card declined".into(),
            }
        } else {
            // The card is charged here: a naive service charges a repeat twice.
            self.charges += 1;
            self.charged = self.charged + amount;
            PaymentOutcome::Approved
        };
        vec![Reaction::Command(ShopCommand::ProcessPayment {
            order,
            outcome,
        })]
    }
    fn state(&self) -> Vec<(&'static str, i64)> {
        vec![
            ("charges", self.charges),
            ("revenue charged (cents)", self.charged.cents()),
            ("declines", self.declines),
        ]
    }
    fn clone_boxed(&self) -> Box<dyn Service> {
        Box::new(self.clone())
    }
    fn inject(&mut self, failure: Failure) {
        self.declines_everything = failure == Failure::PaymentsDeclined;
    }
}
