//! The address bar. The app writes fragments into it itself (a lesson's address, a share link)
//! with `history.replaceState`, which fires no `hashchange`: so every `hashchange` the app hears
//! is a link the user pasted or typed into the open tab, and it acts on it.

/// The page's fragment now (`#` included, or empty).
pub fn current() -> String {
    web_sys::window()
        .and_then(|window| window.location().hash().ok())
        .unwrap_or_default()
}

/// Puts `fragment` (with or without its `#`) in the address bar without the app acting on it.
pub fn write(fragment: &str) {
    let bare = fragment.trim_start_matches('#');
    let Some(window) = web_sys::window() else {
        return;
    };
    let href = window.location().href().unwrap_or_default();
    let base = href.split('#').next().unwrap_or_default();
    let url = if bare.is_empty() {
        base.to_string()
    } else {
        format!("{base}#{bare}")
    };
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
}
