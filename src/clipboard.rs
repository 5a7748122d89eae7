//! Writing text to the system clipboard. The browser may refuse (no permission, an insecure
//! page, an old browser): the caller then shows the text to copy by hand.

use wasm_bindgen::JsValue;

/// Copies `text`, or says in words why the browser would not.
pub async fn write(text: &str) -> Result<(), String> {
    let navigator = web_sys::window()
        .ok_or_else(|| "no window".to_string())?
        .navigator();
    // `navigator.clipboard` is missing on insecure pages; calling through it would throw.
    let present = js_sys::Reflect::get(&navigator, &JsValue::from_str("clipboard"))
        .is_ok_and(|value| !value.is_undefined() && !value.is_null());
    if !present {
        return Err("this page has no clipboard access".into());
    }
    let promise = navigator.clipboard().write_text(text);
    wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .map(|_| ())
        .map_err(|_| "the browser refused the clipboard".to_string())
}
