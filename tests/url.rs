//! The view's state in the URL hash: what is written, how it reads back,
//! and what a hash that does not fit is made of.

use pprof_lens::analysis::options::{Granularity, ReportOptions};
use pprof_lens::protocol::RowOrder;
use pprof_lens::ui::state::url::{Graph, UrlState, Zooms};
use pprof_lens::ui::Tab;

fn full() -> UrlState {
    UrlState {
        tab: Some(Tab::Flame),
        sample_type: Some("alloc_space".into()),
        opts: ReportOptions {
            granularity: Granularity::Lines,
            focus: "main\\.(run|work)".into(),
            ignore: "runtime".into(),
            hide: "fmt".into(),
            show: "main".into(),
            show_from: "main\\.main".into(),
            tagfocus: "bytes=1kb:64kb".into(),
            tagignore: "worker=3".into(),
            tagshow: "key".into(),
            taghide: "other".into(),
            tagroot: "region".into(),
            tagleaf: "op".into(),
            ..ReportOptions::default()
        },
        order: RowOrder::Cum,
        zooms: zooms(&[0, 2, 1], &[1], &[0, 0], &[3, 1]),
        sandwich: Some("main.work".into()),
    }
}

fn zooms(flame: &[u32], bottom_up: &[u32], callers: &[u32], callees: &[u32]) -> Zooms {
    let mut z = Zooms::default();
    for (g, path) in Graph::ALL
        .into_iter()
        .zip([flame, bottom_up, callers, callees])
    {
        z.set(g, path.to_vec());
    }
    z
}

#[test]
fn every_field_round_trips_under_pprofs_names() {
    let s = full();
    let hash = s.format();
    assert_eq!(
        hash,
        "view=flame&si=alloc_space&g=lines&f=main%5C.%28run%7Cwork%29&i=runtime&h=fmt\
         &s=main&sf=main%5C.main&tf=bytes%3D1kb%3A64kb&ti=worker%3D3&ts=key&th=other\
         &tagroot=region&tagleaf=op&sort=cum&z=0.2.1&zb=1&zc=0.0&ze=3.1&sw=main.work"
    );
    let back = UrlState::parse(&format!("#{hash}"));
    assert_eq!(back.rejected, Vec::<String>::new());
    assert_eq!(back.state, s);
}

#[test]
fn a_fresh_view_writes_an_empty_hash() {
    assert_eq!(UrlState::default().format(), "");
    let p = UrlState::parse("");
    assert_eq!(p.state, UrlState::default());
    assert!(p.rejected.is_empty());
    assert_eq!(UrlState::parse("#").state, UrlState::default());
}

#[test]
fn ampersands_equals_hashes_percents_and_unicode_in_a_regex_survive() {
    for typed in [
        "a&b=c",
        "x#y",
        "100%",
        "%41",
        "+ space +",
        "héllo|日本|🔥",
        "a=b&f=evil",
        "\\.\\*?[]{}",
    ] {
        let s = UrlState {
            opts: ReportOptions {
                focus: typed.into(),
                ..ReportOptions::default()
            },
            sandwich: Some(typed.into()),
            ..UrlState::default()
        };
        let hash = s.format();
        // No separator of the hash or the URL is left bare in a value.
        let f = hash.split('&').find(|kv| kv.starts_with("f=")).unwrap();
        assert!(
            !f[2..].contains(['&', '=', '#', ' ']),
            "{typed:?} wrote {hash}"
        );
        assert!(!hash.contains('#'));
        let back = UrlState::parse(&hash);
        assert_eq!(back.state, s, "{typed:?} via {hash}");
    }
}

#[test]
fn unknown_keys_are_ignored_and_the_rest_kept() {
    let p = UrlState::parse("#foo=bar&view=top&n=5&f=main&&=x&justakey");
    assert!(p.rejected.is_empty());
    assert_eq!(p.state.tab, Some(Tab::Top));
    assert_eq!(p.state.opts.focus, "main");
    assert_eq!(p.state.opts.nodecount, 0, "pprof's n is not read");
}

