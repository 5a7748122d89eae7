//! Keep and share work: export the scenario or the log as CloudEvents, import either back (all
//! or nothing), and the address of the current lesson point.

use std::rc::Rc;

use gloo::file::callbacks::FileReader;
use gloo::file::File;
use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::state::{use_app, Action, AppContext, AppState};

/// Offers `text` as a file download named `name`.
pub(crate) fn download(name: &str, mime: &str, text: &str) -> Result<(), String> {
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)
        .map_err(|_| "the browser could not make the file".to_string())?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)
        .map_err(|_| "the browser could not offer the file".to_string())?;
    let document = gloo::utils::document();
    let anchor: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(|_| "the browser could not offer the file".to_string())?
        .unchecked_into();
    anchor.set_href(&url);
    anchor.set_download(name);
    anchor.click();
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(())
}

/// The link that opens what this tab shows (the log, its settings and the view), as its
/// fragment and as a whole address; or why there is none (too large: the file is the way).
fn shared_link(state: &AppState) -> Result<(String, String), String> {
    let fragment = {
        let session = state.session();
        let settings = state.shared_settings();
        // The recipe when a replay proved it makes this very log; the whole file otherwise.
        match session.proven_recipe(settings.clone()) {
            Some(recipe) => crate::share::encode_recipe(&recipe.to_json())?,
            None => crate::share::encode(
                &eventide_shop::interchange::to_scenario(
                    session.shop().store(),
                    Some(crate::state::DEFAULT_SEED),
                    settings.to_map(),
                )
                .to_string(),
            )?,
        }
    };
    let href = web_sys::window()
        .and_then(|w| w.location().href().ok())
        .unwrap_or_default();
    let base = href.split('#').next().unwrap_or_default();
    let whole = format!("{base}{fragment}");
    Ok((fragment, whole))
}

/// Puts the link to what this tab shows in the address bar and on the clipboard, and says so.
/// `refused` hears the link when the clipboard refused it (`None` once copied); `by_hand` says
/// where the user finds it then.
pub fn copy_link(state: &AppContext, by_hand: &'static str, refused: Callback<Option<String>>) {
    let (fragment, href) = match shared_link(state) {
        Ok(link) => link,
        Err(problem) => return state.dispatch(Action::InvalidInput(problem)),
    };
    crate::address::write(&fragment);
    let dispatcher = state.dispatcher();
    wasm_bindgen_futures::spawn_local(async move {
        match crate::clipboard::write(&href).await {
            Ok(()) => {
                refused.emit(None);
                dispatcher.dispatch(Action::Notify(format!(
                    "Link copied: {} characters",
                    href.len()
                )));
            }
            Err(why) => {
                dispatcher.dispatch(Action::InvalidInput(format!(
                    "The link could not be copied ({why}): {by_hand}."
                )));
                refused.emit(Some(href));
            }
        }
    });
}

/// Copy link where it is always in reach (the top bar), even with the commands folded away.
#[function_component(CopyLinkButton)]
pub fn copy_link_button() -> Html {
    let state = use_app();
    let onclick = Callback::from(move |_: MouseEvent| {
        copy_link(
            &state,
            "it is in the address bar, copy it from there",
            Callback::noop(),
        )
    });
    html! {
        <button type="button" class="button tool" {onclick} title="Copy a link to what this tab shows" data-testid="header-copy-link">{"Copy link"}</button>
    }
}

