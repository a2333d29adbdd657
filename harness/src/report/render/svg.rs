//! Small inline SVG charts for the HTML reports: score bars, dimension trend lines and
//! distribution histograms with a quartile box. Every chart is a self-contained `<svg>`
//! element (no scripts, no fonts, no links) on a fixed 0–100 scale, and every piece of
//! text in it passes through [`escape`].

use std::fmt::Write as _;

use crate::report::model::{num, Distribution};

/// Colours for series, chosen to stay apart for common colour-vision deficiencies.
pub const PALETTE: [&str; 8] = ["#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#000000"];

/// Escapes text for HTML and SVG, in element content and in quoted attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// The plotting area inside a chart.
struct Frame {
    width: f64,
    height: f64,
    left: f64,
    right: f64,
    top: f64,
    bottom: f64,
}

impl Frame {
    fn standard(width: f64, height: f64) -> Self {
        Frame { width, height, left: 36.0, right: 12.0, top: 12.0, bottom: 28.0 }
    }
    fn plot_width(&self) -> f64 {
        self.width - self.left - self.right
    }
    fn plot_height(&self) -> f64 {
        self.height - self.top - self.bottom
    }
    /// The y coordinate of a score on 0–100.
    fn y(&self, score: f64) -> f64 {
        self.top + self.plot_height() * (1.0 - score.clamp(0.0, 100.0) / 100.0)
    }
    fn bottom_y(&self) -> f64 {
        self.height - self.bottom
    }
}

fn open(out: &mut String, class: &str, frame: &Frame, title: &str) {
    let _ = write!(
        out,
        r#"<svg class="chart {class}" role="img" width="{w}" height="{h}" viewBox="0 0 {w} {h}"><title>{t}</title>"#,
        w = frame.width,
        h = frame.height,
        t = escape(title),
    );
}

/// Horizontal grid lines and labels at 0, 25, 50, 75 and 100.
fn score_axis(out: &mut String, frame: &Frame) {
    for tick in [0.0, 25.0, 50.0, 75.0, 100.0] {
        let y = frame.y(tick);
        let _ = write!(
            out,
            r##"<line class="grid" x1="{x1}" y1="{y:.1}" x2="{x2}" y2="{y:.1}" stroke="#ddd"/><text x="{tx}" y="{ty:.1}" font-size="10" text-anchor="end" fill="#555">{tick}</text>"##,
            x1 = frame.left,
            x2 = frame.width - frame.right,
            tx = frame.left - 4.0,
            ty = y + 3.5,
        );
    }
}

fn pass_line(out: &mut String, frame: &Frame, pass_mark: f64) {
    let y = frame.y(pass_mark);
    let _ = write!(
        out,
        r##"<line class="pass-mark" x1="{x1}" y1="{y:.1}" x2="{x2}" y2="{y:.1}" stroke="#b00020" stroke-dasharray="4 3"/><text x="{x2}" y="{ty:.1}" font-size="10" text-anchor="end" fill="#b00020">pass mark {p}</text>"##,
        x1 = frame.left,
        x2 = frame.width - frame.right,
        ty = y - 3.0,
        p = num(pass_mark),
    );
}

/// One bar.
pub struct Bar {
    pub label: String,
    pub value: f64,
    pub good: bool,
}

/// Vertical bars on 0–100 (green when `good`, else red), with an optional pass mark.
pub fn bars(title: &str, bars: &[Bar], pass_mark: Option<f64>) -> String {
    let frame = Frame::standard(640.0, 240.0);
    let mut out = String::new();
    open(&mut out, "bars", &frame, title);
    score_axis(&mut out, &frame);
    let slot = frame.plot_width() / bars.len().max(1) as f64;
    let width = (slot * 0.7).min(48.0);
    for (i, b) in bars.iter().enumerate() {
        let x = frame.left + slot * i as f64 + (slot - width) / 2.0;
        let y = frame.y(b.value);
        let fill = if b.good { "#2e7d32" } else { "#c62828" };
        let _ = write!(
            out,
            r#"<rect class="bar" x="{x:.1}" y="{y:.1}" width="{width:.1}" height="{h:.1}" fill="{fill}"><title>{t}</title></rect>"#,
            h = frame.bottom_y() - y,
            t = escape(&format!("{}: {}", b.label, num(b.value))),
        );
        if bars.len() <= 16 {
            let _ = write!(
                out,
                r##"<text x="{cx:.1}" y="{ly:.1}" font-size="10" text-anchor="middle" fill="#333">{l}</text>"##,
                cx = x + width / 2.0,
                ly = frame.bottom_y() + 14.0,
                l = escape(&b.label),
            );
        }
    }
    if let Some(p) = pass_mark {
        pass_line(&mut out, &frame, p);
    }
    out.push_str("</svg>");
    out
}

/// A named series of (x position, score) points; x positions index `x_labels`.
pub struct Series {
    pub name: String,
    pub points: Vec<(usize, f64)>,
}

