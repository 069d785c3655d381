//! Reading a file into rows of cells, whatever wrote it: Excel (`.xlsx`), or a CSV in UTF-8
//! with or without the byte-order mark that Excel puts at the start.

use std::path::Path;

use calamine::{DataType, Reader};
use chrono::NaiveDate;

use crate::ExchangeError;

/// A cell as the file holds it; typed cells come only from spreadsheets.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    Date(NaiveDate),
    Bool(bool),
}

impl Cell {
    /// The cell as text, as a person would read it in the sheet: integral numbers without a
    /// decimal point (codes that a spreadsheet stored as numbers), dates as 2022-06-30.
    pub fn text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => s.trim().to_owned(),
            Cell::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => format!("{n:.0}"),
            Cell::Number(n) => n.to_string(),
            Cell::Date(d) => d.format("%Y-%m-%d").to_string(),
            Cell::Bool(true) => "是".to_owned(),
            Cell::Bool(false) => "否".to_owned(),
        }
    }

    pub fn is_empty(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(s) => s.trim().is_empty(),
            _ => false,
        }
    }
}

/// A data row and its number as the spreadsheet shows it (the header is row 1).
#[derive(Debug, Clone, Default)]
pub struct Row {
    pub number: usize,
    pub cells: Vec<Cell>,
}

#[derive(Debug, Clone)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Row>,
    /// What reading the file decided that its report should say: the encoding of a CSV not in
    /// UTF-8, title rows skipped above the header.
    pub notes: Vec<String>,
    /// Data rows an `.xlsx` shows hidden: by hand, and left out by an autofilter. Imported
    /// like the others and counted apart in the report.
    pub hidden: Vec<usize>,
    pub filtered: Vec<usize>,
    /// Cells (row, column) of data rows holding a formula whose result was never stored: their
    /// value is unknown, and an import refuses them rather than read them as empty.
    pub unevaluated: std::collections::BTreeSet<(usize, usize)>,
}

pub fn read(path: &Path) -> Result<Table, ExchangeError> {
    read_for(path, &[])
}

/// Reads `path` for an import whose columns are `keys`: of a workbook, the sheet whose header
/// holds them.
pub fn read_for(path: &Path, keys: &[&str]) -> Result<Table, ExchangeError> {
    let bytes =
        std::fs::read(path).map_err(|e| ExchangeError::Io(path.display().to_string(), e))?;
    read_bytes_for(&path.display().to_string(), &bytes, keys)
}

/// Reads a file already in memory (an upload); `name` gives its type by its extension.
pub fn read_bytes(name: &str, bytes: &[u8]) -> Result<Table, ExchangeError> {
    read_bytes_for(name, bytes, &[])
}

