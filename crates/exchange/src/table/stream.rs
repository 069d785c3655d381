//! The first sheet of a large `.xlsx` read a cell at a time on a thread of its own, for the
//! enterprise import: memory holds a few thousand rows, never the sheet.

use std::path::Path;

use calamine::Reader;

use super::{Cell, Row, check_not_a_zip_bomb, convert};
use crate::ExchangeError;

/// Rows handed over from the thread that reads a workbook, in batches: a hand-over per row
/// would cost both threads a wake-up per row.
pub struct RowStream {
    receiver: std::sync::mpsc::Receiver<Result<Vec<Row>, ExchangeError>>,
    batch: std::vec::IntoIter<Row>,
}

impl Iterator for RowStream {
    type Item = Result<Row, ExchangeError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(row) = self.batch.next() {
                return Some(Ok(row));
            }
            match self.receiver.recv().ok()? {
                Ok(batch) => self.batch = batch.into_iter(),
                Err(e) => return Some(Err(e)),
            }
        }
    }
}

/// Rows a batch from the workbook's thread.
const HANDED: usize = 256;

/// The first sheet of an `.xlsx` read a cell at a time on a thread of its own, handed over in
/// batches through a short queue: memory holds the workbook's shared strings and a few
/// thousand rows, never the whole sheet. Returns the header row, the number of the last row
/// (for progress), the data rows, empty ones left out, and what the sheet's XML says of hidden
/// rows and formulas (read first, in a streaming pass of its own).
pub fn stream_xlsx(
    path: &Path,
) -> Result<
    (
        Vec<String>,
        usize,
        RowStream,
        crate::sheet_facts::SheetFacts,
    ),
    ExchangeError,
