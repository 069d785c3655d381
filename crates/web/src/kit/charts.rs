//! Charts drawn on the server as SVG: no script, no fonts or libraries from outside, readable
//! when printed in black and white (every bar carries its number as text, and lights are named,
//! not only coloured).

use std::fmt::Write;

use domain::figures::Light;

/// Text safe inside SVG elements and attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn light_colour(light: Option<Light>) -> &'static str {
    match light {
        Some(Light::Red) => "#c0392b",
        Some(Light::Yellow) => "#d4a017",
        Some(Light::Green) => "#2e7d32",
        None => "#1d5fa7",
    }
}

/// One row of the time-against-task chart.
pub struct ProgressRow {
    pub label: String,
    /// 任务进度 as a fraction (may exceed 1).
    pub task: f64,
    /// 时间进度 as a fraction.
    pub time: f64,
    pub light: Option<Light>,
    pub href: Option<String>,
}

/// Horizontal bars of 任务进度, with a dashed line at 时间进度 ("时间过半、任务过半").
pub fn progress_bars(title: &str, rows: &[ProgressRow]) -> String {
    let label_w = 150.0;
    let bar_w = 420.0;
    let row_h = 30.0;
    let top = 34.0;
    let height = top + row_h * rows.len() as f64 + 24.0;
    let width = label_w + bar_w + 150.0;
    let scale = |f: f64| bar_w * f.clamp(0.0, 1.2) / 1.2;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r##"<svg class="chart" role="img" aria-label="{t}" viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg"><title>{t}</title><text x="0" y="18" class="chart-title">{t}</text>"##,
        t = escape(title)
    );
    for (i, row) in rows.iter().enumerate() {
        let y = top + row_h * i as f64;
        let w = scale(row.task);
        let light = row.light.map_or("", Light::label);
        let bar = format!(
            r##"<text x="{lx}" y="{ty}" text-anchor="end">{label}</text><rect x="{label_w}" y="{y}" width="{bar_w}" height="18" fill="#eef1f4"/><rect x="{label_w}" y="{y}" width="{w:.1}" height="18" fill="{c}"/><text x="{vx:.1}" y="{ty}">{pct:.1}% {light}</text>"##,
            lx = label_w - 8.0,
            ty = y + 14.0,
            label = escape(&row.label),
            c = light_colour(row.light),
            vx = label_w + w + 6.0,
            pct = row.task * 100.0,
        );
        match &row.href {
            Some(href) => {
                let _ = write!(svg, r##"<a href="{}">{bar}</a>"##, escape(href));
            }
            None => svg.push_str(&bar),
        }
    }
    if let Some(time) = rows.first().map(|r| r.time) {
        let x = label_w + scale(time);
        let _ = write!(
            svg,
            r##"<line x1="{x:.1}" y1="{y1}" x2="{x:.1}" y2="{y2}" stroke="#333" stroke-dasharray="4 3"/><text x="{x:.1}" y="{ty}" text-anchor="middle">时间进度 {pct:.1}%</text>"##,
            y1 = top - 6.0,
            y2 = height - 20.0,
            ty = height - 6.0,
            pct = time * 100.0
        );
    }
    svg.push_str("</svg>");
    svg
}

/// Twelve months of this year against last year, as paired columns.
pub fn monthly_columns(title: &str, unit: &str, this: &[f64; 12], last: &[f64; 12]) -> String {
    monthly_pairs(title, unit, ("本年", this), ("上年同期", last))
}

