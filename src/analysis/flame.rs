//! The merged call tree behind the flame graph.
//!
//! Counted as pprof's flame graph counts (`report.StackSet` and
//! `driver/html/stacks.js`):
//!
//! * every location is expanded into its lines, outermost first, so an
//!   inlined function is a node of its own (flagged [`FlameTree::inlined`]),
//!   the way `makeInitialStacks` turns each `Line` into a `StackSource`;
//! * a node stands for one call path: siblings are merged when they have the
//!   same function name, file and inlined flag (pprof's source key at
//!   function granularity), so two addresses in one function are one box;
//! * `total` is the sum of the values of the samples passing through a node,
//!   `self` the part where it is the leaf. Recursion needs no special care:
//!   a recursive call is a deeper node on the same path, so every sample is
//!   counted once per node;
//! * children are ordered by decreasing weight, like `partitionPlaces`
//!   ("order by decreasing cost"); ties, which pprof leaves in first-seen
//!   order, are broken by name, file, inlined flag and address so the order
//!   does not depend on sample order;
//! * samples with no locations count in the root (its `self`), as they count
//!   in pprof's total; samples whose value is 0 for the chosen sample type
//!   are skipped, so a heap profile's `inuse_space` tree is not cluttered by
//!   allocations that were all freed;
//! * an unsymbolised location (no lines) becomes one frame with an empty name
//!   and its address, where pprof would drop it; the view prints the address.
//!
//! # Shape
//! Nodes are numbered in preorder (root 0, children in display order), and
//! stored as parallel arrays. Preorder makes a subtree the contiguous range
//! `n..end(n)`, so zooming, searching and skipping a too-narrow subtree during
//! layout are range operations, and nothing here recurses: a 100,000-frame
//! stack costs a loop, not a call stack. A node takes 24 bytes; what else
//! the views ask is shared or derived (see [`FlameTree`]). The tree is plain
//! data (serde-serialisable), kept next to the model in the worker.
//!
//! # Building
//! Values are first summed per distinct stack (the model's prefix tree
//! [`crate::model::StackTable`]); then each stack node that leads to a used
//! leaf is mapped to a flame node once, top-down, reusing its parent's
//! mapping, so the work grows with the number of distinct stack nodes, not
//! with samples times depth. That mapping is one lookup of (parent node,
//! frame) per stack node, millions of them, and bound by cache misses: most
//! are answered by the parent node's own entry, the rest by a small index
//! (see `RawTree`), and stack nodes are visited in an order in which a new
//! call path finds its parent's entry just written (see `map_stacks`).
//! Preorder numbers then come from subtree sizes in one pass, with no
//! traversal, and each array moves to its place in turn.
//!
//! # Filters
//! [`FlameFilter`] lets the report filters (focus/ignore/hide/show/show_from,
//! tag filters) be applied without this module knowing them: it says which
//! samples are kept, which lines of a location survive, and where `show_from`
//! cuts.

use hashbrown::HashMap;
use serde::{Deserialize, Serialize};

use crate::model::{LocId, Profile, StrId, Strings};

/// "No node": the parent of the root.
pub const NO_NODE: u32 = u32::MAX;

/// The root node id.
pub const ROOT: u32 = 0;

/// Adds sample values as pprof does: Go's `int64` `+=`, which wraps on
/// overflow (two's complement). The top table (`graph.rs`) sums the same
/// way, so a flame total is the `-top` figure for any input. Wrapping
/// addition is associative and commutative, so a sum does not depend on
/// the order of its terms (the build may add in any order) and a node's
/// self value is exactly its total minus its children's
/// ([`FlameTree::self_value`]).
#[inline]
pub(crate) fn add_value(a: i64, b: i64) -> i64 {
    a.wrapping_add(b)
}

/// As [`add_value`], for weights (sums of |value|): they wrap at `u64`,
/// which as bits is the same sum as `add_value`'s when no value is
/// negative, so a weight is then read from the total.
#[inline]
pub(crate) fn add_weight(a: u64, b: u64) -> u64 {
    a.wrapping_add(b)
}

/// What the report filters decide, as seen by the flame tree. Every method
/// has a "keep everything" default, so `&()` is the empty filter.
pub trait FlameFilter {
    /// Whether sample `sample` (an index into [`Profile::samples`]) is kept.
    fn keep_sample(&self, _sample: usize) -> bool {
        true
    }
    /// The lines of `loc` that survive `hide` / `show`, as indices into
    /// [`Profile::lines`], innermost first; `None` keeps them all.
    fn location_lines(&self, _loc: LocId) -> Option<&[u32]> {
        None
    }
    /// Whether `loc` disappears from every sample (all its lines hidden).
    fn is_hidden(&self, _loc: LocId) -> bool {
        false
    }
    /// Whether `show_from` is set; then [`Self::shows_from`] is asked.
    fn has_show_from(&self) -> bool {
        false
    }
    /// Whether `loc` matches `show_from`. Frames rootward of the root-most
    /// matching location are dropped, and samples without a match are
    /// dropped.
    fn shows_from(&self, _loc: LocId) -> bool {
        false
    }
}

/// No filter.
impl FlameFilter for () {}

/// A mask of kept samples, indexed like [`Profile::samples`]; samples past
/// its end are dropped.
impl FlameFilter for [bool] {
    fn keep_sample(&self, sample: usize) -> bool {
        self.get(sample).copied().unwrap_or(false)
    }
}

/// Keeps the samples for which the closure returns true.
pub struct KeepSamples<F: Fn(usize) -> bool>(pub F);

impl<F: Fn(usize) -> bool> FlameFilter for KeepSamples<F> {
    fn keep_sample(&self, sample: usize) -> bool {
        (self.0)(sample)
    }
}

/// ReportOptions for [`FlameTree::build`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlameOptions {
    /// Which sample type to count (pprof's `-sample_index`), an index into
    /// [`Profile::sample_types`]. Out of range gives a tree with only a root.
    pub sample_index: usize,
}

