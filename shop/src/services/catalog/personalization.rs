use rustc_hash::FxHashMap;

use crate::catalog::PRODUCTS;
use crate::events::{ShopEvent, ShopEventKind as K};
use crate::ids::{CustomerId, Sku};
use crate::services::{Declaration, Reaction, Service, ServiceName};
use crate::ShopRecorded;
use eventide_engine::envelope::PayloadReads;

/// Learns what each customer likes from browsing and carts; says so when the favourite changes.
/// It stays choreographed in both models: it is no step of the checkout.
#[derive(Clone, Default)]
pub(super) struct PersonalizationService {
    interest: FxHashMap<CustomerId, Vec<u32>>,
    updates: i64,
}

impl Service for PersonalizationService {
    fn name(&self) -> ServiceName {
        ServiceName::Personalization
    }
    fn reads(&self) -> PayloadReads<K> {
        &[
            (K::ProductViewed, &["customer", "sku"]),
            (K::ItemAddedToCart, &["customer", "sku"]),
        ]
    }
    fn declaration(&self) -> Declaration {
        Declaration {
            consumes: &[K::ProductViewed, K::ItemAddedToCart],
            publishes: &[K::RecommendationsUpdated],
        }
    }
    fn react(&mut self, event: &ShopRecorded, _seed: u64) -> Vec<Reaction> {
        let (customer, sku, weight) = match &event.event {
            ShopEvent::ProductViewed { customer, sku } => (*customer, *sku, 1),
            ShopEvent::ItemAddedToCart { customer, sku, .. } => (*customer, *sku, 3),
            _ => return Vec::new(),
        };
        let scores = self
            .interest
            .entry(customer)
            .or_insert_with(|| vec![0; PRODUCTS.len()]);
        let before = favourite(scores);
        if let Some(index) = PRODUCTS.iter().position(|p| p.sku == sku) {
            scores[index] += weight;
        }
        let after = favourite(scores);
        if after == before {
            return Vec::new();
        }
        self.updates += 1;
        after
            .map(|top| {
                vec![Reaction::Publish(ShopEvent::RecommendationsUpdated {
                    customer,
                    top,
                })]
            })
            .unwrap_or_default()
    }
    fn state(&self) -> Vec<(&'static str, i64)> {
        vec![
            ("customer profiles", self.interest.len() as i64),
            ("recommendation updates", self.updates),
        ]
    }
    fn clone_boxed(&self) -> Box<dyn Service> {
        Box::new(self.clone())
    }
}

/// The most interesting product, ties to the lower SKU.
fn favourite(scores: &[u32]) -> Option<Sku> {
    let (index, best) = scores
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(&a.0)))?;
    (*best > 0).then(|| PRODUCTS[index].sku)
}
