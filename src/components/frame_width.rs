//! The width of an element as it is laid out, kept current by a `ResizeObserver`: drawings
//! that lay themselves out for their frame (the service graph) re-flow when a lesson opens,
//! the text grows or the window resizes, none of which re-renders them on its own.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{ResizeObserver, ResizeObserverEntry};
use yew::prelude::*;

/// The element's content width in whole CSS pixels; `None` until it is first measured (or when
/// the browser has no `ResizeObserver`).
#[hook]
pub fn use_element_width(node: NodeRef) -> UseStateHandle<Option<u32>> {
    let width = use_state_eq(|| None::<u32>);
    {
        let width = width.clone();
        use_effect_with(node, move |node| {
            let observed = node.cast::<web_sys::Element>().and_then(|element| {
                // Measured now as well: the observer reports only after the next layout, and
                // the first drawing should already fit.
                let now = element.client_width();
                if now > 0 {
                    width.set(Some(now.unsigned_abs()));
                }
                let on_resize =
                    Closure::<dyn Fn(js_sys::Array)>::new(move |entries: js_sys::Array| {
                        let measured = entries
                            .get(0)
                            .dyn_into::<ResizeObserverEntry>()
                            .ok()
                            .map(|entry| entry.content_rect().width());
                        if let Some(px) = measured.filter(|px| px.is_finite() && *px > 0.0) {
                            width.set(Some(px.floor() as u32));
                        }
                    });
                let observer = ResizeObserver::new(on_resize.as_ref().unchecked_ref()).ok()?;
                observer.observe(&element);
                Some((observer, on_resize))
            });
            move || {
                if let Some((observer, _on_resize)) = observed {
                    observer.disconnect();
                }
            }
        });
    }
    width
}
