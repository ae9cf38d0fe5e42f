use super::*;
use crate::Sex;
use proptest::prelude::*;

fn clients() -> Vec<HerdClient> {
    vec![
        HerdClient {
            id: 11,
            pic: "QABC1234".into(),
        },
        HerdClient {
            id: 12,
            pic: "QXYZ9876".into(),
        },
    ]
}

fn problems(row: &HerdFileRow) -> Vec<String> {
    match &row.checked {
        Ok(_) => vec![],
        Err(errors) => errors.iter().map(ToString::to_string).collect(),
    }
}

#[test]
fn the_template_reads_as_one_valid_animal() {
    let only = [HerdClient {
        id: 5,
        pic: "QABC1234".into(),
    }];
    let file = read_herd_file(HERD_FILE_TEMPLATE.as_bytes(), &only).expect("the template reads");
    assert_eq!(file.rows.len(), 1);
    assert_eq!(
        file.rows[0].checked,
        Ok(CreateCattle {
            nlis_id: "3ABCD123XBC12345".into(),
            breed: "Angus".into(),
            sex: Sex::Female,
            client_id: 5,
            birth_date: Some("2024-08-15".into()),
        })
    );
    let command = file.rows[0].command().expect("a command");
    assert_eq!(command["type"], "CREATE_CATTLE");
    assert_eq!(command["data"]["clientId"], 5);
    assert!(crate::Command::parse_valid(&command).is_ok());
}

#[test]
fn an_nlis_export_is_read_in_its_own_column_order_and_words() {
    let text = "RFID,NLISID,Breed Description,Gender,DOB,Current PIC\n\
                982 000123456789,3abcd123 xbc12345,Hereford,steer,1/2/2023,qxyz9876\n\
                \n\
                982 000123456790,3ABCD123XBC12346,Angus,Heifer,,QABC1234\n";
    let file = read_herd_file(text.as_bytes(), &clients()).expect("reads");
    assert_eq!(file.ignored_columns, vec!["RFID".to_string()]);
    assert_eq!(file.rows.len(), 2);
    assert_eq!(file.rows[0].line, 2);
    assert_eq!(file.rows[1].line, 4);
    let first = file.rows[0].checked.as_ref().expect("valid");
    assert_eq!(first.nlis_id, "3ABCD123XBC12345");
    assert_eq!(first.sex, Sex::Male);
    assert_eq!(first.client_id, 12);
    assert_eq!(first.birth_date.as_deref(), Some("2023-02-01"));
    let second = file.rows[1].checked.as_ref().expect("valid");
    assert_eq!((second.client_id, second.birth_date.clone()), (11, None));
}

#[test]
fn lines_are_counted_as_an_editor_counts_them_with_windows_line_ends() {
    let text = "NLIS ID,PIC,Breed,Sex\r\n\r\n3ABCD123XBC12345,QABC1234,Angus,M\r\n";
    let file = read_herd_file(text.as_bytes(), &clients()).expect("reads");
    assert_eq!(file.rows[0].line, 3);
    assert!(file.rows[0].checked.is_ok());
}

#[test]
fn each_bad_row_names_its_columns_as_the_file_names_them() {
    let text = "NLIS ID,PIC,Breed,Sex,DOB\n\
                123,QABC1234,Angus,calf,31/02/2024\n\
                3ABCD123XBC12347,QNOT0000,,Female,\n\
                3ABCD123XBC12348,QABC1234,Angus,Male,2024-01-01\n";
    let file = read_herd_file(text.as_bytes(), &clients()).expect("reads");
    assert_eq!(
        problems(&file.rows[0]),
        vec![
            "Sex: \"calf\" is not a sex; write male or female (or M, F, bull, steer, cow, heifer)",
            "DOB: \"31/02/2024\" is not a day of the calendar between 1980 and 2100",
            "NLIS ID: 123 must be exactly 16 upper-case letters or digits",
        ]
    );
    assert_eq!(
        problems(&file.rows[1]),
        vec![
            "PIC: QNOT0000 is not one of your clients",
            "Breed: must not be empty"
        ]
    );
    assert!(file.rows[2].checked.is_ok());
    assert_eq!(file.valid_rows(), 1);
}

