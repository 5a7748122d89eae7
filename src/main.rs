//! The web app's entry point: installs the panic overlay and mounts the app.

fn main() {
    #[cfg(target_arch = "wasm32")]
    {
        eventide::panic::install_hook();
        yew::Renderer::<eventide::components::App>::new().render();
    }
    #[cfg(not(target_arch = "wasm32"))]
    eprintln!("eventide-web runs in the browser: build it with `trunk build` (see README.md)");
}
