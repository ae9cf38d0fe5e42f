//! Where a rebuild writes its copy of a view: a schema of its own beside the live tables on
//! PostgreSQL, a file of its own beside the live one on SQLite. Both hold the whole schema,
//! made by the same migrations, so the view's code runs on the copy unchanged.
use crate::database::{self, DatabaseError};
use app::model::ViewName;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr};
use std::path::{Path, PathBuf};

/// Why the copy could not be made or removed.
#[derive(Debug, thiserror::Error)]
pub enum ShadowError {
    /// The live database is one a copy cannot be put beside.
    #[error("a view kept in {0} cannot be rebuilt beside itself")]
    Unsupported(String),
    /// The engine refused.
    #[error(transparent)]
    Database(#[from] DatabaseError),
    /// The engine refused a statement.
    #[error("database: {0}")]
    Statement(#[from] DbErr),
    /// The copy's file could not be removed.
    #[error("could not remove {0}: {1}")]
    File(String, std::io::Error),
}

/// Where the copy lives.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Place {
    /// A PostgreSQL schema in the live database.
    Schema(String),
    /// A SQLite file.
    File(PathBuf),
}

/// The copy of the read models a rebuild writes, beside the live ones.
pub struct ShadowStore {
    place: Place,
    db: DatabaseConnection,
}

/// The SQLite file of `url`, if it names one.
fn sqlite_file(url: &str) -> Option<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty() && !path.starts_with(":memory:")).then(|| PathBuf::from(path))
}

fn place_of(live_url: &str, view: ViewName) -> Result<Place, ShadowError> {
    if live_url.starts_with("postgres") {
        return Ok(Place::Schema(format!("rebuild_{}", view.as_str())));
    }
    match sqlite_file(live_url) {
        Some(file) => {
            let mut name = file.file_name().unwrap_or_default().to_os_string();
            name.push(format!(".rebuild-{}", view.as_str()));
            Ok(Place::File(file.with_file_name(name)))
        }
        None => Err(ShadowError::Unsupported(database::redact(live_url))),
    }
}

impl ShadowStore {
    /// Opens the copy of `view`'s store for the live database at `live_url`, making it when
    /// there is none; a copy an interrupted rebuild left is opened as it is, to go on from.
    pub async fn open(
        live: &DatabaseConnection,
        live_url: &str,
        data_dir: &Path,
        view: ViewName,
    ) -> Result<Self, ShadowError> {
        let place = place_of(live_url, view)?;
        let db = match &place {
            Place::Schema(schema) => {
                live.execute_unprepared(&format!("CREATE SCHEMA IF NOT EXISTS \"{schema}\""))
                    .await?;
                database::open_in(live_url, data_dir, Some(schema)).await?
            }
            Place::File(file) => {
                let url = format!("sqlite://{}?mode=rwc", file.display());
                database::open(&url, data_dir).await?
            }
        };
        Ok(Self { place, db })
    }

    /// The copy's connection.
    pub fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    /// Where the copy is, for people.
    pub fn describe(&self) -> String {
        match &self.place {
            Place::Schema(schema) => format!("schema {schema}"),
            Place::File(file) => format!("file {}", file.display()),
        }
    }

    /// Removes the copy and everything in it.
    pub async fn discard(self, live: &DatabaseConnection) -> Result<(), ShadowError> {
        let Self { place, db } = self;
        db.close().await?;
        match place {
            Place::Schema(schema) => {
                live.execute_unprepared(&format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"))
                    .await?;
            }
            Place::File(file) => {
                for suffix in ["", "-wal", "-shm"] {
                    let mut name = file.clone().into_os_string();
                    name.push(suffix);
                    match std::fs::remove_file(&name) {
                        Ok(()) => {}
                        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
                        Err(error) => {
                            return Err(ShadowError::File(
                                PathBuf::from(name).display().to_string(),
                                error,
                            ))
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_copy_sits_beside_the_live_store() {
        assert_eq!(
            place_of("postgres://u:p@localhost/icattle", ViewName::GoldenRecord).unwrap(),
            Place::Schema("rebuild_golden_record".into())
        );
        assert_eq!(
            place_of(
                "sqlite:///var/icattle/icattle.db?mode=rwc",
                ViewName::FraudView
            )
            .unwrap(),
            Place::File(PathBuf::from("/var/icattle/icattle.db.rebuild-fraud_view"))
        );
        assert_eq!(
            place_of("sqlite:data/icattle.db", ViewName::GoldenRecord).unwrap(),
            Place::File(PathBuf::from("data/icattle.db.rebuild-golden_record"))
        );
        assert!(matches!(
            place_of("sqlite::memory:", ViewName::GoldenRecord),
            Err(ShadowError::Unsupported(_))
        ));
    }
}
