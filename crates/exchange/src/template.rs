//! The import template of each kind: the headers, an example row (grey italic, its first cell
//! starting 【示例】, which an import skips and reports), a note on each header, a drop-down on
//! every column with a closed set of values (from the header's own list, the deployment's value
//! lists, or its units, chains, leaders and teams, kept on a hidden sheet), code and date columns
//! as text, print set-up, and a sheet that explains every column with its allowed values.

use std::path::Path;

use rust_xlsxwriter::{
    DataValidation, DataValidationErrorStyle, Format, FormatAlign, Formula, Note, Workbook,
};
use store::Store;

use crate::columns::value_list_of;
use crate::{ExchangeError, Kind, columns};

/// Writes the template of `kind` to `path` (`.xlsx`). Allowed values of editable lists are
/// read from the store, so the template matches this deployment's lists.
pub async fn template(store: &Store, kind: Kind, path: &Path) -> Result<(), ExchangeError> {
    let bytes = template_bytes(store, kind).await?;
    std::fs::write(path, bytes).map_err(|e| ExchangeError::Io(path.display().to_string(), e))
}

/// The template as the bytes of an `.xlsx` file, for download.
pub async fn template_bytes(store: &Store, kind: Kind) -> Result<Vec<u8>, ExchangeError> {
    let mut allowed = Vec::new();
    let mut choices: Vec<Vec<String>> = Vec::new();
    let records = Records::read(store).await?;
    for column in columns(kind) {
        let list = match value_list_of(kind, column.key()) {
            Some(list) => store.value_list(list).await?,
            None => Vec::new(),
        };
        allowed.push(list.join("、"));
        choices.push(if list.is_empty() {
            records.choices_for(column.header)
        } else {
            list
        });
    }
    let mut workbook = Workbook::new();
    let header = Format::new().set_bold().set_background_color("#DCE6F2");
    let required = Format::new().set_bold().set_background_color("#FCE4D6");
    let text_format = Format::new().set_num_format("@");
    let example_format = Format::new()
        .set_num_format("@")
        .set_italic()
        .set_font_color("#7F7F7F")
        .set_background_color("#F2F2F2")
        .set_align(FormatAlign::Left);
    // The lists the drop-downs offer, one column each, on a sheet the office does not see; it
    // comes last, so that the sheet an import reads first is the template itself.
    let mut ranges = Vec::new();
    for (i, values) in choices.iter().enumerate() {
        let col = u16::try_from(i).map_err(|_| ExchangeError::Format("列数过多".into()))?;
        ranges.push((!values.is_empty()).then(|| {
            format!(
                "={LISTS}!${}$1:${}${}",
                column_letters(col),
                column_letters(col),
                values.len()
            )
        }));
    }
    let sheet = workbook.add_worksheet();
    sheet.set_name("导入模板")?;
    sheet.set_active(true);
    for (i, column) in columns(kind).iter().enumerate() {
        let col = u16::try_from(i).map_err(|_| ExchangeError::Format("列数过多".into()))?;
        let format = if column.required { &required } else { &header };
        sheet.write_string_with_format(0, col, column.header, format)?;
        sheet.set_column_width(
            col,
            (column.header.chars().count() as f64 * 2.2).clamp(12.0, 40.0),
        )?;
        // Codes and dates are typed as text so that Excel neither drops leading zeros nor
        // turns an 18-digit code into a rounded number.
        sheet.set_column_format(col, &text_format)?;
        if !column.example.is_empty() || col == 0 {
            // The first cell carries the marker an import recognises the example by.
            let value = if col == 0 {
                format!("{}{}", crate::import::EXAMPLE_MARK, column.example)
            } else {
                column.example.to_owned()
            };
            sheet.write_string_with_format(1, col, value, &example_format)?;
        }
        if let Some(range) = &ranges[i] {
            let validation = DataValidation::new()
                .allow_list_formula(Formula::new(range))
                .ignore_blank(true)
                // A warning, not a stop: a name the list does not hold yet (a new unit) can
                // still be typed, and the import names it if it is unknown.
                .set_error_style(DataValidationErrorStyle::Warning)
                .set_error_title("不在可选值中")?
                .set_error_message("该值不在可选值中；确认无误可继续，导入时会逐格核对。")?;
            sheet.add_data_validation(1, col, 10_000, col, &validation)?;
        }
        let mut note = format!(
            "{}{}",
            if column.required {
                "【必填】"
            } else {
                "【选填】"
            },
            column.note
        );
        if !allowed[i].is_empty() {
            note.push_str(&format!("。可选值：{}", allowed[i]));
        }
        sheet.insert_note(
            0,
            col,
            &Note::new(note).add_author_prefix(false).set_width(300),
        )?;
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.insert_note(
        1,
        0,
        &Note::new("本行为示例（灰色斜体，首格以【示例】开头）：导入时自动跳过。可在其下方填写，或将首格的【示例】删去后改作数据。")
            .add_author_prefix(false)
            .set_width(300),
    )?;
    sheet.set_landscape();
    sheet.set_paper_size(9);
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_repeat_rows(0, 0)?;
    sheet.set_header(format!("&C{}导入模板", kind.label()));
    sheet.set_footer("&C第 &P 页，共 &N 页");

    let guide = workbook.add_worksheet();
    guide.set_name("填写说明")?;
    let title = Format::new().set_bold().set_font_size(14);
    guide.write_string_with_format(0, 0, format!("{}导入模板填写说明", kind.label()), &title)?;
    let lines = [
        "第1行为表头，请勿修改；第2行为示例（灰色斜体，首格以【示例】开头），导入时自动跳过并在结果中说明；首格删去【示例】后则按数据导入。",
        "有下拉箭头的列可从列表中选择（单位、产业链、领导、专班、选项清单）；列表外的值会提示，导入时逐格核对。",
        "橙色表头为必填列。表头括号内为单位或可选值，匹配时只看括号前的文字。",
        "金额以万元计，最多四位小数；日期写作 2022-06-30。",
        "任何一行有错误时整个文件都不会导入，错误会逐格列出（第N行 列名: 原因）。",
        "重复导入同一文件不会重复添加记录。",
    ];
    for (i, line) in lines.iter().enumerate() {
        guide.write_string(u32::try_from(i + 1).unwrap_or(0), 0, *line)?;
    }
    let start = u32::try_from(lines.len() + 2).unwrap_or(0);
    for (col, text) in ["列名", "是否必填", "说明", "可选值"].iter().enumerate() {
        guide.write_string_with_format(start, col as u16, *text, &header)?;
    }
    for (i, column) in columns(kind).iter().enumerate() {
        let row = start + 1 + u32::try_from(i).unwrap_or(0);
        guide.write_string(row, 0, column.header)?;
        guide.write_string(row, 1, if column.required { "必填" } else { "选填" })?;
        guide.write_string(row, 2, column.note)?;
        guide.write_string(row, 3, &allowed[i])?;
    }
    guide.set_column_width(0, 36)?;
    guide.set_column_width(2, 50)?;
    guide.set_column_width(3, 50)?;
    let lists = workbook.add_worksheet();
    lists.set_name(LISTS)?;
    lists.set_hidden(true);
    for (i, values) in choices.iter().enumerate() {
        let col = u16::try_from(i).map_err(|_| ExchangeError::Format("列数过多".into()))?;
        for (row, value) in values.iter().enumerate() {
            lists.write_string(u32::try_from(row).unwrap_or(0), col, value)?;
        }
    }
    Ok(workbook.save_to_buffer()?)
}

/// The hidden sheet that holds the drop-downs' lists.
const LISTS: &str = "可选值";

/// Excel's letters for a 0-based column: A, B, …, Z, AA, …
fn column_letters(col: u16) -> String {
    let mut n = u32::from(col) + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(char::from(b'A' + u8::try_from(rem).unwrap_or(0)));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

/// The deployment's records a column may name, for its drop-down.
struct Records {
    units: Vec<String>,
    chains: Vec<String>,
    leaders: Vec<String>,
    teams: Vec<String>,
}

impl Records {
    async fn read(store: &Store) -> Result<Self, ExchangeError> {
        Ok(Records {
            units: store.units().await?.into_iter().map(|u| u.name).collect(),
            chains: store.chains().await?.into_iter().map(|c| c.name).collect(),
            leaders: store.leaders().await?.into_iter().map(|l| l.name).collect(),
            teams: store.teams().await?.into_iter().map(|t| t.name).collect(),
        })
    }

    /// The closed set of values a column named `header` takes: the options its header lists
    /// ("重点项目(是/否)"), else the records its name says it names; empty when it is free text
    /// or holds several names (计入单位, 带队领导).
    fn choices_for(&self, header: &str) -> Vec<String> {
        let options = header
            .split_once(['(', '（'])
            .map(|(_, rest)| rest.trim_end_matches([')', '）']))
            .filter(|inside| inside.contains('/'));
        if let Some(inside) = options {
            return inside.split('/').map(str::to_owned).collect();
        }
        let key = crate::table::header_key(header);
        match key {
            "所在县区" | "单位" | "责任单位" | "单位名称" => self.units.clone(),
            "产业链" => self.chains.clone(),
            "责任领导" | "牵头领导" | "分管领导" | "链长" => self.leaders.clone(),
            "工作专班" => self.teams.clone(),
            _ => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::column_letters;

    #[test]
    fn columns_are_lettered_as_excel_letters_them() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(701), "ZZ");
    }
}
