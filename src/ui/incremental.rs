//! Work that would not fit in one frame (a sweep of dozens of runs, a spread over many seeds)
//! done a few milliseconds at a time between frames, so the animation never waits for it.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

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

/// A callback that runs in a later task, made once and armed again and again. A study that
/// starts again on every slider step made a JavaScript closure, a timer and a finaliser for
/// each step; with one of these it only arms a timer, and not even that while one is due.
///
/// Put off again (`restart`) while a timer is due, it only moves its deadline: the timer, when
/// it fires before the deadline, arms itself for the rest. A drag puts a settle timer off on
/// every step, and clearing and setting a browser timer each time cost two calls into the
/// page per timer and step.
pub(crate) struct Timer {
    callback: Closure<dyn FnMut()>,
    /// The browser timer's id and the deadline it was set for (the page's clock, ms), while
    /// one is set.
    due: Cell<Option<(i32, f64)>>,
    /// When the callback is to run (the page's clock, ms); a timer that fires earlier arms
    /// itself again for the rest.
    deadline: Cell<f64>,
}

impl Timer {
    /// `run` gets the timer it runs from, to arm it again.
    pub(crate) fn new(run: impl Fn(&Timer) + 'static) -> Rc<Timer> {
        Rc::new_cyclic(|me: &Weak<Timer>| {
            let me = me.clone();
            Timer {
                callback: Closure::new(move || {
                    let Some(timer) = me.upgrade() else { return };
                    timer.due.set(None);
                    let deadline = timer.deadline.get();
                    let left = deadline - now_ms();
                    if left >= 1.0 {
                        timer.arm(left.ceil() as i32, deadline);
                    } else {
                        run(&timer);
                    }
                }),
                due: Cell::new(None),
                deadline: Cell::new(0.0),
            }
        })
    }

    /// Runs the callback in a later task, unless it is due to run already.
    pub(crate) fn soon(&self) {
        if self.due.get().is_none() {
            // Set for the next task: before any deadline.
            self.deadline.set(0.0);
            self.arm(0, 0.0);
        }
    }

    /// Runs the callback `ms` from now, instead of whenever it was due.
    pub(crate) fn restart(&self, ms: i32) {
        let deadline = now_ms() + f64::from(ms);
        self.deadline.set(deadline);
        match self.due.get() {
            // A timer that fires by the deadline arms itself for the rest.
            Some((_, at)) if at <= deadline => {}
            _ => {
                self.cancel();
                self.arm(ms, deadline);
            }
        }
    }

    /// Runs the callback at most `ms` from now: arms a timer unless one is due already (a
    /// view kept at most that far behind, however often it is told to).
    #[cfg(feature = "full")]
    pub(crate) fn within(&self, ms: i32) {
        if self.due.get().is_none() {
            let deadline = now_ms() + f64::from(ms);
            self.deadline.set(deadline);
            self.arm(ms, deadline);
        }
    }

    /// Sets a browser timer `ms` from now, for the deadline `at`.
    fn arm(&self, ms: i32, at: f64) {
        let id = web_sys::window().and_then(|w| {
            w.set_timeout_with_callback_and_timeout_and_arguments_0(
                self.callback.as_ref().unchecked_ref(),
                ms,
            )
            .ok()
        });
        self.due.set(id.map(|id| (id, at)));
    }

    pub(crate) fn cancel(&self) {
        if let (Some(w), Some((id, _))) = (web_sys::window(), self.due.take()) {
            w.clear_timeout_with_handle(id);
        }
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        self.cancel();
    }
}

/// One item of a sliced study (see `use_settled_stepped`).
type Step<K, S, T> = dyn Fn(&K, usize, &mut Option<S>, &dyn Fn() -> bool) -> Option<T>;

