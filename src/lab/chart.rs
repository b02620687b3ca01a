//! The lab's charts, drawn on any backend: predicted against measured total time as a scatter
//! (`migration-lab lab compare FILE --svg OUT`, and the page's "Checked against real QEMU"
//! panel), and one run's bytes left over time, QEMU's against the engine's.

use plotters::coord::combinators::IntoLogRange;
use plotters::coord::Shift;
use plotters::prelude::*;

use super::compare::Report;
use super::grid::Split;
use crate::charts::{log_tick, svg, Colours};
use crate::engine::units::MIB;
use crate::text::{Fmt, Lang};

/// The scatter's height for a width.
pub fn scatter_height(width: f64) -> f64 {
    (width * 0.75).clamp(240.0, 520.0)
}

/// The bytes-left chart's height (CSS pixels).
pub const LEFT_HEIGHT: f64 = 240.0;

/// The scatter as an SVG document `width` pixels wide.
pub fn scatter_svg(report: &Report, width: u32, c: &Colours) -> Result<String, String> {
    let height = scatter_height(f64::from(width)).round() as u32;
    svg(width, height, c, |root| {
        let area = root
            .titled(
                "Total time: engine against real QEMU (lab runs both finished)",
                c.text(14.0, 1.0),
            )
            .map_err(|e| e.to_string())?;
        draw_scatter(&area, report, None, true, Lang::En, c, 1.0)?;
        root.present().map_err(|e| e.to_string())
    })
}

/// Predicted against measured total time on log axes, runs both converged in: calibration runs
/// hollow, held-out ones filled, with the line where they agree and the ±20 % band. The run
/// `mark` (an index into `report.runs`) is ringed. With `legend`, plotters draws the legend
/// (files); the page writes its own in HTML, as plotters measures legend text with inline
/// styles, which the page's Content Security Policy refuses.
pub fn draw_scatter<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    report: &Report,
    mark: Option<usize>,
    legend: bool,
    lang: Lang,
    c: &Colours,
    dpr: f64,
) -> Result<(), String> {
    let px = |v: f64| (v * dpr) as u32;
    let r = |v: f64| (v * dpr).round() as i32;
    let points: Vec<(f64, f64, Split, usize)> = report
        .runs
        .iter()
        .enumerate()
        .filter(|(_, r)| r.err_total.is_some() && r.qemu_total_s > 0.0 && r.engine_total_s > 0.0)
        .map(|(i, r)| (r.qemu_total_s, r.engine_total_s, r.split, i))
        .collect();
    let lo = points
        .iter()
        .flat_map(|p| [p.0, p.1])
        .fold(f64::INFINITY, f64::min)
        .clamp(1e-3, 1e6)
        * 0.7;
    let hi = points
        .iter()
        .flat_map(|p| [p.0, p.1])
        .fold(0.0, f64::max)
        .max(lo * 10.0)
        * 1.4;
    let mut chart = ChartBuilder::on(root)
        .margin(px(12.0))
        .x_label_area_size(px(40.0))
        .y_label_area_size(px(56.0))
        .build_cartesian_2d((lo..hi).log_scale(), (lo..hi).log_scale())
        .map_err(|e| e.to_string())?;
    c.draw_mesh(
        chart
            .configure_mesh()
            .x_desc(lang.pick("QEMU, measured (s)", "QEMU, gemessen (s)"))
            .y_desc(lang.pick("engine, predicted (s)", "Simulation, vorhergesagt (s)"))
            .x_label_formatter(&|x| log_tick(*x, lang))
            .y_label_formatter(&|y| log_tick(*y, lang)),
        dpr,
    )?;
    let line = |k: f64| vec![(lo, lo * k), (hi / k.max(1.0), hi * k.min(1.0))];
    let legend_line = move |colour: RGBColor| {
        move |(x, y): (i32, i32)| PathElement::new(vec![(x, y), (x + r(16.0), y)], colour)
    };
    chart
        .draw_series(LineSeries::new(line(1.0), c.ink.stroke_width(1)))
        .map_err(|e| e.to_string())?
        .label(lang.pick("engine = QEMU", "Simulation = QEMU"))
        .legend(legend_line(c.ink));
    for (k, label) in [(1.2, "±20 %"), (0.8, "")] {
        let series = chart
            .draw_series(LineSeries::new(line(k), c.axis.stroke_width(1)))
            .map_err(|e| e.to_string())?;
        if !label.is_empty() {
            series.label(label).legend(legend_line(c.axis));
        }
    }
    let dot = r(4.0);
    chart
        .draw_series(
            points
                .iter()
                .filter(|p| p.2 == Split::Calibration)
                .map(|p| Circle::new((p.0, p.1), dot, c.stop.stroke_width(px(1.0).max(1)))),
        )
        .map_err(|e| e.to_string())?
        .label(lang.pick("calibration half", "Kalibrierhälfte"))
        .legend(move |(x, y)| Circle::new((x + r(8.0), y), dot, c.stop.stroke_width(1)));
    chart
        .draw_series(
            points
                .iter()
                .filter(|p| p.2 == Split::Holdout)
                .map(|p| Circle::new((p.0, p.1), dot, c.pass.filled())),
        )
        .map_err(|e| e.to_string())?
        .label(lang.pick("held-out half", "zurückgehaltene Hälfte"))
        .legend(move |(x, y)| Circle::new((x + r(8.0), y), dot, c.pass.filled()));
    if let Some(p) = points.iter().find(|p| Some(p.3) == mark) {
        chart
            .draw_series(std::iter::once(Circle::new(
                (p.0, p.1),
                r(9.0),
                c.threshold.stroke_width(px(2.0).max(1)),
            )))
            .map_err(|e| e.to_string())?
            .label(lang.pick("the opened run", "der geöffnete Lauf"))
            .legend(move |(x, y)| Circle::new((x + r(8.0), y), dot, c.threshold.stroke_width(2)));
    }
    if legend {
        c.draw_legend(&mut chart, SeriesLabelPosition::UpperLeft, dpr)?;
    }
    Ok(())
}

