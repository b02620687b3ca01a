//! The plotters charts, drawn on any backend: the page's canvases, and SVG for files and the
//! command line (`migration-lab chart`). Colours come in as a `Colours`: the page reads them
//! from its CSS custom properties; files use the light theme's.

use plotters::chart::MeshStyle;
use plotters::coord::combinators::IntoLogRange;
use plotters::coord::ranged1d::ValueFormatter;
use plotters::coord::Shift;
use plotters::prelude::*;

use crate::engine::cluster::{ClusterTrace, MigrationRecord, Stage};
use crate::engine::units::MIB;
use crate::engine::Trace;
use crate::text::{localize, Fmt, Lang};

/// Every colour a chart uses.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Colours {
    pub card: RGBColor,
    pub ink: RGBColor,
    pub axis: RGBColor,
    pub grid: RGBColor,
    pub grid_light: RGBColor,
    pub pass: RGBColor,
    pub pass_now: RGBColor,
    pub stop: RGBColor,
    pub threshold: RGBColor,
    pub other: RGBColor,
    pub line_rate: RGBColor,
    /// The device state the blackout sends besides the last pages.
    pub state: RGBColor,
    /// The Gantt chart's stages: queued, setup, storage copy, odd and even pre-copy passes,
    /// blackout (and switchover), cleanup.
    pub queued: RGBColor,
    pub setup: RGBColor,
    pub storage: RGBColor,
    pub pass_odd: RGBColor,
    pub pass_even: RGBColor,
    pub blackout: RGBColor,
    pub cleanup: RGBColor,
    pub postcopy: RGBColor,
}

impl Colours {
    /// The light theme's, as the stylesheet sets them (`palette`): for SVG files and the
    /// command line.
    pub fn light() -> Colours {
        Colours::from_properties(|_| None)
    }

    /// The colours a page's CSS custom properties name (`get("--ink")` …), the light
    /// theme's where one is not set.
    pub fn from_properties(get: impl Fn(&str) -> Option<(u8, u8, u8)>) -> Colours {
        let pick = |name: &str| {
            let (r, g, b) = get(name)
                .or_else(|| crate::palette::light(name))
                .unwrap_or_default();
            RGBColor(r, g, b)
        };
        Colours {
            card: pick("--card"),
            ink: pick("--ink"),
            axis: pick("--chart-axis"),
            grid: pick("--chart-grid"),
            grid_light: pick("--chart-grid-light"),
            pass: pick("--chart-pass"),
            pass_now: pick("--chart-pass-now"),
            stop: pick("--chart-stop"),
            threshold: pick("--chart-threshold"),
            other: pick("--chart-other"),
            line_rate: pick("--chart-line-rate"),
            state: pick("--bo-state"),
            queued: pick("--ph-queued"),
            setup: pick("--ph-setup"),
            storage: pick("--ph-storage"),
            pass_odd: pick("--ph-pass-odd"),
            pass_even: pick("--ph-pass-even"),
            blackout: pick("--ph-blackout"),
            cleanup: pick("--ph-cleanup"),
            postcopy: pick("--ph-postcopy"),
        }
    }

    /// The colour of a migration's stage in the Gantt chart (`pass` counts from 1).
    pub fn stage(&self, stage: Stage, pass: u32) -> RGBColor {
        match stage {
            Stage::Queued => self.queued,
            Stage::Setup => self.setup,
            Stage::Storage => self.storage,
            Stage::Precopy if pass % 2 == 1 => self.pass_odd,
            Stage::Precopy => self.pass_even,
            Stage::Blackout | Stage::Switchover => self.blackout,
            Stage::Postcopy => self.postcopy,
            Stage::Cleanup | Stage::Done => self.cleanup,
        }
    }

    /// Draws a mesh in the charts' style: labels and axis titles `LABEL_PX`, the axis and
    /// grid colours.
    pub fn draw_mesh<'a, 'b, X, Y, XT, YT, DB>(
        &self,
        mesh: &mut MeshStyle<'a, 'b, X, Y, DB>,
        dpr: f64,
    ) -> Result<(), String>
    where
        X: Ranged<ValueType = XT> + ValueFormatter<XT>,
        Y: Ranged<ValueType = YT> + ValueFormatter<YT>,
        DB: DrawingBackend,
    {
        mesh.label_style(self.text(LABEL_PX, dpr))
            .axis_desc_style(self.text(LABEL_PX, dpr))
            .axis_style(self.axis)
            .bold_line_style(self.grid)
            .light_line_style(self.grid_light)
            .draw()
            .map_err(|e| e.to_string())
    }

