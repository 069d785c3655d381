//! What a worksheet's XML says that calamine does not hand over: rows hidden by hand or by a
//! filter, and formula cells whose result was never stored. An import reads both from the
//! `.xlsx` itself, a streaming pass over the one sheet's part, so that it can count hidden rows
//! in its report and refuse a formula whose value it would otherwise take as empty.

use std::collections::{BTreeSet, HashMap};
use std::io::{BufReader, Read, Seek};

use quick_xml::Reader;
use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};

/// What an `.xlsx` sheet's XML says about its rows and cells; rows and columns are numbered
/// from 1 for rows (as the sheet shows them) and from 0 for columns (as a row's cells are).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SheetFacts {
    /// Rows hidden by hand (右键 → 隐藏).
    pub hidden: BTreeSet<usize>,
    /// Rows hidden because an autofilter leaves them out.
    pub filtered: BTreeSet<usize>,
    /// Formula cells without a stored result: a file written by a program (openpyxl,
    /// xlsxwriter) and never opened and saved in a spreadsheet. Their value is unknown, not
    /// empty.
    pub unevaluated: BTreeSet<(usize, usize)>,
}

/// Reads the facts of the sheet named `sheet` of the workbook in `archive`. `None` when the file
/// is not an Office Open XML workbook or the sheet's part cannot be found: an import then goes
/// on with what calamine read, as it did before these facts were looked for.
pub fn read<R: Read + Seek>(archive: R, sheet: &str) -> Option<SheetFacts> {
    let mut zip = zip::ZipArchive::new(archive).ok()?;
    let (targets, recalculated) = sheet_parts(&mut zip)?;
    let part = targets.get(sheet)?.clone();
    let entry = zip.by_name(&part).ok()?;
    facts_of(BufReader::new(entry), recalculated).ok()
}

/// The facts of the sheet named `sheet` of an OpenDocument spreadsheet (`.ods`, LibreOffice's and
/// WPS's own): its rows hidden (`table:visibility="collapse"`) and filtered out (`"filter"`).
/// LibreOffice stores every formula's result, so none is unevaluated. `None` when the file is not
/// one or has no such sheet.
pub fn read_ods<R: Read + Seek>(archive: R, sheet: &str) -> Option<SheetFacts> {
    /// A run of repeated rows longer than this is the empty tail of a sheet, not data.
    const RUN: usize = 10_000;
    let mut zip = zip::ZipArchive::new(archive).ok()?;
    let content = zip.by_name("content.xml").ok()?;
    let mut reader = Reader::from_reader(BufReader::new(content));
    let mut buf = Vec::new();
    let mut facts = SheetFacts::default();
    let mut inside = false;
    let mut found = false;
    let mut row = 0usize;
    loop {
        let event = reader.read_event_into(&mut buf).ok()?;
        match &event {
            Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
                "table" if !inside => {
                    inside = attribute(e, "name").as_deref() == Some(sheet);
                    found |= inside;
                }
                "table-row" if inside => {
                    let repeated: usize = attribute(e, "number-rows-repeated")
                        .and_then(|n| n.parse().ok())
                        .unwrap_or(1);
                    let visibility = attribute(e, "visibility");
                    if repeated <= RUN {
                        let rows = row + 1..=row + repeated;
                        match visibility.as_deref() {
                            Some("collapse") => facts.hidden.extend(rows),
                            Some("filter") => facts.filtered.extend(rows),
                            _ => {}
                        }
                    }
                    row = row.saturating_add(repeated);
                }
                _ => {}
            },
            Event::End(e) if inside && e.local_name().as_ref() == "table" => break,
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    found.then_some(facts)
}

/// Every sheet's part by the sheet's name, and whether the workbook asks to be recalculated when
/// opened: xlsxwriter and openpyxl write that, and store 0 or nothing as each formula's
/// result, so no stored result of such a workbook can be trusted.
fn sheet_parts<R: Read + Seek>(
    zip: &mut zip::ZipArchive<R>,
) -> Option<(HashMap<String, String>, bool)> {
    let mut ids: Vec<(String, String)> = Vec::new();
    let mut recalculated = false;
    {
        let workbook = zip.by_name("xl/workbook.xml").ok()?;
        let mut reader = Reader::from_reader(BufReader::new(workbook));
        let mut buf = Vec::new();
        loop {
            match reader.read_event_into(&mut buf).ok()? {
                Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
                    "sheet" => {
                        if let (Some(name), Some(id)) = (attribute(&e, "name"), attribute(&e, "id"))
                        {
                            ids.push((name, id));
                        }
                    }
                    "calcPr" => {
                        recalculated = attribute(&e, "fullCalcOnLoad")
                            .is_some_and(|v| v == "1" || v == "true");
                    }
                    _ => {}
                },
                Event::Eof => break,
                _ => {}
            }
            buf.clear();
        }
    }
    let mut targets: HashMap<String, String> = HashMap::new();
    {
        let rels = zip.by_name("xl/_rels/workbook.xml.rels").ok()?;
        let mut reader = Reader::from_reader(BufReader::new(rels));
        let mut buf = Vec::new();
        loop {
            match reader.read_event_into(&mut buf).ok()? {
                Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "Relationship" => {
                    if let (Some(id), Some(target)) = (attribute(&e, "Id"), attribute(&e, "Target"))
                    {
                        // Targets are relative to xl/ unless they start at the root.
                        let part = match target.strip_prefix('/') {
                            Some(absolute) => absolute.to_owned(),
                            None => format!("xl/{target}"),
                        };
                        targets.insert(id, part);
                    }
                }
                Event::Eof => break,
                _ => {}
            }
            buf.clear();
        }
    }
    let parts = ids
        .into_iter()
        .filter_map(|(name, id)| Some((name, targets.get(&id)?.clone())))
        .collect();
    Some((parts, recalculated))
}

