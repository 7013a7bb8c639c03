//! The Top tab: pprof's `-top` table, virtualised (only the rows on screen
//! exist in the DOM, fetched from the worker a window at a time), with the
//! name filter, granularity, pprof's focus/ignore/hide/show filters, copy and
//! download as pprof text.

use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::hooks::{use_element_size, use_query};
use super::WorkerHandle;
use crate::protocol::{Granularity, ReportOptions};
use crate::protocol::{Query, RowOrder, TopWindow};

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
    let order = use_state(|| RowOrder::Flat);
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
        order: *order,
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
        let order = order.clone();
        Callback::from(move |_| order.set(o))
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
    let (header, rows_html, row_count) = match window.value() {
        Some((_, w)) => {
            let rows = w.rows.iter().enumerate().map(|(i, r)| {
                let idx = w.start + i as u32;
                let style = format!("top:{}px", idx as f64 * ROW_H);
                let function = r.function.clone();
                let onclick = props.on_show_in_flame.reform(move |_: MouseEvent| function.clone());
                html! {
                    <div class="row" role="row" data-testid="top-row" {style} {onclick} title="Show in the flame graph">
                        if let Some(sides) = &r.sides {
                            <span class="num" data-testid="row-base">{ &sides.base }</span>
                            <span class="num" data-testid="row-new">{ &sides.new }</span>
                        }
                        <span class="num">{ &r.flat }</span>
                        if let Some(sides) = &r.sides {
                            <span class="num" data-testid="row-delta-pct">{ &sides.delta_pct }</span>
                        }
                        <span class="num">{ &r.flat_pct }</span>
                        <span class="num">{ &r.sum_pct }</span>
                        <span class="num">{ &r.cum }</span>
                        <span class="num">{ &r.cum_pct }</span>
                        <span class="name" title={r.name.clone()}>{ &r.name }</span>
                    </div>
                }
            });
            (w.header.clone(), rows.collect::<Html>(), w.row_count)
        }
        None => (Vec::new(), html! {}, 0),
    };
    let sorted = |o: RowOrder| if *order == o { "sorted" } else { "" };
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
                <span class="spacer" />
                <button class="button" data-testid="copy-top" onclick={on_copy}>{ if *copied { "Copied" } else { "Copy as pprof text" } }</button>
                <button class="button" data-testid="download-top" onclick={on_download}>{ "Download as text" }</button>
            </div>
            if let Some(e) = window.error() {
                <div class="banner error inline" data-testid="top-error">{ e.to_string() }</div>
            }
            <pre class="pprof-header" data-testid="top-header">{ header.join("\n") }</pre>
            <div class={classes!("top-table", compared.then_some("compared"))} data-testid="top-table" role="table" aria-rowcount={row_count.to_string()}>
                <div class="row head" role="row">
                    if compared {
                        <span class="num">{ "base" }</span>
                        <span class="num">{ "new" }</span>
                    }
                    <button class={classes!("num", sorted(RowOrder::Flat))} onclick={set_order(RowOrder::Flat)} data-testid="sort-flat">{ if compared { "delta" } else { "flat" } }</button>
                    if compared {
                        <span class="num">{ "delta%" }</span>
                    }
                    <span class="num">{ "flat%" }</span>
                    <span class="num">{ "sum%" }</span>
                    <button class={classes!("num", sorted(RowOrder::Cum))} onclick={set_order(RowOrder::Cum)} data-testid="sort-cum">{ "cum" }</button>
                    <span class="num">{ "cum%" }</span>
                    <button class={classes!("name", sorted(RowOrder::Name))} onclick={set_order(RowOrder::Name)} data-testid="sort-name">{ "name" }</button>
                </div>
                <div class="scroller" ref={scroller} {onscroll}>
                    <div class="rows" style={format!("height:{}px", row_count as f64 * ROW_H)}>{ rows_html }</div>
                </div>
            </div>
        </section>
    }
}

/// Saves `text` as a file named `name` through a temporary blob URL.
fn download_text(name: &str, text: &str) -> Result<(), String> {
    let parts = js_sys::Array::of1(&text.into());
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type("text/plain;charset=utf-8");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts)
        .map_err(|e| format!("{e:?}"))?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(|e| format!("{e:?}"))?;
    let doc = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let a: web_sys::HtmlAnchorElement = doc
        .create_element("a")
        .map_err(|e| format!("{e:?}"))?
        .unchecked_into();
    a.set_href(&url);
    a.set_download(name);
    a.click();
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(())
}