    /// Draws a chart's legend at `position` in the charts' style.
    pub fn draw_legend<'a, DB: DrawingBackend + 'a, CT: CoordTranslate>(
        &self,
        chart: &mut ChartContext<'a, DB, CT>,
        position: SeriesLabelPosition,
        dpr: f64,
    ) -> Result<(), String> {
        chart
            .configure_series_labels()
            .position(position)
            .background_style(self.card.mix(0.9))
            .border_style(self.grid)
            .label_font(self.text(LABEL_PX, dpr))
            .draw()
            .map_err(|e| e.to_string())
    }

    /// A text style in the text colour, `size` CSS pixels at `dpr`.
    pub fn text(&self, size: f64, dpr: f64) -> TextStyle<'static> {
        // The family by name, not by string: a string would be lower-cased, which compiles
        // in Unicode's case tables.
        (FontFamily::SansSerif, size * dpr)
            .into_font()
            .color(&self.ink)
    }
}

/// The size of the charts' labels (CSS pixels): the least that reads well on a phone.
pub const LABEL_PX: f64 = 12.0;

/// The pass chart's height for a width (CSS pixels): at most 280, so that on a wide column
/// it stays a chart beside the text rather than a wall.
pub fn passes_height(width: f64) -> f64 {
    (width * 0.6).min(280.0)
}

/// The link chart's height (CSS pixels) and its plot area's offsets, which the page's
/// stylesheet repeats to place the time cursor (`.chart-wrap.plot-link`).
pub const LINK_HEIGHT: f64 = 170.0;
pub const LINK_LEFT: f64 = 60.0;
pub const LINK_RIGHT: f64 = 28.0;

/// How many time labels fit under a chart on `area` at `dpr`.
pub fn time_labels<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, dpr: f64) -> usize {
    ((f64::from(area.dim_in_pixel().0) / dpr / 100.0) as usize).clamp(2, 8)
}

/// (label, MiB) per bar: each pre-copy pass, then the memory the blackout sends (the pages the
/// stop policy judged against its threshold; the device state is drawn on top of it).
fn bars(trace: &Trace, lang: Lang) -> Vec<(String, f64)> {
    let mut v: Vec<(String, f64)> = trace
        .passes
        .iter()
        .map(|p| (p.index.to_string(), p.memory_bytes / MIB))
        .collect();
    if let Some(sc) = &trace.stop_copy {
        v.push((
            lang.pick("stop", "Stopp").to_string(),
            sc.memory_bytes / MIB,
        ));
    }
    v
}

/// Labels of a log axis: its ticks are powers of ten (0.1, 1, 10, 1000 …), printed as they
/// are (with a decimal comma in German).
pub(crate) fn log_tick(v: f64, lang: Lang) -> String {
    if v >= 1.0 {
        format!("{v:.0}")
    } else {
        localize(&format!("{v}"), lang)
    }
}

