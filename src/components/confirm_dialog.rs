//! The question before a destructive step: what exactly would go, the export first, then yes or
//! cancel. Esc cancels; nothing changes until the user says yes.

use yew::prelude::*;

use super::files_panel::download;
use crate::state::{use_app, Action, ExportWhich};

#[function_component(ConfirmDialog)]
pub fn confirm_dialog() -> Html {
    let state = use_app();
    let cancel_ref = use_node_ref();
    let open = state.files.pending.is_some();
    {
        // The safe answer has the focus, so Enter never destroys by accident.
        let cancel_ref = cancel_ref.clone();
        use_effect_with(open, move |&open| {
            if open {
                if let Some(button) = cancel_ref.cast::<web_sys::HtmlElement>() {
                    let _ = button.focus();
                }
            }
        });
    }
    let Some(pending) = state.files.pending.clone() else {
        return html! {};
    };
    let asking = pending.asking(&state.session());
    let confirm = {
        let dispatcher = state.dispatcher();
        Callback::from(move |_| dispatcher.dispatch(Action::Confirm))
    };
    let cancel = {
        let dispatcher = state.dispatcher();
        Callback::from(move |_| dispatcher.dispatch(Action::CancelPending))
    };
    let on_key = {
        let dispatcher = state.dispatcher();
        Callback::from(move |event: KeyboardEvent| {
            if event.key() == "Escape" {
                event.prevent_default();
                event.stop_propagation();
                dispatcher.dispatch(Action::CancelPending);
            }
        })
    };
    let export = {
        let state = state.clone();
        let which = asking.export;
        Callback::from(move |_| {
            let text = state
                .session()
                .export_line(which, state.scenario_settings());
            let name = match which {
                ExportWhich::Current => "eventide-scenario.json",
                ExportWhich::Main => "eventide-main-line.json",
                ExportWhich::SetAside => "eventide-set-aside-line.json",
            };
            let outcome = text
                .ok_or_else(|| "that line is no longer there".to_string())
                .and_then(|text| download(name, "application/json", &text));
            match outcome {
                Ok(()) => state.dispatch(Action::Notify(format!("Exported {name}"))),
                Err(problem) => state.dispatch(Action::InvalidInput(problem)),
            }
        })
    };
    let export_label = match asking.export {
        ExportWhich::Current => "Export this session first",
        ExportWhich::Main => "Export the main line first",
        ExportWhich::SetAside => "Export that line first",
    };
    html! {
        <div class="dialog-backdrop">
            <div class="dialog" role="alertdialog" aria-modal="true" aria-labelledby="confirm-title" aria-describedby="confirm-goes" onkeydown={on_key} data-testid="confirm-dialog">
                <h2 id="confirm-title">{ asking.title.clone() }</h2>
                <ul id="confirm-goes" class="dialog-goes" data-testid="confirm-goes">
                    { for asking.goes.iter().map(|line| html! { <li>{ line.clone() }</li> }) }
                </ul>
                <div class="button-row">
                    <button type="button" class="button" onclick={export} data-testid="confirm-export">{ export_label }</button>
                    <button type="button" class="button danger" onclick={confirm} data-testid="confirm-yes">{ asking.confirm }</button>
                    <button type="button" class="button primary" ref={cancel_ref} onclick={cancel} data-testid="confirm-cancel">{"Cancel"}</button>
                </div>
            </div>
        </div>
    }
}