> {
    let name = path.display().to_string();
    let unreadable = {
        let name = name.clone();
        move |e: &dyn std::fmt::Display| {
            ExchangeError::Format(format!("{name}: 无法读取Excel文件: {e}"))
        }
    };
    let file = std::fs::File::open(path).map_err(|e| unreadable(&e))?;
    check_not_a_zip_bomb(&name, std::io::BufReader::new(file))?;
    let mut workbook: calamine::Xlsx<_> =
        calamine::open_workbook(path).map_err(|e| unreadable(&e))?;
    let facts = match workbook.sheet_names().first() {
        Some(first) => std::fs::File::open(path)
            .ok()
            .and_then(|file| crate::sheet_facts::read(std::io::BufReader::new(file), first)),
        None => None,
    }
    .unwrap_or_default();
    let (sender, receiver) = std::sync::mpsc::sync_channel::<Result<Vec<Row>, ExchangeError>>(16);
    let (ready, headers) =
        std::sync::mpsc::sync_channel::<Result<(Vec<String>, usize), ExchangeError>>(1);
    let reader = std::thread::Builder::new().name("read-xlsx".to_owned());
    let spawned = reader.spawn(move || {
        let (failed_ready, failed_rows, failed_name) =
            (ready.clone(), sender.clone(), name.clone());
        // A damaged file can make calamine panic (an overflow in a cell reference): the rows
        // read so far must not pass for the whole file, so the panic becomes an error.
        let read = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
            let Some(sheet) = workbook.sheet_names().into_iter().next() else {
                let _ = ready.send(Err(ExchangeError::Format(format!(
                    "{name}: 工作簿中没有工作表"
                ))));
                return;
            };
            let mut cells = match workbook.worksheet_cells_reader(&sheet) {
                Ok(cells) => cells,
                Err(e) => {
                    let _ = ready.send(Err(unreadable(&e)));
                    return;
                }
            };
            let last_row = cells.dimensions().end.0 as usize + 1;
            let mut header: Option<Vec<String>> = None;
            let mut current: Option<Row> = None;
            let mut batch: Vec<Row> = Vec::with_capacity(HANDED);
            // Takes a finished row: the first non-empty one is the header, the others go on a
            // batch at a time. False when the reader has gone away.
            let mut finish = |row: Row, last: bool| -> bool {
                if !row.cells.iter().all(Cell::is_empty) {
                    if header.is_none() {
                        let texts: Vec<String> = row.cells.iter().map(Cell::text).collect();
                        header = Some(texts.clone());
                        if ready.send(Ok((texts, last_row))).is_err() {
                            return false;
                        }
                    } else {
                        batch.push(row);
                    }
                }
                if (last || batch.len() >= HANDED) && !batch.is_empty() {
                    let full = std::mem::replace(&mut batch, Vec::with_capacity(HANDED));
                    return sender.send(Ok(full)).is_ok();
                }
                true
            };
            loop {
                match cells.next_cell() {
                    Ok(Some(cell)) => {
                        let (r, c) = cell.get_position();
                        let number = r as usize + 1;
                        if current.as_ref().is_some_and(|row| row.number != number)
                            && let Some(row) = current.take()
                            && !finish(row, false)
                        {
                            return;
                        }
                        let row = current.get_or_insert_with(|| Row {
                            number,
                            cells: Vec::new(),
                        });
                        let c = c as usize;
                        if row.cells.len() <= c {
                            row.cells.resize(c + 1, Cell::Empty);
                        }
                        row.cells[c] = convert(cell.get_value());
                    }
                    Ok(None) => {
                        finish(current.take().unwrap_or_default(), true);
                        break;
                    }
                    Err(e) => {
                        // The whole rows before the fault go on first, so that it is reported after
                        // them; the row it broke does not.
                        finish(Row::default(), true);
                        let error = unreadable(&e);
                        if header.is_none() {
                            let _ = ready.send(Err(error));
                        } else {
                            let _ = sender.send(Err(error));
                        }
                        return;
                    }
                }
            }
            if header.is_none() {
                let _ = ready.send(Err(ExchangeError::Format(format!(
                    "{name}: 文件是空的，第1行应为表头"
                ))));
            }
        }));
        if read.is_err() {
            let damaged =
                || ExchangeError::Format(format!("{failed_name}: 无法读取Excel文件（文件已损坏）"));
            let _ = failed_ready.try_send(Err(damaged()));
            let _ = failed_rows.send(Err(damaged()));
        }
    });
    spawned.map_err(|e| ExchangeError::Io("读取Excel文件的线程".to_owned(), e))?;
    let (headers, last_row) = headers
        .recv()
        .map_err(|_| ExchangeError::Format(format!("{}: 无法读取Excel文件", path.display())))??;
    let rows = RowStream {
        receiver,
        batch: Vec::new().into_iter(),
    };
    Ok((headers, last_row, rows, facts))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::Cell;

    /// Rows come over in batches: every row once, in order, numbered as the sheet shows them,
    /// empty rows left out, whatever the batch boundaries.
    #[test]
    fn a_streamed_sheet_yields_every_row_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rows.xlsx");
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(0, 0, "企业名称").unwrap();
        sheet.write_string(0, 1, "注册资本").unwrap();
        let rows = 3 * HANDED + 7;
        for r in 1..=rows as u32 {
            // Row 300 is left empty.
            if r != 300 {
                sheet.write_string(r, 0, format!("企业{r}")).unwrap();
                sheet.write_number(r, 1, f64::from(r)).unwrap();
            }
        }
        book.save(&path).unwrap();
        let (headers, last, stream, facts) = stream_xlsx(&path).unwrap();
        assert_eq!(facts, crate::sheet_facts::SheetFacts::default());
        assert_eq!(headers, ["企业名称", "注册资本"]);
        assert_eq!(last, rows + 1);
        let read: Vec<Row> = stream.map(Result::unwrap).collect();
        assert_eq!(read.len(), rows - 1);
        let numbers: Vec<usize> = read.iter().map(|r| r.number).collect();
        let expected: Vec<usize> = (2..=rows + 1).filter(|&n| n != 301).collect();
        assert_eq!(numbers, expected);
        let last_row = read.last().unwrap();
        assert_eq!(last_row.cells[0].text(), format!("企业{rows}"));
        assert_eq!(last_row.cells[1], Cell::Number(rows as f64));
    }
}
