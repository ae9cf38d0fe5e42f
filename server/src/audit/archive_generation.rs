//! Where one generation of the audit archive is kept in its object store: the store's root
//! (every archive before its first rebuild) or `generations/{name}/`.
use object_store::path::Path;

/// Where generations other than the root one are kept.
const GENERATIONS: &str = "generations";

/// One archive's place in the store: its root, or `generations/{name}/`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ArchiveGeneration(Option<String>);

impl ArchiveGeneration {
    /// The generation named `name` (the root one for an empty name).
    pub fn named(name: &str) -> Self {
        let name = name.trim();
        Self((!name.is_empty()).then(|| name.to_string()))
    }

    /// Whether it is the store's root, where the archive was before its first rebuild.
    pub fn is_root(&self) -> bool {
        self.0.is_none()
    }

    /// Its name, empty for the root one.
    pub fn name(&self) -> &str {
        self.0.as_deref().unwrap_or_default()
    }

    /// The path of `inside` (e.g. `events/2026/…`) in this generation.
    pub fn path(&self, inside: &str) -> Path {
        match &self.0 {
            Some(name) => Path::from(format!("{GENERATIONS}/{name}/{inside}")),
            None => Path::from(inside),
        }
    }

    /// The path `location` of this generation's object without the generation's folder.
    pub fn inside(&self, location: &Path) -> String {
        let whole = location.to_string();
        match &self.0 {
            Some(name) => whole
                .strip_prefix(&format!("{GENERATIONS}/{name}/"))
                .map_or(whole.clone(), str::to_string),
            None => whole,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_root_generation_keeps_the_paths_archives_had_before_any_rebuild() {
        let root = ArchiveGeneration::named("");
        assert_eq!(root.path("events/x.jsonl").as_ref(), "events/x.jsonl");
        assert_eq!(root.inside(&Path::from("events/x.jsonl")), "events/x.jsonl");
    }

    #[test]
    fn a_named_generation_is_a_folder_of_its_own() {
        let generation = ArchiveGeneration::named(" g-17\n");
        assert_eq!(generation.name(), "g-17");
        let path = generation.path("events/x.jsonl");
        assert_eq!(path.as_ref(), "generations/g-17/events/x.jsonl");
        assert_eq!(generation.inside(&path), "events/x.jsonl");
    }
}
