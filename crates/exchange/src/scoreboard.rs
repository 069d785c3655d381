//! The scoreboard as a formatted workbook: the city's figures on one sheet, every unit ranked
//! within its group on another. Amounts are written as numbers in 万元 (万美元) with the unit in
//! the header, rates as percentages, so that the sheet can be summed and printed as it is.

use domain::figures::{Figure, Indicator, Measure, Number, Scoreboard};
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, Worksheet};

use crate::ExchangeError;

/// An indicator's header with the unit its cells are in.
pub fn header(indicator: Indicator) -> String {
    match indicator.measure() {
        Measure::Yuan => format!("{}（万元）", indicator.label()),
        Measure::Dollars => format!("{}（万美元）", indicator.label()),
        Measure::Rate => format!("{}（%）", indicator.label()),
        Measure::Count => indicator.label().to_owned(),
    }
}

/// What a cell holds for a value of `indicator`: 万 for amounts, the fraction for rates.
fn cell_value(indicator: Indicator, value: Option<Number>) -> Option<f64> {
    let v = value?;
    Some(match indicator.measure() {
        Measure::Yuan | Measure::Dollars => v.as_f64() / 10_000.0,
        _ => v.as_f64(),
    })
}

struct Formats {
    title: Format,
    head: Format,
    text: Format,
    count: Format,
    wan: Format,
    rate: Format,
    pct: Format,
}

impl Formats {
    fn new() -> Self {
        let cell = Format::new().set_border(FormatBorder::Thin);
        Formats {
            title: Format::new().set_bold().set_font_size(14),
            head: cell
                .clone()
                .set_bold()
                .set_background_color("#E8EEF4")
                .set_align(FormatAlign::Center)
                .set_text_wrap(),
            text: cell.clone(),
            count: cell.clone().set_num_format("#,##0"),
            wan: cell.clone().set_num_format("#,##0.00"),
            rate: cell.clone().set_num_format("0.0%"),
            pct: cell.set_num_format("0.0\"%\""),
        }
    }

    fn of(&self, indicator: Indicator) -> &Format {
        match indicator.measure() {
            Measure::Yuan | Measure::Dollars => &self.wan,
            Measure::Rate => &self.rate,
            Measure::Count => &self.count,
        }
    }
}

fn write_opt(
    sheet: &mut Worksheet,
    row: u32,
    col: u16,
    value: Option<f64>,
    format: &Format,
    fallback: &Format,
) -> Result<(), ExchangeError> {
    match value {
        Some(v) => sheet.write_number_with_format(row, col, v, format)?,
        None => sheet.write_string_with_format(row, col, "—", fallback)?,
    };
    Ok(())
}

