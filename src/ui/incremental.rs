//! Work that would not fit in one frame (a sweep of dozens of runs, a spread over many seeds)
//! done a few milliseconds at a time between frames, so the animation never waits for it.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// Milliseconds of work per slice: a quarter of a 60 Hz frame.
const BUDGET_MS: f64 = 4.0;

/// The page's clock, ms (also what the app model times its slices by, `model::sliced`).
pub fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

type Callback0 = Closure<dyn FnMut()>;

/// How long a key must stay unchanged before a settled study starts, ms: a slider being
/// dragged changes it every frame, and a study of a value the reader has already left is
/// wasted work in the frames of the drag.
const SETTLE_MS: i32 = 250;

/// Computes `item(&key, i)` for i in 0..n, a time slice at a time, starting again whenever
/// `key` changes. Returns the items done so far (in order; `None` for those not yet done).
#[hook]
pub fn use_incremental<K, T, F>(key: Rc<K>, n: usize, item: F) -> Rc<Vec<Option<T>>>
where
    K: PartialEq + 'static,
    T: Clone + 'static,
    F: Fn(&K, usize) -> T + 'static,
{
    use_sliced(
        key,
        n,
        0,
        move |k: &K, i, _: &mut Option<()>, _: &dyn Fn() -> bool| Some(item(k, i)),
    )
    .0
}

/// `use_incremental` for a large study: it starts only once `key` has stayed the same for
/// `SETTLE_MS`. Until then the results are those of the previous key, and the flag that comes
/// with them is false (a view shows them as out of date rather than as the new key's).
#[hook]
pub fn use_settled_incremental<K, T, F>(key: Rc<K>, n: usize, item: F) -> (Rc<Vec<Option<T>>>, bool)
where
    K: PartialEq + 'static,
    T: Clone + 'static,
    F: Fn(&K, usize) -> T + 'static,
{
    use_sliced(
        key,
        n,
        SETTLE_MS,
        move |k: &K, i, _: &mut Option<()>, _: &dyn Fn() -> bool| Some(item(k, i)),
    )
}

/// `use_settled_incremental` for items that are themselves too large for a slice (a run of
/// a cluster of thousands of migrations): `step(&key, i, state, over)` works on item `i`
/// until it is done (`Some`) or `over()` says the slice's time is spent (`None`, to go on
/// from `state` in the next slice; `state` starts as `None` for each item).
#[hook]
pub fn use_settled_stepped<K, S, T, F>(key: Rc<K>, n: usize, step: F) -> (Rc<Vec<Option<T>>>, bool)
where
    K: PartialEq + 'static,
    S: 'static,
    T: Clone + 'static,
    F: Fn(&K, usize, &mut Option<S>, &dyn Fn() -> bool) -> Option<T> + 'static,
{
    use_sliced(key, n, SETTLE_MS, step)
}

/// The items done so far, and whether they are `key`'s.
#[hook]
fn use_sliced<K, S, T, F>(
    key: Rc<K>,
    n: usize,
    delay_ms: i32,
    item: F,
) -> (Rc<Vec<Option<T>>>, bool)
where
    K: PartialEq + 'static,
    S: 'static,
    T: Clone + 'static,
    F: Fn(&K, usize, &mut Option<S>, &dyn Fn() -> bool) -> Option<T> + 'static,
{
    let results = use_state(|| (None::<Rc<K>>, Rc::new(Vec::<Option<T>>::new())));
    let current = results.0.as_ref().is_some_and(|k| **k == *key);
    let item = Rc::new(item);
    {
        let results = results.clone();
        use_effect_with((key.clone(), n), move |(key, n)| {
            let n = *n;
            let key = key.clone();
            let done = Rc::new(RefCell::new(vec![None; n]));
            let next = Rc::new(RefCell::new(0usize));
            // The item under way, when one did not fit in a slice.
            let partial: Rc<RefCell<Option<S>>> = Rc::new(RefCell::new(None));
            let pending: Rc<RefCell<Option<i32>>> = Rc::new(RefCell::new(None));
            // One closure for every slice: it computes until the budget is spent, publishes
            // what is done and asks for another turn while work is left.
            let tick: Rc<RefCell<Option<Callback0>>> = Rc::new(RefCell::new(None));
            let run = {
                let (done, next, pending, tick) = (
                    done.clone(),
                    next.clone(),
                    pending.clone(),
                    Rc::downgrade(&tick),
                );
                move || {
                    pending.borrow_mut().take();
                    let start = now_ms();
                    let over = move || now_ms() - start > BUDGET_MS;
                    loop {
                        let i = *next.borrow();
                        if i >= n {
                            break;
                        }
                        let Some(value) = item(&key, i, &mut partial.borrow_mut(), &over) else {
                            break;
                        };
                        partial.borrow_mut().take();
                        done.borrow_mut()[i] = Some(value);
                        *next.borrow_mut() = i + 1;
                        if over() {
                            break;
                        }
                    }
                    results.set((Some(key.clone()), Rc::new(done.borrow().clone())));
                    if *next.borrow() < n {
                        if let (Some(w), Some(t)) = (web_sys::window(), tick.upgrade()) {
                            if let Some(cb) = t.borrow().as_ref() {
                                if let Ok(id) = w
                                    .set_timeout_with_callback_and_timeout_and_arguments_0(
                                        cb.as_ref().unchecked_ref(),
                                        0,
                                    )
                                {
                                    *pending.borrow_mut() = Some(id);
                                }
                            }
                        }
                    }
                }
            };
            let run = Rc::new(run);
            {
                let run = run.clone();
                *tick.borrow_mut() = Some(Closure::new(move || run()));
            }
            // The first slice runs in a later task, after this render is on screen (and, for a
            // settled study, after the key has stayed the same for `delay_ms`).
            if let (Some(w), Some(cb)) = (web_sys::window(), tick.borrow().as_ref()) {
                if let Ok(id) = w.set_timeout_with_callback_and_timeout_and_arguments_0(
                    cb.as_ref().unchecked_ref(),
                    delay_ms,
                ) {
                    *pending.borrow_mut() = Some(id);
                }
            }
            move || {
                if let (Some(w), Some(id)) = (web_sys::window(), pending.borrow_mut().take()) {
                    w.clear_timeout_with_handle(id);
                }
                tick.borrow_mut().take();
            }
        });
    }
    (results.1.clone(), current)
}

/// While `turn` is `Some`, calls `on_turn` in a later task each time `turn` changes: a model
/// that runs its work a slice per call (and shows how far it has come, which changes `turn`)
/// gets its next slice after the browser has had its turn to draw and take input.
#[cfg(feature = "full")]
#[hook]
pub fn use_turns<T: PartialEq + Clone + 'static>(turn: Option<T>, on_turn: Callback<()>) {
    use_effect_with(turn, move |turn| {
        let handle = turn.as_ref().and_then(|_| {
            let cb = Closure::once(move || on_turn.emit(()));
            let id = web_sys::window()?
                .set_timeout_with_callback_and_timeout_and_arguments_0(
                    cb.as_ref().unchecked_ref(),
                    0,
                )
                .ok()?;
            Some((id, cb))
        });
        move || {
            if let (Some(w), Some((id, _))) = (web_sys::window(), &handle) {
                w.clear_timeout_with_handle(*id);
            }
            drop(handle);
        }
    });
}

/// Only the full bundle runs anything in turns: the lite one carries none of it.
#[cfg(not(feature = "full"))]
#[hook]
pub fn use_turns<T: PartialEq + Clone + 'static>(turn: Option<T>, on_turn: Callback<()>) {
    let _ = (turn, on_turn);
}