/// As [`read_bytes`], for an import whose columns are `keys`.
pub fn read_bytes_for(name: &str, bytes: &[u8], keys: &[&str]) -> Result<Table, ExchangeError> {
    let path = Path::new(name);
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let mut notes = Vec::new();
    let mut facts = crate::sheet_facts::SheetFacts::default();
    let grid = match extension.as_deref() {
        Some("csv" | "txt") => read_csv(bytes, &mut notes)?,
        Some("xlsx" | "xlsm" | "xls" | "ods") => {
            read_workbook(path, bytes, keys, &mut notes, &mut facts)?
        }
        Some("et") => {
            return Err(ExchangeError::Format(format!(
                "{name}: WPS表格的 .et 格式无法直接读取；请在WPS中“另存为” Excel 工作簿（.xlsx）后导入"
            )));
        }
        _ => {
            return Err(ExchangeError::Format(format!(
                "{name}: 只支持 .xlsx、.xls、.ods 或 .csv 文件"
            )));
        }
    };
    // The header is the first row with two or more cells filled, when one comes within the
    // first rows: a title row above it (a merged "2022年项目台账", a date line) fills one cell,
    // and is skipped and named. A file of one column has its header in its first row.
    let filled = |cells: &Vec<Cell>| cells.iter().filter(|c| !c.is_empty()).count();
    let non_empty: Vec<usize> = grid
        .iter()
        .enumerate()
        .filter(|(_, cells)| filled(cells) > 0)
        .map(|(i, _)| i)
        .take(TITLE_ROWS + 1)
        .collect();
    let Some(&first) = non_empty.first() else {
        return Err(ExchangeError::Format(format!(
            "{}: 文件是空的，第1行应为表头",
            path.display()
        )));
    };
    let header_at = non_empty
        .iter()
        .copied()
        .find(|i| filled(&grid[*i]) >= 2)
        .unwrap_or(first);
    let titles: Vec<usize> = non_empty
        .iter()
        .copied()
        .filter(|i| *i < header_at)
        .map(|i| i + 1)
        .collect();
    if !titles.is_empty() {
        let rows: Vec<String> = titles.iter().map(|r| format!("第{r}行")).collect();
        notes.push(format!("{}是表头上方的标题行，已跳过。", rows.join("、")));
    }
    let mut lines = grid.into_iter().enumerate().skip(header_at);
    let Some((_, header_cells)) = lines.next() else {
        return Err(ExchangeError::Format(format!(
            "{}: 文件是空的，第1行应为表头",
            path.display()
        )));
    };
    let headers = header_cells.iter().map(Cell::text).collect();
    let rows: Vec<Row> = lines
        // A row whose only values are formulas never computed still holds data.
        .filter(|(i, cells)| {
            cells.iter().any(|c| !c.is_empty())
                || facts
                    .unevaluated
                    .range((i + 1, 0)..(i + 2, 0))
                    .next()
                    .is_some()
        })
        .map(|(i, cells)| Row {
            number: i + 1,
            cells,
        })
        .collect();
    let data: std::collections::BTreeSet<usize> = rows.iter().map(|r| r.number).collect();
    let of_data = |set: &std::collections::BTreeSet<usize>| -> Vec<usize> {
        set.iter().copied().filter(|n| data.contains(n)).collect()
    };
    Ok(Table {
        headers,
        hidden: of_data(&facts.hidden),
        filtered: of_data(&facts.filtered),
        unevaluated: facts
            .unevaluated
            .into_iter()
            .filter(|(row, _)| data.contains(row))
            .collect(),
        rows,
        notes,
    })
}

/// Text written to CSV as a spreadsheet would take it for a formula (`=cmd|' /C calc'!A0`,
/// `+`, `-`, `@`, or a leading tab or carriage return) gets a leading apostrophe, so that Excel
/// shows it as text instead of running it (OWASP's advice for CSV injection).
pub fn guarded(text: &str) -> std::borrow::Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{text}"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// The text [`guarded`] was given back: a file this system exported imports as it was.
fn unguarded(text: &str) -> &str {
    match text.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => text,
    }
}

/// At most this many one-cell title rows are skipped above a header.
const TITLE_ROWS: usize = 5;

fn read_csv(bytes: &[u8], notes: &mut Vec<String>) -> Result<Vec<Vec<Cell>>, ExchangeError> {
    let (text, encoding) = crate::encoding::decode_text(bytes)?;
    if let Some(name) = encoding {
        notes.push(format!("文件编码为{name}，已按此读取。"));
    }
    // Excel's "Unicode 文本" separates cells with tabs; a CSV with commas.
    let first_line = text.lines().next().unwrap_or_default();
    let delimiter = if first_line.contains('\t') && !first_line.contains(',') {
        b'\t'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut grid = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record
            .map_err(|e| ExchangeError::Format(format!("第{}行: CSV格式错误: {e}", i + 1)))?;
        if let Some(column) = record.iter().position(domain::text::has_control_characters) {
            return Err(ExchangeError::Format(format!(
                "第{}行第{}列: 含有不可见的控制字符（如 NUL）",
                i + 1,
                column + 1
            )));
        }
        grid.push(
            record
                .iter()
                .map(|s| {
                    if s.trim().is_empty() {
                        Cell::Empty
                    } else {
                        Cell::Text(unguarded(s).to_owned())
                    }
                })
                .collect(),
        );
    }
    Ok(grid)
}

