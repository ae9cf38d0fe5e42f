//! `icattle import FILE --as USER` on the real engines: a herd file of 10,000 animals whose
//! import is killed halfway and run again ends with exactly 10,000 animals and one
//! registration each; a file with bad rows imports the rest and reports every row.
use crate::support;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

const PASSWORD: &str = "a long test password";
const CLIENT: i64 = 61;

fn import(base: &str, user: &str, file: &Path, extra: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_icattle"));
    command
        .arg("import")
        .arg(file)
        .args(["--as", user, "--url", base])
        .args(extra)
        .env("ICATTLE_PASSWORD", PASSWORD)
        .env("RUST_LOG", "warn");
    command
}

async fn finished(mut command: Command) -> Output {
    tokio::task::spawn_blocking(move || command.output().expect("icattle runs"))
        .await
        .expect("ran")
}

fn said(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

async fn count_of(server: &server::instance::Instance, sql: &str) -> i64 {
    support::strings(&server.db, sql)
        .await
        .first()
        .and_then(|n| n.parse().ok())
        .unwrap_or_default()
}

/// A server on its own engines, and a farmer of it with client `CLIENT` (and a data
/// directory for the test's files).
async fn importing_farmer(
    label: &str,
) -> (support::TestSettings, server::instance::Instance, String) {
    let settings = support::settings(label).await;
    let server = support::start(&settings).await;
    let (_, token) = support::farmer_with_clients(&server, &[CLIENT]).await;
    let farmer = support::user_of(&server, &token).await.username;
    std::fs::create_dir_all(&settings.data_dir).expect("a data directory");
    (settings, server, farmer)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_killed_halfway_and_run_again_registers_each_animal_once() {
    let (settings, server, farmer) = importing_farmer("herd_import").await;
    let base = format!("http://{}", server.addr);
    let file = settings.data_dir.join("herd.csv");
    let mut text = String::from("NLIS ID,PIC,Breed,Sex,Date of birth\n");
    for n in 0..10_000u32 {
        let sex = if n % 2 == 0 { "steer" } else { "heifer" };
        let born = format!("{}/{}/20{:02}", 1 + n % 28, 1 + n % 12, 10 + n % 15);
        text.push_str(&format!(
            "{},{},Angus,{sex},{born}\n",
            support::nlis(700_000 + n).to_lowercase(),
            support::pic_of(CLIENT)
        ));
    }
    std::fs::write(&file, text).expect("the herd file is written");

    let mut first = import(&base, &farmer, &file, &[])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("icattle starts");
    let halfway = support::eventually(Duration::from_secs(180), "a third of the herd", || async {
        let n = support::count(&server.db, "cattle").await;
        (n >= 3_000).then_some(n)
    })
    .await;
    first.kill().expect("the import is killed");
    let _ = first.wait();
    assert!(halfway < 10_000, "killed before the end: {halfway} animals");

    let second = finished(import(&base, &farmer, &file, &[])).await;
    let output = said(&second);
    assert!(second.status.success(), "{output}");
    assert!(output.contains("10000 rows: "), "{output}");
    assert!(
        output.contains(" 0 invalid, 0 refused, 0 not sent"),
        "{output}"
    );
    let report = std::fs::read_to_string(settings.data_dir.join("herd.csv.report.csv"))
        .expect("the report is written beside the file");
    assert_eq!(
        report.lines().count(),
        10_001,
        "a line per row and a header"
    );
    assert!(
        report
            .lines()
            .any(|line| line.contains(",already registered,")),
        "the rows sent before the kill are answered with their registrations"
    );

    support::eventually(Duration::from_secs(120), "every animal applied", || async {
        (support::count(&server.db, "cattle").await == 10_000).then_some(())
    })
    .await;
    let registrations = count_of(
        &server,
        "SELECT COUNT(*)::text AS v FROM cattle_events WHERE event_type = 'CATTLE_CREATED'",
    )
    .await;
    assert_eq!(registrations, 10_000, "one registration per animal");
    assert_eq!(support::count(&server.db, "rejected_events").await, 0);

    // The same file once more: nothing new.
    let again = finished(import(&base, &farmer, &file, &[])).await;
    let output = said(&again);
    assert!(
        output.contains("10000 rows: 0 imported, 10000 already registered"),
        "{output}"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_with_bad_rows_imports_the_rest_and_reports_each_row() {
    let (settings, server, farmer) = importing_farmer("herd_import_bad").await;
    let base = format!("http://{}", server.addr);
    let file = settings.data_dir.join("export.csv");
    let pic = support::pic_of(CLIENT);
    let good = support::nlis(800_001);
    std::fs::write(
        &file,
        format!(
            "RFID,NLISID,Breed,Gender,DOB,Current PIC\n\
             982 1,{good},Hereford,Cow,15/08/2024,{pic}\n\
             982 2,123,Angus,Bull,,{pic}\n\
             982 3,{},Angus,calf,,{pic}\n\
             982 4,{},Angus,Bull,,QNOT0000\n",
            support::nlis(800_002),
            support::nlis(800_003)
        ),
    )
    .expect("the file is written");

    let checked = finished(import(&base, &farmer, &file, &["--check"])).await;
    let output = said(&checked);
    assert!(checked.status.success(), "{output}");
    assert!(
        output.contains("not read: the columns RFID")
            && output
                .contains("line 3: NLISID: 123 must be exactly 16 upper-case letters or digits")
            && output.contains("line 4: Gender: \"calf\" is not a sex")
            && output.contains("line 5: Current PIC: QNOT0000 is not one of your clients")
            && output.contains("4 rows: 1 can be imported, 3 have problems; nothing was sent"),
        "{output}"
    );
    assert_eq!(support::count(&server.db, "cattle").await, 0);

    let report = settings.data_dir.join("report.csv");
    let report_arg = report.to_string_lossy().to_string();
    let imported = finished(import(&base, &farmer, &file, &["--report", &report_arg])).await;
    let output = said(&imported);
    assert!(!imported.status.success(), "rows are missing: {output}");
    assert!(
        output.contains("4 rows: 1 imported, 0 already registered, 3 invalid")
            && output.contains("3 rows are not in the registry"),
        "{output}"
    );
    let report = std::fs::read_to_string(&report).expect("the report");
    let lines: Vec<&str> = report.lines().collect();
    assert_eq!(lines.len(), 5, "{report}");
    assert!(
        lines[1].starts_with(&format!("2,{good},imported,")),
        "{report}"
    );
    assert!(lines[2].starts_with("3,123,invalid,,,"), "{report}");
    support::eventually(Duration::from_secs(20), "the valid row applied", || async {
        let breeds = support::strings(&server.db, "SELECT breed AS v FROM cattle").await;
        (breeds == ["Hereford"]).then_some(())
    })
    .await;

    let stranger = finished(import(&base, &farmer, Path::new("/no/such/herd.csv"), &[])).await;
    assert!(
        said(&stranger).contains("could not read /no/such/herd.csv"),
        "{}",
        said(&stranger)
    );
    server.stop().await;
}