/// Memory sent per pass (log scale), the blackout's bar (its memory, then its device state on
/// top), and each pass's stop threshold, on `root` (its size in device pixels, `dpr` device pixels per CSS pixel); bar `highlight`
/// in the "now" colour.
pub fn draw_passes<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    trace: &Trace,
    highlight: Option<usize>,
    lang: Lang,
    c: &Colours,
    dpr: f64,
) -> Result<(), String> {
    let (pass, pass_now, stop, threshold) = (c.pass, c.pass_now, c.stop, c.threshold);
    let state = trace
        .stop_copy
        .as_ref()
        .map_or(0.0, |sc| sc.device_state_bytes / MIB);
    let px = |v: f64| (v * dpr) as u32;
    let font = |size: f64| c.text(size, dpr);
    let data = bars(trace, lang);
    if data.is_empty() {
        root.draw(&Text::new(
            lang.pick("Nothing was sent", "Es wurde nichts gesendet"),
            (px(20.0) as i32, px(30.0) as i32),
            font(14.0),
        ))
        .map_err(|e| e.to_string())?;
        return root.present().map_err(|e| e.to_string());
    }
    let thresholds: Vec<f64> = trace
        .passes
        .iter()
        .map(|p| p.stop_threshold_bytes / MIB)
        .collect();
    let stacked = data.last().map_or(0.0, |d| d.1) + state;
    let positive = data
        .iter()
        .map(|d| d.1)
        .chain([stacked])
        .chain(thresholds.iter().copied())
        .filter(|v| *v > 0.0);
    let lo = positive.clone().fold(f64::INFINITY, f64::min);
    let hi = positive.fold(0.0, f64::max);
    let lo = if lo.is_finite() {
        10f64.powf((lo / 2.0).log10().floor())
    } else {
        0.01
    };
    let hi = if hi > 0.0 { hi * 2.0 } else { 1.0 };
    let n = data.len();

    let mut chart = ChartBuilder::on(root)
        .margin(px(10.0))
        .x_label_area_size(px(34.0))
        .y_label_area_size(px(70.0))
        .build_cartesian_2d(0.5f64..(n as f64 + 0.5).max(2.5), (lo..hi).log_scale())
        .map_err(|e| e.to_string())?;
    let labels = data.iter().map(|d| d.0.clone()).collect::<Vec<_>>();
    c.draw_mesh(
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(n.min(16))
            .x_label_formatter(&|x| {
                let i = x.round() as usize;
                if (x - x.round()).abs() < 1e-6 && i >= 1 && i <= labels.len() {
                    labels[i - 1].clone()
                } else {
                    String::new()
                }
            })
            .y_label_formatter(&|y| log_tick(*y, lang))
            .x_desc(lang.pick(
                "pre-copy pass (then the blackout)",
                "Kopierdurchlauf (danach der Blackout)",
            ))
            .y_desc(lang.pick("MiB sent (log scale)", "gesendete MiB (log. Skala)")),
        dpr,
    )?;

    let stop_index = trace.stop_copy.as_ref().map(|_| n - 1);
    chart
        .draw_series(
            data.iter()
                .enumerate()
                .filter(|(i, _)| Some(*i) != stop_index)
                .map(|(i, d)| {
                    let x = (i + 1) as f64;
                    let colour = if Some(i) == highlight { pass_now } else { pass };
                    Rectangle::new([(x - 0.38, lo), (x + 0.38, d.1.max(lo))], colour.filled())
                }),
        )
        .map_err(|e| e.to_string())?;
    if let Some(si) = stop_index {
        let x = (si + 1) as f64;
        let alpha = if highlight == Some(si) { 1.0 } else { 0.85 };
        let memory = data[si].1.max(lo);
        chart
            .draw_series([
                Rectangle::new(
                    [(x - 0.38, lo), (x + 0.38, memory)],
                    stop.mix(alpha).filled(),
                ),
                Rectangle::new(
                    [(x - 0.38, memory), (x + 0.38, memory + state)],
                    c.state.mix(alpha).filled(),
                ),
            ])
            .map_err(|e| e.to_string())?;
    }
    if !thresholds.is_empty() {
        // Pass i's threshold judges what pass i left dirty: the next bar (or the blackout's).
        let line = thresholds.iter().enumerate().flat_map(|(i, v)| {
            let x = (i + 2) as f64;
            [(x - 0.5, v.max(lo)), (x + 0.5, v.max(lo))]
        });
        chart
            .draw_series(LineSeries::new(line, threshold.stroke_width(px(2.0))))
            .map_err(|e| e.to_string())?;
    }
    root.present().map_err(|e| e.to_string())
}

