//! The import template of each kind: the headers, an example row, a note on each header, and a
//! sheet that explains every column with its allowed values.

use std::path::Path;

use rust_xlsxwriter::{Format, Note, Workbook};
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
    for column in columns(kind) {
        let values = match value_list_of(kind, column.key()) {
            Some(list) => store.value_list(list).await?.join("、"),
            None => String::new(),
        };
        allowed.push(values);
    }
    let mut workbook = Workbook::new();
    let header = Format::new().set_bold().set_background_color("#DCE6F2");
    let required = Format::new().set_bold().set_background_color("#FCE4D6");
    let text_format = Format::new().set_num_format("@");
    let sheet = workbook.add_worksheet();
    sheet.set_name("导入模板")?;
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
        if !column.example.is_empty() {
            sheet.write_string_with_format(1, col, column.example, &text_format)?;
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

    let guide = workbook.add_worksheet();
    guide.set_name("填写说明")?;
    let title = Format::new().set_bold().set_font_size(14);
    guide.write_string_with_format(0, 0, format!("{}导入模板填写说明", kind.label()), &title)?;
    let lines = [
        "第1行为表头，请勿修改；示例行（第2行）导入前请删除或替换。",
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
    Ok(workbook.save_to_buffer()?)
}
