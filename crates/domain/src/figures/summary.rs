//! The 成绩单: the paragraph a city's report opens with, written from the scoreboard's figures
//! in the seed's words ("签约项目88项，签约额405亿元；到位资金80.5亿元，同比增长91.9%…").

use super::Indicator;
use super::scoreboard::{Figure, Number, Scoreboard};
use crate::Period;

/// Whole 元 as prose writes them: 亿元 from one 亿 up, else 万元; at most two decimals, no
/// trailing zeros (405亿元, 80.5亿元, 3500万元).
pub fn amount_words(yuan: i64, unit_name: &str) -> String {
    const WAN: i128 = 10_000;
    let (per, suffix) = if yuan.unsigned_abs() >= 100_000_000 {
        (WAN * WAN, "亿")
    } else {
        (WAN, "万")
    };
    let n = i128::from(yuan) * 100;
    let hundredths = (n.abs() + per / 2) / per * n.signum();
    let whole = hundredths / 100;
    let frac = (hundredths % 100).abs();
    let number = match frac {
        0 => format!("{whole}"),
        f if f % 10 == 0 => format!("{whole}.{}", f / 10),
        f => format!("{whole}.{f:02}"),
    };
    format!("{number}{suffix}{unit_name}")
}

/// "同比增长91.9%", "同比下降3%", "与上年同期持平"; empty when last year had nothing.
pub fn yoy_words(figure: &Figure) -> String {
    match figure.yoy_pct {
        None => String::new(),
        Some(p) if p > 0.0 => format!("同比增长{}%", pct(p)),
        Some(p) if p < 0.0 => format!("同比下降{}%", pct(-p)),
        Some(_) => "与上年同期持平".to_owned(),
    }
}

fn pct(p: f64) -> String {
    let s = format!("{p:.1}");
    s.strip_suffix(".0").map(str::to_owned).unwrap_or(s)
}

fn count(figure: Option<&Figure>) -> i64 {
    match figure.and_then(|f| f.value) {
        Some(Number::Int(n)) => n,
        _ => 0,
    }
}

fn chinese_count(n: usize) -> String {
    const WORDS: [&str; 11] = [
        "零", "一", "两", "三", "四", "五", "六", "七", "八", "九", "十",
    ];
    WORDS
        .get(n)
        .map_or_else(|| n.to_string(), |w| (*w).to_owned())
}

/// The 成绩单 of the city in `board`, naming it `city`.
pub fn summary(board: &Scoreboard, period: &Period, city: &str) -> String {
    let figure = |i: Indicator| board.city_figure(i);
    let clause = |text: String, f: Option<&Figure>| {
        let yoy = f.map(yoy_words).unwrap_or_default();
        if yoy.is_empty() {
            text
        } else {
            format!("{text}，{yoy}")
        }
    };
    let mut parts = Vec::new();
    let signed = figure(Indicator::SignedProjects);
    let amount = figure(Indicator::SignedAmount);
    parts.push(format!(
        "签约项目{}项，签约额{}",
        count(signed),
        amount_words(count(amount), "元")
    ));
    let funds = figure(Indicator::FundsInPlace);
    parts.push(clause(
        format!("到位资金{}", amount_words(count(funds), "元")),
        funds,
    ));
    let usd = figure(Indicator::ForeignFundsUsd);
    if count(usd) > 0 {
        parts.push(clause(
            format!("实际利用外资{}", amount_words(count(usd), "美元")),
            usd,
        ));
    }
    let started = figure(Indicator::StartedOrResumedProjects);
    parts.push(clause(format!("开复工项目{}个", count(started)), started));
    let visits = figure(Indicator::Visits);
    parts.push(format!("对接企业{}次", count(visits)));
    let mut text = format!("{}，{city}{}。", period.label(), parts.join("；"));

    let headline = [
        (Indicator::SignedProjects, "签约项目数"),
        (Indicator::SignedAmount, "签约额"),
        (Indicator::FundsInPlace, "到位资金"),
        (Indicator::ForeignFundsUsd, "实际利用外资"),
        (Indicator::StartedOrResumedProjects, "开复工项目数"),
        (Indicator::Visits, "对接企业次数"),
    ];
    let records: Vec<&str> = headline
        .iter()
        .filter(|(i, _)| figure(*i).is_some_and(|f| f.record && count(Some(f)) > 0))
        .map(|(_, name)| *name)
        .collect();
    match records.len() {
        0 => {}
        1 => text.push_str(&format!("{}创历史同期新高。", records[0])),
        n => text.push_str(&format!(
            "{}{}项数据均创历史同期新高。",
            records.join("、"),
            chinese_count(n)
        )),
    }

    let with_targets: Vec<(Indicator, &Figure)> = Indicator::ALL
        .into_iter()
        .filter_map(|i| {
            figure(i)
                .filter(|f| f.task_progress.is_some())
                .map(|f| (i, f))
        })
        .collect();
    let behind: Vec<&str> = with_targets
        .iter()
        .filter(|(_, f)| f.behind == Some(true))
        .map(|(i, _)| i.label())
        .collect();
    if !with_targets.is_empty() {
        if behind.is_empty() {
            let half = matches!(period.kind(), crate::PeriodKind::Half(1));
            if half {
                text.push_str("全市实现了“时间过半、任务过半”。");
            } else {
                text.push_str("全市各项目标任务完成进度均不低于时间进度。");
            }
        } else {
            text.push_str(&format!(
                "{}完成进度落后于时间进度，需加快推进。",
                behind.join("、")
            ));
        }
    }
    text
}