#[test]
fn a_short_row_is_refused_for_each_cell_it_lacks() {
    let text = "NLIS ID,Breed,Sex,PIC\n3ABCD123XBC12345,Angus,M\n3ABCD123XBC12346\n";
    let file = read_herd_file(text.as_bytes(), &clients()).expect("reads");
    assert_eq!(
        problems(&file.rows[0]),
        vec!["PIC: is empty; name the animal's property"]
    );
    assert_eq!(
        problems(&file.rows[1]),
        vec![
            "PIC: is empty; name the animal's property",
            "Sex: is empty; write male or female",
            "Breed: must not be empty",
        ]
    );
}

#[test]
fn an_animal_twice_in_one_file_is_refused_on_its_later_line() {
    let text = "NLIS ID,PIC,Breed,Sex\n\
                3ABCD123XBC12345,QABC1234,Angus,M\n\
                3abcd123xbc12345,QABC1234,Angus,M\n";
    let file = read_herd_file(text.as_bytes(), &clients()).expect("reads");
    assert!(file.rows[0].checked.is_ok());
    assert_eq!(
        problems(&file.rows[1]),
        vec!["NLIS ID: 3ABCD123XBC12345 is on line 2 too; keep one row per animal"]
    );
}

#[test]
fn a_file_that_cannot_be_imported_says_why() {
    let read = |text: &str, clients: &[HerdClient]| read_herd_file(text.as_bytes(), clients).err();
    assert_eq!(read("", &clients()), Some(HerdFileError::Empty));
    assert_eq!(read("\n\n", &clients()), Some(HerdFileError::Empty));
    assert_eq!(
        read("NLIS ID,PIC,Breed,Sex\n", &clients()),
        Some(HerdFileError::NoRows)
    );
    let missing = read("NLIS ID,PIC,Sex\nX,Y,M\n", &clients()).map(|e| e.to_string());
    assert_eq!(
        missing.as_deref(),
        Some("the file has no Breed column; name it in the first line as one of \"Breed\", \"Breed Description\"")
    );
    assert_eq!(
        read("NLIS ID,Breed,Sex\nX,Angus,M\n", &clients()),
        Some(HerdFileError::NoPicColumn { clients: 2 })
    );
    let latin1 = read_herd_file(
        b"NLIS ID,PIC,Breed,Sex\nX,QABC1234,Limousin \xe9,M\n",
        &clients(),
    );
    assert_eq!(
        latin1.err().map(|e| e.to_string()).as_deref(),
        Some("line 2 cannot be read as CSV: it is not UTF-8 text; save the file as \"CSV UTF-8\"")
    );
}

#[test]
fn a_byte_order_mark_before_the_header_is_no_part_of_it() {
    let text = "\u{feff}NLIS ID,PIC,Breed,Sex\n3ABCD123XBC12345,QABC1234,Angus,M\n";
    let file = read_herd_file(text.as_bytes(), &clients()).expect("reads");
    assert!(file.ignored_columns.is_empty());
    assert!(file.rows[0].checked.is_ok());
}

#[test]
fn without_a_pic_column_the_only_client_takes_every_animal() {
    let only = [HerdClient {
        id: 9,
        pic: "QABC1234".into(),
    }];
    let file =
        read_herd_file(b"NLIS ID,Breed,Sex\n3ABCD123XBC12345,Angus,M\n", &only).expect("reads");
    assert_eq!(file.rows[0].checked.as_ref().map(|c| c.client_id), Ok(9));
}

