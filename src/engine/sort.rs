//! One stable sort for every element type. The standard library's sort is instantiated for
//! each element type and comparator, and the web bundle pays for each copy (about 3.5 kB of
//! wasm apiece); this one shares a single merge sort over indices.

use std::cmp::Ordering;

/// Sorts `v` stably by `cmp`, with the same result as `slice::sort_by`.
pub fn sort_by<T: Copy>(v: &mut [T], cmp: impl FnMut(&T, &T) -> Ordering) {
    sort_clone_by(v, cmp)
}

/// `sort_by` for items that are cloned rather than copied.
pub fn sort_clone_by<T: Clone>(v: &mut [T], mut cmp: impl FnMut(&T, &T) -> Ordering) {
    if v.len() < 2 {
        return;
    }
    let order = {
        let items: &[T] = v;
        sorted_order(items.len(), &mut |a, b| {
            cmp(&items[a], &items[b]) == Ordering::Greater
        })
    };
    let sorted: Vec<T> = order.iter().map(|&i| v[i].clone()).collect();
    v.clone_from_slice(&sorted);
}

/// The indices `0..n` in stable sorted order, where `after(a, b)` says that item `a` sorts
/// after item `b`: a bottom-up merge sort, which takes from the right run only when its item
/// sorts strictly before the left one's, so equal items keep their order.
fn sorted_order(n: usize, after: &mut dyn FnMut(usize, usize) -> bool) -> Vec<usize> {
    let mut from: Vec<usize> = (0..n).collect();
    let mut to = vec![0; n];
    let mut width = 1;
    while width < n {
        let mut start = 0;
        while start < n {
            let mid = (start + width).min(n);
            let end = (start + 2 * width).min(n);
            let (mut i, mut j) = (start, mid);
            for slot in &mut to[start..end] {
                if j < end && (i >= mid || after(from[i], from[j])) {
                    *slot = from[j];
                    j += 1;
                } else {
                    *slot = from[i];
                    i += 1;
                }
            }
            start = end;
        }
        std::mem::swap(&mut from, &mut to);
        width *= 2;
    }
    from
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_like_the_standard_library_and_keeps_ties_in_order() {
        let mut seed = 7u64;
        for n in 0..70 {
            let v: Vec<(u8, usize)> = (0..n)
                .map(|i| {
                    seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                    ((seed >> 60) as u8, i)
                })
                .collect();
            let mut ours = v.clone();
            sort_by(&mut ours, |a, b| a.0.cmp(&b.0));
            let mut std = v;
            std.sort_by_key(|a| a.0);
            assert_eq!(ours, std, "n = {n}");
        }
        let mut f = [3.0, f64::NAN, -0.0, 0.0, -1.5, f64::INFINITY];
        sort_by(&mut f, f64::total_cmp);
        let bits: Vec<u64> = f.iter().map(|x| x.to_bits()).collect();
        let mut g = [3.0, f64::NAN, -0.0, 0.0, -1.5, f64::INFINITY];
        g.sort_by(f64::total_cmp);
        assert_eq!(bits, g.iter().map(|x| x.to_bits()).collect::<Vec<_>>());
    }
}
