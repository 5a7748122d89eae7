//! Checkout sagas: "where does each orchestrated checkout stand?", newest first. Folded from the
//! saga's own events, so a saga's state time-travels like every other read model. Empty in
//! choreography, where no one holds the state of the whole flow.

use std::ops::Range;

use crate::events::{ShopEvent, ShopEventKind, ShopEventKind as K};
use crate::ids::{CustomerId, OrderId};
use eventide_engine::envelope::{PayloadReads, Recorded};
use eventide_engine::ids::{CorrelationId, Position, Timestamp};
use eventide_engine::persistent::ChunkedVec;
use eventide_engine::projection::{Cell, ChangeSet, Projection, Row, Wanted};

/// What a saga's event says of it: the step it is at, the order it names, and whether it undoes
/// something. One table for the read model and for the benchmark's reference fold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SagaStep {
    pub step: &'static str,
    pub order: Option<OrderId>,
    pub compensation: bool,
}

impl SagaStep {
    /// The step an event moves its saga to; `None` for events no saga takes (`SagaStarted`
    /// opens one rather than moving it).
    pub fn of(event: &ShopEvent) -> Option<SagaStep> {
        let (step, order, compensation) = match event {
            ShopEvent::OrderCreationRequested { .. } => ("order requested", None, false),
            ShopEvent::StockReservationRequested { order, .. } => {
                ("stock requested", Some(*order), false)
            }
            ShopEvent::FraudCheckRequested { order, .. } => {
                ("fraud check requested", Some(*order), false)
            }
            ShopEvent::PaymentRequested { order, .. } => ("payment requested", Some(*order), false),
            ShopEvent::ShipmentRequested { order } => ("shipment requested", Some(*order), false),
            ShopEvent::StockReleaseRequested { order, .. } => {
                ("releasing stock", Some(*order), true)
            }
            ShopEvent::OrderCancellationRequested { order, .. } => {
                ("cancelling order", Some(*order), true)
            }
            ShopEvent::SagaStepTimedOut { order, .. } => ("timed out", *order, false),
            ShopEvent::SagaCompleted { order } => ("completed", Some(*order), false),
            ShopEvent::SagaCompensated { order, .. } => ("compensated", *order, false),
            _ => return None,
        };
        Some(SagaStep {
            step,
            order,
            compensation,
        })
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SagaSummary {
    pub flow: CorrelationId,
    pub customer: CustomerId,
    pub order: Option<OrderId>,
    /// The last step the saga recorded, in words.
    pub step: &'static str,
    pub steps: u32,
    pub compensations: u32,
    pub started_at: Timestamp,
    pub last_event: Position,
}

/// How many of the newest sagas a lookup scans before it searches them all: replies come for
/// recent sagas, so this almost always suffices.
const RECENT: usize = 4096;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct SagaStates {
    sagas: ChunkedVec<SagaSummary>,
}

impl SagaStates {
    pub fn len(&self) -> usize {
        self.sagas.len()
    }

    pub fn is_empty(&self) -> bool {
        self.sagas.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &SagaSummary> {
        self.sagas.iter().rev()
    }

    fn index_of(&self, flow: CorrelationId) -> Option<usize> {
        let len = self.sagas.len();
        let recent = (len.saturating_sub(RECENT)..len).rev();
        let older = (0..len.saturating_sub(RECENT)).rev();
        recent
            .chain(older)
            .find(|&i| self.sagas.get(i).is_some_and(|s| s.flow == flow))
    }
}

fn saga_row(saga: &SagaSummary) -> Row {
    Row {
        key: saga.flow.to_string(),
        cells: vec![
            Cell::Text(saga.flow.short()),
            Cell::Text(saga.customer.to_string()),
            Cell::Text(
                saga.order
                    .map_or_else(|| "—".to_string(), |o| o.to_string()),
            ),
            Cell::Text(saga.step.to_string()),
            Cell::Count(i64::from(saga.steps)),
            Cell::Count(i64::from(saga.compensations)),
            Cell::Event(saga.last_event),
        ],
    }
}

impl Projection<ShopEvent> for SagaStates {
    const NAME: &'static str = "Sagas";
    const QUESTION: &'static str = "Where does each orchestrated checkout stand?";
    const COLUMNS: &'static [&'static str] = &[
        "Saga",
        "Customer",
        "Order",
        "Step",
        "Steps",
        "Compensations",
        "Last event",
    ];
    const CONSUMES: &'static [ShopEventKind] = &[
        K::SagaStarted,
        K::OrderCreationRequested,
        K::StockReservationRequested,
        K::FraudCheckRequested,
        K::PaymentRequested,
        K::ShipmentRequested,
        K::StockReleaseRequested,
        K::OrderCancellationRequested,
        K::SagaStepTimedOut,
        K::SagaCompleted,
        K::SagaCompensated,
    ];
    // The saga's own events: who it is for, then the order once one is known.
    const READS: PayloadReads<ShopEventKind> = &[
        (K::SagaStarted, &["customer"]),
        (K::OrderCreationRequested, &[]),
        (K::StockReservationRequested, &["order"]),
        (K::FraudCheckRequested, &["order"]),
        (K::PaymentRequested, &["order"]),
        (K::ShipmentRequested, &["order"]),
        (K::StockReleaseRequested, &["order"]),
        (K::OrderCancellationRequested, &["order"]),
        (K::SagaStepTimedOut, &["order"]),
        (K::SagaCompleted, &["order"]),
        (K::SagaCompensated, &["order"]),
    ];
    /// A saga is keyed by its flow.
    type Key = CorrelationId;

    fn apply(&mut self, event: &Recorded<ShopEvent>, changes: &mut impl ChangeSet<CorrelationId>) {
        let flow = event.correlation_id;
        if let ShopEvent::SagaStarted { customer, .. } = &event.event {
            changes.touched(flow);
            self.sagas.push(SagaSummary {
                flow,
                customer: *customer,
                order: None,
                step: "started",
                steps: 1,
                compensations: 0,
                started_at: event.recorded_at,
                last_event: event.position,
            });
            return;
        }
        let Some(SagaStep {
            step,
            order,
            compensation,
        }) = SagaStep::of(&event.event)
        else {
            return;
        };
        let Some(index) = self.index_of(flow) else {
            return;
        };
        if let Some(saga) = self.sagas.get_mut(index) {
            changes.touched(flow);
            saga.step = step;
            saga.order = order.or(saga.order);
            saga.steps += 1;
            saga.compensations += u32::from(compensation);
            saga.last_event = event.position;
        }
    }

    fn row_count(&self) -> usize {
        self.sagas.len()
    }

    fn rows(&self, range: Range<usize>) -> Vec<Row> {
        self.iter()
            .skip(range.start)
            .take(range.len())
            .map(saga_row)
            .collect()
    }

    /// By the flow's id, newest sagas first, without building the rows it passes over.
    fn row(&self, key: &str) -> Option<Row> {
        self.row_by_key(&CorrelationId(key.parse().ok()?))
            .filter(|row| row.key == key)
    }

    fn row_by_key(&self, flow: &CorrelationId) -> Option<Row> {
        Some(saga_row(self.sagas.get(self.index_of(*flow)?)?))
    }

    fn settles(&self, column: &str, wanted: &Wanted) -> bool {
        match wanted {
            // A saga never leaves a terminal step.
            Wanted::Text(value) => {
                column.eq_ignore_ascii_case("Step")
                    && ["completed", "compensated"]
                        .iter()
                        .any(|s| s.eq_ignore_ascii_case(value))
            }
            Wanted::AtLeast(_) => ["Steps", "Compensations"]
                .iter()
                .any(|c| c.eq_ignore_ascii_case(column)),
        }
    }

    fn unshared_bytes(&self, earlier: &Self) -> usize {
        self.sagas.unshared_bytes(&earlier.sagas)
    }
}