/// The value of the attribute whose local name is `name` (`r:id` is `id`), unescaped.
fn attribute(e: &BytesStart<'_>, name: &str) -> Option<String> {
    e.attributes()
        .with_checks(false)
        .flatten()
        .find(|a| a.key.local_name().as_ref() == name)
        .and_then(|a| a.normalized_value(XmlVersion::Implicit1_0).ok())
        .map(|v| v.into_owned())
}

/// A cell reference's row and column: `AB12` → (12, 27).
fn position(reference: &str) -> Option<(usize, usize)> {
    let split = reference.find(|c: char| c.is_ascii_digit())?;
    let (letters, digits) = reference.split_at(split);
    let row = digits.parse().ok()?;
    let mut column = 0usize;
    for c in letters.bytes() {
        if !c.is_ascii_uppercase() {
            return None;
        }
        column = column
            .checked_mul(26)?
            .checked_add(usize::from(c - b'A') + 1)?;
    }
    Some((row, column.checked_sub(1)?))
}

/// A range's first and last row: `A1:F20` → (1, 20).
fn row_span(range: &str) -> Option<(usize, usize)> {
    let (first, last) = range.split_once(':').unwrap_or((range, range));
    Some((position(first)?.0, position(last)?.0))
}

/// A cell being read: where it is, its type, whether it has a formula and a stored value.
#[derive(Default)]
struct OpenCell {
    at: (usize, usize),
    text_typed: bool,
    formula: bool,
    value: bool,
    in_value: bool,
}

