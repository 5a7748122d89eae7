//! The engine decides the same in the browser as on the command line: the golden runs (the
//! generator, choreography, orchestration and faulty delivery, all seeded) give, on wasm32 in
//! headless Chromium, the digest the engine's native test asserts (`engine/tests/determinism.rs`).
//! Both assert `GOLDEN_DIGEST`, so a draw or a fold that depends on the platform fails one.

#![cfg(target_arch = "wasm32")]

use eventide_shop::golden::{golden_digest, golden_logs, log_digest, GOLDEN_DIGEST};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Written out, not only imported: a change of the constant shows in this file's history too.
const EXPECTED: u64 = 0x65eb_0d9c_d344_36f2;

#[wasm_bindgen_test]
fn the_golden_runs_give_the_golden_digest_in_the_browser() {
    assert_eq!(GOLDEN_DIGEST, EXPECTED, "the engine's golden constant");
    let parts: Vec<String> = golden_logs()
        .expect("the golden runs complete")
        .iter()
        .map(|(name, log)| format!("{name} {:#018x}", log_digest(log)))
        .collect();
    let digest = golden_digest().expect("the golden runs complete");
    assert_eq!(
        digest, EXPECTED,
        "the browser's golden digest is {digest:#018x} ({parts:?})"
    );
}
