//! Pasted `go tool pprof` output (`-top`, `-text`, `-traces`) read back
//! and checked against the profiles it was printed from: the oracles in
//! `tests/data/pprof_text/` were printed by Go 1.27's `go tool pprof` from
//! the shared corpus (see its README), so each row read from the text must
//! be the row pprof-lens computes from the profile itself.

mod support;

use pprof_lens::analysis::options::{ReportOptions, SortOrder};
use pprof_lens::analysis::top::top_table;
use pprof_lens::decode;
use pprof_lens::model::{Profile, SourceFormat};
use pprof_lens::protocol::{Answer, Query, RowOrder};
use pprof_lens::session::Session;
use pprof_lens::view::top_text::render_top;

fn data(name: &str) -> Vec<u8> {
    let p = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/pprof_text/").to_string() + name;
    std::fs::read(&p).unwrap_or_else(|e| panic!("{p}: {e}"))
}

/// Rows of a printed top table: (flat, flat%, sum%, cum, cum%, name).
fn printed_rows(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .skip_while(|l| !l.trim_start().starts_with("flat  flat%"))
        .skip(1)
        .take_while(|l| !l.trim().is_empty() && !l.starts_with("(pprof)"))
        .map(|l| {
            let mut cols: Vec<String> = l.split_whitespace().take(5).map(str::to_string).collect();
            let rest = l.trim_start();
            let mut rest = rest;
            for _ in 0..5 {
                rest = rest[rest.find(' ').unwrap_or(rest.len())..].trim_start();
            }
            cols.push(rest.trim_end().to_string());
            cols
        })
        .collect()
}

/// The rows pasted text opens with, as the page's top view gets them.
fn opened_rows(p: Profile) -> Vec<Vec<String>> {
    let mut s = Session::new(p);
    let Answer::Top(w) = s.answer(Query::Top {
        opts: ReportOptions::default(),
        filter: String::new(),
        order: RowOrder::Flat,
        start: 0,
        count: 2000,
    }) else {
        panic!("no top window")
    };
    assert!(w.no_stacks);
    w.rows
        .into_iter()
        .map(|r| vec![r.flat, r.flat_pct, r.sum_pct, r.cum, r.cum_pct, r.name])
        .collect()
}

#[test]
fn the_seed_heap_top_opens_with_its_six_rows() {
    let Some(dir) = support::corpus("the_seed_heap_top_opens_with_its_six_rows") else {
        return;
    };
    let text = std::fs::read_to_string(dir.join("seed/seed-heap-top.txt")).unwrap();
    let p = decode::decode(text.as_bytes()).expect("the seed opens");
    assert_eq!(p.format, SourceFormat::PprofTop);
    assert_eq!(p.str(p.sample_types[0].kind), "inuse_space");
    assert_eq!(p.str(p.sample_types[0].unit), "bytes");
    let t = p.text_top.as_ref().unwrap();
    assert_eq!(
        t.fetch,
        "curl -o heap.pb.gz 'http://localhost:8002/debug/pprof/heap'"
    );
    assert_eq!(t.total, (34390.35f64 * 1024.0).round() as i64);
    assert_eq!(
        t.header,
        [
            "Showing nodes accounting for 29780.85kB, 86.60% of 34390.35kB total",
            "Showing top 10 nodes out of 136"
        ]
    );
    let want = printed_rows(&text);
    assert_eq!(want.len(), 6);
    assert_eq!(want[0][0], "15206.23kB");
    assert_eq!(opened_rows(p), want);
}

/// (oracle, profile in the corpus, sample index, cum order, nodecount)
const TOPS: &[(&str, &str, Option<usize>, bool, usize)] = &[
    ("cpu.top.txt", "cpu_regexp_json.pb.gz", None, false, 0),
    ("cpu.text.txt", "cpu_regexp_json.pb.gz", None, false, 12),
    (
        "heap.top.txt",
        "go1.27/generics_catalog.heap.pb.gz",
        None,
        false,
        0,
    ),
    (
        "heap.alloc_space.top.txt",
        "go1.27/generics_catalog.heap.pb.gz",
        Some(1),
        false,
        0,
    ),
    (
        "heap.session.txt",
        "heap_mapchurn.heap.pb.gz",
        None,
        false,
        10,
    ),
    (
        "goroutine.top.txt",
        "goroutine_states.pb.gz",
        None,
        false,
        0,
    ),
    ("mutex.topcum.txt", "mutex_block.mutex.pb.gz", None, true, 0),
];