/// Link use over time on `root`: migration traffic, other traffic stacked on it, and the line
/// rate.
pub fn draw_link<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    trace: &Trace,
    lang: Lang,
    c: &Colours,
    dpr: f64,
) -> Result<(), String> {
    let f = Fmt(lang);
    let px = |v: f64| (v * dpr) as u32;
    let font = |size: f64| c.text(size, dpr);
    let gbit = |bytes_per_s: f64| bytes_per_s * 8.0 / 1e9;
    let line = gbit(trace.rates.line_rate);
    let end = trace.total_time_s.max(1e-3);
    let top = if line > 0.0 { line * 1.05 } else { 1.0 };
    let mut chart = ChartBuilder::on(root)
        .margin_top(px(8.0))
        .margin_bottom(px(4.0))
        .margin_right(px(LINK_RIGHT))
        .margin_left(px(0.0))
        .x_label_area_size(px(30.0))
        .y_label_area_size(px(LINK_LEFT))
        .build_cartesian_2d(0f64..end, 0f64..top)
        .map_err(|e| e.to_string())?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(time_labels(root, dpr))
        .y_labels(5)
        .x_label_formatter(&|x| f.duration(*x))
        .y_label_formatter(&|y| f.num(*y, 1))
        .y_desc("Gbit/s")
        .label_style(font(LABEL_PX))
        .axis_desc_style(font(LABEL_PX))
        .axis_style(c.axis)
        .bold_line_style(c.grid)
        .light_line_style(c.grid_light)
        .draw()
        .map_err(|e| e.to_string())?;
    // Step outlines: migration traffic, and other traffic stacked on top of it.
    let mut mig = vec![(0.0, 0.0)];
    let mut other = vec![(0.0, 0.0)];
    for sg in &trace.segments {
        let m = gbit(sg.wire_rate);
        let o = m + gbit(trace.rates.background_carried(sg.background));
        mig.extend([
            (sg.start_s, 0.0),
            (sg.start_s, m),
            (sg.end_s, m),
            (sg.end_s, 0.0),
        ]);
        other.extend([
            (sg.start_s, 0.0),
            (sg.start_s, o),
            (sg.end_s, o),
            (sg.end_s, 0.0),
        ]);
    }
    mig.push((end, 0.0));
    other.push((end, 0.0));
    chart
        .draw_series(std::iter::once(Polygon::new(other, c.other.filled())))
        .map_err(|e| e.to_string())?;
    chart
        .draw_series(std::iter::once(Polygon::new(
            mig,
            c.pass.mix(0.85).filled(),
        )))
        .map_err(|e| e.to_string())?;
    if line > 0.0 {
        chart
            .draw_series(LineSeries::new(
                [(0.0, line), (end, line)],
                c.line_rate.stroke_width(px(1.0)),
            ))
            .map_err(|e| e.to_string())?;
    }
    root.present().map_err(|e| e.to_string())
}

/// The Gantt chart's narrowest label column and its right margin, and the height of one row
/// (CSS pixels), which the page's stylesheet repeats to place its cursor and inspector
/// (`.chart-wrap.plot-gantt`); the page sets the column's width as drawn.
pub const GANTT_LEFT: f64 = 90.0;
/// The most of the Gantt chart's width its label column takes.
const GANTT_LEFT_SHARE: f64 = 0.4;
pub const GANTT_RIGHT: f64 = 28.0;
pub const GANTT_ROW: f64 = 18.0;

/// The migrations the Gantt chart has a row for, top to bottom: all but the refused ones.
pub fn gantt_rows(trace: &ClusterTrace) -> Vec<&MigrationRecord> {
    trace
        .migrations
        .iter()
        .filter(|m| m.refused.is_none())
        .collect()
}

/// The Gantt chart's height for `rows` rows (CSS pixels).
pub fn gantt_height(rows: usize) -> f64 {
    40.0 + GANTT_ROW * rows.max(1) as f64
}

/// The Gantt chart's row labels (`VM → host`) and the width of its label column (CSS
/// pixels) in a chart `width` wide, given the width of a label at `LABEL_PX`: the column
/// holds the widest label, up to `GANTT_LEFT_SHARE` of the chart; a label wider than that
/// loses the end of its VM's name to "…", and keeps its host.
pub fn gantt_labels(
    rows: &[&MigrationRecord],
    width: f64,
    measure: impl Fn(&str) -> f64,
) -> (Vec<String>, f64) {
    // 4 pixels before a label, 8 between it and the bars.
    let room = (width * GANTT_LEFT_SHARE).max(GANTT_LEFT) - 12.0;
    let labels: Vec<String> = rows
        .iter()
        .map(|m| {
            let mut vm: Vec<char> = m.vm.chars().collect();
            let mut label = format!("{} → {}", m.vm, m.to);
            while measure(&label) > room && !vm.is_empty() {
                vm.pop();
                label = format!("{}… → {}", vm.iter().collect::<String>(), m.to);
            }
            label
        })
        .collect();
    let widest = labels.iter().map(|l| measure(l)).fold(0.0, f64::max);
    let left = (widest.min(room) + 12.0).max(GANTT_LEFT).ceil();
    (labels, left)
}

