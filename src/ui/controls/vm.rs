//! The VM's panel: memory and its parts, the dirty rate, how the guest writes.

use crate::chapters::Control;
use crate::engine::transport::PAGE_BYTES;
use crate::engine::{Pattern, Vm};
use crate::model::scale::DIRTY_RATE;
use crate::model::{Edit, Part};
use yew::prelude::*;

use super::widgets::*;
use super::PanelProps;
use crate::ui::handover::FULL;

/// Nice rounding for log-scale memory: 0.5, 0.75, 1, 1.5, 2, 3, 4, 6, 8 … GiB.
fn memory_from_position(pos: f64) -> f64 {
    let gib = 2f64.powf(pos);
    let mag = 2f64.powf(gib.log2().floor());
    (gib / mag * 4.0).round() / 4.0 * mag
}

/// The VM's panel.
pub(super) fn panel(vm: &Vm, p: &PanelProps) -> Html {
    let (lang, w) = (p.lang, &p.wiring);
    let show = |c: Control| p.shows.has(c);
    let memory_gib = vm.memory_mib / 1024.0;
    let ws_pct = if vm.memory_mib > 0.0 {
        vm.working_set_mib / vm.memory_mib * 100.0
    } else {
        0.0
    };
    // Memory's parts keep their shares of it; raising one part takes room from the other.
    let on_memory_slide = w.intent(|pos: f64| Edit::Memory(memory_from_position(pos) * 1024.0));
    let on_memory_value = w.intent(|gib: f64| Edit::Memory(gib * 1024.0));
    let on_ws = w.intent(|pct: f64| Edit::Share(Part::WorkingSet, pct));
    let on_dirty = w.editor(|s, v: f64| s.vm.dirty_rate_mibps = v);
    let on_dirty_slide = w.editor(|s, pos: f64| s.vm.dirty_rate_mibps = DIRTY_RATE.value(pos));
    let on_pattern =
        w.editor(|s, v: String| s.vm.pattern = Pattern::from_name(&v).unwrap_or_default());
    let pattern = vm.pattern.name();
    let free_pct = if vm.memory_mib > 0.0 {
        vm.untouched_mib / vm.memory_mib * 100.0
    } else {
        0.0
    };
    let on_free = w.intent(|pct: f64| Edit::Share(Part::Untouched, pct));
    let on_content = w.editor(|s, pct: f64| s.vm.compressible_fraction = pct / 100.0);
    let write_value = vm.write_bytes.to_string();
    let on_write = w.editor(|s, v: String| {
        s.vm.write_bytes = v.parse().unwrap_or(PAGE_BYTES);
    });
    let mem_g = w.guard("memory", &on_memory_value, &p.errors);
    let ws_g = w.guard("working-set", &on_ws, &p.errors);
    let dirty_g = w.guard("dirty-rate", &on_dirty, &p.errors);
    let free_g = w.guard("free", &on_free, &p.errors);
    let content_g = w.guard("content", &on_content, &p.errors);
    html! {
        <>
            <h2>{lang.pick("The VM", "Der virtuelle Computer")}</h2>
            if show(Control::Memory) {
                <Slider id="memory" label={lang.pick("Memory", "Arbeitsspeicher")} unit="GiB" min={-1.0} max={10.0} step={0.25}
                    position={memory_gib.max(0.5).log2()} value={memory_gib}
                    on_slide={on_memory_slide} on_value={mem_g.0} error={mem_g.1.map(|(m, t)| (AttrValue::from(m), AttrValue::from(t)))} />
            }
            if show(Control::WorkingSet) {
                <Slider id="working-set" label={lang.pick("Working set (share of memory the guest writes to)", "Arbeitssatz (Anteil des Speichers, in den der Gast schreibt)")} unit="%" min={0.0} max={100.0} step={1.0}
                    position={ws_pct} value={ws_pct} on_slide={on_ws.clone()} on_value={ws_g.0} error={ws_g.1.map(|(m, t)| (AttrValue::from(m), AttrValue::from(t)))} />
            }
            if show(Control::DirtyRate) {
                <Slider id="dirty-rate" label={lang.pick("Dirty rate (how fast the guest writes memory)", "Änderungsrate (wie schnell der Gast in den Speicher schreibt)")} unit="MiB/s" min={0.0} max={f64::from(DIRTY_RATE.steps())} step={1.0}
                    position={DIRTY_RATE.position(vm.dirty_rate_mibps)} value={vm.dirty_rate_mibps}
                    on_slide={on_dirty_slide} on_value={dirty_g.0} error={dirty_g.1.map(|(m, t)| (AttrValue::from(m), AttrValue::from(t)))} />
            }
            if show(Control::Pattern) {
                { choice("pattern", lang.pick("Write pattern", "Schreibmuster"), &[
                    (Pattern::Random.name(), lang.pick("random over the working set", "zufällig über den Arbeitssatz")),
                    (Pattern::Sequential.name(), lang.pick("sequential sweep", "fortlaufend")),
                    (Pattern::HotCold.name(), lang.pick("hot/cold: 80 % of writes to 20 % of the set", "heiß/kalt: 80 % der Schreibzugriffe auf 20 % der Menge")),
                ], pattern, on_pattern) }
            }
            if show(Control::Free) {
                <Slider id="free" label={lang.pick("Never written (all-zero pages)", "Nie beschrieben (Nullseiten)")} unit="%" min={0.0} max={100.0} step={1.0}
                    position={free_pct} value={free_pct} on_slide={on_free.clone()} on_value={free_g.0} error={free_g.1.map(|(m, t)| (AttrValue::from(m), AttrValue::from(t)))}
                    hint={lang.pick("Free memory the guest never touched: QEMU sends it as tiny markers, compression squeezes it.",
                        "Freier Speicher, den der Gast nie berührt hat: QEMU sendet ihn als winzige Markierungen, Komprimierung presst ihn zusammen.")} />
            }
            if show(Control::Content) {
                <Slider id="content" label={lang.pick("Compressible pages (text-like content)", "Komprimierbare Seiten (textartiger Inhalt)")} unit="%" min={0.0} max={100.0} step={5.0}
                    position={vm.compressible_fraction * 100.0} value={vm.compressible_fraction * 100.0}
                    on_slide={on_content.clone()} on_value={content_g.0} error={content_g.1.map(|(m, t)| (AttrValue::from(m), AttrValue::from(t)))} />
            }
            if FULL && show(Control::WriteSize) {
                { choice("write-size", lang.pick("Each write changes", "Jeder Schreibzugriff ändert"), &[
                    ("8", lang.pick("a word (8 bytes)", "ein Wort (8 Bytes)")),
                    ("64", lang.pick("a cache line (64 bytes)", "eine Cache-Zeile (64 Bytes)")),
                    ("4096", lang.pick("the whole page (4 KiB)", "die ganze Seite (4 KiB)")),
                ], &write_value, on_write) }
            }
        </>
    }
}
