//! The mapping step, before anything is built: for each part of the envelope, the field it
//! comes from (detected, changeable), and the first events as that mapping reads them.

use eventide_logs::Role;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

use super::use_explorer;
use crate::explore::{ExploreAction, Stage};
use crate::format::{clip, fmt_time};

/// What the select offers for "from no field".
const NO_FIELD: &str = "";

#[function_component(MappingDialog)]
pub fn mapping_dialog() -> Html {
    let explorer = use_explorer();
    let stage = explorer.stage();
    let Stage::Mapping(step) = &*stage else {
        return html! {};
    };
    let roles = Role::ALL.iter().map(|&role| {
        let chosen = step.mapping.field(role).map(ToString::to_string);
        let onchange = {
            let explorer = explorer.clone();
            Callback::from(move |event: Event| {
                if let Some(select) = event.target_dyn_into::<HtmlSelectElement>() {
                    let value = select.value();
                    let field = (value != NO_FIELD).then_some(value);
                    explorer.dispatch(ExploreAction::SetRole(role, field));
                }
            })
        };
        let chosen = chosen.clone().unwrap_or_default();
        let mut fields = step.fields.clone();
        if !chosen.is_empty() && !fields.contains(&chosen) {
            fields.insert(0, chosen.clone());
        }
        html! {
            <label class="field mapping-role">
                { capitalised(role.name()) }
                <select {onchange} data-testid={format!("mapping-{}", role.word())}>
                    if role != Role::EventType {
                        <option value={NO_FIELD} selected={chosen.is_empty()}>{ if role == Role::Data { "(the whole record)" } else { "(none)" } }</option>
                    }
                    { for fields.iter().map(|field| html! {
                        <option value={field.clone()} selected={*field == chosen}>{ field.clone() }</option>
                    }) }
                </select>
            </label>
        }
    });
    let preview = step.preview();
    let rows = preview.iter().enumerate().map(|(index, row)| match row {
        Ok(row) => html! {
            <tr data-testid="mapping-preview-row">
                <td>{ index + 1 }</td>
                <td>{ clip(&row.event_type, 48) }</td>
                <td>{ row.stream.clone().unwrap_or_else(|| "—".into()) }</td>
                <td>{ row.time.map_or_else(|| "—".into(), fmt_time) }</td>
                <td title={row.id.clone().unwrap_or_default()}>{ short(row.id.as_deref()) }</td>
                <td title={row.correlation.clone().unwrap_or_default()}>{ short(row.correlation.as_deref()) }</td>
                <td title={row.causation.clone().unwrap_or_default()}>{ short(row.causation.as_deref()) }</td>
            </tr>
        },
        Err(problem) => html! {
            <tr class="problem" data-testid="mapping-preview-row"><td>{ index + 1 }</td><td colspan="6">{ problem.clone() }</td></tr>
        },
    });
    let build = {
        let explorer = explorer.clone();
        Callback::from(move |_| {
            // Remembered for this file, so opening it again starts from this choice.
            if let Stage::Mapping(step) = &*explorer.stage() {
                crate::saved::keep_explore_mapping(&step.name, step.size(), &step.mapping);
            }
            explorer.dispatch(ExploreAction::Build)
        })
    };
    let cancel = {
        let explorer = explorer.clone();
        Callback::from(move |_| explorer.dispatch(ExploreAction::Cancel))
    };
    let readable = preview.iter().all(Result::is_ok);
    html! {
        <div class="dialog-backdrop">
            <div class="dialog mapping-dialog" role="dialog" aria-modal="true" aria-labelledby="mapping-title" data-testid="mapping-dialog">
                <h2 id="mapping-title">{ format!("Open {} as a log", step.name) }</h2>
                <p class="panel-hint" data-testid="mapping-origin">{ if step.remembered {
                    format!("{}; the mapping below is the one you chose when you last opened this file. Change any field, check the preview, then open it. Your shop session stays as it is.", step.format.name())
                } else {
                    format!("{}; the mapping below was detected from its first {} records. Change any field, check the preview, then open it. Your shop session stays as it is.", step.format.name(), step.sample.len())
                } }</p>
                <div class="mapping-roles">{ for roles }</div>
                if let Some(problem) = &step.problem {
                    <p class="query-error" role="alert">{ problem.clone() }</p>
                }
                <table class="mapping-preview" data-testid="mapping-preview">
                    <thead><tr><th>{"#"}</th><th>{"Type"}</th><th>{"Stream"}</th><th>{"Time (UTC)"}</th><th>{"Id"}</th><th>{"Correlation"}</th><th>{"Causation"}</th></tr></thead>
                    <tbody>{ for rows }</tbody>
                </table>
                <div class="button-row">
                    <button type="button" class="button primary" onclick={build} disabled={!readable} data-testid="mapping-open">{"Open the log"}</button>
                    <button type="button" class="button" onclick={cancel} data-testid="mapping-cancel">{"Cancel"}</button>
                </div>
            </div>
        </div>
    }
}

fn capitalised(text: &str) -> String {
    let text = text.strip_prefix("the ").unwrap_or(text);
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn short(text: Option<&str>) -> String {
    text.map_or_else(|| "—".into(), |text| clip(text, 12))
}