/// The width of `text` at `LABEL_PX` where no font can be measured (an SVG file): a sans-serif
/// character's width at most.
pub fn estimated_width(text: &str) -> f64 {
    text.chars().count() as f64 * LABEL_PX * 0.62
}

/// A row per migration (`VM → host`), its stages as bars on the cluster's clock; `measure`
/// gives a label's width (CSS pixels, at `LABEL_PX`). Returns the label column's width.
pub fn draw_gantt<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    trace: &ClusterTrace,
    lang: Lang,
    c: &Colours,
    dpr: f64,
    measure: impl Fn(&str) -> f64,
) -> Result<f64, String> {
    let f = Fmt(lang);
    let rows = gantt_rows(trace);
    let px = |v: f64| (v * dpr) as u32;
    let end = trace.makespan_s.max(1e-3);
    let n = rows.len().max(1) as f64;
    let width = f64::from(root.dim_in_pixel().0) / dpr;
    let (labels, left) = gantt_labels(&rows, width, measure);
    let mut chart = ChartBuilder::on(root)
        .margin_top(px(6.0))
        .margin_right(px(GANTT_RIGHT))
        .x_label_area_size(px(28.0))
        .y_label_area_size(px(left))
        .build_cartesian_2d(0f64..end, 0f64..n)
        .map_err(|e| e.to_string())?;
    chart
        .configure_mesh()
        .disable_mesh()
        .disable_y_axis()
        .x_labels(time_labels(root, dpr))
        .x_label_formatter(&|x| f.duration(*x))
        .label_style(c.text(LABEL_PX, dpr))
        .axis_style(c.axis)
        .draw()
        .map_err(|e| e.to_string())?;
    // Row names in the label area, centred on their bars.
    for (i, label) in labels.into_iter().enumerate() {
        let (_, y) = chart.backend_coord(&(0.0, n - i as f64 - 0.5));
        root.draw(&Text::new(
            label,
            (px(4.0) as i32, y - (LABEL_PX / 2.0 * dpr) as i32),
            c.text(LABEL_PX, dpr),
        ))
        .map_err(|e| e.to_string())?;
    }
    // Queued time is drawn as an outline (in the setup colour) around its faint fill, so the
    // wait stays visible against the background.
    let mut bars = Vec::new();
    for (i, m) in rows.iter().enumerate() {
        let y0 = n - i as f64 - 0.85;
        let y1 = n - i as f64 - 0.15;
        for s in m.stages.iter().filter(|s| s.end_s > s.start_s) {
            let corners = [(s.start_s, y0), (s.end_s, y1)];
            bars.push(Rectangle::new(corners, c.stage(s.stage, s.pass).filled()));
            if s.stage == Stage::Queued {
                bars.push(Rectangle::new(corners, c.setup.stroke_width(1)));
            }
        }
    }
    chart.draw_series(bars).map_err(|e| e.to_string())?;
    root.present().map_err(|e| e.to_string())?;
    Ok(left)
}

/// A chart drawn by `draw` as an SVG document `width` × `height` pixels on the card colour.
pub(crate) fn svg(
    width: u32,
    height: u32,
    c: &Colours,
    draw: impl FnOnce(&DrawingArea<SVGBackend, Shift>) -> Result<(), String>,
) -> Result<String, String> {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (width, height)).into_drawing_area();
        root.fill(&c.card).map_err(|e| e.to_string())?;
        draw(&root)?;
    }
    Ok(out)
}

/// The pass chart as an SVG document `width` pixels wide.
pub fn passes_svg(trace: &Trace, lang: Lang, width: u32, c: &Colours) -> Result<String, String> {
    let height = passes_height(f64::from(width)).round() as u32;
    svg(width, height, c, |root| {
        draw_passes(root, trace, None, lang, c, 1.0)
    })
}

/// The link chart as an SVG document `width` pixels wide.
pub fn link_svg(trace: &Trace, lang: Lang, width: u32, c: &Colours) -> Result<String, String> {
    svg(width, LINK_HEIGHT as u32, c, |root| {
        draw_link(root, trace, lang, c, 1.0)
    })
}