#[function_component(FilesPanel)]
pub fn files_panel() -> Html {
    let state = use_app();
    let reader = use_mut_ref(|| None::<FileReader>);
    let export_scenario = {
        let state = state.clone();
        Callback::from(move |_| {
            let text = state.session().export_scenario(state.scenario_settings());
            if let Err(problem) = download("eventide-scenario.json", "application/json", &text) {
                state.dispatch(Action::InvalidInput(problem));
            }
        })
    };
    let export_cloudevents = {
        let state = state.clone();
        Callback::from(move |_| {
            let text = state.session().export_cloudevents();
            if let Err(problem) = download(
                "eventide-events.cloudevents.json",
                "application/cloudevents-batch+json",
                &text,
            ) {
                state.dispatch(Action::InvalidInput(problem));
            }
        })
    };
    // The link shown for copying by hand when the clipboard refused it.
    let manual = use_state(|| None::<String>);
    let share = {
        let state = state.clone();
        Callback::from(move |_| match shared_link(&state) {
            Ok((fragment, href)) => {
                crate::address::write(&fragment);
                state.dispatch(Action::Notify(format!(
                    "This page's address now holds the link ({} characters): copy it from the address bar, or press Copy link. {}…",
                    href.len(),
                    &href[..href.len().min(60)]
                )));
            }
            Err(problem) => state.dispatch(Action::InvalidInput(problem)),
        })
    };
    let copy = {
        let (state, manual) = (state.clone(), manual.clone());
        Callback::from(move |_| {
            let manual = manual.clone();
            copy_link(
                &state,
                "select it in the field below and copy it yourself",
                Callback::from(move |refused: Option<String>| manual.set(refused)),
            )
        })
    };
    let on_file = {
        let (dispatcher, reader) = (state.dispatcher(), reader.clone());
        Callback::from(move |event: Event| {
            let Some(input) = event.target_dyn_into::<HtmlInputElement>() else {
                return;
            };
            let Some(file) = input.files().and_then(|files| files.get(0)) else {
                return;
            };
            let file = File::from(file);
            let name = file.name();
            if let Err(error) = eventide_shop::interchange::check_size(file.size()) {
                dispatcher.dispatch(Action::InvalidInput(format!(
                    "{name} was not imported (nothing changed): {error}"
                )));
                return;
            }
            let dispatcher = dispatcher.clone();
            // The reader must live until it calls back; the next file replaces it.
            *reader.borrow_mut() =
                Some(gloo::file::callbacks::read_as_bytes(&file, move |bytes| {
                    dispatcher.dispatch(match bytes {
                        Ok(bytes) => Action::Import {
                            name,
                            bytes: Rc::new(bytes),
                            source: crate::state::ImportSource::File,
                        },
                        Err(error) => {
                            Action::InvalidInput(format!("{name} could not be read: {error}"))
                        }
                    });
                }));
            input.set_value("");
        })
    };
    let importing = state
        .session()
        .import_job()
        .map(|job| (job.name.clone(), job.done, job.total()));
    let forking = state
        .session()
        .import_job()
        .is_some_and(|job| job.fork_at.is_some());
    let cancel_import = {
        let dispatcher = state.dispatcher();
        Callback::from(move |_| dispatcher.dispatch(Action::CancelImport))
    };
    html! {
        <section class="panel files" aria-labelledby="files-title" data-testid="files-panel">
            <h2 id="files-title" class="panel-title">{"Save and share"}</h2>
            <p class="panel-hint">{"Your work is saved in this browser as you go. Export it to keep it or pass it on; import a scenario or a CloudEvents batch to replace the log (a bad file changes nothing; you are asked before your work is replaced)."}</p>
            <div class="button-row">
                <button type="button" class="button" onclick={export_scenario} data-testid="export-scenario">{"Export scenario"}</button>
                <button type="button" class="button" onclick={export_cloudevents} data-testid="export-cloudevents">{"Export CloudEvents"}</button>
                <button type="button" class="button" onclick={share} data-testid="share-link">{"Share as a link"}</button>
                <button type="button" class="button" onclick={copy} data-testid="copy-link">{"Copy link"}</button>
            </div>
            if let Some(link) = (*manual).clone() {
                <label class="field">{"The link, to copy by hand"}
                    <input type="text" readonly=true value={link} data-testid="manual-link"
                           onfocus={Callback::from(|event: FocusEvent| {
                               if let Some(input) = event.target_dyn_into::<HtmlInputElement>() { input.select(); }
                           })} />
                </label>
            }
            if let Some((name, done, total)) = importing {
                <div class="progress" data-testid="import-progress">
                    <progress max={total.to_string()} value={done.to_string()} />
                    <span>{ format!("{} {name}: {} of {} events", if forking { "Opening" } else { "Importing" }, crate::format::fmt_count(done as u64), crate::format::fmt_count(total as u64)) }</span>
                    <button type="button" class="button" onclick={cancel_import} data-testid="import-cancel">{"Cancel"}</button>
                </div>
            }
            <label class="field file-field">{"Import a file"}
                <input type="file" accept=".json,application/json,application/cloudevents-batch+json" onchange={on_file} data-testid="import-file" />
            </label>
            <super::kept_sessions::KeptSessions />
            <super::explore::OpenLogField />
        </section>
    }
}