/// The merged call tree; node `n` is described by element `n` of each array.
///
/// Shaped for memory: a profile with millions of distinct call paths gives
/// millions of nodes, and the tree lives as long as the worker shows it. A
/// node costs 24 bytes: parent, subtree end, depth and point (4 bytes each)
/// and its total (8). Everything else is shared or derived:
///
/// * frame (name, file, inlined flag, address) and line are one `point`
///   index into a table of the location lines the build met, each naming
///   one of the distinct frames (a few per function, not one per node);
/// * a node's self value is its total minus its children's totals, exact
///   because sums wrap (see [`add_value`]): wrapping addition is undone by
///   wrapping subtraction whatever the order of the terms;
/// * the box width (`weight`, the sum of |value|) equals `total` unless some
///   value is negative (a diff profile); only then is it stored;
/// * the deepest depth under a node is a scan of its preorder range, so only
///   the whole tree's height is kept.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FlameTree {
    sample_index: usize,
    /// Parent node, [`NO_NODE`] for the root.
    parent: Vec<u32>,
    /// End of the node's subtree in preorder (exclusive): the subtree of `n`
    /// is `n..end[n]`, its first child (if any) is `n + 1` and the next
    /// sibling of a child `c` is `end[c]`.
    end: Vec<u32>,
    /// Root 0, its children 1, ...
    depth: Vec<u32>,
    /// Index into `points`: the node's frame and a representative line,
    /// that of the first frame merged into the node.
    point: Vec<u32>,
    /// Sum of values of the samples through the node.
    total: Vec<i64>,
    /// Sum of |value| through the node when some value is negative (it
    /// then differs from `total`); else empty.
    weight: Vec<u64>,
    /// The (frame, line) pairs nodes point to: one per location line the
    /// build met (a few per function); point 0 is the root's.
    points: Points,
    /// The distinct frames; frame 0 is the root's.
    frames: Vec<Frame>,
    /// Deepest depth in the tree.
    height: u32,
}

/// What siblings are merged by: pprof's source key at function granularity.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
struct Frame {
    /// Function name; empty for the root and for unsymbolised frames.
    name: StrId,
    file: StrId,
    /// The location address for unsymbolised frames, else 0.
    address: u64,
    /// The frame was inlined into its caller (pprof's `StackSource.Inlined`).
    inlined: bool,
}

/// The points: lines of locations as flame nodes show them, each a frame
/// (what siblings merge by) and a line number (0 when unknown). A node holds
/// one point id rather than a frame id and a line, and most points are
/// shared by many nodes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
struct Points {
    /// Per point, its index into the frames: the table the build reads for
    /// every merge, kept apart from the lines so it stays in cache.
    frame: Vec<u32>,
    line: Vec<i64>,
}

/// Stack node states while mapping: not reached yet.
const UNMAPPED: u32 = u32::MAX;
/// Reached, but rootward of every `show_from` match: no flame node.
const BEFORE_SHOW_FROM: u32 = u32::MAX - 1;

/// Which samples count, step 1 of the build: enough to map the stacks,
/// without their values, which step 3 adds straight into the flame nodes,
/// so no per-stack sums are held beside the mapping (the build's largest
/// transient).
struct KeptSamples {
    /// A bit per stack node: some kept sample with a non-zero value ends
    /// there.
    used: Vec<u64>,
    /// Some kept value is negative: weights (sums of |value|) differ from
    /// values and are kept.
    negative: bool,
}

impl KeptSamples {
    fn scan<F: FlameFilter + ?Sized>(profile: &Profile, si: usize, filter: &F) -> KeptSamples {
        let ns = profile.stacks.len();
        let mut out = KeptSamples {
            used: vec![0; ns.div_ceil(64)],
            negative: false,
        };
        for_each_kept(profile, si, filter, |s, v| {
            out.negative |= v < 0;
            if s < ns {
                out.used[s / 64] |= 1 << (s % 64);
            }
        });
        out
    }

    #[inline]
    fn used(&self, s: usize) -> bool {
        self.used[s / 64] & 1 << (s % 64) != 0
    }
}

/// Calls `f(stack node, value)` for each kept sample whose value for sample
/// type `si` is not 0; a sample without a (valid) stack gets `usize::MAX`.
#[inline]
fn for_each_kept<F: FlameFilter + ?Sized>(
    profile: &Profile,
    si: usize,
    filter: &F,
    mut f: impl FnMut(usize, i64),
) {
    let nt = profile.sample_types.len();
    if si >= nt {
        return;
    }
    let samples = &profile.samples;
    for i in 0..samples.len() {
        let Some(&v) = samples.values.get(i * nt + si) else {
            break;
        };
        if v != 0 && filter.keep_sample(i) {
            f(samples.stack[i].map_or(usize::MAX, |s| s.index()), v);
        }
    }
}

/// The frames of each location as the filter leaves them, outermost first,
/// resolved on first use into points (one per line) over distinct
/// [`Frame`]s.
struct LocationFrames<'a, F: ?Sized> {
    profile: &'a Profile,
    filter: &'a F,
    /// Per location, (point, _) when it has one frame, the common case, so
    /// a visit reads one entry; else ([`LOC_LIST`], index into `lists`),
    /// ([`LOC_NONE`], _) or, until resolved, ([`LOC_UNRESOLVED`], _).
    span: Vec<(u32, u32)>,
    /// (start, len) into `items`.
    lists: Vec<(u32, u32)>,
    /// Points of locations with several.
    items: Vec<u32>,
    points: Points,
    frames: Vec<Frame>,
    ids: HashMap<Frame, u32>,
}

/// [`LocationFrames::span`] markers, above any point id.
const LOC_UNRESOLVED: u32 = u32::MAX;
const LOC_NONE: u32 = u32::MAX - 1;
const LOC_LIST: u32 = u32::MAX - 2;

