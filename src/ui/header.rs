//! The profile header: file, kind, sample type selector, totals, warnings,
//! and the tabs.

use std::rc::Rc;

use yew::prelude::*;

use super::inputs::InputsBar;
use super::shortcuts::use_tab_keys;
use super::state::Tab;
use super::worker_client::Change;
use crate::protocol::Summary;
use crate::protocol::{Inputs, ReportOptions};
use crate::view::measurement;
use crate::view::numbers::group_digits;

#[derive(Properties, PartialEq)]
pub struct ProfileHeaderProps {
    pub summary: Rc<Summary>,
    pub opts: ReportOptions,
    pub tab: Tab,
    /// The sample type chosen, by its index in the summary.
    pub on_sample_index: Callback<usize>,
    pub on_tab: Callback<Tab>,
    /// A base, added files, another compare mode or a swap.
    #[prop_or_default]
    pub on_change: Callback<Change>,
}

#[component]
pub fn ProfileHeader(props: &ProfileHeaderProps) -> Html {
    let s = &props.summary;
    let index = props
        .opts
        .sample_index
        .unwrap_or(s.default_index)
        .min(s.sample_types.len().saturating_sub(1));
    let on_type = {
        let on_sample_index = props.on_sample_index.clone();
        let summary = s.clone();
        Callback::from(move |e: Event| {
            let sel: web_sys::HtmlSelectElement = e.target_unchecked_into();
            if let Some(i) = summary.sample_index_of(&sel.value()) {
                on_sample_index.emit(i);
            }
        })
    };
    let total = s
        .sample_types
        .get(index)
        .map(|t| match &s.inputs {
            // A difference's sum of |value| means little: show the change.
            Inputs::Compared {
                base_totals,
                new_totals,
                ..
            } => {
                let at = |t: &Vec<i64>| t.get(index).copied().unwrap_or(0);
                let (b, n) = (at(base_totals), at(new_totals));
                let sign = if n >= b { "+" } else { "" };
                format!("change {sign}{}", measurement::label(n - b, &t.unit))
            }
            _ => format!("total {}", measurement::label(s.totals[index], &t.unit)),
        })
        .unwrap_or_default();
    let mut facts = vec![
        s.kind.clone(),
        format!("{} samples", group_digits(s.samples)),
    ];
    if s.duration_nanos > 0 {
        facts.push(format!(
            "duration {}",
            measurement::label(s.duration_nanos, "nanoseconds")
        ));
    }
    if let (Some(pt), true) = (&s.period_type, s.period > 0) {
        facts.push(format!(
            "period {} {}",
            measurement::label(s.period, &pt.unit),
            pt.name
        ));
    }
    // The tabs shown, in order, for the digit keys.
    let shown = [
        (Tab::Top, true),
        (Tab::Flame, s.fetch.is_none()),
        (Tab::Sandwich, s.fetch.is_none()),
        (Tab::BottomUp, s.fetch.is_none()),
        (Tab::Goroutines, s.has_goroutines),
        (Tab::Series, matches!(s.inputs, Inputs::Series { .. })),
    ];
    let shown = shown
        .iter()
        .filter(|(_, on)| *on)
        .map(|(t, _)| *t)
        .collect();
    use_tab_keys(shown, props.on_tab.clone());
    let tab = |t: Tab, testid: &'static str, label: &'static str| {
        let on_tab = props.on_tab.clone();
        let selected = props.tab == t;
        html! {
            <button role="tab" aria-selected={selected.to_string()} class={classes!("tab", selected.then_some("active"))}
                data-testid={testid} onclick={Callback::from(move |_| on_tab.emit(t))}>{ label }</button>
        }
    };
    html! {
        <section class="profile-header">
            <div class="title-row">
                <h2 data-testid="file-name" title={s.name.clone()}>{ s.name.clone() }</h2>
                <label class="field">
                    { "Sample type " }
                    <select data-testid="sample-type" onchange={on_type}>
                        { for (0..s.sample_types.len()).map(|i| s.sample_type_option(i)).enumerate().map(|(i, (value, label))| html! {
                            <option value={value} selected={i == index}>{ label }</option>
                        }) }
                    </select>
                </label>
                <span class="total" data-testid="total">{ total }</span>
            </div>
            <p class="facts" data-testid="kind">{ facts.join(" · ") }</p>
            <InputsBar summary={s.clone()} {index} on_change={props.on_change.clone()} />
            if s.warning_count > 0 {
                <div class="banner warning" data-testid="warning">
                    { format!("{} warning{} while reading the file", s.warning_count, if s.warning_count == 1 { "" } else { "s" }) }
                    if let Some(first) = s.warnings.first() { { format!(" (first: {first})") } }
                </div>
            }
            if let Some(fetch) = &s.fetch {
                <div class="banner info" data-testid="pasted-top">
                    <p>{ "Printed pprof text has no stacks: the flame graph and filters need the profile itself (.pb.gz). Fetch it with:" }</p>
                    <code data-testid="pasted-fetch">{ fetch.clone() }</code>
                </div>
            }
            <nav class="tabs" role="tablist">
                { tab(Tab::Top, "tab-top", "Top") }
                if s.fetch.is_none() {
                    { tab(Tab::Flame, "tab-flame", "Flame graph") }
                    { tab(Tab::Sandwich, "tab-sandwich", "Sandwich") }
                    { tab(Tab::BottomUp, "tab-bottom-up", "Bottom-up") }
                }
                if s.has_goroutines { { tab(Tab::Goroutines, "tab-goroutines", "Goroutines") } }
                if matches!(s.inputs, Inputs::Series { .. }) { { tab(Tab::Series, "tab-series", "Series") } }
            </nav>
        </section>
    }
}