/// Twelve months of two series as paired columns, the first in the strong colour and labelled
/// above its column (本年 against 上年同期; done against planned).
pub fn monthly_pairs(
    title: &str,
    unit: &str,
    (first, this): (&str, &[f64; 12]),
    (second, last): (&str, &[f64; 12]),
) -> String {
    let (width, height) = (720.0, 260.0);
    let (left, bottom, top) = (50.0, 40.0, 40.0);
    let plot_h = height - bottom - top;
    let max = this
        .iter()
        .chain(last)
        .fold(0.0f64, |m, v| m.max(*v))
        .max(1e-9);
    let slot = (width - left - 10.0) / 12.0;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r##"<svg class="chart" role="img" aria-label="{t}" viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg"><title>{t}</title><text x="0" y="18" class="chart-title">{t}（{u}）</text><rect x="{lx}" y="22" width="10" height="10" fill="#1d5fa7"/><text x="{tx}" y="31">{a}</text><rect x="{lx2}" y="22" width="10" height="10" fill="#b9c6d3"/><text x="{tx2}" y="31">{b}</text>"##,
        t = escape(title),
        u = escape(unit),
        a = escape(first),
        b = escape(second),
        lx = width - 170.0,
        tx = width - 156.0,
        lx2 = width - 110.0,
        tx2 = width - 96.0,
    );
    let base = height - bottom;
    // The value axis: 0, half and the top, each with its gridline.
    for step in 0..=2 {
        let value = max * f64::from(step) / 2.0;
        let y = base - plot_h * f64::from(step) / 2.0;
        let _ = write!(
            svg,
            r##"<line x1="{left}" y1="{y:.1}" x2="{r}" y2="{y:.1}" stroke="{c}"/><text x="{lx}" y="{ty:.1}" text-anchor="end" class="chart-axis">{v}</text>"##,
            r = width - 10.0,
            c = if step == 0 { "#666" } else { "#e3e6ea" },
            lx = left - 6.0,
            ty = y + 4.0,
            v = trim(if max > 1e-6 { value } else { 0.0 })
        );
    }
    let _ = write!(
        svg,
        r##"<line x1="{left}" y1="{top}" x2="{left}" y2="{base}" stroke="#666"/>"##
    );
    for m in 0..12 {
        let x = left + slot * m as f64;
        let bw = slot * 0.36;
        for (k, (value, colour)) in [(last[m], "#b9c6d3"), (this[m], "#1d5fa7")]
            .into_iter()
            .enumerate()
        {
            let h = plot_h * value / max;
            let bx = x + slot * 0.12 + bw * k as f64;
            let _ = write!(
                svg,
                r##"<rect x="{bx:.1}" y="{y:.1}" width="{bw:.1}" height="{h:.1}" fill="{colour}"><title>{v}</title></rect>"##,
                y = base - h,
                v = trim(value)
            );
        }
        let _ = write!(
            svg,
            r##"<text x="{cx:.1}" y="{ty}" text-anchor="middle">{m}月</text><text x="{cx:.1}" y="{vy:.1}" text-anchor="middle" class="chart-small">{v}</text>"##,
            cx = x + slot / 2.0,
            ty = base + 16.0,
            m = m + 1,
            vy = base - plot_h * this[m] / max - 4.0,
            v = trim(this[m])
        );
    }
    svg.push_str("</svg>");
    svg
}

/// A number for a chart label: at most two decimals, no trailing zeros.
fn trim(v: f64) -> String {
    let s = format!("{v:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    // A zero is a figure too: an empty label would read as missing data.
    if s.is_empty() || s == "-" {
        "0".to_owned()
    } else {
        s.to_owned()
    }
}

/// The stage funnel: each step's count as a centred bar.
pub fn funnel(title: &str, steps: &[(&str, i64)]) -> String {
    let (width, row_h, top) = (560.0, 34.0, 30.0);
    let height = top + row_h * steps.len() as f64 + 6.0;
    let max = steps.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1) as f64;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r##"<svg class="chart" role="img" aria-label="{t}" viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg"><title>{t}</title><text x="0" y="18" class="chart-title">{t}</text>"##,
        t = escape(title)
    );
    let centre = 90.0 + (width - 90.0) / 2.0;
    let full = width - 140.0;
    for (i, (label, n)) in steps.iter().enumerate() {
        let y = top + row_h * i as f64;
        let w = (full * *n as f64 / max).max(2.0);
        let _ = write!(
            svg,
            r##"<text x="80" y="{ty}" text-anchor="end">{label}</text><rect x="{x:.1}" y="{y}" width="{w:.1}" height="26" fill="#1d5fa7" opacity="{o:.2}"/><text x="{centre:.1}" y="{ty}" text-anchor="middle" class="chart-on-bar">{n}</text>"##,
            ty = y + 18.0,
            label = escape(label),
            x = centre - w / 2.0,
            o = 1.0 - 0.1 * i as f64,
        );
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_escaped_and_numbers_written_out() {
        let svg = progress_bars(
            "进度<script>",
            &[ProgressRow {
                label: "签约\"额\"".into(),
                task: 0.55,
                time: 0.496,
                light: Some(Light::Green),
                href: Some("/x?a=1&b=2".into()),
            }],
        );
        assert!(svg.contains("进度&lt;script&gt;"));
        assert!(svg.contains("签约&quot;额&quot;"));
        assert!(svg.contains("55.0% 绿灯"));
        assert!(svg.contains("时间进度 49.6%"));
        assert!(svg.contains("a=1&amp;b=2"));
        assert!(!svg.contains("<script"));
    }

    #[test]
    fn monthly_columns_have_a_value_axis_and_show_zeros() {
        let mut this = [0.0; 12];
        this[0] = 4.0;
        let svg = monthly_columns("签约项目数", "项", &this, &[2.0; 12]);
        // 0, half and the top of the axis.
        for tick in [">0</text>", ">2</text>", ">4</text>"] {
            assert!(
                svg.contains(&format!("class=\"chart-axis\"{tick}")),
                "{tick}: {svg}"
            );
        }
        // February's zero is labelled, not left blank.
        assert!(
            svg.matches("class=\"chart-small\">0</text>").count() == 11,
            "{svg}"
        );
        assert_eq!(trim(0.0), "0");
        assert_eq!(trim(1.50), "1.5");
    }
}