impl<'a, F: FlameFilter + ?Sized> LocationFrames<'a, F> {
    fn new(profile: &'a Profile, filter: &'a F) -> Self {
        let mut t = LocationFrames {
            profile,
            filter,
            span: vec![(LOC_UNRESOLVED, 0); profile.locations.len()],
            lists: Vec::new(),
            items: Vec::new(),
            points: Points::default(),
            frames: Vec::new(),
            ids: HashMap::new(),
        };
        let root = t.intern(Frame::default()); // the root's, frame 0
        t.points.frame.push(root); // point 0
        t.points.line.push(0);
        t
    }

    /// The point and frame tables; the per-location lists are dropped.
    fn into_tables(self) -> (Points, Vec<Frame>) {
        (self.points, self.frames)
    }

    fn intern(&mut self, f: Frame) -> u32 {
        let frames = &mut self.frames;
        *self.ids.entry(f).or_insert_with(|| {
            frames.push(f);
            frames.len() as u32 - 1
        })
    }

    /// A new point of frame `f`; its id goes to `items`.
    fn add_point(&mut self, f: Frame, line: i64) {
        let frame = self.intern(f);
        self.items.push(self.points.frame.len() as u32);
        self.points.frame.push(frame);
        self.points.line.push(line);
    }

    /// Resolves `loc` unless done already (see [`Self::of`]).
    #[inline]
    fn prepare(&mut self, loc: LocId) {
        if self
            .span
            .get(loc.index())
            .is_some_and(|&(first, _)| first == LOC_UNRESOLVED)
        {
            self.resolve(loc);
        }
    }

    /// The points `loc` adds to a call path, outermost first (pprof's
    /// `makeInitialStacks`: one frame per line, the inlined ones flagged);
    /// once [`Self::prepare`]d.
    #[inline]
    fn of(&self, loc: LocId) -> &[u32] {
        let i = loc.index();
        match self.span.get(i) {
            None | Some((LOC_NONE | LOC_UNRESOLVED, _)) => &[],
            Some(&(LOC_LIST, k)) => {
                let (start, len) = self.lists[k as usize];
                &self.items[start as usize..start as usize + len as usize]
            }
            Some((p, _)) => std::slice::from_ref(p),
        }
    }

    #[cold]
    fn resolve(&mut self, loc: LocId) {
        let start = self.items.len() as u32;
        let profile = self.profile;
        let location = &profile.locations[loc.index()];
        if !self.filter.is_hidden(loc) {
            let nl = profile.lines.len();
            let own = location.line_range();
            let own = own.start.min(nl)..own.end.min(nl);
            if own.is_empty() {
                // Unsymbolised: one frame named by its address.
                self.add_point(
                    Frame {
                        address: location.address,
                        ..Frame::default()
                    },
                    0,
                );
            } else {
                // The outermost line of the location is the non-inlined one;
                // frames that survive a filter keep their inlined flag.
                let outer = own.end - 1;
                let push = |t: &mut Self, l: usize| {
                    let (name, file) = match profile.functions.get(profile.lines[l].func.index()) {
                        Some(f) => (f.name, f.file),
                        None => (Strings::EMPTY, Strings::EMPTY),
                    };
                    let address = if name == Strings::EMPTY {
                        location.address
                    } else {
                        0
                    };
                    t.add_point(
                        Frame {
                            name,
                            file,
                            address,
                            inlined: l != outer,
                        },
                        profile.lines[l].line,
                    );
                };
                match self.filter.location_lines(loc) {
                    Some(kept) => {
                        for &l in kept.iter().rev().filter(|&&l| (l as usize) < nl) {
                            push(self, l as usize);
                        }
                    }
                    None => {
                        for l in own.rev() {
                            push(self, l);
                        }
                    }
                }
            }
        }
        let len = self.items.len() as u32 - start;
        self.span[loc.index()] = match len {
            0 => (LOC_NONE, 0),
            1 if self.items[start as usize] < LOC_LIST => (self.items.pop().unwrap_or_default(), 0),
            _ => {
                self.lists.push((start, len));
                (LOC_LIST, self.lists.len() as u32 - 1)
            }
        };
    }
}

/// The nodes as built (a parent before its children).
struct RawNodes {
    parent: Vec<u32>,
    /// Index into [`LocationFrames::points`].
    point: Vec<u32>,
}

/// [`RawNodes`] being built, with what finds a node's child by frame.
///
/// Four nodes in five are the only child of their parent (a call path
/// continues with one callee far more often than it forks), so a node
/// records its only child itself, and only the children of nodes with
/// several go into the index: a fifth of the entries, a table that stays in
/// cache, and most lookups answered by the parent's own entry (which, for a
/// chain of new nodes, was written just before).
struct RawTree {
    nodes: RawNodes,
    /// Per node: its only child, [`NO_CHILD`], or [`MANY_CHILDREN`] (then
    /// its children are in `index`).
    first: Vec<u32>,
    /// Per node, while it is an only child: the rank of the stack node that
    /// gave it its line (see [`map_stacks`]); in its slot once indexed.
    rank: Vec<u32>,
    index: ChildIndex,
}

/// In [`RawTree::first`]: no child yet (the root, 0, is nobody's child).
const NO_CHILD: u32 = 0;
/// In [`RawTree::first`]: the children are in the index.
const MANY_CHILDREN: u32 = u32::MAX;

/// Node ids keyed by (parent, frame): open addressing with linear probing.
/// A slot holds the key's whole 64-bit hash, which is a bijection of the
/// key, so a match needs no look at the node arrays: a lookup costs one
/// cache line (a general map reads a control byte, then a bucket, then
/// compares keys).
struct ChildIndex {
    slots: Vec<Slot>,
    len: usize,
}