/// Lines on 0–100 over shared x positions, one colour per series, with a legend.
pub fn lines(title: &str, x_labels: &[String], series: &[Series]) -> String {
    let legend_rows = series.len().div_ceil(3);
    let mut frame = Frame::standard(640.0, 240.0 + 18.0 * legend_rows as f64);
    frame.bottom += 18.0 * legend_rows as f64;
    let mut out = String::new();
    open(&mut out, "lines", &frame, title);
    score_axis(&mut out, &frame);
    let slots = x_labels.len().max(1);
    let x_of = |i: usize| {
        if slots == 1 {
            frame.left + frame.plot_width() / 2.0
        } else {
            frame.left + frame.plot_width() * i as f64 / (slots - 1) as f64
        }
    };
    if x_labels.len() <= 16 {
        for (i, label) in x_labels.iter().enumerate() {
            let _ = write!(
                out,
                r##"<text x="{x:.1}" y="{y:.1}" font-size="10" text-anchor="middle" fill="#333">{l}</text>"##,
                x = x_of(i),
                y = frame.height - frame.bottom + 14.0,
                l = escape(label),
            );
        }
    }
    for (n, s) in series.iter().enumerate() {
        let colour = PALETTE[n % PALETTE.len()];
        let coords: Vec<String> = s.points.iter().map(|(i, v)| format!("{:.1},{:.1}", x_of(*i), frame.y(*v))).collect();
        let _ = write!(
            out,
            r#"<polyline class="trend" points="{p}" fill="none" stroke="{colour}" stroke-width="2"><title>{t}</title></polyline>"#,
            p = coords.join(" "),
            t = escape(&s.name),
        );
        for (i, v) in &s.points {
            let _ = write!(
                out,
                r#"<circle cx="{x:.1}" cy="{y:.1}" r="3" fill="{colour}"><title>{t}</title></circle>"#,
                x = x_of(*i),
                y = frame.y(*v),
                t = escape(&format!("{}: {}", s.name, num(*v))),
            );
        }
        let lx = frame.left + (n % 3) as f64 * 200.0;
        let ly = frame.height - 18.0 * (legend_rows - n / 3) as f64 + 6.0;
        let _ = write!(
            out,
            r##"<rect class="legend" x="{lx:.1}" y="{ry:.1}" width="10" height="10" fill="{colour}"/><text x="{tx:.1}" y="{ly:.1}" font-size="11" fill="#333">{name}</text>"##,
            ry = ly - 9.0,
            tx = lx + 14.0,
            name = escape(&s.name),
        );
    }
    out.push_str("</svg>");
    out
}

/// A histogram of a distribution's buckets, with its quartiles drawn as a box under it.
pub fn histogram(d: &Distribution) -> String {
    let frame = Frame { width: 300.0, height: 190.0, left: 28.0, right: 10.0, top: 10.0, bottom: 52.0 };
    let mut out = String::new();
    open(&mut out, "histogram", &frame, &format!("{}: distribution over 0–100", d.title));
    let top = d.buckets.iter().copied().max().unwrap_or(0).max(1);
    let slot = frame.plot_width() / d.buckets.len().max(1) as f64;
    for (i, &n) in d.buckets.iter().enumerate() {
        let h = frame.plot_height() * n as f64 / top as f64;
        let x = frame.left + slot * i as f64;
        let from = i * 100 / d.buckets.len();
        let to = (i + 1) * 100 / d.buckets.len();
        let _ = write!(
            out,
            r#"<rect class="bucket" x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{h:.1}" fill="{c}"><title>{from}–{to}: {n}</title></rect>"#,
            y = frame.bottom_y() - h,
            w = slot - 2.0,
            c = PALETTE[0],
        );
    }
    let _ = write!(
        out,
        r##"<line x1="{x1}" y1="{y:.1}" x2="{x2}" y2="{y:.1}" stroke="#999"/><text x="{x1}" y="{ty:.1}" font-size="10" fill="#555">0</text><text x="{x2}" y="{ty:.1}" font-size="10" text-anchor="end" fill="#555">100</text><text x="{tl}" y="{cy:.1}" font-size="10" text-anchor="end" fill="#555">{top}</text>"##,
        x1 = frame.left,
        x2 = frame.width - frame.right,
        y = frame.bottom_y(),
        ty = frame.bottom_y() + 12.0,
        tl = frame.left - 4.0,
        cy = frame.top + 8.0,
    );
    if let (Some(min), Some(q1), Some(median), Some(q3), Some(max)) = (d.min, d.q1, d.median, d.q3, d.max) {
        let x = |v: f64| frame.left + frame.plot_width() * v.clamp(0.0, 100.0) / 100.0;
        let y = frame.bottom_y() + 28.0;
        let _ = write!(
            out,
            r##"<g class="quartiles"><title>{t}</title><line x1="{a:.1}" y1="{y:.1}" x2="{e:.1}" y2="{y:.1}" stroke="#333"/><rect x="{b:.1}" y="{by:.1}" width="{bw:.1}" height="12" fill="#fff" stroke="#333"/><line x1="{c:.1}" y1="{by:.1}" x2="{c:.1}" y2="{be:.1}" stroke="#b00020" stroke-width="2"/></g>"##,
            t = escape(&format!(
                "min {} · q1 {} · median {} · q3 {} · max {}",
                num(min),
                num(q1),
                num(median),
                num(q3),
                num(max)
            )),
            a = x(min),
            e = x(max),
            b = x(q1),
            bw = (x(q3) - x(q1)).max(1.0),
            c = x(median),
            by = y - 6.0,
            be = y + 6.0,
        );
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_in_charts_is_escaped() {
        assert_eq!(escape(r#"<b>"O'Neil" & co</b>"#), "&lt;b&gt;&quot;O&#39;Neil&quot; &amp; co&lt;/b&gt;");
        let svg = bars("t", &[Bar { label: "<script>".into(), value: 50.0, good: true }], Some(70.0));
        assert!(!svg.contains("<script>"), "{svg}");
        assert!(svg.contains("&lt;script&gt;"), "{svg}");
    }

    #[test]
    fn a_score_maps_onto_the_plot_height() {
        let f = Frame::standard(640.0, 240.0);
        assert_eq!(f.y(100.0), f.top);
        assert_eq!(f.y(0.0), f.bottom_y());
        assert_eq!(f.y(150.0), f.top, "clamped");
    }
}