/// An .xlsx is a zip whose sheets are XML: a few kilobytes can claim gigabytes once inflated (a
/// "zip bomb"). Each part's declared size is checked before anything is inflated — the zip
/// reader stops a part at its declared size — so such a file is refused instead of filling
/// memory. Real sheets compress about tenfold; a part must be both large and compressed far
/// beyond that to be refused.
pub fn check_not_a_zip_bomb<R: std::io::Read + std::io::Seek>(
    name: &str,
    reader: R,
) -> Result<(), ExchangeError> {
    const LARGE: u64 = 64 * 1024 * 1024;
    const RATIO: u64 = 200;
    const TOTAL: u64 = 4 * 1024 * 1024 * 1024;
    // Not a zip at all (an old .xls, a damaged file): calamine says what is wrong with it.
    let Ok(mut archive) = zip::ZipArchive::new(reader) else {
        return Ok(());
    };
    let mut total = 0u64;
    for i in 0..archive.len() {
        let Ok(part) = archive.by_index_raw(i) else {
            continue;
        };
        let (size, packed) = (part.size(), part.compressed_size().max(1));
        total = total.saturating_add(size);
        if (size > LARGE && size / packed > RATIO) || total > TOTAL {
            return Err(ExchangeError::Format(format!(
                "{name}: 解压后过大（{} 压缩为 {} 字节，声明解压后 {} 字节），疑似压缩炸弹，已拒绝",
                part.name().unwrap_or_default(),
                packed,
                size
            )));
        }
    }
    Ok(())
}

fn read_workbook(
    path: &Path,
    bytes: &[u8],
    keys: &[&str],
    notes: &mut Vec<String>,
    facts: &mut crate::sheet_facts::SheetFacts,
) -> Result<Vec<Vec<Cell>>, ExchangeError> {
    let ole = bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]);
    let named_xlsx = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
    if ole && named_xlsx {
        // An .xlsx is a zip; one in an OLE container is one Excel encrypted with a password.
        return Err(ExchangeError::Format(format!(
            "{}: 无法读取Excel文件：文件已加密（设置了打开密码）；请在Excel中取消密码后另存再导入",
            path.display()
        )));
    }
    if bytes.starts_with(b"PK") || ole {
        if bytes.starts_with(b"PK") {
            check_not_a_zip_bomb(&path.display().to_string(), std::io::Cursor::new(bytes))?;
        }
    } else {
        return Err(ExchangeError::Format(format!(
            "{}: 无法读取Excel文件（不是Excel工作簿，可能已损坏或改了扩展名）",
            path.display()
        )));
    }
    // A damaged file can make calamine panic (an overflow in a cell reference): refused, not
    // a crash.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        read_workbook_cells(path, bytes, keys, notes, facts)
    }))
    .unwrap_or_else(|_| {
        Err(ExchangeError::Format(format!(
            "{}: 无法读取Excel文件（文件已损坏）",
            path.display()
        )))
    })
}

/// Rows of a sheet looked at for its header.
const HEADER_SEARCH: usize = 10;

