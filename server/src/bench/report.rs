//! The bench's report: one row per figure, with its target, the reference it is compared to
//! and the ratio, printed as a table and written as JSON.
use serde::Serialize;
use std::path::Path;

/// Whether a figure meets its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The target is met.
    Met,
    /// The target is missed.
    Missed,
    /// A reference figure, no target.
    Reference,
}

/// One figure.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// What was measured.
    pub what: String,
    /// The seed's target, in words.
    pub target: String,
    /// The figure, in words.
    pub measured: String,
    /// What it is compared to, in words.
    pub reference: String,
    /// measured / reference, when they compare.
    pub ratio: Option<f64>,
    /// Met, missed or reference.
    pub verdict: Verdict,
    /// The figures themselves, for machines.
    pub figures: serde_json::Value,
}

/// Every row of one run, with where it ran.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Host, cores, engines.
    pub machine: String,
    /// The sizes the run used.
    pub sizes: serde_json::Value,
    /// The figures.
    pub rows: Vec<Row>,
}

impl Report {
    /// Prints the rows as a table.
    pub fn print(&self) {
        println!("\niCattle bench on {}\n", self.machine);
        let header = ["what", "target", "measured", "reference", "ratio", "met"];
        let cells: Vec<[String; 6]> = self
            .rows
            .iter()
            .map(|row| {
                [
                    row.what.clone(),
                    row.target.clone(),
                    row.measured.clone(),
                    row.reference.clone(),
                    row.ratio.map(|r| format!("{r:.2}")).unwrap_or_default(),
                    match row.verdict {
                        Verdict::Met => "yes".into(),
                        Verdict::Missed => "NO".into(),
                        Verdict::Reference => "".into(),
                    },
                ]
            })
            .collect();
        let widths: Vec<usize> = (0..6)
            .map(|column| {
                cells
                    .iter()
                    .map(|row| row[column].chars().count())
                    .chain([header[column].len()])
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let line = |row: &[String]| {
            let padded: Vec<String> = row
                .iter()
                .zip(&widths)
                .map(|(cell, width)| format!("{cell:<width$}"))
                .collect();
            println!("| {} |", padded.join(" | "));
        };
        line(&header.map(String::from));
        line(&widths.iter().map(|w| "-".repeat(*w)).collect::<Vec<_>>());
        for row in &cells {
            line(row);
        }
        let missed = self
            .rows
            .iter()
            .filter(|r| r.verdict == Verdict::Missed)
            .count();
        println!("\n{missed} target(s) missed");
    }

    /// Writes the report as JSON to `path`.
    pub fn write_json(&self, path: &Path) -> std::io::Result<()> {
        if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let text = serde_json::to_string_pretty(self).map_err(std::io::Error::other)?;
        std::fs::write(path, text)
    }
}

/// The verdict of a figure that must be at least `target`.
pub fn at_least(measured: f64, target: f64) -> Verdict {
    if measured >= target {
        Verdict::Met
    } else {
        Verdict::Missed
    }
}

/// The verdict of a figure that must stay below `target`.
pub fn below(measured: f64, target: f64) -> Verdict {
    if measured < target {
        Verdict::Met
    } else {
        Verdict::Missed
    }
}