#[test]
fn malformed_values_are_rejected_one_by_one() {
    let p =
        UrlState::parse("view=nowhere&g=bytes&sort=up&z=1.x.2&f=kept&si=cpu&tf=bytes%3D1kb&z2=1");
    assert_eq!(p.rejected, ["view", "g", "sort", "z"]);
    let s = p.state;
    assert_eq!((s.tab, s.opts.granularity), (None, Granularity::Functions));
    assert_eq!((s.order, s.zooms), (RowOrder::Flat, Zooms::default()));
    assert_eq!(
        (s.opts.focus.as_str(), s.opts.tagfocus.as_str()),
        ("kept", "bytes=1kb")
    );
    assert_eq!(s.sample_type.as_deref(), Some("cpu"));
    // Negative, overflowing and empty steps are no zoom path either.
    for z in ["-1", "4294967296", "1..2", ".", "1.", "0x1"] {
        for key in ["z", "zb", "zc", "ze"] {
            assert_eq!(
                UrlState::parse(&format!("{key}={z}")).rejected,
                [key],
                "{key}={z}"
            );
        }
    }
    // Each graph's zoom is its own: a bad one leaves the others.
    let p = UrlState::parse("z=1.2&zb=x&ze=0");
    assert_eq!(p.rejected, ["zb"]);
    assert_eq!(p.state.zooms, zooms(&[1, 2], &[], &[], &[0]));
    // Bad percent escapes decode leniently, as URLSearchParams does.
    assert_eq!(UrlState::parse("f=%zz%").state.opts.focus, "%zz%");
    // An absurdly deep zoom is refused rather than carried.
    let deep = vec!["0"; 5000].join(".");
    assert_eq!(UrlState::parse(&format!("z={deep}")).rejected, ["z"]);
}

#[test]
fn the_sample_type_is_found_by_name_or_index_else_the_default_stands() {
    let types = [
        "alloc_objects",
        "alloc_space",
        "inuse_objects",
        "inuse_space",
    ];
    let s = |si: &str| UrlState {
        sample_type: Some(si.into()),
        opts: ReportOptions {
            focus: "main".into(),
            ..ReportOptions::default()
        },
        ..UrlState::default()
    };
    let (o, note) = s("alloc_space").options(&types, 3);
    assert_eq!((o.sample_index, note), (Some(1), None));
    assert_eq!(o.focus, "main");
    let (o, _) = s("2").options(&types, 3);
    assert_eq!(o.sample_index, Some(2));
    let (o, note) = s("cpu").options(&types, 3);
    assert_eq!(o.sample_index, Some(3));
    assert_eq!(o.focus, "main", "the rest is kept");
    assert!(note.unwrap().contains("\"cpu\""));
    let (o, note) = s("9").options(&types, 3);
    assert_eq!((o.sample_index, note.is_some()), (Some(3), true));
    let (o, note) = UrlState::default().options(&types, 3);
    assert_eq!(
        (o, note),
        (
            ReportOptions {
                sample_index: Some(3),
                ..ReportOptions::default()
            },
            None
        )
    );
}

#[test]
fn every_tab_has_a_name_that_reads_back() {
    for t in [
        Tab::Top,
        Tab::Flame,
        Tab::Goroutines,
        Tab::Series,
        Tab::Sandwich,
        Tab::BottomUp,
    ] {
        let s = UrlState {
            tab: Some(t),
            ..UrlState::default()
        };
        assert_eq!(UrlState::parse(&s.format()).state.tab, Some(t));
    }
}

mod zoom {
    use pprof_lens::model::builder::ProfileBuilder;
    use pprof_lens::protocol::{Answer, FlameScene, NodeId, Query, ReportOptions, Reshape};
    use pprof_lens::session::Session;

    fn session() -> Session {
        Session::new(
            ProfileBuilder::new(&[("samples", "count")])
                .samples(&["main;a;b 5", "main;a;c 3", "main;d 2", "other 1"])
                .build(),
        )
    }

    fn scene(s: &mut Session, zoom: Option<NodeId>) -> FlameScene {
        let q = Query::Flame {
            opts: ReportOptions::default(),
            zoom,
            width_px: 1000,
            search: String::new(),
            dark: false,
            by_base: false,
        };
        match s.answer(q) {
            Answer::Flame(scene) => scene,
            a => panic!("{a:?}"),
        }
    }

    fn node_at(s: &mut Session, path: &[u32]) -> Option<NodeId> {
        node_in(s, None, path)
    }

