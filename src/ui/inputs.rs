//! The controls for profiles made of several files: what several files
//! opened together become (`open-mode`), the merged files' names, adding
//! files, choosing a base to compare with, the compare mode and swap.

use std::rc::Rc;

use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::hooks::use_select_value;
use super::worker_client::{Change, Source};
use crate::protocol::{CompareMode, Inputs, OpenMode, Summary};
use crate::view::measurement;

#[derive(Properties, PartialEq)]
pub struct OpenModeSelectProps {
    /// The user's choice; `None` lets the app choose.
    pub choice: Option<OpenMode>,
    /// What the files last opened together became, if they are shown.
    pub used: Option<OpenMode>,
    pub on_change: Callback<Option<OpenMode>>,
}

/// What several files chosen or dropped together become. Changing it opens
/// the files last opened together again in the new mode.
#[component]
pub fn OpenModeSelect(props: &OpenModeSelectProps) -> Html {
    let onchange = {
        let on_change = props.on_change.clone();
        Callback::from(move |e: Event| {
            let sel: web_sys::HtmlSelectElement = e.target_unchecked_into();
            on_change.emit(OpenMode::parse(&sel.value()));
        })
    };
    let shown = props.choice.or(props.used);
    let select = use_select_value(shown.map_or("", |m| m.as_str()).to_string());
    let auto = match props.used {
        Some(m) if props.choice.is_none() => format!("auto ({})", m.as_str()),
        _ => "auto".to_string(),
    };
    html! {
        <label class="field small" title="What several files opened together become: merged as go tool pprof a b c does, compared (the earlier is the base), or a goroutine series">
            { "Several files" }
            <select data-testid="open-mode" ref={select} {onchange}>
                <option value="" selected={shown.is_none()}>{ auto }</option>
                { for OpenMode::ALL.iter().map(|m| html! {
                    <option value={m.as_str()} selected={shown == Some(*m)}>{ m.as_str() }</option>
                }) }
            </select>
        </label>
    }
}

/// The files of a file input's change event, as sources; clears the input
/// so that choosing the same files again fires again.
pub fn chosen_files(e: &Event) -> Vec<Source> {
    let input: HtmlInputElement = e.target_unchecked_into();
    let files = input.files();
    let out = files
        .map(|files| {
            (0..files.length())
                .filter_map(|i| files.get(i))
                .map(|f| Source::blob(f.name(), f.unchecked_into()))
                .collect()
        })
        .unwrap_or_default();
    input.set_value("");
    out
}

#[derive(Properties, PartialEq)]
pub struct InputsBarProps {
    pub summary: Rc<Summary>,
    /// The sample type shown, for the totals of a comparison.
    pub index: usize,
    pub on_change: Callback<Change>,
}

