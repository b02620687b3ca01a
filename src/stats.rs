//! Order statistics the studies and the lab share.

/// The `q`-quantile of `v` by linear interpolation between closest ranks (R's type 7, numpy's
/// default); NaN when `v` is empty.
pub fn quantile(mut v: Vec<f64>, q: f64) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    crate::engine::sort::sort_by(&mut v, f64::total_cmp);
    let h = (v.len() - 1) as f64 * q.clamp(0.0, 1.0);
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    v[lo] + (h - lo as f64) * (v[hi] - v[lo])
}

pub fn median(v: Vec<f64>) -> f64 {
    quantile(v, 0.5)
}