#[derive(Clone, Copy, Default)]
struct Slot {
    hash: u64,
    /// 0 (the root, never a child) for an empty slot.
    node: u32,
    /// The rank of the stack node that gave the node its line (see
    /// [`map_stacks`]); here rather than in a node array, so a lookup that
    /// finds a node touches nothing else.
    rank: u32,
}

/// A bijective mix of a (parent, frame) key (splitmix64's finaliser): equal
/// hashes mean equal keys.
#[inline]
fn key_hash(parent: u32, frame: u32) -> u64 {
    let mut z = (u64::from(parent) << 32 | u64::from(frame)).wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl ChildIndex {
    /// Room for `n` keys without growing (at most 3/4 full). Any number of
    /// slots works (see [`Self::home`]), so the table is not rounded up to a
    /// power of two, which could double it.
    fn with_capacity(n: usize) -> ChildIndex {
        let slots = (n.saturating_mul(4) / 3).max(16);
        ChildIndex {
            slots: vec![Slot::default(); slots],
            len: 0,
        }
    }

    /// The first slot to probe for `hash`: its high 32 bits scaled to the
    /// table size (Lemire's multiply-shift; in 64 bits, as wasm has no wider
    /// multiply, so up to 2^32 slots).
    #[inline]
    fn home(&self, hash: u64) -> usize {
        (((hash >> 32) * self.slots.len() as u64) >> 32) as usize
    }

    #[inline]
    fn next(&self, i: usize) -> usize {
        if i + 1 == self.slots.len() {
            0
        } else {
            i + 1
        }
    }

    /// The slot holding `hash`, if any.
    #[inline]
    fn find(&mut self, hash: u64) -> Option<&mut Slot> {
        let mut i = self.home(hash);
        loop {
            let slot = self.slots[i];
            if slot.node == 0 {
                return None;
            }
            if slot.hash == hash {
                return Some(&mut self.slots[i]);
            }
            i = self.next(i);
        }
    }

    /// Adds a slot whose hash is not in the table yet.
    #[inline]
    fn insert_new(&mut self, slot: Slot) {
        if (self.len + 1) * 4 > self.slots.len() * 3 {
            self.grow();
        }
        let mut i = self.home(slot.hash);
        while self.slots[i].node != 0 {
            i = self.next(i);
        }
        self.slots[i] = slot;
        self.len += 1;
    }

    /// Doubles the slots.
    #[cold]
    fn grow(&mut self) {
        let bigger = vec![Slot::default(); self.slots.len() * 2];
        let old = std::mem::replace(&mut self.slots, bigger);
        self.len = 0;
        for s in old {
            if s.node != 0 {
                self.insert_new(s);
            }
        }
    }
}

impl RawTree {
    /// Room for `n` nodes, of which a fraction in the index.
    fn with_capacity(n: usize) -> RawTree {
        let mut t = RawTree {
            nodes: RawNodes {
                parent: Vec::with_capacity(n),
                point: Vec::with_capacity(n),
            },
            first: Vec::with_capacity(n),
            rank: Vec::with_capacity(n),
            index: ChildIndex::with_capacity(n / 4),
        };
        t.push(NO_NODE, 0, 0);
        t
    }

    #[inline]
    fn push(&mut self, parent: u32, point: u32, rank: u32) -> u32 {
        let n = self.nodes.parent.len() as u32;
        if self.nodes.parent.len() == self.nodes.parent.capacity() {
            self.grow();
        }
        self.nodes.parent.push(parent);
        self.nodes.point.push(point);
        self.first.push(NO_CHILD);
        self.rank.push(rank);
        n
    }

    /// Room for a quarter more nodes: doubling four arrays at once would
    /// make the tree's growth the build's peak.
    #[cold]
    fn grow(&mut self) {
        let more = (self.first.len() / 4).max(1024);
        self.nodes.parent.reserve_exact(more);
        self.nodes.point.reserve_exact(more);
        self.first.reserve_exact(more);
        self.rank.reserve_exact(more);
    }

    /// The child of `parent` for `point`'s frame, made if new. Its point
    /// (its line) is that of the lowest `rank` that reached it.
    #[inline]
    fn child(&mut self, parent: u32, point: u32, rank: u32, point_frame: &[u32]) -> u32 {
        let p = parent as usize;
        let frame = point_frame[point as usize];
        match self.first[p] {
            NO_CHILD => {
                let n = self.push(parent, point, rank);
                self.first[p] = n;
                n
            }
            MANY_CHILDREN => {
                let hash = key_hash(parent, frame);
                if let Some(slot) = self.index.find(hash) {
                    let n = slot.node;
                    if rank < slot.rank {
                        slot.rank = rank;
                        self.nodes.point[n as usize] = point;
                    }
                    return n;
                }
                let n = self.push(parent, point, rank);
                self.index.insert_new(Slot {
                    hash,
                    node: n,
                    rank,
                });
                n
            }
            only => {
                let o = only as usize;
                let only_frame = point_frame[self.nodes.point[o] as usize];
                if only_frame == frame {
                    if rank < self.rank[o] {
                        self.rank[o] = rank;
                        self.nodes.point[o] = point;
                    }
                    return only;
                }
                // A second child: both go to the index.
                self.first[p] = MANY_CHILDREN;
                let hash = key_hash(parent, only_frame);
                self.index.insert_new(Slot {
                    hash,
                    node: only,
                    rank: self.rank[o],
                });
                let n = self.push(parent, point, rank);
                self.index.insert_new(Slot {
                    hash: key_hash(parent, frame),
                    node: n,
                    rank,
                });
                n
            }
        }
    }
}

/// `old` reordered so that element `i` moves to `new_id[i]`; empty stays
/// empty.
fn permute<T: Copy + Default>(old: Vec<T>, new_id: &[u32]) -> Vec<T> {
    let mut out = vec![T::default(); old.len()];
    for (&v, &k) in old.iter().zip(new_id) {
        out[k as usize] = v;
    }
    out
}

/// Compares two frames for the order of siblings of equal weight: name,
/// file, inlined flag, address.
fn frame_order(frames: &[Frame], strings: &Strings, a: u32, b: u32) -> std::cmp::Ordering {
    if a == b {
        return std::cmp::Ordering::Equal;
    }
    let (a, b) = (&frames[a as usize], &frames[b as usize]);
    strings
        .get(a.name)
        .cmp(strings.get(b.name))
        .then_with(|| strings.get(a.file).cmp(strings.get(b.file)))
        .then_with(|| a.inlined.cmp(&b.inlined))
        .then_with(|| a.address.cmp(&b.address))
}

impl FlameTree {
    /// Builds the tree of the whole profile for `opts.sample_index`.
    pub fn build(profile: &Profile, opts: &FlameOptions) -> FlameTree {
        Self::build_filtered(profile, opts, &())
    }

    /// Builds the tree of the samples and frames `filter` keeps.
    pub fn build_filtered<F: FlameFilter + ?Sized>(
        profile: &Profile,
        opts: &FlameOptions,
        filter: &F,
    ) -> FlameTree {
        // 1. Which stack nodes are leaves of kept samples.
        let kept = KeptSamples::scan(profile, opts.sample_index, filter);

        // 2. Map stack nodes to flame nodes, top-down, each once.
        let mut locs = LocationFrames::new(profile, filter);
        let (raw, map) = map_stacks(profile, filter, &kept, &mut locs);
        let (points, frames) = locs.into_tables();
        let RawNodes {
            mut parent,
            mut point,
        } = raw;
        let n = parent.len();
        // Reserved for the worst case; kept for good.
        parent.shrink_to_fit();
        point.shrink_to_fit();

        // 3. Totals (and weights) and subtree sizes: each value into its
        // node, then, nodes being made after their parents, one reverse
        // pass. Sums wrap (see `add_value`), so the order of the terms does
        // not matter.
        let with_weight = kept.negative;
        let mut total = vec![0i64; n];
        let mut weight = if with_weight {
            vec![0u64; n]
        } else {
            Vec::new()
        };
        for_each_kept(profile, opts.sample_index, filter, |s, v| {
            let f = match map.get(s) {
                Some(&f) if f < BEFORE_SHOW_FROM => f as usize,
                Some(_) => return,
                None => 0,
            };
            total[f] = add_value(total[f], v);
            if with_weight {
                weight[f] = add_weight(weight[f], v.unsigned_abs());
            }
        });
        drop((map, kept));
        let mut size = vec![1u32; n];
        for i in (1..n).rev() {
            let p = parent[i] as usize;
            total[p] = add_value(total[p], total[i]);
            if with_weight {
                weight[p] = add_weight(weight[p], weight[i]);
            }
            size[p] += size[i];
        }

        // 4. Children lists (CSR), sorted for display. After the fill,
        // `next[p]` is the end of p's children and the start of p + 1's.
        let mut next = vec![0u32; n + 1];
        for &p in &parent[1..] {
            next[p as usize + 1] += 1;
        }
        for i in 0..n {
            next[i + 1] += next[i];
        }
        let mut children = vec![0u32; n.saturating_sub(1)];
        for (i, &p) in parent.iter().enumerate().skip(1) {
            let slot = &mut next[p as usize];
            children[*slot as usize] = i as u32;
            *slot += 1;
        }
        let kids = |p: usize| (if p == 0 { 0 } else { next[p - 1] as usize })..next[p] as usize;
        let strings = &profile.strings;
        let wkey = |c: u32| {
            if with_weight {
                weight[c as usize]
            } else {
                total[c as usize] as u64
            }
        };
        for p in 0..n {
            let list = &mut children[kids(p)];
            if list.len() > 1 {
                list.sort_unstable_by(|&a, &b| {
                    wkey(b)
                        .cmp(&wkey(a))
                        .then_with(|| {
                            let frame_of = |c: u32| points.frame[point[c as usize] as usize];
                            frame_order(&frames, strings, frame_of(a), frame_of(b))
                        })
                        .then(a.cmp(&b))
                });
            }
        }

        // 5. Preorder ids without a traversal: a node's first child comes
        // right after it, each next sibling after the previous one's
        // subtree. Parents come first, so one pass in build order numbers
        // everything; `size` turns into the new ids in place. The new
        // parents fall out on the way, into `parent`'s buffer (its old
        // values are not read again).
        let mut new_id = size;
        new_id[0] = ROOT;
        parent[0] = NO_NODE;
        for p in 0..n {
            let np = new_id[p];
            let mut pos = np + 1;
            for &c in &children[kids(p)] {
                let c = c as usize;
                let sz = new_id[c];
                new_id[c] = pos;
                parent[pos as usize] = np;
                pos += sz;
            }
        }
        drop((children, next));

        // 6. Everything else moves to its new place, one array at a time so
        // each old array is freed before the next new one is made, and
        // before the subtree ends and depths exist: the build's arrays
        // never outgrow its step 2.
        let point = permute(point, &new_id);
        let total = permute(total, &new_id);
        let weight = permute(weight, &new_id);
        drop(new_id);

        // 7. Subtree ends and depths, from the preorder parents.
        let mut end = vec![1u32; n];
        for i in (1..n).rev() {
            end[parent[i] as usize] += end[i];
        }
        for (i, e) in end.iter_mut().enumerate() {
            *e += i as u32;
        }
        let mut depth = vec![0u32; n];
        let mut height = 0;
        for i in 1..n {
            let d = depth[parent[i] as usize] + 1;
            depth[i] = d;
            height = height.max(d);
        }
        FlameTree {
            sample_index: opts.sample_index,
            parent,
            end,
            depth,
            point,
            total,
            weight,
            points,
            frames,
            height,
        }
    }

    /// Number of nodes, the root included.
    pub fn len(&self) -> usize {
        self.parent.len()
    }

    /// A tree always has its root, so this is never true for a built tree.
    pub fn is_empty(&self) -> bool {
        self.parent.is_empty()
    }

    /// The sample type counted (an index into [`Profile::sample_types`]).
    pub fn sample_index(&self) -> usize {
        self.sample_index
    }

    /// The value of all kept samples (the root's total).
    pub fn root_total(&self) -> i64 {
        self.total.first().copied().unwrap_or(0)
    }

    /// Deepest depth in the tree (root 0).
    pub fn height(&self) -> u32 {
        self.height
    }

    pub fn is_node(&self, n: u32) -> bool {
        (n as usize) < self.len()
    }

    // Per-node accessors. `n` must be a node ([`Self::is_node`]), as for
    // indexing a slice.

    /// Parent of `n`, [`NO_NODE`] for the root.
    #[inline]
    pub fn parent(&self, n: u32) -> u32 {
        self.parent[n as usize]
    }

    /// Depth of `n`: root 0, its children 1, ...
    #[inline]
    pub fn depth(&self, n: u32) -> u32 {
        self.depth[n as usize]
    }

    /// End of the subtree of `n` in preorder (exclusive): the subtree is
    /// `n..end(n)`, the first child (if any) `n + 1`, and the next sibling of
    /// a child `c` is `end(c)`.
    #[inline]
    pub fn end(&self, n: u32) -> u32 {
        self.end[n as usize]
    }

    /// Deepest depth in the subtree of `n`: the number of rows to lay out.
    /// Kept for the root only; a scan of the subtree's depths otherwise.
    pub fn max_depth(&self, n: u32) -> u32 {
        if n == ROOT {
            return self.height;
        }
        let range = self.subtree(n);
        self.depth
            .get(range.start as usize..range.end as usize)
            .and_then(|d| d.iter().max().copied())
            .unwrap_or(0)
    }

    /// The node's index into `frames`.
    #[inline]
    fn frame_id(&self, n: u32) -> usize {
        self.points.frame[self.point[n as usize] as usize] as usize
    }

    #[inline]
    fn frame_of(&self, n: u32) -> &Frame {
        &self.frames[self.frame_id(n)]
    }

    /// Function name; empty for the root and for unsymbolised frames.
    #[inline]
    pub fn name(&self, n: u32) -> StrId {
        self.frame_of(n).name
    }

    #[inline]
    pub fn file(&self, n: u32) -> StrId {
        self.frame_of(n).file
    }

    /// The location address for unsymbolised frames, else 0.
    #[inline]
    pub fn address(&self, n: u32) -> u64 {
        self.frame_of(n).address
    }

    /// The frame was inlined into its caller (pprof's `StackSource.Inlined`).
    #[inline]
    pub fn inlined(&self, n: u32) -> bool {
        self.frame_of(n).inlined
    }

    /// A representative line: that of the first frame merged into the node;
    /// 0 when unknown.
    pub fn line(&self, n: u32) -> i64 {
        self.points.line[self.point[n as usize] as usize]
    }

    /// Sum of values of the samples through `n`.
    #[inline]
    pub fn total(&self, n: u32) -> i64 {
        self.total[n as usize]
    }

    /// Sum of values where `n` is the leaf: the total less the children's,
    /// exact as sums wrap (see [`add_value`]).
    pub fn self_value(&self, n: u32) -> i64 {
        self.children(n)
            .fold(self.total(n), |acc, c| acc.wrapping_sub(self.total(c)))
    }

    /// Sum of |value| through `n`: the box width. Equals `total` unless the
    /// profile has negative values (a diff), where pprof too sizes boxes by
    /// the sum of magnitudes (`sumpos + sumneg`).
    #[inline]
    pub fn weight(&self, n: u32) -> u64 {
        match self.weight.get(n as usize) {
            Some(&w) => w,
            None => self.total[n as usize] as u64,
        }
    }

    /// Sum of |value| where `n` is the leaf (as [`Self::self_value`]).
    pub fn self_weight(&self, n: u32) -> u64 {
        self.children(n)
            .fold(self.weight(n), |acc, c| acc.wrapping_sub(self.weight(c)))
    }

    /// Bytes held on the heap (capacities, not lengths).
    pub fn heap_bytes(&self) -> usize {
        use std::mem::size_of;
        self.parent.capacity() * 4
            + self.end.capacity() * 4
            + self.depth.capacity() * 4
            + self.point.capacity() * 4
            + self.points.frame.capacity() * 4
            + self.points.line.capacity() * 8
            + self.total.capacity() * 8
            + self.weight.capacity() * 8
            + self.frames.capacity() * size_of::<Frame>()
    }

    /// The children of `n`, in display order.
    pub fn children(&self, n: u32) -> Children<'_> {
        let end = self.end.get(n as usize).copied().unwrap_or(0);
        Children {
            end: &self.end,
            next: n.saturating_add(1),
            stop: end,
        }
    }

    /// The subtree of `n` (itself included) as a range of node ids.
    pub fn subtree(&self, n: u32) -> std::ops::Range<u32> {
        match self.end.get(n as usize) {
            Some(&e) => n..e,
            None => 0..0,
        }
    }

    /// `n` and its ancestors, root first: the breadcrumb of a zoom.
    pub fn path(&self, n: u32) -> Vec<u32> {
        let mut out = Vec::new();
        let mut cur = n;
        while (cur as usize) < self.len() {
            out.push(cur);
            cur = self.parent[cur as usize];
        }
        out.reverse();
        out
    }

    /// The nodes satisfying `pred` within the subtree of `within`, and the
    /// value they cover counted once: a node under a selected ancestor is
    /// selected but not added again (so a recursive function is not counted
    /// twice).
    pub fn select(&self, within: u32, mut pred: impl FnMut(u32) -> bool) -> Selection {
        let mut sel = Selection::default();
        let range = self.subtree(within);
        let mut covered_until = 0u32;
        for n in range {
            if pred(n) {
                sel.nodes.push(n);
                if n >= covered_until {
                    sel.outermost.push(n);
                    sel.value = add_value(sel.value, self.total(n));
                    sel.weight = add_weight(sel.weight, self.weight(n));
                    covered_until = self.end[n as usize];
                }
            }
        }
        sel
    }

    /// As [`Self::select`] with a predicate on the function name, asked once
    /// per distinct frame rather than per node; the root is never selected.
    pub fn select_by_name(&self, within: u32, mut pred: impl FnMut(StrId) -> bool) -> Selection {
        // 0 not asked yet, 1 no, 2 yes.
        let mut memo = vec![0u8; self.frames.len()];
        self.select(within, |n| {
            let f = self.frame_id(n);
            if memo[f] == 0 {
                memo[f] = 1 + u8::from(pred(self.frames[f].name));
            }
            n != ROOT && memo[f] == 2
        })
    }

    /// Every node of the function named `name` (all call paths, inlined or
    /// not): what a click on a top-table row shows in the flame graph.
    pub fn nodes_of_function(&self, name: StrId) -> Selection {
        self.select_by_name(ROOT, |n| n == name)
    }

    /// As [`Self::nodes_of_function`], by the name's text.
    pub fn nodes_of_function_named(&self, profile: &Profile, name: &str) -> Selection {
        match profile.strings.find(name) {
            Some(id) if !name.is_empty() => self.nodes_of_function(id),
            _ => Selection::default(),
        }
    }
}