/// The workbook of `board`, titled `title` (for example 双鸭山市2022年上半年招商引资晒单).
pub fn scoreboard_xlsx(board: &Scoreboard, title: &str) -> Result<Vec<u8>, ExchangeError> {
    let f = Formats::new();
    let mut book = Workbook::new();

    let sheet = book.add_worksheet().set_name("全市")?;
    sheet.write_string_with_format(0, 0, title, &f.title)?;
    sheet.write_string(1, 0, format!("统计期间 {} 至 {}", board.start, board.end))?;
    let heads = [
        "指标",
        "本期",
        "上年同期",
        "同比（%）",
        "历史同期新高",
        "全年目标",
        "累计完成",
        "任务进度",
        "时间进度",
        "进度状态",
    ];
    for (c, h) in heads.iter().enumerate() {
        sheet.write_string_with_format(3, c as u16, *h, &f.head)?;
    }
    let mut row = 4;
    let write_figure = |sheet: &mut Worksheet,
                        row: u32,
                        label: &str,
                        indicator: Indicator,
                        fig: &Figure|
     -> Result<(), ExchangeError> {
        sheet.write_string_with_format(row, 0, label, &f.text)?;
        let fmt = f.of(indicator);
        write_opt(
            sheet,
            row,
            1,
            cell_value(indicator, fig.value),
            fmt,
            &f.text,
        )?;
        write_opt(
            sheet,
            row,
            2,
            cell_value(indicator, fig.last_year),
            fmt,
            &f.text,
        )?;
        write_opt(sheet, row, 3, fig.yoy_pct, &f.pct, &f.text)?;
        sheet.write_string_with_format(row, 4, if fig.record { "是" } else { "" }, &f.text)?;
        let target = fig
            .target
            .map(|t| cell_value(indicator, Some(Number::Int(t))));
        write_opt(sheet, row, 5, target.flatten(), fmt, &f.text)?;
        let cumulative = fig
            .cumulative
            .and_then(|c| cell_value(indicator, Some(Number::Int(c))));
        write_opt(sheet, row, 6, cumulative, fmt, &f.text)?;
        write_opt(sheet, row, 7, fig.task_progress, &f.rate, &f.text)?;
        write_opt(sheet, row, 8, fig.time_progress, &f.rate, &f.text)?;
        let state = match (fig.behind, fig.light) {
            (Some(true), Some(light)) => format!("落后（{}）", light.label()),
            (Some(false), _) => "达到序时进度".to_owned(),
            _ => String::new(),
        };
        sheet.write_string_with_format(row, 9, state, &f.text)?;
        Ok(())
    };
    for indicator in Indicator::ALL {
        if let Some(fig) = board.city_figure(indicator) {
            write_figure(sheet, row, &header(indicator), indicator, fig)?;
            row += 1;
        }
    }
    if let Some(fig) = board
        .city
        .get(domain::figures::scoreboard::FUNDS_VERIFIED_KEY)
    {
        write_figure(
            sheet,
            row,
            "其中：已核实到位资金（万元）",
            Indicator::FundsInPlace,
            fig,
        )?;
    }
    sheet.set_column_width(0, 28)?;
    for c in 1..heads.len() as u16 {
        sheet.set_column_width(c, 14)?;
    }

    let sheet = book.add_worksheet().set_name("单位排名")?;
    sheet.write_string_with_format(0, 0, format!("{title} · 单位排名"), &f.title)?;
    let mut heads: Vec<String> = vec![
        "分组".into(),
        "排名".into(),
        "单位".into(),
        "平均任务进度".into(),
    ];
    heads.extend(Indicator::ALL.iter().map(|i| header(*i)));
    for (c, h) in heads.iter().enumerate() {
        sheet.write_string_with_format(2, c as u16, h, &f.head)?;
    }
    for (i, unit) in board.units.iter().enumerate() {
        let row = 3 + i as u32;
        sheet.write_string_with_format(row, 0, unit.group.label(), &f.text)?;
        sheet.write_number_with_format(row, 1, f64::from(unit.rank), &f.count)?;
        sheet.write_string_with_format(row, 2, &unit.unit, &f.text)?;
        write_opt(sheet, row, 3, unit.mean_task_progress, &f.rate, &f.text)?;
        for (c, indicator) in Indicator::ALL.iter().enumerate() {
            let value = unit
                .indicators
                .get(indicator.id())
                .and_then(|fig| fig.value);
            write_opt(
                sheet,
                row,
                4 + c as u16,
                cell_value(*indicator, value),
                f.of(*indicator),
                &f.text,
            )?;
        }
    }
    sheet.set_column_width(2, 24)?;
    sheet.set_freeze_panes(3, 3)?;

    // By 招商方式: the city's, then each unit's, the unit's rows adding up to its figures.
    let sheet = book.add_worksheet().set_name("按招商方式")?;
    sheet.write_string_with_format(0, 0, format!("{title} · 按招商方式"), &f.title)?;
    let heads = [
        "单位",
        "招商方式",
        "签约项目数（个）",
        "签约额（万元）",
        "到位资金（万元）",
    ];
    for (c, h) in heads.iter().enumerate() {
        sheet.write_string_with_format(2, c as u16, *h, &f.head)?;
    }
    let mut row = 3;
    let city = std::iter::once(("全市", &board.city.by_source));
    let units = board.units.iter().map(|u| (u.unit.as_str(), &u.by_source));
    for (unit, by_source) in city.chain(units) {
        for (mode, figures) in by_source {
            sheet.write_string_with_format(row, 0, unit, &f.text)?;
            sheet.write_string_with_format(row, 1, mode, &f.text)?;
            sheet.write_number_with_format(row, 2, figures.signed_projects as f64, &f.count)?;
            for (c, amount) in [(3, figures.signed_amount), (4, figures.funds_in_place)] {
                let wan = cell_value(Indicator::SignedAmount, Some(Number::Int(amount)));
                write_opt(sheet, row, c, wan, &f.wan, &f.text)?;
            }
            row += 1;
        }
    }
    sheet.set_column_width(0, 24)?;
    sheet.set_column_width(1, 14)?;
    for c in 2..5 {
        sheet.set_column_width(c, 16)?;
    }
    sheet.set_freeze_panes(3, 2)?;
    Ok(book.save_to_buffer()?)
}
