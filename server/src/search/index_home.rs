//! Where the embedded index lives: one generation per directory under `data/search/`, the
//! one in use named by `data/search/current`. A rebuild writes a new generation beside it;
//! the swap names the new one (a file renamed over the old name, so a crash leaves one or
//! the other) and the old one is removed. An index an older iCattle kept in `data/search`
//! itself is a view like any other: removed, to be replayed from the log.
use super::search_index::SearchError;
use std::path::{Path, PathBuf};

/// The file naming the generation in use.
const CURRENT: &str = "current";
/// The first generation's name.
const FIRST: &str = "g-0";

fn io_error(what: &str, path: &Path, error: std::io::Error) -> SearchError {
    SearchError::Index(format!("{what} {}: {error}", path.display()))
}

/// The embedded index's home directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexHome {
    root: PathBuf,
}

impl IndexHome {
    /// The home at `root` (`data/search`).
    pub fn new(root: PathBuf) -> Self {
        Self { root }
    }

    fn generation_dir(&self, name: &str) -> PathBuf {
        self.root.join(name)
    }

    /// The directory of the generation in use, made the first time.
    pub fn current(&self) -> Result<PathBuf, SearchError> {
        let pointer = self.root.join(CURRENT);
        match std::fs::read_to_string(&pointer) {
            Ok(name) if is_generation(name.trim()) => Ok(self.generation_dir(name.trim())),
            Ok(name) => Err(SearchError::Index(format!(
                "{} names {:?}, which is no generation of the search index",
                pointer.display(),
                name.trim()
            ))),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => self.begin(),
            Err(error) => Err(io_error("could not read", &pointer, error)),
        }
    }

    /// Starts the first generation, removing an index an older iCattle kept in the root.
    fn begin(&self) -> Result<PathBuf, SearchError> {
        if let Ok(entries) = std::fs::read_dir(&self.root) {
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_file() {
                    std::fs::remove_file(&path)
                        .map_err(|e| io_error("could not remove", &path, e))?;
                }
            }
        }
        let dir = self.generation_dir(FIRST);
        std::fs::create_dir_all(&dir).map_err(|e| io_error("could not make", &dir, e))?;
        self.make_current(&dir)?;
        Ok(dir)
    }

    /// Where a rebuild writes its copy: a generation an interrupted rebuild left (to go on
    /// from), or a new one.
    pub fn copy_dir(&self) -> Result<PathBuf, SearchError> {
        let current = self.current()?;
        let entries =
            std::fs::read_dir(&self.root).map_err(|e| io_error("could not read", &self.root, e))?;
        let left = entries.flatten().map(|entry| entry.path()).find(|path| {
            path.is_dir()
                && *path != current
                && path
                    .file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(is_generation)
        });
        Ok(left.unwrap_or_else(|| {
            let millis = chrono::Utc::now().timestamp_millis();
            self.generation_dir(&format!("g-{millis}"))
        }))
    }

    /// Names `dir` (a generation of this home) the one in use.
    pub fn make_current(&self, dir: &Path) -> Result<(), SearchError> {
        let name = dir
            .file_name()
            .and_then(|n| n.to_str())
            .filter(|n| is_generation(n) && dir.parent() == Some(self.root.as_path()))
            .ok_or_else(|| {
                SearchError::Index(format!(
                    "{} is no generation of {}",
                    dir.display(),
                    self.root.display()
                ))
            })?;
        let fresh = self.root.join(format!("{CURRENT}.next"));
        std::fs::write(&fresh, name).map_err(|e| io_error("could not write", &fresh, e))?;
        let pointer = self.root.join(CURRENT);
        std::fs::rename(&fresh, &pointer).map_err(|e| io_error("could not replace", &pointer, e))
    }

    /// Removes a generation no longer in use.
    pub fn remove(&self, dir: &Path) -> Result<(), SearchError> {
        match std::fs::remove_dir_all(dir) {
            Ok(()) => Ok(()),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(error) => Err(io_error("could not remove", dir, error)),
        }
    }
}

/// Whether `name` is a generation's directory name (`g-` and digits).
fn is_generation(name: &str) -> bool {
    name.strip_prefix("g-")
        .is_some_and(|digits| !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn home() -> (IndexHome, PathBuf) {
        let root = std::env::temp_dir().join(format!("icattle-home-{}", uuid::Uuid::new_v4()));
        (IndexHome::new(root.clone()), root)
    }

    #[test]
    fn the_first_generation_replaces_an_index_kept_in_the_root() {
        let (home, root) = home();
        std::fs::create_dir_all(&root).unwrap();
        std::fs::write(root.join("meta.json"), "{}").unwrap();
        let current = home.current().unwrap();
        assert_eq!(current, root.join("g-0"));
        assert!(!root.join("meta.json").exists());
        assert_eq!(
            home.current().unwrap(),
            current,
            "read back, not made again"
        );
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn a_copy_is_resumed_until_it_is_made_current_and_the_old_one_removed() {
        let (home, root) = home();
        let first = home.current().unwrap();
        let copy = home.copy_dir().unwrap();
        assert_ne!(copy, first);
        std::fs::create_dir_all(&copy).unwrap();
        assert_eq!(
            home.copy_dir().unwrap(),
            copy,
            "an interrupted copy is gone on with"
        );
        home.make_current(&copy).unwrap();
        assert_eq!(home.current().unwrap(), copy);
        home.remove(&first).unwrap();
        assert!(!first.exists());
        assert!(home.make_current(&root.join("elsewhere")).is_err());
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn only_g_and_digits_name_a_generation() {
        assert!(is_generation("g-0"));
        assert!(is_generation("g-1764740000000"));
        for name in ["", "g-", "g-1a", "../g-1", "current", "G-1"] {
            assert!(!is_generation(name), "{name}");
        }
    }
}