/// Step 2 of the build: the flame node of every stack node that leads to a
/// used leaf ([`UNMAPPED`] for the others, [`BEFORE_SHOW_FROM`] for those
/// rootward of a `show_from` match), and the flame nodes themselves.
///
/// A flame node's representative line is that of the first stack node to
/// reach it when the used leaves are taken by id, each with its path from
/// the root. A stack node is first reached by the lowest used leaf below
/// it, so "first" is the lowest (leaf, depth): the node's *rank*, with ties
/// going to the ancestor. With ranks known, the nodes can be visited in any
/// order that has parents first, and the stack table's own order does
/// (see [`crate::model::StackTable`]): a straight pass over its arrays, in
/// which a new call path's parent entry was written just before.
fn map_stacks<F: FlameFilter + ?Sized>(
    profile: &Profile,
    filter: &F,
    kept: &KeptSamples,
    locs: &mut LocationFrames<'_, F>,
) -> (RawNodes, Vec<u32>) {
    let stacks = &profile.stacks;
    let ns = stacks.len();
    let parents = stacks.parents();
    let with_show_from = filter.has_show_from();

    // state[c]: UNMAPPED, then the rank once known, then the mapping.
    let mut state = vec![UNMAPPED; ns];
    // Room for the nodes: each stack node adds at most one per line of its
    // location (or one if it has none); a byte per location keeps the count
    // in cache. Siblings merge by function, so that bound is loose: the
    // room reserved is at most one node per reached stack node, more made
    // as needed.
    let lines_of: Vec<u8> = profile
        .locations
        .iter()
        .map(|l| l.line_range().len().clamp(1, u8::MAX.into()) as u8)
        .collect();
    let mut frames_bound = 1usize;
    let mut reached = 1usize;
    for (c, st) in state.iter_mut().enumerate() {
        if kept.used(c) {
            *st = c as u32;
        }
    }
    for c in (0..ns).rev() {
        let r = state[c];
        if r == UNMAPPED {
            continue;
        }
        frames_bound += lines_of
            .get(stacks.locs()[c].index())
            .map_or(0, |&l| usize::from(l));
        reached += 1;
        if let Some(p) = parents[c] {
            state[p.index()] = state[p.index()].min(r);
        }
    }
    let mut raw = RawTree::with_capacity(frames_bound.min(reached));
    for c in 0..ns {
        let rank = state[c];
        if rank == UNMAPPED {
            continue;
        }
        let (mut node, mut on) = match parents[c].map(|p| state[p.index()]) {
            Some(BEFORE_SHOW_FROM) => (ROOT, false),
            Some(m) => (m, true),
            None => (ROOT, !with_show_from),
        };
        let loc = stacks.locs()[c];
        if !on && filter.shows_from(loc) {
            on = true;
            node = ROOT;
        }
        state[c] = if on {
            locs.prepare(loc);
            for &point in locs.of(loc) {
                node = raw.child(node, point, rank, &locs.points.frame);
            }
            node
        } else {
            BEFORE_SHOW_FROM
        };
    }
    (raw.nodes, state)
}