fn facts_of(source: impl std::io::BufRead, recalculated: bool) -> quick_xml::Result<SheetFacts> {
    let mut reader = Reader::from_reader(source);
    let mut buf = Vec::new();
    let mut facts = SheetFacts::default();
    let mut hidden_rows = Vec::new();
    let mut filter: Option<(usize, usize)> = None;
    // Rows and cells may leave out their reference; they then follow the one before.
    let mut row = 0usize;
    let mut column: Option<usize> = None;
    let mut cell: Option<OpenCell> = None;
    let close = |cell: OpenCell, facts: &mut SheetFacts| {
        // A formula whose result is the empty text keeps an empty <v> under t="str"; one whose
        // result was never computed has none, or an empty one without that type.
        if cell.formula && (recalculated || (!cell.value && !cell.text_typed)) {
            facts.unevaluated.insert(cell.at);
        }
    };
    loop {
        let event = reader.read_event_into(&mut buf)?;
        match &event {
            Event::Start(e) | Event::Empty(e) => {
                let empty = matches!(event, Event::Empty(_));
                match e.local_name().as_ref() {
                    "row" => {
                        row = attribute(e, "r")
                            .and_then(|r| r.parse().ok())
                            .unwrap_or(row + 1);
                        column = None;
                        if attribute(e, "hidden").is_some_and(|v| v == "1" || v == "true") {
                            hidden_rows.push(row);
                        }
                    }
                    "c" => {
                        let at = attribute(e, "r")
                            .and_then(|r| position(&r))
                            .unwrap_or((row, column.map_or(0, |c| c + 1)));
                        column = Some(at.1);
                        let open = OpenCell {
                            at,
                            text_typed: attribute(e, "t").is_some_and(|t| t == "str"),
                            ..OpenCell::default()
                        };
                        if empty {
                            close(open, &mut facts);
                        } else {
                            cell = Some(open);
                        }
                    }
                    "f" => {
                        if let Some(open) = cell.as_mut() {
                            open.formula = true;
                        }
                    }
                    "v" if !empty => {
                        if let Some(open) = cell.as_mut() {
                            open.in_value = true;
                        }
                    }
                    "autoFilter" => filter = attribute(e, "ref").and_then(|r| row_span(&r)),
                    _ => {}
                }
            }
            Event::Text(text) => {
                if let Some(open) = cell.as_mut()
                    && open.in_value
                    && !text.as_ref().trim().is_empty()
                {
                    open.value = true;
                }
            }
            Event::GeneralRef(_) => {
                if let Some(open) = cell.as_mut()
                    && open.in_value
                {
                    open.value = true;
                }
            }
            Event::End(e) => match e.local_name().as_ref() {
                "v" => {
                    if let Some(open) = cell.as_mut() {
                        open.in_value = false;
                    }
                }
                "c" => {
                    if let Some(open) = cell.take() {
                        close(open, &mut facts);
                    }
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    // The autofilter's range follows the rows in the file, so rows are sorted out at the end:
    // a hidden row inside it (below its header) is one the filter left out.
    for number in hidden_rows {
        match filter {
            Some((first, last)) if number > first && number <= last => {
                facts.filtered.insert(number);
            }
            _ => {
                facts.hidden.insert(number);
            }
        }
    }
    Ok(facts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(xml: &str, recalculated: bool) -> SheetFacts {
        facts_of(xml.as_bytes(), recalculated).unwrap()
    }

    #[test]
    fn references_are_read_as_row_and_column() {
        assert_eq!(position("A1"), Some((1, 0)));
        assert_eq!(position("AB12"), Some((12, 27)));
        assert_eq!(position("12"), None);
        assert_eq!(position("a1"), None);
        assert_eq!(row_span("A3:F20"), Some((3, 20)));
    }

    #[test]
    fn hidden_rows_are_told_from_filtered_ones() {
        let xml = r#"<worksheet><sheetData>
            <row r="1"><c r="A1" t="s"><v>0</v></c></row>
            <row r="2" hidden="1"><c r="A2"><v>1</v></c></row>
            <row r="5" hidden="1"><c r="A5"><v>1</v></c></row>
            <row r="9" hidden="true"><c r="A9"><v>1</v></c></row>
            </sheetData><autoFilter ref="A1:C6"/></worksheet>"#;
        let read = facts(xml, false);
        assert_eq!(read.filtered, BTreeSet::from([2, 5]));
        assert_eq!(read.hidden, BTreeSet::from([9]));
    }

    #[test]
    fn a_formula_without_a_stored_result_is_found() {
        let xml = r#"<worksheet><sheetData><row r="3">
            <c r="A3"><f>SUM(B1:B2)</f><v>12.5</v></c>
            <c r="B3"><f>SUM(B1:B2)</f></c>
            <c r="C3"><f>SUM(B1:B2)</f><v/></c>
            <c r="D3" t="str"><f>IF(1,"","")</f><v></v></c>
            <c r="E3"><f t="shared" si="0"/></c>
            <c r="F3"><v>7</v></c>
            </row></sheetData></worksheet>"#;
        let read = facts(xml, false);
        assert_eq!(read.unevaluated, BTreeSet::from([(3, 1), (3, 2), (3, 4)]));
        // A workbook that asks to be recalculated when opened stores no result worth taking.
        let read = facts(xml, true);
        assert_eq!(
            read.unevaluated,
            BTreeSet::from([(3, 0), (3, 1), (3, 2), (3, 3), (3, 4)])
        );
    }
}
