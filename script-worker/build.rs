//! The worker's wasm gets a 16 MiB stack instead of Rust's 1 MiB default: Rhai copies, drops and
//! converts nested values recursively, and a script may nest them deeply. Only for wasm32: a
//! native build (tests) keeps its platform's stack.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    if std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() == Ok("wasm32") {
        println!("cargo:rustc-link-arg-bins=-zstack-size=16777216");
    }
}