fn read_workbook_cells(
    path: &Path,
    bytes: &[u8],
    keys: &[&str],
    notes: &mut Vec<String>,
    facts: &mut crate::sheet_facts::SheetFacts,
) -> Result<Vec<Vec<Cell>>, ExchangeError> {
    let mut workbook = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes.to_vec()))
        .map_err(|e| {
        let text = e.to_string();
        let why = if text.contains("ncrypt") || text.contains("assword") {
            "文件已加密；请在Excel中取消密码保护后另存再导入".to_owned()
        } else {
            format!("文件已损坏或格式不受支持（{text}）")
        };
        ExchangeError::Format(format!("{}: 无法读取Excel文件：{why}", path.display()))
    })?;
    let sheets: Vec<(String, bool)> = workbook
        .sheets_metadata()
        .iter()
        .filter(|s| s.typ == calamine::SheetType::WorkSheet)
        .map(|s| (s.name.clone(), s.visible == calamine::SheetVisible::Visible))
        .collect();
    if sheets.is_empty() {
        return Err(ExchangeError::Format(format!(
            "{}: 工作簿中没有工作表",
            path.display()
        )));
    }
    // The sheet whose header holds the import's columns; with none to go by (or no sheet that
    // matches), the first visible one.
    let mut ranges = Vec::with_capacity(sheets.len());
    for (name, _) in &sheets {
        let range = workbook.worksheet_range(name).map_err(|e| {
            ExchangeError::Format(format!("{}: 无法读取工作表“{name}”: {e}", path.display()))
        })?;
        ranges.push(range);
    }
    let score = |range: &calamine::Range<calamine::Data>| {
        range
            .rows()
            .take(HEADER_SEARCH)
            .map(|row| {
                row.iter()
                    .filter(|c| keys.contains(&header_key(&c.to_string())))
                    .count()
            })
            .max()
            .unwrap_or(0)
    };
    let scores: Vec<usize> = ranges.iter().map(score).collect();
    let best = scores.iter().copied().max().unwrap_or(0);
    let chosen = if !keys.is_empty() && best >= 2.min(keys.len()) {
        let matching: Vec<usize> = (0..sheets.len()).filter(|i| scores[*i] == best).collect();
        if matching.len() > 1 {
            let names: Vec<String> = matching
                .iter()
                .map(|i| format!("“{}”", sheets[*i].0))
                .collect();
            return Err(ExchangeError::Format(format!(
                "{}: 工作表{}都有本类数据的表头，无法确定导入哪一个；请只保留一个，或分成两个文件导入",
                path.display(),
                names.join("和")
            )));
        }
        matching[0]
    } else {
        sheets.iter().position(|(_, visible)| *visible).unwrap_or(0)
    };
    if chosen != 0 {
        notes.push(format!("数据取自工作表“{}”。", sheets[chosen].0));
    }
    let name = &sheets[chosen].0;
    if bytes.starts_with(b"PK")
        && let Some(read) = crate::sheet_facts::read(std::io::Cursor::new(bytes), name)
            .or_else(|| crate::sheet_facts::read_ods(std::io::Cursor::new(bytes), name))
    {
        *facts = read;
    }
    let range = ranges.swap_remove(chosen);
    // Row numbers must match what the user sees, so leading empty rows are kept.
    let offset = range.start().map_or(0, |(row, _)| row as usize);
    let column_offset = range.start().map_or(0, |(_, col)| col as usize);
    let mut grid: Vec<Vec<Cell>> = vec![Vec::new(); offset];
    for row in range.rows() {
        let mut cells = vec![Cell::Empty; column_offset];
        cells.extend(row.iter().map(convert));
        grid.push(cells);
    }
    Ok(grid)
}

pub(crate) fn convert(data: &impl DataType) -> Cell {
    let text = data
        .get_string()
        .or_else(|| data.get_datetime_iso())
        .or_else(|| data.get_duration_iso());
    if let Some(s) = text {
        if s.trim().is_empty() {
            Cell::Empty
        } else {
            Cell::Text(s.to_owned())
        }
    } else if let Some(i) = data.get_int() {
        Cell::Number(i as f64)
    } else if let Some(f) = data.get_float() {
        Cell::Number(f)
    } else if let Some(b) = data.get_bool() {
        Cell::Bool(b)
    } else if let Some(dt) = data.get_datetime() {
        match dt.as_datetime() {
            Some(value) => Cell::Date(value.date()),
            None => Cell::Number(dt.as_f64()),
        }
    } else {
        // Empty, or an error value (#N/A…).
        Cell::Empty
    }
}

/// The header text that identifies a column: what stands before any parenthesis, so that
/// 金额 and 金额(万元) and 金额（万元） are the same column.
pub fn header_key(header: &str) -> &str {
    let end = header.find(['(', '（']).unwrap_or(header.len());
    header[..end].trim().trim_start_matches('*').trim()
}

mod stream;

pub use stream::{RowStream, stream_xlsx};
