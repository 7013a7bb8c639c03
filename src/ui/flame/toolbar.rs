//! The flame graph's toolbar: the search box, what the search matched, and
//! the breadcrumb of the zoom path.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::{NodeId, Scene};
use crate::view::explain::flame_legend;
use crate::view::flame_diff::change_color;

/// The legend's colour scale: the painter's colours for -1..1.
fn legend_gradient() -> String {
    let light = web_sys::window()
        .and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten())
        .is_none_or(|m| !m.matches());
    let stops: Vec<String> = [-1.0, -0.5, -0.1, 0.0, 0.1, 0.5, 1.0]
        .iter()
        .map(|&c| format!("#{:06x}", change_color(c, !light)))
        .collect();
    format!("background:linear-gradient(to right, {})", stops.join(", "))
}

#[derive(Properties, PartialEq)]
pub struct FlameToolbarProps {
    pub scene: Option<Scene>,
    pub search: String,
    pub on_search: Callback<String>,
    /// A breadcrumb entry was clicked: zoom there (`None`: the root).
    pub on_zoom: Callback<Option<NodeId>>,
    /// The search box, which `/` focuses.
    pub search_box: NodeRef,
    /// When comparing: the boxes are sized by the base.
    pub by_base: bool,
    pub on_by_base: Callback<bool>,
    /// Shown before the hint at the end (the export buttons).
    #[prop_or_default]
    pub extra: Html,
}

#[component]
pub fn FlameToolbar(props: &FlameToolbarProps) -> Html {
    let oninput = props.on_search.reform(|e: InputEvent| {
        let input: HtmlInputElement = e.target_unchecked_into();
        input.value()
    });
    let crumbs = props.scene.as_ref().map(|s| {
        let items = s.breadcrumb.iter().enumerate().map(|(i, (node, name))| {
            let target = if i == 0 { None } else { Some(*node) };
            let onclick = props.on_zoom.reform(move |_: MouseEvent| target);
            html! { <button class="crumb" {onclick}>{ name.clone() }</button> }
        });
        items.collect::<Html>()
    });
    let search_info = props
        .scene
        .as_ref()
        .and_then(|s| s.search.as_ref())
        .map(|r| {
            format!(
                "{} match{} · {:.2}% of total",
                r.matches,
                if r.matches == 1 { "" } else { "es" },
                r.share * 100.0
            )
        });
    let compared = props.scene.as_ref().is_some_and(|s| s.base_total.is_some());
    let legend = flame_legend(compared);
    let size_by = props.on_by_base.reform(|e: Event| {
        let select: web_sys::HtmlSelectElement = e.target_unchecked_into();
        select.value() == "base"
    });
    // What the shown scene is sized by (the select says what was asked).
    let sized_by = if props.scene.as_ref().is_some_and(|s| s.sized_by_base) {
        "base"
    } else {
        "new"
    };
    let legend_title = format!(
        "Box widths are the {} profile's; colours show the change of each call path against the base. {}",
        if props.by_base { "base" } else { "new" },
        legend.join(". ")
    );
    html! {
        <div class="toolbar">
            <input class="search" type="search" data-testid="flame-search" ref={props.search_box.clone()} placeholder="Search functions (regex) — press /"
                value={props.search.clone()} {oninput} spellcheck="false" />
            if let Some(info) = search_info { <span class="search-info" data-testid="flame-search-info">{ info }</span> }
            <nav class="breadcrumb" data-testid="flame-breadcrumb" aria-label="Zoom path">{ crumbs }</nav>
            <span class="spacer" />
            if compared {
                <label class="size-by" title="Size the boxes by the new profile (what it gained shows) or by the base (what it lost shows)">
                    { "width: " }
                    <select data-testid="flame-size-by" onchange={size_by}>
                        <option value="new" selected={!props.by_base}>{ "new profile" }</option>
                        <option value="base" selected={props.by_base}>{ "base profile" }</option>
                    </select>
                </label>
                <span class="diff-legend" data-testid="flame-legend" title={legend_title} data-sized-by={sized_by}>
                    { "shrank" }
                    <span class="diff-scale" style={legend_gradient()} />
                    { "grew" }
                </span>
            } else if props.scene.is_some() {
                <span class="flame-legend" data-testid="flame-legend">
                    { for legend.iter().map(|l| html! { <span>{ *l }</span> }) }
                </span>
            }
            { props.extra.clone() }
            <span class="muted">{ "Click a box to zoom · Esc goes up · ? for keys" }</span>
        </div>
    }
}
