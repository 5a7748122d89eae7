use crate::events::{ShopEvent, ShopEventKind as K};
use crate::services::{Declaration, Mode, Reaction, Service, ServiceName};
use crate::ShopRecorded;
use eventide_engine::envelope::PayloadReads;

/// Emails the customer at each step that matters to them.
#[derive(Clone, Default)]
pub(super) struct NotificationService {
    mode: Mode,
    emails_sent: i64,
}

impl NotificationService {
    pub(super) fn new(mode: Mode) -> Self {
        Self {
            mode,
            ..Default::default()
        }
    }
}

impl Service for NotificationService {
    fn name(&self) -> ServiceName {
        ServiceName::Notification
    }
    fn reads(&self) -> PayloadReads<K> {
        &[
            (K::OrderPlaced, &["order", "customer"]),
            (K::ShipmentDispatched, &["order", "customer"]),
            (K::OrderCancelled, &["order", "customer"]),
            (K::NotificationRequested, &["order", "customer", "template"]),
            (K::ChaosModeEnabled, &[]),
            (K::ChaosModeDisabled, &[]),
        ]
    }
    fn declaration(&self) -> Declaration {
        match self.mode {
            Mode::Choreography => Declaration {
                consumes: &[
                    K::OrderPlaced,
                    K::ShipmentDispatched,
                    K::OrderCancelled,
                    K::ChaosModeEnabled,
                    K::ChaosModeDisabled,
                ],
                publishes: &[K::EmailSent],
            },
            Mode::Orchestration => Declaration {
                consumes: &[
                    K::NotificationRequested,
                    K::ChaosModeEnabled,
                    K::ChaosModeDisabled,
                ],
                publishes: &[K::EmailSent],
            },
        }
    }
    fn react(&mut self, event: &ShopRecorded, _seed: u64) -> Vec<Reaction> {
        let (customer, order, template) = match &event.event {
            ShopEvent::OrderPlaced {
                customer, order, ..
            } => (*customer, *order, "order-confirmation"),
            ShopEvent::ShipmentDispatched {
                customer, order, ..
            } => (*customer, *order, "shipment-dispatched"),
            ShopEvent::OrderCancelled {
                customer, order, ..
            } => (*customer, *order, "order-cancelled"),
            ShopEvent::NotificationRequested {
                customer,
                order,
                template,
            } => (*customer, *order, template.as_str()),
            _ => return Vec::new(),
        };
        self.emails_sent += 1;
        vec![Reaction::Publish(ShopEvent::EmailSent {
            customer,
            order: Some(order),
            template: template.to_string(),
        })]
    }
    fn state(&self) -> Vec<(&'static str, i64)> {
        vec![("emails sent", self.emails_sent)]
    }
    fn clone_boxed(&self) -> Box<dyn Service> {
        Box::new(self.clone())
    }
}
