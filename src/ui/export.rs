//! Export buttons and the downloads they start: the top table as TSV and
//! CSV, the goroutine view as Markdown (the flame graph's SVG and PNG are
//! `flame::export`'s). Each file is named after the open one
//! ([`export_name`]).
//!
//! Plain functions that return buttons, not components: each component
//! and context type costs the page's wasm a few KB of yew machinery, and
//! the buttons keep no state of their own (a failure shows in the view's
//! error line, or on the console).

use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::hooks::UseQueryHandle;
use crate::protocol::{GoroutineSummary, Query, ReportOptions, RowOrder};
use crate::view::export::{export_name, Delimited};
use crate::view::goroutine_markdown::goroutines_markdown;

/// Saves `blob` as a file named `name` through a temporary blob URL.
pub fn download_blob(name: &str, blob: &web_sys::Blob) -> Result<(), String> {
    let url = web_sys::Url::create_object_url_with_blob(blob).map_err(|e| format!("{e:?}"))?;
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

/// Saves `text` as a file of MIME type `mime`.
pub fn download_text(name: &str, text: &str, mime: &str) -> Result<(), String> {
    let parts = js_sys::Array::of1(&text.into());
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts)
        .map_err(|e| format!("{e:?}"))?;
    download_blob(name, &blob)
}

/// A failed export, on the console: the click gave no file.
pub fn report(result: Result<(), String>) {
    if let Err(e) = result {
        web_sys::console::error_1(&format!("export failed: {e}").into());
    }
}

/// The TSV and CSV buttons: every row the table shows (its name `filter`
/// and `order`), as it shows them; asked through the table's own query
/// handle, whose error line shows a failure.
pub fn top_export<T: 'static>(
    ask: &UseQueryHandle<T>,
    opts: &ReportOptions,
    filter: &str,
    order: RowOrder,
    file: &str,
) -> Html {
    let button = |how: Delimited, testid: &'static str, label: &'static str| {
        let ask = ask.clone();
        let q = Query::TopExport {
            opts: opts.clone(),
            filter: filter.to_string(),
            order,
            how,
        };
        let name = export_name(file, "top", how.extension());
        let mime = match how {
            Delimited::Tsv => "text/tab-separated-values;charset=utf-8",
            Delimited::Csv => "text/csv;charset=utf-8",
        };
        let onclick = Callback::from(move |_: MouseEvent| {
            let name = name.clone();
            ask.ask(q.clone(), move |text: String| {
                download_text(&name, &text, mime)
            });
        });
        html! {
            <button class="button" data-testid={testid} title={format!("Download the rows shown as {label}")} {onclick}>{ label }</button>
        }
    };
    html! {
        <>
            { button(Delimited::Tsv, "export-tsv", "TSV") }
            { button(Delimited::Csv, "export-csv", "CSV") }
        </>
    }
}

/// The Markdown button: the summary and the groups as a document.
pub fn goroutines_export(summary: &std::rc::Rc<GoroutineSummary>, file: &str) -> Html {
    let (summary, file) = (summary.clone(), file.to_string());
    let onclick = Callback::from(move |_: MouseEvent| {
        let md = goroutines_markdown(&summary, if file.is_empty() { "this dump" } else { &file });
        let name = export_name(&file, "goroutines", "md");
        report(download_text(&name, &md, "text/markdown;charset=utf-8"));
    });
    html! {
        <button class="button small" data-testid="export-markdown" title="Download the summary and the groups as Markdown, for an incident document" {onclick}>{ "Markdown" }</button>
    }
}
