//! The shop's built-in read models, each shaped for one question. State is copy-on-write
//! ([`eventide_engine::persistent::ChunkedVec`] or a shared map), so checkpoints stay cheap.

mod activity;
mod inventory;
mod orders;
mod revenue;
mod sagas;

pub use activity::{ActivityPerMinute, MinuteBucket};
pub use inventory::{InventoryLevels, StockLevel};
pub use orders::{OrderSummaries, OrderSummary};
pub use revenue::{CustomerRevenue, RevenuePerCustomer};
pub use sagas::{SagaStates, SagaStep, SagaSummary};

use super::events::ShopEvent;
use eventide_engine::projection::ReadModel;

/// Every built-in read model, empty, in the order the UI shows them.
pub fn built_in() -> Vec<Box<dyn ReadModel<ShopEvent>>> {
    vec![
        Box::new(OrderSummaries::default()),
        Box::new(InventoryLevels::default()),
        Box::new(RevenuePerCustomer::default()),
        Box::new(ActivityPerMinute::default()),
        Box::new(SagaStates::default()),
    ]
}
