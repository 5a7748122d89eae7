use crate::events::{ShopEvent, ShopEventKind as K};
use crate::services::{draw, Declaration, Mode, Reaction, Service, ServiceName};
use crate::ShopRecorded;
use eventide_engine::envelope::PayloadReads;

/// Scores every order; a few look like fraud.
#[derive(Clone, Default)]
pub(super) struct FraudService {
    mode: Mode,
    checks: i64,
    flagged: i64,
}

impl FraudService {
    pub(super) fn new(mode: Mode) -> Self {
        Self {
            mode,
            ..Default::default()
        }
    }
}

/// The share of orders the fraud service flags.
const FRAUD_RATE: f64 = 0.03;

impl Service for FraudService {
    fn name(&self) -> ServiceName {
        ServiceName::FraudDetection
    }
    fn reads(&self) -> PayloadReads<K> {
        &[
            (K::OrderPlaced, &["order", "customer", "total"]),
            (K::FraudCheckRequested, &["order", "customer", "amount"]),
        ]
    }
    fn declaration(&self) -> Declaration {
        let publishes = &[K::FraudCheckPassed, K::FraudCheckFailed];
        match self.mode {
            Mode::Choreography => Declaration {
                consumes: &[K::OrderPlaced],
                publishes,
            },
            Mode::Orchestration => Declaration {
                consumes: &[K::FraudCheckRequested],
                publishes,
            },
        }
    }
    fn react(&mut self, event: &ShopRecorded, seed: u64) -> Vec<Reaction> {
        let (order, customer, amount) = match &event.event {
            ShopEvent::OrderPlaced {
                order,
                customer,
                total,
                ..
            } => (*order, *customer, *total),
            ShopEvent::FraudCheckRequested {
                order,
                customer,
                amount,
            } => (*order, *customer, *amount),
            _ => return Vec::new(),
        };
        self.checks += 1;
        let risk = draw(seed, event.correlation_id, "fraud");
        let score = (risk * 100.0) as u8;
        if risk >= 1.0 - FRAUD_RATE {
            self.flagged += 1;
            vec![Reaction::Publish(ShopEvent::FraudCheckFailed {
                order,
                customer,
                score,
            })]
        } else {
            vec![Reaction::Publish(ShopEvent::FraudCheckPassed {
                order,
                customer,
                score,
                amount,
            })]
        }
    }
    fn state(&self) -> Vec<(&'static str, i64)> {
        vec![("checks", self.checks), ("flagged", self.flagged)]
    }
    fn clone_boxed(&self) -> Box<dyn Service> {
        Box::new(self.clone())
    }
}
