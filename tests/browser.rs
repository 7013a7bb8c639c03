//! Component tests in headless Chromium (wasm-bindgen-test).
//! Run with `cargo test --target wasm32-unknown-unknown --test browser`.
#![cfg(target_arch = "wasm32")]

use std::rc::Rc;

use pprof_lens::decode::Stage;
use pprof_lens::protocol::{SampleTypeInfo, Summary};
use pprof_lens::ui::{Status, StatusLine, StatusLineProps, SummaryView, SummaryViewProps};
use wasm_bindgen_test::*;
use web_sys::Element;
use yew::prelude::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Mounts a component with props into a fresh element and lets yew render.
async fn mount<C>(props: C::Properties) -> Element
where
    C: BaseComponent,
{
    let doc = gloo_document();
    let root = doc.create_element("div").unwrap();
    doc.body().unwrap().append_child(&root).unwrap();
    yew::Renderer::<C>::with_root_and_props(root.clone(), props).render();
    yew::scheduler::flush().await;
    root
}

fn gloo_document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

fn by_testid(root: &Element, id: &str) -> Element {
    root.query_selector(&format!("[data-testid=\"{id}\"]")).unwrap().unwrap_or_else(|| panic!("no {id}"))
}

#[wasm_bindgen_test]
async fn status_line_reports_state_and_progress() {
    let root = mount::<StatusLine>(StatusLineProps {
        status: Status::Loading,
        name: Some("big.pb.gz".into()),
        progress: Some((Stage::Decoding, 512 * 1024, 1024 * 1024)),
    })
    .await;
    let status = by_testid(&root, "status");
    assert_eq!(status.get_attribute("data-state").as_deref(), Some("loading"));
    let text = status.text_content().unwrap();
    assert!(text.contains("decoding big.pb.gz"), "{text}");
    assert!(text.contains("512.0 KB of 1.0 MB"), "{text}");
    let progress = by_testid(&root, "progress");
    assert_eq!(progress.get_attribute("value").as_deref(), Some("50"));
}

#[wasm_bindgen_test]
async fn summary_lists_every_sample_type_as_text() {
    let summary = Summary {
        name: "<img src=x onerror=alert(1)>.pb.gz".into(),
        bytes: 10,
        kind: "pprof protobuf (gzipped)".into(),
        sample_types: vec![
            SampleTypeInfo { name: "samples".into(), unit: "count".into() },
            SampleTypeInfo { name: "cpu".into(), unit: "nanoseconds".into() },
        ],
        default_index: 1,
        totals: vec![576, 5_780_000_000],
        samples: 576,
        duration_nanos: 3_140_000_000,
        time_nanos: 0,
        period: 10_000_000,
        period_type: None,
        has_goroutines: false,
        warnings: vec![],
        warning_count: 0,
    };
    let root = mount::<SummaryView>(SummaryViewProps { summary: Rc::new(summary) }).await;
    let types = by_testid(&root, "sample-types").text_content().unwrap();
    assert!(types.contains("samples (count)") && types.contains("cpu (nanoseconds)"), "{types}");
    // File names are shown as text, never parsed as HTML.
    let name = by_testid(&root, "file-name");
    assert_eq!(name.text_content().unwrap(), "<img src=x onerror=alert(1)>.pb.gz");
    assert!(root.query_selector("img").unwrap().is_none());
}
