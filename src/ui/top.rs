//! The Top tab: pprof's `-top` table, virtualised (only the rows on screen
//! exist in the DOM, fetched from the worker a window at a time), with the
//! name filter, granularity, pprof's focus/ignore/hide/show filters, copy and
//! download as pprof text.

use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::export::top_export;
use super::hooks::{use_element_size, use_query};
use super::labels::LabelsPanel;
use super::WorkerHandle;
use crate::protocol::{Granularity, ReportOptions};
use crate::protocol::{Query, RowOrder, TopWindow};
use crate::view::explain::{column_help, how_to_read, Column};

/// Where the "how to read this" panel's open state is remembered.
const HOW_TO_READ_KEY: &str = "pprof-lens.how-to-read";

/// Row height in CSS pixels; the stylesheet uses the same number.
const ROW_H: f64 = 24.0;
/// Rows fetched around the visible ones.
const OVERSCAN: u32 = 60;

#[derive(Properties, PartialEq)]
pub struct TopViewProps {
    pub worker: WorkerHandle,
    /// Changes when another profile is loaded.
    pub generation: u32,
    pub opts: ReportOptions,
    pub file_name: String,
    /// Granularity or a pprof filter changed.
    pub on_options: Callback<ReportOptions>,
    /// A row was clicked: show its function in the flame graph.
    pub on_show_in_flame: Callback<String>,
    /// A row's sandwich button was clicked: show its function's callers
    /// and callees.
    #[prop_or_default]
    pub on_show_in_sandwich: Callback<String>,
    /// The row order the page's URL holds (`None`: the view's own).
    #[prop_or_default]
    pub order: Option<RowOrder>,
    /// A column header was clicked: the rows' new order.
    #[prop_or_default]
    pub on_order: Callback<RowOrder>,
}

#[derive(Clone, PartialEq)]
struct QueryKey {
    generation: u32,
    opts: ReportOptions,
    filter: String,
    order: RowOrder,
}

