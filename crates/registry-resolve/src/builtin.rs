//! Built-in packs: YAML the embedding program registers (typically with `include_str!`).

use std::collections::BTreeMap;

use registry_types::PackName;

/// The packs an embedding program ships inside its binary, by name. Step 2 of the
/// resolution order: a built-in pack beats a pack of the local configuration directory
/// with the same name, and loses to an existing path.
///
/// ```
/// use registry_resolve::BuiltinPacks;
/// use registry_types::PackName;
///
/// let mut builtins = BuiltinPacks::default();
/// let name = PackName::parse("eu-ai-act-baseline")?;
/// builtins.insert(name, "name: eu-ai-act-baseline\nversion: \"1.0.0\"\nkind: compliance\n");
/// assert_eq!(builtins.names().count(), 1);
/// # Ok::<(), registry_types::Error>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct BuiltinPacks {
    packs: BTreeMap<PackName, &'static str>,
}

impl BuiltinPacks {
    /// Registers `yaml` as the built-in pack `name`, replacing an earlier registration.
    /// The text is verified like any other pack when it is resolved (its own `name` must
    /// be `name`).
    pub fn insert(&mut self, name: PackName, yaml: &'static str) {
        self.packs.insert(name, yaml);
    }

    /// The text of the built-in pack `name`.
    pub fn get(&self, name: &PackName) -> Option<&'static str> {
        self.packs.get(name).copied()
    }

    /// The registered names, sorted.
    pub fn names(&self) -> impl Iterator<Item = &PackName> {
        self.packs.keys()
    }
}