/// Iterator over a node's children.
pub struct Children<'a> {
    end: &'a [u32],
    next: u32,
    stop: u32,
}

impl Iterator for Children<'_> {
    type Item = u32;
    fn next(&mut self) -> Option<u32> {
        if self.next >= self.stop {
            return None;
        }
        let c = self.next;
        // `end[c] > c` always holds, so this advances.
        self.next = self
            .end
            .get(c as usize)
            .copied()
            .unwrap_or(self.stop)
            .max(c + 1);
        Some(c)
    }
}

/// A set of nodes and the value it covers without double counting.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Selection {
    /// All selected nodes, in preorder.
    pub nodes: Vec<u32>,
    /// The selected nodes with no selected ancestor, in preorder.
    pub outermost: Vec<u32>,
    /// Sum of the outermost nodes' totals.
    pub value: i64,
    /// Sum of the outermost nodes' weights.
    pub weight: u64,
}

/// The top table's filters (focus, ignore, hide, show, show_from, tagfocus,
/// tagignore) as the flame tree sees them, so both views show the same data.
pub struct ReportFilter<'a> {
    profile: &'a Profile,
    filters: crate::analysis::filter::AppliedFilters,
    stacks: StackVerdicts,
}

/// Which samples `focus`, `ignore` and `show_from` keep, by leaf stack node.
enum StackVerdicts {
    /// None of them is set: every stack passes.
    All,
    /// Per stack node, [`ON_PATH_IGNORED`] | [`ON_PATH_FOCUSED`] |
    /// [`ON_PATH_SHOWN_FROM`] for its path from the root: made top-down in one
    /// pass over the table (parents come first), where asking per sample
    /// walks the whole stack of each of millions of samples.
    Marks(Vec<u8>),
}