#[component]
pub fn TopView(props: &TopViewProps) -> Html {
    let filter = use_state(String::new);
    let own_order = use_state(|| RowOrder::Flat);
    let order = props.order.unwrap_or(*own_order);
    let help = use_state(|| None::<Column>);
    let guide_open = use_state(|| recall(HOW_TO_READ_KEY).as_deref() == Some("open"));
    // The window of rows held, with the settings it was asked with.
    let window = use_query::<(QueryKey, TopWindow)>(&props.worker);
    let scroll_top = use_state(|| 0.0f64);
    let copied = use_state(|| false);
    let scroller = use_node_ref();
    let viewport_h = use_element_size(scroller.clone()).map_or(600.0, |(_, h)| h.max(100.0));

    let key = QueryKey {
        generation: props.generation,
        opts: props.opts.clone(),
        filter: (*filter).clone(),
        order,
    };
    let first_visible = (*scroll_top / ROW_H).floor() as u32;
    let visible = (viewport_h / ROW_H).ceil() as u32 + 1;

    // Ask the worker when the settings change or the visible rows are not in
    // the window we hold.
    {
        let covered = window.value().is_some_and(|(k, w)| {
            *k == key
                && (first_visible >= w.start || w.start == 0)
                && (first_visible + visible <= w.start + w.rows.len() as u32
                    || w.start + w.rows.len() as u32 >= w.row_count)
        });
        let window = window.clone();
        use_effect_with(
            (key.clone(), covered, first_visible / 20),
            move |(key, covered, _)| {
                if !covered {
                    let start = first_visible.saturating_sub(OVERSCAN);
                    let q = Query::Top {
                        opts: key.opts.clone(),
                        filter: key.filter.clone(),
                        order: key.order,
                        start,
                        count: visible + 2 * OVERSCAN,
                    };
                    let key = key.clone();
                    window.fetch(q, move |w: TopWindow| (key, w));
                }
                || ()
            },
        );
    }

    let onscroll = {
        let scroll_top = scroll_top.clone();
        Callback::from(move |e: Event| {
            let el: web_sys::HtmlElement = e.target_unchecked_into();
            scroll_top.set(el.scroll_top() as f64);
        })
    };

    let on_filter = {
        let filter = filter.clone();
        Callback::from(move |e: InputEvent| {
            let input: HtmlInputElement = e.target_unchecked_into();
            filter.set(input.value());
        })
    };

    let set_order = |o: RowOrder| {
        let (own, on_order) = (own_order.clone(), props.on_order.clone());
        Callback::from(move |_| {
            own.set(o);
            on_order.emit(o);
        })
    };

    let on_granularity = {
        let on_options = props.on_options.clone();
        let opts = props.opts.clone();
        Callback::from(move |e: Event| {
            let sel: web_sys::HtmlSelectElement = e.target_unchecked_into();
            let granularity = match sel.value().as_str() {
                "filefunctions" => Granularity::FileFunctions,
                "files" => Granularity::Files,
                "lines" => Granularity::Lines,
                "addresses" => Granularity::Addresses,
                _ => Granularity::Functions,
            };
            on_options.emit(ReportOptions {
                granularity,
                ..opts.clone()
            });
        })
    };

    let pprof_filter = |label: &'static str,
                        testid: &'static str,
                        value: &str,
                        set: fn(&mut ReportOptions, String)| {
        let on_options = props.on_options.clone();
        let opts = props.opts.clone();
        let onchange = Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            let mut o = opts.clone();
            set(&mut o, input.value());
            on_options.emit(o);
        });
        html! {
            <label class="field small" title={format!("pprof -{label}: a regular expression (press Enter)")}>
                { label }
                <input type="text" data-testid={testid} value={value.to_string()} {onchange} spellcheck="false" placeholder="regex" />
            </label>
        }
    };

    let on_copy = {
        let window = window.clone();
        let opts = props.opts.clone();
        let copied = copied.clone();
        Callback::from(move |_| {
            let copied = copied.clone();
            let q = Query::TopText { opts: opts.clone() };
            window.ask(q, move |text: String| {
                if let Some(w) = web_sys::window() {
                    let _ = w.navigator().clipboard().write_text(&text);
                    copied.set(true);
                }
                Ok(())
            });
        })
    };
    let on_download = {
        let window = window.clone();
        let opts = props.opts.clone();
        let name = format!("{}.top.txt", props.file_name);
        Callback::from(move |_| {
            let name = name.clone();
            let q = Query::TopText { opts: opts.clone() };
            window.ask(q, move |text: String| download_text(&name, &text));
        })
    };

    // A comparison's rows carry both sides: base, new, delta, delta%.
    let compared = window
        .value()
        .is_some_and(|(_, w)| w.rows.first().is_some_and(|r| r.sides.is_some()));
    // A table read from pprof's text has no stacks behind it.
    let no_stacks = window.value().is_some_and(|(_, w)| w.no_stacks);
    let (header, rows_html, row_count) = match window.value() {
        Some((_, w)) => {
            let rows = w.rows.iter().enumerate().map(|(i, r)| {
                let idx = w.start + i as u32;
                // The bar behind the name: the row's flat%.
                let bar = crate::view::measurement::parse_decimal(r.flat_pct.trim_end_matches('%'))
                    .map_or(0.0, |p| p.clamp(0.0, 100.0));
                let style = format!("--bar:{bar:.2}%");
                let function = r.function.clone();
                let onclick = (!no_stacks).then(|| props.on_show_in_flame.reform(move |_: MouseEvent| function.clone()));
                let title = (!no_stacks).then_some("Show in the flame graph");
                // The row's printable name: what the sandwich finds exactly.
                let name = r.name.clone();
                let on_sandwich = props.on_show_in_sandwich.reform(move |e: MouseEvent| {
                    e.stop_propagation();
                    name.clone()
                });
                html! {
                    <tr class="row" data-testid="top-row" aria-rowindex={(idx + 2).to_string()} {style} {onclick} {title}>
                        if let Some(sides) = &r.sides {
                            <td class="num" data-testid="row-base">{ &sides.base }</td>
                            <td class="num" data-testid="row-new">{ &sides.new }</td>
                        }
                        <td class="num">{ &r.flat }</td>
                        if let Some(sides) = &r.sides {
                            <td class="num" data-testid="row-delta-pct">{ &sides.delta_pct }</td>
                        }
                        <td class="num">{ &r.flat_pct }</td>
                        <td class="num">{ &r.sum_pct }</td>
                        <td class="num">{ &r.cum }</td>
                        <td class="num">{ &r.cum_pct }</td>
                        <td class="name-cell">
                            <span class="name" title={r.name.clone()}>{ &r.name }</span>
                            if !no_stacks {
                                <button class="row-action" data-testid="row-sandwich" title="Callers and callees (sandwich)"
                                    aria-label={format!("Sandwich of {}", r.name)} onclick={on_sandwich}>{ "⇅" }</button>
                            }
                        </td>
                    </tr>
                }
            });
            // Spacers above and below the window keep the scroll height of
            // every row while only the window's rows exist.
            let columns = if compared { 9 } else { 6 };
            let above = w.start as f64 * ROW_H;
            let below = w.row_count.saturating_sub(w.start + w.rows.len() as u32) as f64 * ROW_H;
            let rows = html! {
                <>
                    { spacer(above, columns) }
                    { for rows }
                    { spacer(below, columns) }
                </>
            };
            (w.header.clone(), rows, w.row_count)
        }
        None => (Vec::new(), html! {}, 0),
    };
    let sorted = |o: RowOrder| if order == o { "sorted" } else { "" };
    let (kind, unit) = window
        .value()
        .map(|(_, w)| (w.sample_type.clone(), w.unit.clone()))
        .unwrap_or_default();
    // The explanation of the header cell under the pointer or the focus.
    let help_for = |c: Column| {
        let show = help.clone();
        let hide = help.clone();
        let (show2, hide2) = (help.clone(), help.clone());
        (
            Callback::from(move |_: MouseEvent| show.set(Some(c))),
            Callback::from(move |_: MouseEvent| hide.set(None)),
            Callback::from(move |_: FocusEvent| show2.set(Some(c))),
            Callback::from(move |_: FocusEvent| hide2.set(None)),
        )
    };
    let help_box = |c: Column| -> Html {
        if *help == Some(c) {
            html! {
                <span class="column-help" role="tooltip" data-testid="column-help" data-column={c.name()}>
                    { column_help(c, &kind, &unit) }
                </span>
            }
        } else {
            html! {}
        }
    };
    let head_cell = |c: Column,
                     label: &'static str,
                     class: &'static str,
                     testid: Option<&'static str>,
                     onclick: Option<Callback<MouseEvent>>|
     -> Html {
        let (onmouseenter, onmouseleave, onfocus, onblur) = help_for(c);
        let label = if compared && c == Column::Flat {
            "delta"
        } else {
            label
        };
        match onclick {
            Some(onclick) => html! {
                <th scope="col" class="num" aria-sort={aria_sort(class)}>
                    <button class={classes!("num", "help-cell", class)} data-testid={testid} {onclick} {onmouseenter} {onmouseleave} {onfocus} {onblur}>
                        { label }{ help_box(c) }
                    </button>
                </th>
            },
            None => html! {
                <th scope="col" class="num help-cell" tabindex="0" {onmouseenter} {onmouseleave} {onfocus} {onblur}>
                    { label }{ help_box(c) }
                </th>
            },
        }
    };
    let toggle_guide = {
        let guide_open = guide_open.clone();
        Callback::from(move |_: MouseEvent| {
            let open = !*guide_open;
            remember(HOW_TO_READ_KEY, if open { "open" } else { "closed" });
            guide_open.set(open);
        })
    };
    let gran = match props.opts.granularity {
        Granularity::Functions => "functions",
        Granularity::FileFunctions => "filefunctions",
        Granularity::Files => "files",
        Granularity::Lines => "lines",
        Granularity::Addresses => "addresses",
    };
    html! {
        <section class="top-view">
            <div class="toolbar">
                <input class="search" type="search" data-testid="top-filter" placeholder="Filter rows (regex)"
                    value={(*filter).clone()} oninput={on_filter} spellcheck="false" />
                if !no_stacks {
                    <label class="field small">{ "Granularity" }
                        <select data-testid="granularity" onchange={on_granularity}>
                            { for ["functions", "filefunctions", "files", "lines", "addresses"].iter().map(|g| html! {
                                <option value={*g} selected={*g == gran}>{ *g }</option>
                            }) }
                        </select>
                    </label>
                    { pprof_filter("focus", "focus", &props.opts.focus, |o, v| o.focus = v) }
                    { pprof_filter("ignore", "ignore", &props.opts.ignore, |o, v| o.ignore = v) }
                    { pprof_filter("hide", "hide", &props.opts.hide, |o, v| o.hide = v) }
                    { pprof_filter("show", "show", &props.opts.show, |o, v| o.show = v) }
                }
                <span class="spacer" />
                <button class="button" data-testid="copy-top" onclick={on_copy}>{ if *copied { "Copied" } else { "Copy as pprof text" } }</button>
                <button class="button" data-testid="download-top" onclick={on_download}>{ "Download as text" }</button>
                { top_export(&window, &props.opts, &filter, order, &props.file_name) }
            </div>
            if let Some(e) = window.error() {
                <div class="banner error inline" data-testid="top-error">{ e.to_string() }</div>
            }
            <pre class="pprof-header" data-testid="top-header">{ header.join("\n") }</pre>
            <div class="how-to-read" data-testid="how-to-read" data-open={if *guide_open { "true" } else { "false" }}>
                <button class="link" aria-expanded={if *guide_open { "true" } else { "false" }} onclick={toggle_guide}>
                    { if *guide_open { "▾ How to read this" } else { "▸ How to read this" } }
                </button>
                if *guide_open {
                    { for how_to_read(&kind, &unit).into_iter().map(|p| html! { <p>{ p }</p> }) }
                }
            </div>
            // Printed text has no samples to carry labels.
            if !no_stacks {
                <LabelsPanel worker={props.worker.clone()} generation={props.generation}
                    opts={props.opts.clone()} on_options={props.on_options.clone()} />
            }
            <div class={classes!("top-table", compared.then_some("compared"))}>
                <div class="scroller" ref={scroller} {onscroll}>
                    <table data-testid="top-table" aria-label="Top functions"
                        aria-rowcount={(row_count + 1).to_string()} data-rows={row_count.to_string()}>
                        <colgroup>
                            if compared { <col class="w-value" /><col class="w-value" /> }
                            <col class="w-value" />
                            if compared { <col class="w-delta-pct" /> }
                            <col class="w-pct" /><col class="w-pct" /><col class="w-value" /><col class="w-pct" /><col />
                        </colgroup>
                        <thead>
                            <tr class="head" aria-rowindex="1">
                                if compared {
                                    <th scope="col" class="num">{ "base" }</th>
                                    <th scope="col" class="num">{ "new" }</th>
                                }
                                { head_cell(Column::Flat, "flat", sorted(RowOrder::Flat), Some("sort-flat"), Some(set_order(RowOrder::Flat))) }
                                if compared {
                                    <th scope="col" class="num">{ "delta%" }</th>
                                }
                                { head_cell(Column::FlatPct, "flat%", "", None, None) }
                                { head_cell(Column::SumPct, "sum%", "", None, None) }
                                { head_cell(Column::Cum, "cum", sorted(RowOrder::Cum), Some("sort-cum"), Some(set_order(RowOrder::Cum))) }
                                { head_cell(Column::CumPct, "cum%", "", None, None) }
                                <th scope="col" class="name" aria-sort={aria_sort(sorted(RowOrder::Name)).map(|_| "ascending")}>
                                    <button class={classes!("name", sorted(RowOrder::Name))} onclick={set_order(RowOrder::Name)} data-testid="sort-name">{ "name" }</button>
                                </th>
                            </tr>
                        </thead>
                        <tbody>{ rows_html }</tbody>
                    </table>
                </div>
            </div>
        </section>
    }
}

