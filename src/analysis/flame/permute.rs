//! Moving the flame tree's node arrays from build order into preorder
//! (step 6 of the build): each array is reordered by the new ids, and the
//! wide ones in place, so that no step holds two copies of them.

use super::NO_PARENT;

/// `old` reordered so that element `i` moves to `new_id[i]`; empty stays
/// empty.
pub(super) fn permute<T: Copy + Default>(old: Vec<T>, new_id: &[u32]) -> Vec<T> {
    let mut out = vec![T::default(); old.len()];
    for (&v, &k) in old.iter().zip(new_id) {
        out[k as usize] = v;
    }
    out
}

/// [`permute`] without a second array: `values` reordered so that element
/// `i` moves to `new_id[i]` (empty stays empty).
///
/// Each element is carried along its cycle of the permutation: the carrier
/// takes the element in the slot it fills and moves on to that element's
/// place. One carrier at a time would wait on a cache miss per element, so
/// several run interleaved, each started at the next element not yet
/// taken. Carriers may start on the same cycle: each then fills the arc up
/// to the next one's start, whose element that one took at its start, so
/// a carrier stops at the first slot already taken and drops its element
/// there. A bit per element marks the slots taken.
pub(super) fn permute_in_place<T: Copy>(values: &mut [T], new_id: &[u32]) {
    const CARRIERS: usize = 16;
    const IDLE: usize = usize::MAX;
    let n = values.len();
    let Some(&first) = values.first() else {
        return;
    };
    let mut taken = vec![0u64; n.div_ceil(64)];
    let is_taken = |taken: &[u64], i: usize| taken[i / 64] & 1 << (i % 64) != 0;
    let mut carriers = [(IDLE, first); CARRIERS];
    let mut scan = 0;
    loop {
        let mut busy = false;
        for (to, carry) in &mut carriers {
            if *to == IDLE {
                while scan < n && is_taken(&taken, scan) {
                    scan += 1;
                }
                if scan == n {
                    continue;
                }
                taken[scan / 64] |= 1 << (scan % 64);
                *carry = values[scan];
                *to = new_id[scan] as usize;
                scan += 1;
            }
            busy = true;
            let i = *to;
            if is_taken(&taken, i) {
                values[i] = *carry;
                *to = IDLE;
            } else {
                taken[i / 64] |= 1 << (i % 64);
                std::mem::swap(carry, &mut values[i]);
                *to = new_id[i] as usize;
            }
        }
        if !busy {
            return;
        }
    }
}

/// [`permute`] for the parent links, which also take the new ids.
pub(super) fn permute_parents(old: Vec<u32>, new_id: &[u32]) -> Vec<u32> {
    let mut out = vec![NO_PARENT; old.len()];
    for (&p, &k) in old.iter().zip(new_id).skip(1) {
        out[k as usize] = new_id[p as usize];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A permutation of `0..n` from a xorshift stream (Fisher-Yates).
    fn shuffled(n: usize, seed: u64) -> Vec<u32> {
        let mut rng = crate::test_rng::XorShift::new(seed);
        let mut ids: Vec<u32> = (0..n as u32).collect();
        for i in (1..n).rev() {
            ids.swap(i, (rng.next_u64() % (i as u64 + 1)) as usize);
        }
        ids
    }

    #[test]
    fn in_place_equals_a_copy_for_any_permutation() {
        // Sizes around the carriers' count, and the identity, a single
        // cycle and a reversal, whose cycles every carrier starts on.
        let mut cases: Vec<Vec<u32>> = [0, 1, 2, 15, 16, 17, 100, 4099]
            .iter()
            .enumerate()
            .map(|(k, &n)| shuffled(n, k as u64 * 7919 + 1))
            .collect();
        cases.push((0..1000).collect());
        cases.push((0..1000).map(|i| (i + 1) % 1000).collect());
        cases.push((0..1000).rev().collect());
        for new_id in cases {
            let values: Vec<i64> = (0..new_id.len() as i64).map(|v| v * 3 - 7).collect();
            let mut moved = values.clone();
            permute_in_place(&mut moved, &new_id);
            assert_eq!(moved, permute(values, &new_id), "{} elements", new_id.len());
        }
    }

    #[test]
    fn parents_take_the_new_ids() {
        // 0 <- 1 <- 2 and 0 <- 3, renumbered in a preorder that visits 3
        // before 1: 3 becomes 1, 1 becomes 2 and 2 becomes 3.
        let new_id = [0, 2, 3, 1];
        assert_eq!(
            permute_parents(vec![NO_PARENT, 0, 1, 0], &new_id),
            vec![NO_PARENT, 0, 0, 2]
        );
    }
}