const ON_PATH_IGNORED: u8 = 1;
const ON_PATH_FOCUSED: u8 = 2;
const ON_PATH_SHOWN_FROM: u8 = 4;

impl<'a> ReportFilter<'a> {
    pub fn new(
        profile: &'a Profile,
        opts: &crate::analysis::options::ReportOptions,
    ) -> Result<Self, crate::analysis::options::FilterError> {
        use crate::analysis::filter::FocusMark;
        let filters = crate::analysis::filter::apply(profile, opts)?;
        let stacks = if !filters.by_name && filters.show_from.is_none() {
            StackVerdicts::All
        } else {
            // The marks `graph::stack_filter` looks for on a stack's way to
            // the root, or-ed down the table.
            let st = &profile.stacks;
            let own = |loc: LocId| {
                let i = loc.index();
                let mut m = 0;
                if filters.by_name {
                    match filters.focus.get(i) {
                        Some(FocusMark::Ignored) => m |= ON_PATH_IGNORED,
                        Some(FocusMark::Focused) => m |= ON_PATH_FOCUSED,
                        _ => {}
                    }
                }
                if let Some(marks) = &filters.show_from {
                    if marks.get(i).copied().unwrap_or(false)
                        && !filters.hidden.get(i).copied().unwrap_or(true)
                    {
                        m |= ON_PATH_SHOWN_FROM;
                    }
                }
                m
            };
            let mut marks: Vec<u8> = Vec::with_capacity(st.len());
            for (&parent, &loc) in st.parents().iter().zip(st.locs()) {
                let up = parent.map_or(0, |p| marks[p.index()]);
                marks.push(up | own(loc));
            }
            StackVerdicts::Marks(marks)
        };
        Ok(ReportFilter {
            profile,
            filters,
            stacks,
        })
    }
}