/// An empty row `height` pixels tall, standing for the rows outside the
/// window; hidden from screen readers, which count rows by `aria-rowindex`.
fn spacer(height: f64, columns: u32) -> Html {
    if height <= 0.0 {
        return html! {};
    }
    html! {
        <tr class="spacer" aria-hidden="true" style={format!("height:{height}px")}><td colspan={columns.to_string()} /></tr>
    }
}

/// A sortable column's `aria-sort`: the rows sort by flat and cum from
/// the largest down.
fn aria_sort(class: &str) -> Option<&'static str> {
    (class == "sorted").then_some("descending")
}

/// The page's `localStorage` through `Reflect`: web-sys's `Storage` would
/// be one more feature compiled into both binaries for two calls.
fn storage() -> Option<wasm_bindgen::JsValue> {
    let w = web_sys::window()?;
    js_sys::Reflect::get(&w, &"localStorage".into())
        .ok()
        .filter(|s| s.is_object())
}

fn call_storage(method: &str, args: &js_sys::Array) -> Option<wasm_bindgen::JsValue> {
    let s = storage()?;
    let f: js_sys::Function = js_sys::Reflect::get(&s, &method.into())
        .ok()?
        .dyn_into()
        .ok()?;
    f.apply(&s, args).ok()
}

fn recall(key: &str) -> Option<String> {
    call_storage("getItem", &js_sys::Array::of1(&key.into()))?.as_string()
}

fn remember(key: &str, value: &str) {
    let _ = call_storage("setItem", &js_sys::Array::of2(&key.into(), &value.into()));
}

/// Saves `text` as a file named `name`.
fn download_text(name: &str, text: &str) -> Result<(), String> {
    super::export::download_text(name, text, "text/plain;charset=utf-8")
}