#[test]
fn too_many_rows_are_refused_before_any_is_kept() {
    let mut text = String::from("NLIS ID,PIC,Breed,Sex\n");
    for n in 0..=MAX_HERD_FILE_ROWS {
        text.push_str(&format!("TST{n:013},QABC1234,Angus,M\n"));
    }
    assert_eq!(
        read_herd_file(text.as_bytes(), &clients()).err(),
        Some(HerdFileError::TooManyRows)
    );
}

prop_compose! {
    fn an_animal()(
        digits in 0u64..10_000_000_000_000,
        lower in any::<bool>(),
        pic_of in 0usize..2,
        female in any::<bool>(),
        born in proptest::option::of((1990u32..2030, 1u32..13, 1u32..29)),
        day_first in any::<bool>(),
        breed in "[A-Za-z][A-Za-z ]{0,20}",
    ) -> (String, String) {
        let nlis = format!("TST{digits:013}");
        let written_nlis = if lower { nlis.to_lowercase() } else { nlis.clone() };
        let pic = ["QABC1234", "qxyz9876"][pic_of];
        let sex = if female { "Female" } else { "m" };
        let (born_cell, born_iso) = match born {
            Some((y, m, d)) if day_first => (format!("{d}/{m}/{y}"), format!("{y:04}-{m:02}-{d:02}")),
            Some((y, m, d)) => (format!("{y:04}-{m:02}-{d:02}"), format!("{y:04}-{m:02}-{d:02}")),
            None => (String::new(), String::new()),
        };
        let line = format!("{written_nlis},{pic},{breed},{sex},{born_cell}");
        let expected = format!("{nlis}|{}|{}|{}|{born_iso}", [11, 12][pic_of], breed.trim(), if female { "FEMALE" } else { "MALE" });
        (line, expected)
    }
}

proptest! {
    #[test]
    fn any_text_is_read_or_refused_without_panicking(text in "\\PC{0,300}") {
        let _ = read_herd_file(text.as_bytes(), &clients());
    }

    #[test]
    fn any_bytes_are_read_or_refused_without_panicking(
        bytes in proptest::collection::vec(any::<u8>(), 0..300)
    ) {
        let _ = read_herd_file(&bytes, &clients());
    }

    #[test]
    fn any_bytes_under_a_known_header_give_one_row_per_record(
        cells in proptest::collection::vec("[^\n\r\"]{0,20}", 1..40)
    ) {
        let mut text = String::from("NLIS ID,PIC,Breed,Sex\n");
        let mut records = 0;
        for cell in &cells {
            if !cell.trim().is_empty() && !cell.split(',').all(|c| c.trim().is_empty()) {
                records += 1;
            }
            text.push_str(cell);
            text.push('\n');
        }
        match read_herd_file(text.as_bytes(), &clients()) {
            Ok(file) => {
                prop_assert_eq!(file.rows.len(), records);
                for row in &file.rows {
                    // A row that is not sent always says why.
                    prop_assert!(row.checked.as_ref().err().is_none_or(|e| !e.is_empty()));
                }
            }
            Err(error) => prop_assert_eq!(error, HerdFileError::NoRows),
        }
    }

    #[test]
    fn valid_animals_written_any_accepted_way_become_their_registrations(
        animals in proptest::collection::vec(an_animal(), 1..30)
    ) {
        let mut text = String::from("NLIS ID,PIC,Breed,Sex,Date of birth\n");
        let mut expected = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for (line, want) in animals {
            let nlis = want.split('|').next().unwrap_or_default().to_string();
            if seen.insert(nlis) {
                text.push_str(&line);
                text.push('\n');
                expected.push(want);
            }
        }
        let file = read_herd_file(text.as_bytes(), &clients()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let got: Vec<String> = file.rows.iter().map(|row| match &row.checked {
            Ok(c) => format!("{}|{}|{}|{}|{}", c.nlis_id, c.client_id, c.breed, c.sex.as_str(), c.birth_date.clone().unwrap_or_default()),
            Err(errors) => format!("{errors:?}"),
        }).collect();
        prop_assert_eq!(got, expected);
    }
}
