//! Every shop event keeps the kernel's payload contract: it serialises adjacently tagged, its
//! fields under `payload`, and reads back from them (what every envelope, export and import
//! relies on). Checked on the catalog's example of each event type.

use eventide_engine::{check_payload_contract, Named};
use eventide_shop::event_catalog::example;
use eventide_shop::events::ShopEventKind;

#[test]
fn every_event_type_keeps_the_payload_contract() {
    for &kind in ShopEventKind::ALL {
        let event = example(kind);
        assert_eq!(check_payload_contract(&event), Ok(()), "{}", kind.name());
    }
}
