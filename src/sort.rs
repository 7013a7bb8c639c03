//! Sorting with one copy of the sort per element type.
//!
//! Why: std's sorts are generic over the comparison, so every call site's
//! closure gets its own copy of the sort, several KB of wasm each; the two
//! dozen sorts of report rows, groups, labels and edges made about a tenth
//! of the worker's code, all of it inside the single file's 800 KB
//! budget. These take the comparison as `&mut dyn FnMut`: one copy per
//! element type, for an indirect call per comparison, which inputs the size
//! of a report (rows, groups, labels) do not notice. Sorts over samples or
//! tree nodes keep std's.

use std::cmp::Ordering;

/// A stable sort by `cmp`.
pub fn sort_by<T>(v: &mut [T], cmp: &mut dyn FnMut(&T, &T) -> Ordering) {
    v.sort_by(|a, b| cmp(a, b))
}

/// A stable sort by `key`.
pub fn sort_by_key<T, K: Ord>(v: &mut [T], key: &mut dyn FnMut(&T) -> K) {
    sort_by(v, &mut |a, b| key(a).cmp(&key(b)))
}

/// An unstable sort by `cmp`.
pub fn sort_unstable_by<T>(v: &mut [T], cmp: &mut dyn FnMut(&T, &T) -> Ordering) {
    v.sort_unstable_by(|a, b| cmp(a, b))
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
}
