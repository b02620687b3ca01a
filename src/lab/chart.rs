//! The engine's total time against QEMU's, a point per lab run, as an SVG scatter
//! (`migration-lab lab compare FILE --svg OUT`).

use plotters::coord::combinators::IntoLogRange;
use plotters::prelude::*;

use super::compare::Report;
use super::grid::Split;
use crate::charts::{svg, Colours};

/// Predicted against measured total time on log axes, runs both converged in: calibration runs
/// hollow, held-out ones filled, with the line where they agree and the ±20 % band.
pub fn scatter_svg(report: &Report, width: u32, c: &Colours) -> Result<String, String> {
    let points: Vec<(f64, f64, Split)> = report
        .runs
        .iter()
        .filter(|r| r.err_total.is_some() && r.qemu_total_s > 0.0 && r.engine_total_s > 0.0)
        .map(|r| (r.qemu_total_s, r.engine_total_s, r.split))
        .collect();
    let lo = points
        .iter()
        .flat_map(|p| [p.0, p.1])
        .fold(f64::INFINITY, f64::min)
        .max(1e-3)
        * 0.7;
    let hi = points
        .iter()
        .flat_map(|p| [p.0, p.1])
        .fold(0.0, f64::max)
        .max(lo * 10.0)
        * 1.4;
    let height = width * 3 / 4;
    svg(width, height, c, |root| {
        let font = |size: f64| c.text(size, 1.0);
        let mut chart = ChartBuilder::on(root)
            .caption(
                "Total time: engine against real QEMU (lab runs both finished)",
                font(14.0),
            )
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(56)
            .build_cartesian_2d((lo..hi).log_scale(), (lo..hi).log_scale())
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .x_desc("QEMU, measured (s)")
            .y_desc("engine, predicted (s)")
            .x_label_formatter(&|x| format!("{x}"))
            .y_label_formatter(&|y| format!("{y}"))
            .label_style(font(11.0))
            .axis_desc_style(font(12.0))
            .axis_style(c.axis)
            .bold_line_style(c.grid)
            .light_line_style(c.grid_light)
            .draw()
            .map_err(|e| e.to_string())?;
        let line = |k: f64| vec![(lo, lo * k), (hi / k.max(1.0), hi * k.min(1.0))];
        chart
            .draw_series(LineSeries::new(line(1.0), c.ink.stroke_width(1)))
            .map_err(|e| e.to_string())?
            .label("engine = QEMU")
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], c.ink));
        for (k, label) in [(1.2, "±20 %"), (0.8, "")] {
            let series = chart
                .draw_series(LineSeries::new(line(k), c.axis.stroke_width(1)))
                .map_err(|e| e.to_string())?;
            if !label.is_empty() {
                series
                    .label(label)
                    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], c.axis));
            }
        }
        chart
            .draw_series(
                points
                    .iter()
                    .filter(|p| p.2 == Split::Calibration)
                    .map(|p| Circle::new((p.0, p.1), 4, c.stop.stroke_width(1))),
            )
            .map_err(|e| e.to_string())?
            .label("calibration half")
            .legend(move |(x, y)| Circle::new((x + 8, y), 4, c.stop.stroke_width(1)));
        chart
            .draw_series(
                points
                    .iter()
                    .filter(|p| p.2 == Split::Holdout)
                    .map(|p| Circle::new((p.0, p.1), 4, c.pass.filled())),
            )
            .map_err(|e| e.to_string())?
            .label("held-out half")
            .legend(move |(x, y)| Circle::new((x + 8, y), 4, c.pass.filled()));
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(c.card.mix(0.9))
            .border_style(c.grid)
            .label_font(font(11.0))
            .draw()
            .map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())
    })
}
