//! The web app's entry point: installs the panic overlay and mounts the app.

fn main() {
    #[cfg(target_arch = "wasm32")]
    {
        eventide::panic::install_hook();
        let hash = web_sys::window()
            .and_then(|window| window.location().hash().ok())
            .unwrap_or_default();
        match eventide::bench_page::requested(&hash) {
            Some(request) => {
                let props = eventide::bench_page::BenchPageProps { request };
                yew::Renderer::<eventide::bench_page::BenchPage>::with_props(props).render();
            }
            None => {
                yew::Renderer::<eventide::components::App>::new().render();
            }
        }
    }
    #[cfg(not(target_arch = "wasm32"))]
    eprintln!("eventide-web runs in the browser: build it with `trunk build` (see README.md)");
}
