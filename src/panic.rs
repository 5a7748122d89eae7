//! No blank page, ever: a panic is written into the page itself, not only into the console.

use wasm_bindgen::JsCast;

pub fn install_hook() {
    std::panic::set_hook(Box::new(|info| {
        let message = info.to_string();
        web_sys::console::error_1(&message.clone().into());
        report(&message);
    }));
}

/// Writes an alert over the page with the message: the user sees that something broke and what.
pub fn report(message: &str) {
    let Some(document) = web_sys::window().and_then(|window| window.document()) else {
        return;
    };
    let Ok(overlay) = document.create_element("div") else {
        return;
    };
    overlay.set_attribute("role", "alert").ok();
    overlay.set_attribute("data-testid", "panic").ok();
    overlay.set_class_name("panic");
    let heading = document.create_element("h2").ok();
    let detail = document.create_element("pre").ok();
    if let (Some(heading), Some(detail)) = (heading, detail) {
        heading.set_text_content(Some(
            "Eventide hit an internal error and stopped. Reload the page to start again.",
        ));
        detail.set_text_content(Some(message));
        overlay.append_child(&heading).ok();
        overlay.append_child(&detail).ok();
    }
    if let Some(body) = document.body() {
        body.append_child(overlay.unchecked_ref()).ok();
    }
}