/// The cluster's Gantt chart as an SVG document `width` pixels wide.
pub fn gantt_svg(
    trace: &ClusterTrace,
    lang: Lang,
    width: u32,
    c: &Colours,
) -> Result<String, String> {
    let height = gantt_height(gantt_rows(trace).len()).round() as u32;
    svg(width, height, c, |root| {
        draw_gantt(root, trace, lang, c, 1.0, estimated_width).map(|_| ())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{simulate, Scenario};

    #[test]
    fn svg_charts_show_every_bar_and_their_labels() {
        let t = simulate(&Scenario::default()).unwrap();
        let svg = passes_svg(&t, Lang::En, 640, &Colours::light()).unwrap();
        assert!(
            svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"),
            "{svg}"
        );
        assert!(svg.contains("MiB sent (log scale)"));
        // One filled rectangle per pass in the pass colour, one in the blackout colour.
        let fill = |c: RGBColor| format!("fill=\"#{:02X}{:02X}{:02X}\"", c.0, c.1, c.2);
        assert_eq!(
            svg.matches(&fill(Colours::light().pass)).count(),
            t.passes.len(),
            "{svg}"
        );
        assert!(svg.contains(&fill(Colours::light().stop)));
        // The blackout's device state is drawn on its memory, in a colour of its own.
        assert!(svg.contains(&fill(Colours::light().state)));
        let de = link_svg(&t, Lang::De, 640, &Colours::light()).unwrap();
        assert!(de.contains("Gbit/s") && de.contains(",00 s"), "{de}");
    }

    #[test]
    fn the_gantt_chart_has_a_row_per_migration_with_its_stages() {
        let cluster = crate::presets::preset(2);
        let t = crate::engine::simulate_cluster(&cluster).unwrap();
        let rows = gantt_rows(&t);
        assert!(rows.len() >= 8, "the drain moves 8 VMs");
        let svg = gantt_svg(&t, Lang::En, 800, &Colours::light()).unwrap();
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
        assert!(svg.contains(&format!("height=\"{}\"", gantt_height(rows.len()) as u32)));
        for m in &rows {
            assert!(
                svg.contains(&format!("{} → {}", m.vm, m.to)),
                "row {}",
                m.vm
            );
        }
        // Every migration that ran has a blackout bar.
        let fill = |c: RGBColor| format!("fill=\"#{:02X}{:02X}{:02X}\"", c.0, c.1, c.2);
        let ran = rows.iter().filter(|m| m.downtime_s > 0.0).count();
        assert!(ran > 0);
        assert!(
            svg.matches(&fill(Colours::light().blackout)).count() >= ran,
            "{svg}"
        );
        let de = gantt_svg(&t, Lang::De, 800, &Colours::light()).unwrap();
        assert!(de.contains(",") && de != svg);
    }

    #[test]
    fn gantt_labels_fit_their_column_and_keep_the_host() {
        let mut cluster = crate::presets::preset(2);
        cluster.vms[0].name = "exchange-mailbox-01".into();
        let t = crate::engine::simulate_cluster(&cluster).unwrap();
        let rows = gantt_rows(&t);
        // A wide chart: the column grows to hold the long name.
        let (labels, left) = gantt_labels(&rows, 1000.0, estimated_width);
        let widest = labels
            .iter()
            .map(|l| estimated_width(l))
            .fold(0.0, f64::max);
        assert!(labels
            .iter()
            .any(|l| l.starts_with("exchange-mailbox-01 → ")));
        assert!(
            left >= widest + 12.0 && left > GANTT_LEFT,
            "{left} for {widest}"
        );
        // A phone's: at most 40 % of it, the name shortened, the host kept.
        let (labels, left) = gantt_labels(&rows, 300.0, estimated_width);
        assert!(left <= 120.0, "{left}");
        for (l, m) in labels.iter().zip(&rows) {
            assert!(estimated_width(l) + 12.0 <= left, "{l}");
            assert!(l.ends_with(&format!(" → {}", m.to)), "{l}");
        }
        assert!(labels
            .iter()
            .any(|l| l.starts_with("exch") && l.contains("… → ")));
        // Short names: the narrowest column.
        let (_, left) = gantt_labels(&rows[1..], 1000.0, |_| 40.0);
        assert_eq!(left, GANTT_LEFT);
    }
}