/// Bytes left to send over time: QEMU's `ram.remaining` as sampled every 100 ms (points joined
/// by a dashed line) and the engine's curve for the same inputs (`Trace::left_series`), both as
/// `(s, bytes)`. `legend` as for [`draw_scatter`].
pub fn draw_left<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    measured: &[(f64, f64)],
    engine: &[(f64, f64)],
    legend: bool,
    lang: Lang,
    c: &Colours,
    dpr: f64,
) -> Result<(), String> {
    let px = |v: f64| (v * dpr) as u32;
    let r = |v: f64| (v * dpr).round() as i32;
    let all = || measured.iter().chain(engine);
    let end = all().map(|p| p.0).fold(0.0, f64::max).max(1e-3) * 1.02;
    let top = all().map(|p| p.1 / MIB).fold(0.0, f64::max).max(1.0) * 1.05;
    let mut chart = ChartBuilder::on(root)
        .margin(px(8.0))
        .x_label_area_size(px(42.0))
        .y_label_area_size(px(60.0))
        .build_cartesian_2d(0f64..end, 0f64..top)
        .map_err(|e| e.to_string())?;
    c.draw_mesh(
        chart
            .configure_mesh()
            .x_desc(lang.pick(
                "time since the migration started",
                "Zeit seit Beginn der Migration",
            ))
            .y_desc(lang.pick("left to send (MiB)", "noch zu senden (MiB)"))
            // A label per 80 CSS pixels at most, so they stay apart on a phone.
            .x_labels((f64::from(root.dim_in_pixel().0) / dpr / 80.0).max(2.0) as usize)
            .x_label_formatter(&|x| Fmt(lang).duration(*x))
            .y_label_formatter(&|y| format!("{y:.0}")),
        dpr,
    )?;
    let mib = |p: &(f64, f64)| (p.0, p.1 / MIB);
    chart
        .draw_series(LineSeries::new(
            engine.iter().map(mib),
            c.pass.stroke_width(px(2.0).max(1)),
        ))
        .map_err(|e| e.to_string())?
        .label(lang.pick("engine", "Simulation"))
        .legend(move |(x, y)| {
            PathElement::new(vec![(x, y), (x + r(16.0), y)], c.pass.stroke_width(2))
        });
    chart
        .draw_series(DashedLineSeries::new(
            measured.iter().map(mib),
            r(4.0).max(1) as u32,
            r(3.0).max(1) as u32,
            c.stop.stroke_width(px(1.0).max(1)),
        ))
        .map_err(|e| e.to_string())?;
    chart
        .draw_series(
            measured
                .iter()
                .map(|p| Circle::new(mib(p), r(2.5), c.stop.filled())),
        )
        .map_err(|e| e.to_string())?
        .label(lang.pick("QEMU, measured every 100 ms", "QEMU, alle 100 ms gemessen"))
        .legend(move |(x, y)| Circle::new((x + r(8.0), y), r(3.0), c.stop.filled()));
    if legend {
        c.draw_legend(&mut chart, SeriesLabelPosition::UpperRight, dpr)?;
    }
    Ok(())
}

/// The bytes-left chart as an SVG document `width` pixels wide.
pub fn left_svg(
    measured: &[(f64, f64)],
    engine: &[(f64, f64)],
    lang: Lang,
    width: u32,
    c: &Colours,
) -> Result<String, String> {
    svg(width, LEFT_HEIGHT as u32, c, |root| {
        draw_left(root, measured, engine, true, lang, c, 1.0)?;
        root.present().map_err(|e| e.to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bytes_left_chart_draws_both_curves_with_a_legend() {
        let measured = [(0.1, 900.0 * MIB), (0.2, 400.0 * MIB), (0.3, 0.0)];
        let engine = [(0.0, 1024.0 * MIB), (0.28, 0.0)];
        let svg = left_svg(&measured, &engine, Lang::De, 600, &Colours::light()).unwrap();
        assert!(svg.contains("Simulation") && svg.contains("QEMU, alle 100 ms gemessen"));
        assert!(svg.contains("noch zu senden (MiB)"));
        // Three measured points, each a circle.
        assert!(svg.matches("<circle").count() >= 3, "{svg}");
    }
}
