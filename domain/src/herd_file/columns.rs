//! Which column of a herd file holds what: the plain template's headers and the names NLIS
//! herd exports and farm software give the same columns.

use serde::{Deserialize, Serialize};

/// A column an import reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum HerdColumn {
    /// The NLIS device id (required).
    NlisId,
    /// The PIC of the property (the farmer's client) the animal belongs to.
    Pic,
    /// The breed (required).
    Breed,
    /// Male or female (required).
    Sex,
    /// The date of birth (optional).
    BirthDate,
}

impl HerdColumn {
    /// Every column, in the template's order.
    pub const ALL: [HerdColumn; 5] = [
        HerdColumn::NlisId,
        HerdColumn::Pic,
        HerdColumn::Breed,
        HerdColumn::Sex,
        HerdColumn::BirthDate,
    ];

    /// The header the plain template gives the column.
    pub fn template_header(self) -> &'static str {
        match self {
            HerdColumn::NlisId => "NLIS ID",
            HerdColumn::Pic => "PIC",
            HerdColumn::Breed => "Breed",
            HerdColumn::Sex => "Sex",
            HerdColumn::BirthDate => "Date of birth",
        }
    }

    /// The field of CREATE_CATTLE the column fills.
    pub fn command_field(self) -> &'static str {
        match self {
            HerdColumn::NlisId => "nlisId",
            HerdColumn::Pic => "clientId",
            HerdColumn::Breed => "breed",
            HerdColumn::Sex => "sex",
            HerdColumn::BirthDate => "birthDate",
        }
    }

    /// Headers taken for this column, compared without case, spaces or punctuation.
    fn names(self) -> &'static [&'static str] {
        match self {
            HerdColumn::NlisId => &[
                "nlisid",
                "nlis",
                "nlisdevice",
                "nlisdeviceid",
                "nlisnumber",
                "nlistag",
                "devicenlisid",
            ],
            HerdColumn::Pic => &[
                "pic",
                "propertyidentificationcode",
                "currentpic",
                "owningpic",
                "holdingpic",
            ],
            HerdColumn::Breed => &["breed", "breeddescription", "breedname"],
            HerdColumn::Sex => &["sex", "gender"],
            HerdColumn::BirthDate => &["dateofbirth", "birthdate", "dob", "born"],
        }
    }

    /// The column a header names, if it is one an import reads.
    pub fn named(header: &str) -> Option<HerdColumn> {
        let plain: String = header
            .chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect();
        Self::ALL
            .into_iter()
            .find(|column| column.names().contains(&plain.as_str()))
    }

    /// The headers taken for this column, for an error that says what was looked for.
    pub fn accepted(self) -> String {
        let mut names = vec![format!("\"{}\"", self.template_header())];
        names.extend(
            match self {
                HerdColumn::NlisId => &["NLISID", "NLIS Device"][..],
                HerdColumn::Pic => &["Property Identification Code", "Current PIC"][..],
                HerdColumn::Breed => &["Breed Description"][..],
                HerdColumn::Sex => &["Gender"][..],
                HerdColumn::BirthDate => &["DOB", "Birth Date"][..],
            }
            .iter()
            .map(|name| format!("\"{name}\"")),
        );
        names.join(", ")
    }
}

/// Where each column read sits in a file's records.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ColumnPlaces {
    places: [Option<usize>; 5],
    /// The file's own header of each column found, for errors named as the file names them.
    headers: [Option<String>; 5],
}

impl ColumnPlaces {
    /// Reads a header row: where each column is, and the headers no column takes.
    pub(crate) fn of_headers<'a>(
        headers: impl Iterator<Item = &'a str>,
    ) -> Result<(Self, Vec<String>), String> {
        let mut places = ColumnPlaces::default();
        let mut ignored = Vec::new();
        for (index, header) in headers.enumerate() {
            let header = header.trim();
            match HerdColumn::named(header) {
                Some(column) => {
                    let slot = column as usize;
                    if let Some(first) = &places.headers[slot] {
                        return Err(format!(
                            "the columns \"{first}\" and \"{header}\" both name the {}; keep one",
                            column.template_header()
                        ));
                    }
                    places.places[slot] = Some(index);
                    places.headers[slot] = Some(header.to_string());
                }
                None if header.is_empty() => {}
                None => ignored.push(header.to_string()),
            }
        }
        Ok((places, ignored))
    }

    /// The index of `column` in a record, if the file has it.
    pub(crate) fn place(&self, column: HerdColumn) -> Option<usize> {
        self.places[column as usize]
    }

    /// The file's header for `column`, or the template's when the file has none.
    pub(crate) fn header(&self, column: HerdColumn) -> String {
        self.headers[column as usize]
            .clone()
            .unwrap_or_else(|| column.template_header().to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_matched_without_case_spaces_or_punctuation() {
        assert_eq!(HerdColumn::named("NLIS ID"), Some(HerdColumn::NlisId));
        assert_eq!(HerdColumn::named("nlis_id"), Some(HerdColumn::NlisId));
        assert_eq!(
            HerdColumn::named(" Date of Birth "),
            Some(HerdColumn::BirthDate)
        );
        assert_eq!(HerdColumn::named("D.O.B."), Some(HerdColumn::BirthDate));
        assert_eq!(HerdColumn::named("Current PIC"), Some(HerdColumn::Pic));
        assert_eq!(HerdColumn::named("RFID"), None);
    }

    #[test]
    fn every_template_header_names_its_column() {
        for column in HerdColumn::ALL {
            assert_eq!(HerdColumn::named(column.template_header()), Some(column));
        }
    }

    #[test]
    fn two_headers_for_one_column_are_refused_by_name() {
        let refused = ColumnPlaces::of_headers(["NLIS ID", "Breed", "NLISID"].into_iter());
        assert_eq!(
            refused.err().as_deref(),
            Some("the columns \"NLIS ID\" and \"NLISID\" both name the NLIS ID; keep one")
        );
    }

    #[test]
    fn unknown_headers_are_kept_to_be_shown() {
        let (places, ignored) =
            ColumnPlaces::of_headers(["RFID", "NLIS ID", "", "Breed", "Colour"].into_iter())
                .unwrap_or_default();
        assert_eq!(places.place(HerdColumn::NlisId), Some(1));
        assert_eq!(places.place(HerdColumn::Breed), Some(3));
        assert_eq!(places.place(HerdColumn::Sex), None);
        assert_eq!(ignored, vec!["RFID".to_string(), "Colour".to_string()]);
    }
}
