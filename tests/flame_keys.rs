//! The flame graph's keys over scenes of builder profiles: where the arrows
//! move the focus box (parents, heaviest children, neighbours on a row, the
//! edges), the order `n` and `N` step through search matches, and what is
//! announced.

use pprof_lens::analysis::flame::{FlameOptions, FlameTree, NodeId};
use pprof_lens::model::builder::ProfileBuilder;
use pprof_lens::model::Profile;
use pprof_lens::pattern::Pattern;
use pprof_lens::view::flame_nav::{announce, home, step, step_match, Move};
use pprof_lens::view::flame_scene::{flame_scene, FlameScene};

//   root
//   main                              (100)
//   a (60)                    b (30)      self 10
//   c (40)  d (20)            c (30)
//   e (40)
fn profile() -> Profile {
    ProfileBuilder::new(&[("samples", "count")])
        .samples(&["main;a;c;e 40", "main;a;d 20", "main;b;c 30", "main 10"])
        .build()
}

fn scene(zoom: Option<&str>, search: Option<&str>) -> FlameScene {
    let p = profile();
    let t = FlameTree::build(&p, &FlameOptions::default());
    let all = flame_scene(&t, &p, None, 1000, None, false);
    let zoom = zoom.map(|z| node(&all, z, 0));
    let pat = search.map(|s| Pattern::new("focus", s).expect("pattern"));
    flame_scene(&t, &p, zoom, 1000, pat.as_ref(), false)
}

/// The node of the `nth` box (left to right, top to bottom) named `name`.
fn node(s: &FlameScene, name: &str, nth: usize) -> NodeId {
    s.boxes
        .iter()
        .filter(|b| b.name == name)
        .nth(nth)
        .unwrap_or_else(|| panic!("no box {name} #{nth}"))
        .node
}

fn name(s: &FlameScene, n: Option<NodeId>) -> Option<&str> {
    n.map(|n| {
        s.boxes
            .iter()
            .find(|b| b.node == n)
            .expect("a shown box")
            .name
            .as_str()
    })
}

/// Follows the moves from `start`, naming each box reached (`-` where a
/// move went nowhere, the focus then staying put).
fn walk(s: &FlameScene, start: NodeId, moves: &[Move]) -> Vec<String> {
    let mut at = start;
    moves
        .iter()
        .map(|&m| match step(s, at, m) {
            Some(n) => {
                at = n;
                name(s, Some(n)).unwrap().to_string()
            }
            None => "-".to_string(),
        })
        .collect()
}

#[test]
fn down_goes_to_the_heaviest_child_and_up_back() {
    let s = scene(None, None);
    let root = home(&s).expect("a home box");
    assert_eq!(name(&s, Some(root)), Some("root"));
    use Move::*;
    assert_eq!(
        walk(&s, root, &[Child, Child, Child, Child, Child]),
        ["main", "a", "c", "e", "-"],
        "down follows the heaviest callee and stops at a leaf"
    );
    let e = node(&s, "e", 0);
    assert_eq!(
        walk(&s, e, &[Parent, Parent, Parent, Parent, Parent]),
        ["c", "a", "main", "root", "-"],
        "up follows the callers and stops at the root"
    );
}

#[test]
fn left_and_right_move_along_the_row_across_parents() {
    let s = scene(None, None);
    use Move::*;
    let a = node(&s, "a", 0);
    assert_eq!(walk(&s, a, &[Next, Next, Prev, Prev]), ["b", "-", "a", "-"]);
    // Row 3 holds a's c, a's d and b's c: Right crosses from d to b's c.
    let c1 = node(&s, "c", 0);
    assert_eq!(walk(&s, c1, &[Next, Next, Next]), ["d", "c", "-"]);
    let c2 = node(&s, "c", 1);
    assert_eq!(walk(&s, c2, &[Parent]), ["b"], "b's c goes up to b");
    let root = home(&s).unwrap();
    assert_eq!(
        walk(&s, root, &[Prev, Next]),
        ["-", "-"],
        "the root is alone"
    );
}

#[test]
fn a_zoomed_scene_starts_at_the_zoomed_box_and_keeps_its_callers() {
    let s = scene(Some("b"), None);
    let b = home(&s).unwrap();
    assert_eq!(name(&s, Some(b)), Some("b"));
    use Move::*;
    assert_eq!(
        walk(&s, b, &[Child, Parent, Parent, Parent]),
        ["c", "b", "main", "root"]
    );
    assert_eq!(walk(&s, b, &[Next, Prev]), ["-", "-"], "a is not shown");
}

#[test]
fn a_box_not_shown_moves_nowhere() {
    let s = scene(Some("b"), None);
    let full = scene(None, None);
    let a = node(&full, "a", 0);
    assert_eq!(step(&s, a, Move::Child), None);
}

#[test]
fn n_steps_through_matches_left_to_right_callers_first_and_wraps() {
    // Matches: a (row 2, x 0), a's c (row 3, x 0), b's c (row 3, x 0.6).
    let s = scene(None, Some("^(a|c)$"));
    let order = |forward: bool| {
        let mut at = None;
        (0..4)
            .map(|_| {
                at = step_match(&s, at, forward);
                (name(&s, at).unwrap().to_string(), at.unwrap())
            })
            .collect::<Vec<_>>()
    };
    let fwd = order(true);
    let names: Vec<&str> = fwd.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        ["a", "c", "c", "a"],
        "a before its c, then b's c, then around"
    );
    assert_eq!(fwd[1].1, node(&s, "c", 0));
    assert_eq!(fwd[2].1, node(&s, "c", 1));
    let back = order(false);
    let names: Vec<&str> = back.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["c", "c", "a", "c"]);
    assert_eq!(
        back[0].1,
        node(&s, "c", 1),
        "N from nowhere: the last match"
    );
}

#[test]
fn n_from_a_box_that_is_no_match_goes_to_the_next_match_past_it() {
    let s = scene(None, Some("^c$"));
    let d = node(&s, "d", 0);
    assert_eq!(step_match(&s, Some(d), true), Some(node(&s, "c", 1)));
    assert_eq!(step_match(&s, Some(d), false), Some(node(&s, "c", 0)));
    let none = scene(None, Some("^zzz$"));
    assert_eq!(step_match(&none, None, true), None);
    assert_eq!(
        step_match(&scene(None, None), None, true),
        None,
        "no search"
    );
}

#[test]
fn the_announcement_names_the_box_and_its_values() {
    let s = scene(None, None);
    let a = s.boxes.iter().find(|b| b.name == "a").unwrap();
    assert_eq!(announce(&s, a), "a: total 60 (60.00%), self 0 (0%)");
}
