//! A herd file: a CSV of animals to register (the plain template, or an NLIS herd export),
//! read and checked row by row with the registry's own rules before anything is sent, so the
//! page's preview, `icattle import` and the server agree on every row.
//!
//! Each valid row becomes one CREATE_CATTLE command. An animal's id comes from its NLIS id,
//! so sending a row twice (a second import of the file, a retry after a lost answer) is
//! answered with the first registration and creates nothing new.

mod columns;
mod import_report;

pub use columns::HerdColumn;
pub use import_report::{import_report_csv, RowOutcome};

use crate::{CreateCattle, FieldError};
use columns::ColumnPlaces;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The most animals one file may hold.
pub const MAX_HERD_FILE_ROWS: usize = 100_000;

/// The plain template the import page offers: its header and one example animal.
pub const HERD_FILE_TEMPLATE: &str =
    "NLIS ID,PIC,Breed,Sex,Date of birth\n3ABCD123XBC12345,QABC1234,Angus,Female,15/08/2024\n";

/// A client of the importing user, whose PIC a row may name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HerdClient {
    /// The client's id.
    pub id: i64,
    /// The client's Property Identification Code.
    pub pic: String,
}

/// One row of a herd file, checked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HerdFileRow {
    /// The line of the file the row starts on (the header is line 1).
    pub line: u64,
    /// The NLIS id as the registry writes it (as the file wrote it when it is not one).
    pub nlis_id: String,
    /// The registration to send, or what is wrong, each error named by the file's column.
    pub checked: Result<CreateCattle, Vec<FieldError>>,
}

impl HerdFileRow {
    /// The CREATE_CATTLE command of a valid row, as `POST /api/commands` takes it.
    pub fn command(&self) -> Option<serde_json::Value> {
        let create = self.checked.as_ref().ok()?;
        Some(serde_json::json!({"type": "CREATE_CATTLE", "data": create}))
    }
}

/// A herd file, read: every animal row in file order and the columns it did not read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HerdFile {
    /// Each non-blank row after the header.
    pub rows: Vec<HerdFileRow>,
    /// Headers of columns the import does not read (an RFID column, notes, …).
    pub ignored_columns: Vec<String>,
}

impl HerdFile {
    /// How many rows can be sent.
    pub fn valid_rows(&self) -> usize {
        self.rows.iter().filter(|row| row.checked.is_ok()).count()
    }
}

/// Why a whole file cannot be read (a row's own problems are kept on the row instead).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HerdFileError {
    /// Nothing but blank lines.
    #[error("the file is empty; its first line names the columns: {}", HERD_FILE_TEMPLATE.lines().next().unwrap_or_default())]
    Empty,
    /// Not comma-separated text.
    #[error("line {line} cannot be read as CSV: {reason}")]
    NotCsv {
        /// Where.
        line: u64,
        /// What the reader said.
        reason: String,
    },
    /// The header row names a column twice.
    #[error("{0}")]
    ColumnTwice(String),
    /// A column every row needs is not in the header row.
    #[error("the file has no {column} column; name it in the first line as one of {accepted}")]
    MissingColumn {
        /// The template's name of the column.
        column: &'static str,
        /// The headers taken for it.
        accepted: String,
    },
    /// No PIC column and no single client to put the animals under.
    #[error("the file has no PIC column and you manage {clients} clients; add a PIC column naming each animal's property")]
    NoPicColumn {
        /// How many clients the user manages.
        clients: usize,
    },
    /// More rows than one import takes.
    #[error("the file holds more than {MAX_HERD_FILE_ROWS} animals; split it into smaller files")]
    TooManyRows,
    /// A header and no animal.
    #[error("the file names its columns but holds no animal")]
    NoRows,
}

/// Reads `bytes` (UTF-8 text, with or without a byte-order mark) as a herd file for a user managing `clients`: the header row names the
/// columns (in any order, as the template or an NLIS export names them), each later
/// non-blank row is one animal. Ids are upper-cased, a sex may be written as stock people
/// write it and a date day first (`15/08/2024`); every row is checked with CREATE_CATTLE's
/// rules, its PIC must be one of `clients`, and an NLIS id may appear once.
pub fn read_herd_file(bytes: &[u8], clients: &[HerdClient]) -> Result<HerdFile, HerdFileError> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let headers = reader.headers().map_err(not_csv)?.clone();
    if headers.iter().all(|h| h.trim().is_empty()) {
        return Err(HerdFileError::Empty);
    }
    let (places, ignored_columns) =
        ColumnPlaces::of_headers(headers.iter()).map_err(HerdFileError::ColumnTwice)?;
    for column in [HerdColumn::NlisId, HerdColumn::Breed, HerdColumn::Sex] {
        if places.place(column).is_none() {
            return Err(HerdFileError::MissingColumn {
                column: column.template_header(),
                accepted: column.accepted(),
            });
        }
    }
    let only_client = match (places.place(HerdColumn::Pic), clients) {
        (Some(_), _) => None,
        (None, [only]) => Some(only.id),
        (None, clients) => {
            return Err(HerdFileError::NoPicColumn {
                clients: clients.len(),
            })
        }
    };
    let pics: HashMap<&str, i64> = clients.iter().map(|c| (c.pic.as_str(), c.id)).collect();
    let mut first_line_of: HashMap<String, u64> = HashMap::new();
    let mut rows = Vec::new();
    let mut lines = LineCount::new(bytes);
    for record in reader.records() {
        let record = record.map_err(not_csv)?;
        if record.iter().all(|cell| cell.trim().is_empty()) {
            continue;
        }
        if rows.len() == MAX_HERD_FILE_ROWS {
            return Err(HerdFileError::TooManyRows);
        }
        let line = lines.line_at(record.position().map_or(0, |p| p.byte()));
        let cell = |column| places.place(column).and_then(|i| record.get(i));
        let mut row = check_row(line, &cell, &places, &pics, only_client);
        if row.checked.is_ok() || !row.nlis_id.is_empty() {
            if let Some(first) = first_line_of.get(&row.nlis_id) {
                let again = FieldError::new(
                    places.header(HerdColumn::NlisId),
                    format!(
                        "{} is on line {first} too; keep one row per animal",
                        row.nlis_id
                    ),
                );
                match &mut row.checked {
                    Ok(_) => row.checked = Err(vec![again]),
                    Err(errors) => errors.insert(0, again),
                }
            } else {
                first_line_of.insert(row.nlis_id.clone(), line);
            }
        }
        rows.push(row);
    }
    if rows.is_empty() {
        return Err(HerdFileError::NoRows);
    }
    Ok(HerdFile {
        rows,
        ignored_columns,
    })
}

