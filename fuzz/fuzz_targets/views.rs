//! Fuzz what the worker does after a decode: every query the page sends,
//! on whatever profile arbitrary bytes decode to, alone, merged with
//! itself, as a goroutine series of two snapshots and compared with
//! itself. A profile the decoder accepts can
//! still be odd (values that cancel, recursion, empty names, labels on
//! some samples only); a panic in any view would stop the worker.
//!
//! The first byte chooses the report options, so the same profile is
//! seen at every granularity, sort and sample type; the rest is the file.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pprof_lens::analysis::options::{Granularity, ReportOptions, SortOrder};
use pprof_lens::analysis::reshape::Reshape;
use pprof_lens::decode::{decode_with, DecodeOptions, NoProgress};
use pprof_lens::model::compare::CompareMode;
use pprof_lens::model::{LabelSets, Profile};
use pprof_lens::protocol::{Answer, Query};
use pprof_lens::session::Session;
use pprof_lens::view::export::Delimited;
use pprof_lens::view::top_rows::RowOrder;

fn options(b: u8, p: &Profile) -> ReportOptions {
    let granularity = match b % 5 {
        0 => Granularity::Functions,
        1 => Granularity::FileFunctions,
        2 => Granularity::Files,
        3 => Granularity::Lines,
        _ => Granularity::Addresses,
    };
    let types = p.sample_types.len().max(1);
    let first_set = p.samples.labels.first().copied();
    let key = p
        .label_sets
        .get(first_set.unwrap_or(LabelSets::EMPTY))
        .first();
    let key = key.map_or("", |l| p.str(l.key));
    let when = |on: bool, s: &str| if on { s.to_string() } else { String::new() };
    ReportOptions {
        granularity,
        sample_index: (b & 0x08 != 0).then(|| usize::from(b >> 5) % types),
        sort: if b & 0x10 != 0 {
            SortOrder::Cum
        } else {
            SortOrder::Flat
        },
        nodefraction: if b & 0x20 != 0 { 0.0 } else { 0.005 },
        noinlines: b & 0x40 != 0,
        tagroot: when(b & 0x80 != 0, key),
        tagleaf: when(b & 0x80 != 0, key),
        focus: when(b & 0x03 == 3, "a|main"),
        ignore: when(b & 0x06 == 6, "runtime"),
        tagfocus: when(b & 0x0c == 0x0c, "1kb:"),
        ..ReportOptions::default()
    }
}

/// Asks `s` what the page asks of an open profile, each view in turn.
fn ask_everything(s: &mut Session, opts: &ReportOptions, by_base: bool) {
    let top = s.answer(Query::Top {
        opts: opts.clone(),
        filter: String::new(),
        order: RowOrder::Flat,
        start: 0,
        count: 50,
    });
    let first = match &top {
        Answer::Top(w) => w.rows.first().map(|r| r.function.clone()),
        _ => None,
    };
    for order in [RowOrder::Cum, RowOrder::Name] {
        s.answer(Query::Top {
            opts: opts.clone(),
            filter: "a".into(),
            order,
            start: 1,
            count: 3,
        });
    }
    s.answer(Query::TopText { opts: opts.clone() });
    s.answer(Query::TopExport {
        opts: opts.clone(),
        filter: String::new(),
        order: RowOrder::Flat,
        how: Delimited::Tsv,
    });
    let scene = s.answer(Query::Flame {
        opts: opts.clone(),
        zoom: None,
        width_px: 1200,
        search: "a".into(),
        dark: false,
        by_base,
    });
    if let Answer::Flame(scene) = scene {
        // Zoom into the deepest box, as a click does, then find it again by
        // the path the URL keeps.
        if let Some(deep) = scene.boxes.iter().max_by_key(|b| b.depth) {
            let zoomed = s.answer(Query::Flame {
                opts: opts.clone(),
                zoom: Some(deep.node),
                width_px: 300,
                search: String::new(),
                dark: true,
                by_base,
            });
            if let Answer::Flame(z) = zoomed {
                s.answer(Query::FlameNode {
                    opts: opts.clone(),
                    how: None,
                    path: z.zoom_path,
                });
            }
        }
    }
    s.answer(Query::FlameNode {
        opts: opts.clone(),
        how: Some(Reshape::BottomUp),
        path: vec![0, 1, 0],
    });
    let mut shapes = vec![Reshape::BottomUp];
    if let Some(f) = first {
        s.answer(Query::Sandwich {
            opts: opts.clone(),
            function: f.clone(),
        });
        shapes.push(Reshape::Callers(f.clone()));
        shapes.push(Reshape::Callees(f));
    }
    for how in shapes {
        s.answer(Query::Reshaped {
            how,
            opts: opts.clone(),
            zoom: None,
            width_px: 800,
            search: String::new(),
            dark: false,
        });
    }
    for ignore_labels in [false, true] {
        s.answer(Query::Goroutines { ignore_labels });
    }
    s.answer(Query::Labels { opts: opts.clone() });
}

fuzz_target!(|data: &[u8]| {
    let Some((&b, file)) = data.split_first() else {
        return;
    };
    let decode = DecodeOptions {
        max_uncompressed: 16 << 20,
        ..DecodeOptions::default()
    };
    let Ok(p) = decode_with(file, &decode, &mut NoProgress) else {
        return;
    };
    let opts = options(b, &p);
    let mut alone = Session::new(p.clone());
    ask_everything(&mut alone, &opts, false);

    if let Ok(mut merged) = Session::merged(vec![("a".into(), p.clone()), ("b".into(), p.clone())])
    {
        ask_everything(&mut merged, &opts, false);
    }
    if let Ok(mut series) =
        Session::open_series(vec![("a".into(), p.clone()), ("b".into(), p.clone())])
    {
        series.answer(Query::Series { order: vec![1, 0] });
        series.answer(Query::Series {
            order: vec![0, 0, 7],
        });
        ask_everything(&mut series, &opts, false);
    }
    if let Ok(mut compared) = Session::compared(
        ("new".into(), p.clone()),
        ("base".into(), p.clone()),
        CompareMode::DiffBase,
        b & 1 != 0,
    ) {
        ask_everything(&mut compared, &opts, b & 2 != 0);
        if compared.set_compare(CompareMode::Base, b & 4 != 0).is_ok() {
            ask_everything(&mut compared, &opts, false);
        }
        let _ = compared.add(vec![("more".into(), p)]);
        ask_everything(&mut compared, &opts, true);
    }
});
