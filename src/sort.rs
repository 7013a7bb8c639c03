//! Sorting with one copy of the sort for every element type.
//!
//! Why: std's sorts are generic over the element and the comparison, so
//! every call site gets its own copy of the sort, several KB of wasm each;
//! the two dozen sorts of report rows, groups, labels and edges were about
//! a tenth of the worker's code, all of it inside the single file's 800 KB
//! budget. These sort the elements' indices (one copy of std's sort, over
//! `usize`, with the comparison as `&mut dyn FnMut`), then move each element
//! to its place. The cost, an indirect call per comparison and a vector of
//! indices, goes unnoticed at the size of a report (rows, groups, labels).
//! Sorts over samples or tree nodes keep std's.

use std::cmp::Ordering;

/// A stable sort by `cmp`.
pub fn sort_by<T>(v: &mut [T], cmp: &mut dyn FnMut(&T, &T) -> Ordering) {
    let mut order: Vec<usize> = (0..v.len()).collect();
    stable(&mut order, &mut |a, b| cmp(&v[a], &v[b]));
    permute(v, &mut order);
}

/// A stable sort by `key`.
pub fn sort_by_key<T, K: Ord>(v: &mut [T], key: &mut dyn FnMut(&T) -> K) {
    sort_by(v, &mut |a, b| key(a).cmp(&key(b)))
}

/// An unstable sort by `cmp`.
pub fn sort_unstable_by<T>(v: &mut [T], cmp: &mut dyn FnMut(&T, &T) -> Ordering) {
    let mut order: Vec<usize> = (0..v.len()).collect();
    unstable(&mut order, &mut |a, b| cmp(&v[a], &v[b]));
    permute(v, &mut order);
}

#[inline(never)]
fn stable(order: &mut [usize], cmp: &mut dyn FnMut(usize, usize) -> Ordering) {
    order.sort_by(|&a, &b| cmp(a, b));
}

#[inline(never)]
fn unstable(order: &mut [usize], cmp: &mut dyn FnMut(usize, usize) -> Ordering) {
    order.sort_unstable_by(|&a, &b| cmp(a, b));
}

/// Reorders `v` so that place `k` holds what was at `order[k]`, walking each
/// cycle of the permutation once (its entries are marked done with
/// `usize::MAX`), one swap per element moved.
fn permute<T>(v: &mut [T], order: &mut [usize]) {
    for start in 0..v.len() {
        let mut k = start;
        while order[k] != usize::MAX {
            let next = order[k];
            order[k] = usize::MAX;
            if next == start {
                break;
            }
            v.swap(k, next);
            k = next;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_as_std_does() {
        let mut v = vec![(3, 'a'), (1, 'b'), (3, 'c'), (2, 'd')];
        sort_by_key(&mut v, &mut |x| std::cmp::Reverse(x.0));
        assert_eq!(v, [(3, 'a'), (3, 'c'), (2, 'd'), (1, 'b')], "stable");
        sort_by(&mut v, &mut |a, b| a.1.cmp(&b.1));
        assert_eq!(v, [(3, 'a'), (1, 'b'), (3, 'c'), (2, 'd')]);
        sort_unstable_by(&mut v, &mut |a, b| a.0.cmp(&b.0));
        assert_eq!(v.iter().map(|x| x.0).collect::<Vec<_>>(), [1, 2, 3, 3]);
    }

    /// Many lengths and runs of equal keys, against std's stable sort:
    /// the same order, ties included.
    #[test]
    fn stable_sort_equals_std_on_random_input() {
        let mut rng = crate::test_rng::XorShift::new(0x9e37_79b9_7f4a_7c15);
        let mut next = move || rng.next_u64();
        for len in (0..40).chain([100, 1000, 5000]) {
            for keys in [1, 3, 50, 1 << 20] {
                let v: Vec<(u64, usize)> = (0..len).map(|i| (next() % keys, i)).collect();
                let mut want = v.clone();
                want.sort_by_key(|x| x.0);
                let mut got = v.clone();
                sort_by_key(&mut got, &mut |x| x.0);
                assert_eq!(got, want, "len {len}, keys {keys}");
                let mut got = v.clone();
                sort_unstable_by(&mut got, &mut |a, b| a.0.cmp(&b.0));
                assert!(got.windows(2).all(|w| w[0].0 <= w[1].0));
                got.sort_by_key(|x| x.1);
                assert_eq!(got, v, "an unstable sort keeps every element");
            }
        }
    }
}