/// Line numbers as an editor shows them: the csv reader's own count leaves out blank lines.
struct LineCount<'a> {
    bytes: &'a [u8],
    byte: usize,
    line: u64,
}

impl<'a> LineCount<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Self {
            bytes,
            byte: 0,
            line: 1,
        }
    }

    /// The line of the record the reader says starts at byte `at` (where it began to look,
    /// before the blank lines it skips); `at` never goes back between calls.
    fn line_at(&mut self, at: u64) -> u64 {
        let mut at = usize::try_from(at)
            .unwrap_or(usize::MAX)
            .min(self.bytes.len());
        while matches!(self.bytes.get(at), Some(b'\n' | b'\r')) {
            at += 1;
        }
        if at > self.byte {
            let newlines = self.bytes[self.byte..at].iter().filter(|b| **b == b'\n');
            self.line += newlines.count() as u64;
            self.byte = at;
        }
        self.line
    }
}

fn not_csv(error: csv::Error) -> HerdFileError {
    let line = error.position().map_or(1, |p| p.line());
    let reason = match error.kind() {
        csv::ErrorKind::Utf8 { .. } => {
            "it is not UTF-8 text; save the file as \"CSV UTF-8\"".to_string()
        }
        _ => error.to_string(),
    };
    HerdFileError::NotCsv { line, reason }
}

/// One row's cells read and checked; errors are named by the file's own headers.
fn check_row<'a>(
    line: u64,
    cell: &dyn Fn(HerdColumn) -> Option<&'a str>,
    places: &ColumnPlaces,
    pics: &HashMap<&str, i64>,
    only_client: Option<i64>,
) -> HerdFileRow {
    let mut errors = Vec::new();
    let mut fail = |column: HerdColumn, message: String| {
        errors.push(FieldError::new(places.header(column), message));
    };
    let nlis_id = written_id(cell(HerdColumn::NlisId));
    let client_id = match (only_client, written_id(cell(HerdColumn::Pic))) {
        (Some(id), _) => Some(id),
        // A short row may have no cell where the PIC column is.
        (None, pic) if pic.is_empty() => {
            fail(
                HerdColumn::Pic,
                "is empty; name the animal's property".into(),
            );
            None
        }
        (None, pic) => pics.get(pic.as_str()).copied().or_else(|| {
            fail(HerdColumn::Pic, format!("{pic} is not one of your clients"));
            None
        }),
    };
    let sex = crate::sex_as_written(cell(HerdColumn::Sex).unwrap_or_default())
        .map_err(|message| fail(HerdColumn::Sex, message))
        .ok();
    let birth_date = match cell(HerdColumn::BirthDate).map(str::trim) {
        None | Some("") => None,
        Some(written) => crate::date_as_written(written)
            .map_err(|message| fail(HerdColumn::BirthDate, message))
            .ok(),
    };
    let create = CreateCattle {
        nlis_id: nlis_id.clone(),
        breed: cell(HerdColumn::Breed)
            .unwrap_or_default()
            .trim()
            .to_string(),
        sex: sex.unwrap_or(crate::Sex::Male),
        client_id: client_id.unwrap_or(1),
        birth_date,
    };
    if let Err(rule_errors) = create.validate() {
        for error in rule_errors {
            if let Some(column) = HerdColumn::ALL
                .into_iter()
                .find(|c| c.command_field() == error.field)
            {
                fail(column, written_as(column, &error.message, &nlis_id));
            }
        }
    }
    let checked = if errors.is_empty() && sex.is_some() && client_id.is_some() {
        Ok(create)
    } else {
        Err(errors)
    };
    HerdFileRow {
        line,
        nlis_id,
        checked,
    }
}

/// An id cell as the registry writes it; an absent cell (a short row) is empty.
fn written_id(cell: Option<&str>) -> String {
    crate::id_as_written(cell.unwrap_or_default())
}

/// A rule's message, saying what the file wrote where that helps.
fn written_as(column: HerdColumn, message: &str, nlis_id: &str) -> String {
    match column {
        HerdColumn::NlisId if nlis_id.is_empty() => {
            "is empty; every animal needs its NLIS id".into()
        }
        HerdColumn::NlisId => format!("{nlis_id} {message}"),
        _ => message.to_string(),
    }
}

#[cfg(test)]
mod tests;