/// A study under way: its key, its items so far and where it goes on.
struct Job<K, S, T> {
    key: Rc<K>,
    item: Rc<Step<K, S, T>>,
    done: Vec<Option<T>>,
    next: usize,
    /// The item under way, when one did not fit in a slice.
    partial: Option<S>,
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
    let job: Rc<RefCell<Option<Job<K, S, T>>>> = use_mut_ref(|| None);
    // One timer for the component's life: each turn computes until the budget is spent,
    // publishes what is done and asks for another turn while work is left.
    let timer = {
        let (job, results) = (job.clone(), results.clone());
        use_memo((), move |()| {
            Timer::new(move |timer| {
                let mut slot = job.borrow_mut();
                let Some(j) = slot.as_mut() else { return };
                let start = now_ms();
                let over = move || now_ms() - start > BUDGET_MS;
                while j.next < j.done.len() {
                    let Some(value) = (j.item)(&j.key, j.next, &mut j.partial, &over) else {
                        break;
                    };
                    j.partial = None;
                    j.done[j.next] = Some(value);
                    j.next += 1;
                    if over() {
                        break;
                    }
                }
                results.set((Some(j.key.clone()), Rc::new(j.done.clone())));
                if j.next < j.done.len() {
                    timer.soon();
                }
            })
        })
    };
    let item: Rc<Step<K, S, T>> = Rc::new(item);
    use_effect_with((key, n), move |(key, n)| {
        *job.borrow_mut() = Some(Job {
            key: key.clone(),
            item,
            done: vec![None; *n],
            next: 0,
            partial: None,
        });
        // The first slice runs in a later task, after this render is on screen (and, for a
        // settled study, after the key has stayed the same for `delay_ms`). The timer stops
        // with the component (`Timer`'s drop).
        if delay_ms > 0 {
            timer.restart(delay_ms);
        } else {
            timer.soon();
        }
    });
    (results.1.clone(), current)
}

/// While `on`, calls `on_turn` again and again, each time in a task of its own, so that the
/// browser draws and takes input between them: for a model that runs its work a slice per
/// call, and decides itself when a slice has something new to show (one with nothing new
/// renders nothing).
///
/// The tasks come from a message channel, not a timer: a chain of timers set from timers is
/// held back 4 ms a link (HTML's timer nesting clamp), half a slice of work each time.
#[cfg(feature = "full")]
#[hook]
pub fn use_turns(on: bool, on_turn: Callback<()>) {
    // It calls the latest `on_turn`.
    let latest = use_mut_ref(|| on_turn.clone());
    *latest.borrow_mut() = on_turn;
    let turns = use_memo((), move |()| Turns::new(move || latest.borrow().emit(())));
    use_effect_with(on, move |&on| turns.set(on));
}

/// A callback called once per task while on (`use_turns`), through a message channel: one
/// message is in flight at a time, and a call made while off is dropped. Made like `Timer`:
/// its message handler holds it weakly.
#[cfg(feature = "full")]
struct Turns {
    channel: Option<web_sys::MessageChannel>,
    /// Kept for the channel's life.
    onmessage: Closure<dyn FnMut()>,
    on: Cell<bool>,
    /// A message is in flight.
    sent: Cell<bool>,
}

#[cfg(feature = "full")]
impl Turns {
    fn new(call: impl Fn() + 'static) -> Rc<Turns> {
        let turns = Rc::new_cyclic(|me: &Weak<Turns>| {
            let me = me.clone();
            Turns {
                channel: web_sys::MessageChannel::new().ok(),
                onmessage: Closure::new(move || {
                    let Some(turns) = me.upgrade() else { return };
                    turns.sent.set(false);
                    if turns.on.get() {
                        call();
                        // Still on after the call (a call that ends the work turns it off
                        // when the page renders that, in a later task): the next one.
                        turns.post();
                    }
                }),
                on: Cell::new(false),
                sent: Cell::new(false),
            }
        });
        if let Some(c) = &turns.channel {
            c.port1()
                .set_onmessage(Some(turns.onmessage.as_ref().unchecked_ref()));
        }
        turns
    }

    fn set(&self, on: bool) {
        self.on.set(on);
        self.post();
    }

    /// Sends the message that calls the callback in the next task, if on and none is in
    /// flight.
    fn post(&self) {
        if let (true, false, Some(c)) = (self.on.get(), self.sent.get(), &self.channel) {
            self.sent
                .set(c.port2().post_message(&wasm_bindgen::JsValue::NULL).is_ok());
        }
    }
}

#[cfg(feature = "full")]
impl Drop for Turns {
    fn drop(&mut self) {
        if let Some(c) = &self.channel {
            c.port1().set_onmessage(None);
            c.port1().close();
            c.port2().close();
        }
    }
}

/// Only the full bundle runs anything in turns: the lite one carries none of it.
#[cfg(not(feature = "full"))]
#[hook]
pub fn use_turns(on: bool, on_turn: Callback<()>) {
    let _ = (on, on_turn);
}