/// The inputs of the shown profile and the actions that change them.
#[component]
pub fn InputsBar(props: &InputsBarProps) -> Html {
    let choosing_base = use_state(|| false);
    // The normalize setting the user asked for, shown until the summary
    // says the worker has it: a render in between must not uncheck it.
    let shown_normalize = matches!(
        props.summary.inputs,
        Inputs::Compared {
            normalize: true,
            ..
        }
    );
    let asked_normalize = use_state(|| None::<bool>);
    {
        let asked = asked_normalize.clone();
        use_effect_with(shown_normalize, move |n| {
            if *asked == Some(*n) {
                asked.set(None);
            }
        });
    }
    let on_compare = {
        let choosing_base = choosing_base.clone();
        Callback::from(move |_| choosing_base.set(!*choosing_base))
    };
    let on_base = {
        let on_change = props.on_change.clone();
        let choosing_base = choosing_base.clone();
        Callback::from(move |e: Event| {
            if let Some(base) = chosen_files(&e).into_iter().next() {
                choosing_base.set(false);
                on_change.emit(Change::Base(base));
            }
        })
    };
    let on_add = {
        let on_change = props.on_change.clone();
        Callback::from(move |e: Event| {
            let files = chosen_files(&e);
            if !files.is_empty() {
                on_change.emit(Change::Add(files));
            }
        })
    };
    let s = &props.summary;
    let unit = s
        .sample_types
        .get(props.index)
        .map(|t| t.unit.clone())
        .unwrap_or_default();
    let described = match &s.inputs {
        Inputs::One => html! {},
        Inputs::Series { names } => html! {
            <span class="inputs" data-testid="series-inputs" data-count={names.len().to_string()} title={names.join("\n")}>
                { format!("a series of {} goroutine snapshots: {}", names.len(), names.join(", ")) }
            </span>
        },
        Inputs::Merged { names } => html! {
            <span class="inputs" data-testid="merged-inputs" data-count={names.len().to_string()} title={names.join("\n")}>
                { format!("merged {} files: {}", names.len(), names.join(", ")) }
            </span>
        },
        Inputs::Compared {
            base,
            new,
            mode,
            normalize,
            base_totals,
            new_totals,
        } => {
            let total = |t: &Vec<i64>| {
                t.get(props.index)
                    .map(|v| measurement::label(*v, &unit))
                    .unwrap_or_default()
            };
            let (mode, normalize) = (*mode, *normalize);
            let on_mode = {
                let on_change = props.on_change.clone();
                Callback::from(move |e: Event| {
                    let sel: web_sys::HtmlSelectElement = e.target_unchecked_into();
                    let mode = if sel.value() == "base" {
                        CompareMode::Base
                    } else {
                        CompareMode::DiffBase
                    };
                    on_change.emit(Change::Compare { mode, normalize });
                })
            };
            let on_normalize = {
                let on_change = props.on_change.clone();
                let asked = asked_normalize.clone();
                Callback::from(move |e: Event| {
                    let input: HtmlInputElement = e.target_unchecked_into();
                    asked.set(Some(input.checked()));
                    on_change.emit(Change::Compare {
                        mode,
                        normalize: input.checked(),
                    });
                })
            };
            let checked = asked_normalize.unwrap_or(normalize);
            let on_swap = props.on_change.reform(|_: MouseEvent| Change::Swap);
            html! {
                <>
                    <span class="inputs" data-testid="compare-inputs" data-mode={match mode { CompareMode::DiffBase => "diff_base", CompareMode::Base => "base" }}
                        data-normalize={normalize.to_string()}>
                        { "base " }<b data-testid="base-name" title={base.clone()}>{ base.clone() }</b>{ format!(" ({})", total(base_totals)) }
                        { " → new " }<b data-testid="new-name" title={new.clone()}>{ new.clone() }</b>{ format!(" ({})", total(new_totals)) }
                    </span>
                    <button class="button small" data-testid="swap" onclick={on_swap} title="Make the base the new profile and the new the base">{ "Swap" }</button>
                    <label class="field small" title="pprof -diff_base: percentages of the base's total; -base: of the difference's own total">
                        { "Mode" }
                        <select data-testid="compare-mode" onchange={on_mode}>
                            <option value="diff_base" selected={mode == CompareMode::DiffBase}>{ "-diff_base" }</option>
                            <option value="base" selected={mode == CompareMode::Base}>{ "-base" }</option>
                        </select>
                    </label>
                    <label class="field small" title="pprof -normalize: scale the new profile to the base's total first">
                        <input type="checkbox" data-testid="normalize" checked={checked} onchange={on_normalize} />
                        { "normalize" }
                    </label>
                </>
            }
        }
    };
    html! {
        <div class="inputs-bar">
            { described }
            <span class="spacer" />
            <button class="button small" data-testid="compare" onclick={on_compare}
                title="Compare this profile, as the new one, with a base profile">{ "Compare with…" }</button>
            if *choosing_base {
                <label class="field small">{ "Base profile" }
                    <input type="file" data-testid="base-input" onchange={on_base} />
                </label>
            }
            <label class="button small" title="Merge more profiles into this one, as go tool pprof a b c does">
                { "Add to this profile" }
                <input type="file" data-testid="merge-add" multiple=true onchange={on_add} />
            </label>
        </div>
    }
}