impl FlameFilter for ReportFilter<'_> {
    fn keep_sample(&self, sample: usize) -> bool {
        let samples = &self.profile.samples;
        if !self.filters.labels_pass(samples.labels[sample]) {
            return false;
        }
        // Focus and ignore look at whole stacks, as the top table does
        // (a stack without a show_from match is dropped by both too).
        let Some(leaf) = samples.stack[sample] else {
            return true;
        };
        match &self.stacks {
            StackVerdicts::All => true,
            StackVerdicts::Marks(marks) => {
                let m = marks.get(leaf.index()).copied().unwrap_or(0);
                m & ON_PATH_IGNORED == 0
                    && (m & ON_PATH_FOCUSED != 0 || !self.filters.by_name)
                    && (m & ON_PATH_SHOWN_FROM != 0 || self.filters.show_from.is_none())
            }
        }
    }
    fn location_lines(&self, loc: LocId) -> Option<&[u32]> {
        Some(self.filters.location_lines(loc))
    }
    fn is_hidden(&self, loc: LocId) -> bool {
        self.filters
            .hidden
            .get(loc.index())
            .copied()
            .unwrap_or(false)
    }
    fn has_show_from(&self) -> bool {
        self.filters.show_from.is_some()
    }
    fn shows_from(&self, loc: LocId) -> bool {
        self.filters
            .show_from
            .as_ref()
            .is_some_and(|m| m.get(loc.index()).copied().unwrap_or(false))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::builder::ProfileBuilder;

    fn names(t: &FlameTree, p: &Profile) -> Vec<String> {
        (0..t.len() as u32)
            .map(|i| format!("{}:{}", "  ".repeat(t.depth(i) as usize), p.str(t.name(i))))
            .collect()
    }

    #[test]
    fn merges_by_function_and_orders_by_weight() {
        let p = ProfileBuilder::new(&[("samples", "count")])
            .samples(&["main;a@x.go:1;b 1", "main;a@x.go:2;c 3", "main;d 2", "- 4"])
            .build();
        let t = FlameTree::build(&p, &FlameOptions::default());
        assert_eq!(
            names(&t, &p),
            vec![":", "  :main", "    :a", "      :c", "      :b", "    :d"]
        );
        let each = |f: &dyn Fn(u32) -> i64| (0..t.len() as u32).map(f).collect::<Vec<_>>();
        assert_eq!(each(&|n| t.total(n)), vec![10, 6, 4, 3, 1, 2]);
        assert_eq!(each(&|n| t.self_value(n)), vec![4, 0, 0, 3, 1, 2]);
        assert_eq!(t.children(1).collect::<Vec<_>>(), vec![2, 5]);
        assert_eq!(each(&|n| i64::from(t.end(n))), vec![6, 6, 5, 4, 5, 6]);
        assert_eq!(t.height(), 3);
    }

    #[test]
    fn mask_filter_and_zero_values() {
        let p = ProfileBuilder::new(&[("samples", "count")])
            .samples(&["main;a 1", "main;b 0", "main;c 5"])
            .build();
        let t = FlameTree::build_filtered(&p, &FlameOptions::default(), &[true, true, false][..]);
        assert_eq!(t.len(), 3, "b has value 0, c is filtered out");
        assert_eq!(t.root_total(), 1);
        let t = FlameTree::build(&p, &FlameOptions { sample_index: 7 });
        assert_eq!((t.len(), t.root_total()), (1, 0));
    }
}