#[test]
fn pasted_tops_read_back_as_the_profiles_own_tables() {
    let Some(dir) = support::corpus("pasted_tops_read_back_as_the_profiles_own_tables") else {
        return;
    };
    for &(oracle, file, sample_index, cum, nodecount) in TOPS {
        let text = String::from_utf8(data(oracle)).unwrap();
        let pasted = decode::decode(text.as_bytes()).unwrap_or_else(|e| panic!("{oracle}: {e}"));
        let real = decode::decode(&std::fs::read(dir.join(file)).unwrap()).unwrap();
        let opts = ReportOptions {
            sample_index: Some(sample_index.unwrap_or(real.default_sample_index())),
            sort: if cum { SortOrder::Cum } else { SortOrder::Flat },
            nodecount,
            ..ReportOptions::default()
        };
        let table = top_table(&real, &opts).unwrap();
        // Names, values and order: the profile's own rows.
        let t = pasted.text_top.as_ref().unwrap();
        assert_eq!(t.rows.len(), table.rows.len(), "{oracle}");
        let st = real.sample_types[opts.sample_index.unwrap()];
        assert_eq!(
            pasted.str(pasted.sample_types[0].kind),
            real.str(st.kind),
            "{oracle}"
        );
        assert_eq!(
            pasted.str(pasted.sample_types[0].unit),
            real.str(st.unit),
            "{oracle}"
        );
        let out_unit = oracle_unit(
            &t.rows
                .iter()
                .map(|r| r.printed[0].clone())
                .collect::<Vec<_>>(),
        );
        let tolerance =
            |v: i64| (v.abs() as f64 * 0.005).max(unit_step(&out_unit, real.str(st.unit)));
        for (got, want) in t.rows.iter().zip(&table.rows) {
            assert_eq!(got.name, want.name, "{oracle}");
            assert_eq!(got.inline, want.inline.as_str(), "{oracle} {}", want.name);
            for (g, w) in [(got.flat, want.flat), (got.cum, want.cum)] {
                assert!(
                    (g - w).abs() as f64 <= tolerance(w),
                    "{oracle} {}: {g} vs {w}",
                    want.name
                );
            }
        }
        assert!(
            (t.total - table.total).abs() as f64 <= tolerance(table.total),
            "{oracle}"
        );
        // What the page shows is the text, number for number.
        let shown = opened_rows(pasted);
        assert_eq!(shown, printed_rows(&text), "{oracle}");
        // And the same as pprof-lens prints for the profile itself.
        assert_eq!(
            printed_rows(&render_top(&real, &table, &opts)),
            shown,
            "{oracle}"
        );
    }
}

/// The unit the oracle printed its values in (the first with one).
fn oracle_unit(values: &[String]) -> String {
    values
        .iter()
        .map(|v| {
            v.trim_start_matches(|c: char| c == '-' || c == '.' || c.is_ascii_digit())
                .to_string()
        })
        .find(|u| !u.is_empty())
        .unwrap_or_default()
}

/// Half the last printed digit (two decimals) of `unit`, in base units.
fn unit_step(unit: &str, base: &str) -> f64 {
    let factor = match (unit, base) {
        ("kB", _) => 1024.0,
        ("MB", _) => 1048576.0,
        ("GB", _) => 1073741824.0,
        ("ms", _) => 1e6,
        ("s", _) => 1e9,
        ("us", _) => 1e3,
        _ => 1.0,
    };
    factor * 0.005 + 0.5
}

/// (traces oracle, its profile's -top oracle printed by the same pprof)
const TRACES: &[(&str, &str)] = &[
    ("goroutine.traces.txt", "goroutine.top.txt"),
    (
        "labelled.traces.txt",
        "go1.27/labelled_states.goroutine.pb.gz.top.goroutine.txt",
    ),
];

#[test]
fn traces_rebuild_the_profile() {
    let Some(dir) = support::corpus("traces_rebuild_the_profile") else {
        return;
    };
    for &(traces, top) in TRACES {
        let text = data(traces);
        let p = decode::decode(&text).unwrap_or_else(|e| panic!("{traces}: {e}"));
        assert_eq!(p.format, SourceFormat::PprofTraces);
        assert!(p.text_top.is_none());
        let blocks = String::from_utf8_lossy(&text)
            .lines()
            .filter(|l| l.starts_with("-----------+"))
            .count();
        assert_eq!(
            p.samples.len() + 1,
            blocks,
            "{traces}: one sample per block"
        );
        let opts = ReportOptions::default();
        let table = top_table(&p, &opts).unwrap();
        // Oracles in the shared corpus are named by their folder there.
        let want = match top.strip_prefix("go1.27/") {
            Some(_) => std::fs::read_to_string(dir.join(top)).unwrap(),
            None => String::from_utf8(data(top)).unwrap(),
        };
        // Counts are exact in the text, so the top is pprof's, row for row.
        assert_eq!(
            printed_rows(&render_top(&p, &table, &opts)),
            printed_rows(&want),
            "{traces}"
        );
    }
}

#[test]
fn traces_keep_labels_and_inlined_frames() {
    let p = decode::decode(&data("heap.traces.txt")).unwrap();
    assert_eq!(p.str(p.sample_types[0].kind), "inuse_space");
    assert_eq!(p.str(p.sample_types[0].unit), "bytes");
    // `bytes:  320kB` is a numeric label; every Go 1.27 heap sample has one.
    let labelled = (0..p.samples.len())
        .filter(|&i| {
            p.label_sets
                .get(p.samples.labels[i])
                .iter()
                .any(|l| p.str(l.key) == "bytes" && l.str.is_none() && l.num > 0)
        })
        .count();
    assert_eq!(labelled, p.samples.len());
    assert_eq!(p.value(0, 0), 0, "first sample's inuse_space");
    // `compress/flate.(*Writer).Close (inline)` shares its caller's location.
    assert!(p.locations.iter().any(|l| l.line_range().len() == 2));
    let g = decode::decode(&data("labelled.traces.txt")).unwrap();
    let pool = g.label_sets.get(g.samples.labels[0]);
    assert_eq!(
        pool.iter()
            .map(|l| (g.str(l.key), l.str.map(|s| g.str(s))))
            .collect::<Vec<_>>(),
        [("pool", Some("ingest"))]
    );
}