    fn node_in(s: &mut Session, how: Option<Reshape>, path: &[u32]) -> Option<NodeId> {
        let q = Query::FlameNode {
            opts: ReportOptions::default(),
            how,
            path: path.to_vec(),
        };
        match s.answer(q) {
            Answer::Node(n) => n,
            a => panic!("{a:?}"),
        }
    }

    #[test]
    fn a_zoom_is_written_as_child_indices_and_found_again() {
        let mut s = session();
        let root = scene(&mut s, None);
        assert_eq!(root.zoom_path, Vec::<u32>::new());
        let mut seen = Vec::new();
        for b in root.boxes.iter().filter(|b| b.depth > 0) {
            let zoomed = scene(&mut s, Some(b.node));
            assert_eq!(zoomed.zoom_path.len() as u32, b.depth, "{}", b.name);
            // The path names no function: only numbers below the widest
            // fan-out.
            assert!(zoomed.zoom_path.iter().all(|&i| i < 3));
            assert_eq!(
                node_at(&mut s, &zoomed.zoom_path),
                Some(b.node),
                "{}",
                b.name
            );
            seen.push(zoomed.zoom_path);
        }
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), 6, "main a b c d other: each its own path");
        // A fresh session (the file opened again) finds the same node.
        let a = root.boxes.iter().find(|b| b.name == "a").unwrap();
        let path = scene(&mut s, Some(a.node)).zoom_path;
        let mut again = session();
        let node = node_at(&mut again, &path).unwrap();
        let shown = scene(&mut again, Some(node));
        assert_eq!(shown.breadcrumb.last().unwrap().1, "a");
    }

    #[test]
    fn a_path_past_the_tree_finds_nothing() {
        let mut s = session();
        assert_eq!(node_at(&mut s, &[]), Some(NodeId::new(0)));
        for path in [&[9][..], &[0, 0, 0, 0, 0], &[0, 7], &[u32::MAX]] {
            assert_eq!(node_at(&mut s, path), None, "{path:?}");
        }
    }

    fn reshaped(s: &mut Session, how: &Reshape, zoom: Option<NodeId>) -> FlameScene {
        let q = Query::Reshaped {
            how: how.clone(),
            opts: ReportOptions::default(),
            zoom,
            width_px: 1000,
            search: String::new(),
            dark: false,
        };
        match s.answer(q) {
            Answer::Flame(scene) => scene,
            a => panic!("{a:?}"),
        }
    }

    #[test]
    fn a_reshaped_graphs_zoom_is_found_again_in_its_own_tree() {
        let hows = [
            Reshape::BottomUp,
            Reshape::Callers("a".into()),
            Reshape::Callees("a".into()),
        ];
        for how in hows {
            let mut s = session();
            let root = reshaped(&mut s, &how, None);
            let deeper: Vec<_> = root.boxes.iter().filter(|b| b.depth > 0).collect();
            assert!(!deeper.is_empty(), "{how:?}");
            for b in deeper {
                let path = reshaped(&mut s, &how, Some(b.node)).zoom_path;
                assert_eq!(path.len() as u32, b.depth, "{how:?} {}", b.name);
                // A fresh session (the file opened again) finds the same box.
                let mut again = session();
                let node = node_in(&mut again, Some(how.clone()), &path).unwrap();
                let shown = reshaped(&mut again, &how, Some(node));
                assert_eq!(
                    shown.breadcrumb.last().unwrap().1,
                    b.name,
                    "{how:?} {path:?}"
                );
            }
        }
        // Bottom-up, the leaves are the roots' children: its zoom on `b`
        // is a path of the inverted tree, which leads elsewhere, or
        // nowhere, in the call tree.
        let mut s = session();
        let root = reshaped(&mut s, &Reshape::BottomUp, None);
        let b = root
            .boxes
            .iter()
            .find(|x| x.name == "b" && x.depth == 1)
            .unwrap();
        let path = reshaped(&mut s, &Reshape::BottomUp, Some(b.node)).zoom_path;
        let in_call_tree = node_at(&mut s, &path).map(|n| scene(&mut s, Some(n)));
        assert_ne!(
            in_call_tree.and_then(|sc| sc.breadcrumb.last().map(|l| l.1.clone())),
            Some("b".to_string())
        );
    }
}
