//! The `check-layers` task: enforce the crate layering of STYLE.md §1 from cargo's dependency graph.
//!
//! Two rules are checked, both as pure functions over [`Graph`] so that they can be
//! tested with synthetic metadata:
//!
//! 1. Workspace edges. The library crates form one line, [`LAYERS`]; a library crate
//!    may have normal (and build) dependencies only on crates to its left.
//!    `registry-server` may be only a dev-dependency of a library crate. `assay-pack`
//!    and `xtask` may depend on anything, and nothing may depend on them. A workspace
//!    crate missing from this table is reported, so that adding one is a conscious
//!    change to STYLE.md and to this file.
//! 2. Network-free crates. The full transitive normal-dependency tree of [`NETWORK_FREE_CRATES`] (all
//!    targets and platforms, all features) must not contain any of [`FORBIDDEN_IN_PURE`].
//!
//! Rule 1 reads `cargo metadata`. Rule 2 reads `cargo tree -p <crate> -e normal
//! --target all --all-features` for each network-free crate instead: the resolve graph of
//! `cargo metadata` unifies features across the whole workspace, dev-dependencies
//! included, so a shell crate that enables a feature of a shared dependency (say
//! `js-sys`'s futures support, through object_store) would make that feature's
//! dependencies appear under registry-canon although no build of registry-canon
//! uses them. `cargo tree -p` resolves features for that one crate, as a build of it does.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

/// The library crates from left (lowest) to right (highest). A library crate may
/// depend only on crates to its left.
pub(crate) const LAYERS: &[&str] = &[
    "registry-types",
    "registry-canon",
    "registry-verify",
    "registry-cache",
    "registry-http",
    "registry-resolve",
    "registry-lock",
    "assay-registry",
];

/// The reference server: a dev-dependency of library crates, never a normal one.
pub(crate) const SERVER: &str = "registry-server";

/// Crates that may depend on anything and that nothing may depend on.
pub(crate) const TOOLS: &[&str] = &["assay-pack", "xtask"];

/// Crates whose whole normal-dependency tree must stay free of async runtimes and network
/// stacks: the pure crates (no I/O at all; `tidy` checks their sources) and registry-cache,
/// which does synchronous `std::fs` I/O only.
pub(crate) const NETWORK_FREE_CRATES: &[&str] = &[
    "registry-types",
    "registry-canon",
    "registry-verify",
    "registry-cache",
];

/// Runtime, network and TLS crates that must never appear below a network-free crate.
pub(crate) const FORBIDDEN_IN_PURE: &[&str] = &[
    "tokio",
    "hyper",
    "hyper-util",
    "h2",
    "rustls",
    "tokio-rustls",
    "hyper-rustls",
    "reqwest",
    "mio",
    "socket2",
    "async-std",
    "smol",
    "futures-io",
    "ureq",
    "object_store",
    "native-tls",
    "openssl",
    "curl",
];

/// The kind of a dependency edge, as `cargo metadata` reports it in `dep_kinds`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum DepKind {
    /// A `[dependencies]` entry (`"kind": null`).
    Normal,
    /// A `[dev-dependencies]` entry.
    Dev,
    /// A `[build-dependencies]` entry.
    Build,
}

impl fmt::Display for DepKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DepKind::Normal => "normal",
            DepKind::Dev => "dev",
            DepKind::Build => "build",
        })
    }
}

/// One package of the resolved graph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Package {
    /// The package name, such as `registry-canon` or `tokio`.
    pub(crate) name: String,
    /// Whether the package is a member of this workspace.
    pub(crate) workspace_member: bool,
    /// Its resolved dependencies: the package id and every kind the edge has.
    pub(crate) deps: Vec<(String, Vec<DepKind>)>,
}

/// The resolved dependency graph of the workspace, keyed by package id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Graph {
    /// Every package of the resolve, keyed by its cargo package id.
    pub(crate) packages: BTreeMap<String, Package>,
}

/// A breach of the layering rules.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Violation {
    /// A library crate depends on a library crate at or to its right.
    RightPointingEdge {
        /// The depending crate.
        from: String,
        /// The crate it must not depend on.
        to: String,
        /// The kind of the offending edge.
        kind: DepKind,
    },
    /// A library crate has `registry-server` as a normal or build dependency.
    ServerNotDevOnly {
        /// The depending library crate.
        from: String,
        /// The kind of the offending edge.
        kind: DepKind,
    },
    /// A workspace crate depends on `assay-pack` or `xtask`.
    DependsOnTool {
        /// The depending crate.
        from: String,
        /// The tool crate.
        to: String,
        /// The kind of the offending edge.
        kind: DepKind,
    },
    /// A workspace crate that the layer table does not place.
    UnplacedCrate {
        /// Its name.
        name: String,
    },
    /// A forbidden crate in the normal-dependency tree of a network-free crate.
    ForbiddenInPure {
        /// The path from the network-free crate to the forbidden one, by name.
        path: Vec<String>,
    },
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Violation::RightPointingEdge { from, to, kind } => write!(
                f,
                "{from} has a {kind} dependency on {to}, which is not to its left in the layer order ({})",
                LAYERS.join(" -> ")
            ),
            Violation::ServerNotDevOnly { from, kind } => write!(
                f,
                "{from} has a {kind} dependency on {SERVER}; library crates may use it only as a dev-dependency"
            ),
            Violation::DependsOnTool { from, to, kind } => {
                write!(
                    f,
                    "{from} has a {kind} dependency on {to}; nothing may depend on {to}"
                )
            }
            Violation::UnplacedCrate { name } => write!(
                f,
                "workspace crate {name} has no place in the layer order; add it to STYLE.md section 1 and to xtask/src/layers.rs"
            ),
            Violation::ForbiddenInPure { path } => {
                let root = path.first().map_or("?", String::as_str);
                let banned = path.last().map_or("?", String::as_str);
                write!(
                    f,
                    "{banned} is in the normal dependency tree of the network-free crate {root}: {}",
                    path.join(" -> ")
                )
            }
        }
    }
}

/// The role a workspace crate plays in the layering.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// A library crate at this index of [`LAYERS`].
    Library(usize),
    /// The reference server.
    Server,
    /// The CLI or xtask.
    Tool,
}

fn role(name: &str) -> Option<Role> {
    if let Some(index) = LAYERS.iter().position(|layer| *layer == name) {
        Some(Role::Library(index))
    } else if name == SERVER {
        Some(Role::Server)
    } else if TOOLS.contains(&name) {
        Some(Role::Tool)
    } else {
        None
    }
}

impl Graph {
    /// Builds the graph from the JSON of `cargo metadata --format-version 1`.
    ///
    /// # Errors
    ///
    /// Returns a message when the JSON lacks the `resolve` graph (as with
    /// `--no-deps`) or a field this check reads.
    pub(crate) fn from_metadata(json: &Value) -> Result<Self, String> {
        let members: BTreeSet<&str> = json["workspace_members"]
            .as_array()
            .ok_or("`workspace_members` is missing")?
            .iter()
            .filter_map(Value::as_str)
            .collect();
        let mut names = BTreeMap::new();
        for package in json["packages"].as_array().ok_or("`packages` is missing")? {
            let id = package["id"].as_str().ok_or("a package has no `id`")?;
            let name = package["name"].as_str().ok_or("a package has no `name`")?;
            names.insert(id, name);
        }
        let nodes = json["resolve"]["nodes"]
            .as_array()
            .ok_or("`resolve.nodes` is missing (was --no-deps given?)")?;
        let mut graph = Graph::default();
        for node in nodes {
            let id = node["id"].as_str().ok_or("a resolve node has no `id`")?;
            let name = names
                .get(id)
                .ok_or_else(|| format!("resolve node {id} is not among the packages"))?;
            let mut deps = Vec::new();
            for dep in node["deps"]
                .as_array()
                .ok_or("a resolve node has no `deps`")?
            {
                let pkg = dep["pkg"].as_str().ok_or("a dependency has no `pkg`")?;
                let mut kinds = Vec::new();
                for dep_kind in dep["dep_kinds"]
                    .as_array()
                    .ok_or("a dependency has no `dep_kinds` (cargo is too old)")?
                {
                    kinds.push(match dep_kind["kind"].as_str() {
                        None | Some("normal") => DepKind::Normal,
                        Some("dev") => DepKind::Dev,
                        Some("build") => DepKind::Build,
                        Some(other) => return Err(format!("unknown dependency kind {other:?}")),
                    });
                }
                kinds.sort();
                kinds.dedup();
                deps.push((pkg.to_owned(), kinds));
            }
            graph.packages.insert(
                id.to_owned(),
                Package {
                    name: (*name).to_owned(),
                    workspace_member: members.contains(id),
                    deps,
                },
            );
        }
        Ok(graph)
    }

    /// Builds the normal-dependency graph of one crate from the output of
    /// `cargo tree --prefix depth --format {p}`: one package a line, each line
    /// starting with its depth. The depth-0 package is the only workspace member,
    /// and every edge is a normal one.
    ///
    /// # Errors
    ///
    /// Returns a message when a line's depth skips a level or there is no root.
    pub(crate) fn from_cargo_tree(text: &str) -> Result<Self, String> {
        let mut graph = Graph::default();
        let mut stack: Vec<String> = Vec::new();
        for line in text.lines() {
            let digits = line
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(line.len());
            // Lines without a depth (blank lines, section headers) carry no package.
            let Ok(depth) = line[..digits].parse::<usize>() else {
                continue;
            };
            let id = line[digits..]
                .trim()
                .trim_end_matches(" (*)")
                .trim_end_matches(" (proc-macro)")
                .to_owned();
            let name = id.split_whitespace().next().unwrap_or_default().to_owned();
            if depth > stack.len() {
                return Err(format!("cargo tree line {line:?} skips a level"));
            }
            if depth == 0 && !graph.packages.is_empty() {
                return Err(format!("cargo tree printed a second root: {line:?}"));
            }
            stack.truncate(depth);
            if let Some(parent) = stack.last() {
                let parent = graph
                    .packages
                    .get_mut(parent)
                    .ok_or("cargo tree parent vanished")?;
                if !parent.deps.iter().any(|(dep, _)| *dep == id) {
                    parent.deps.push((id.clone(), vec![DepKind::Normal]));
                }
            }
            graph.packages.entry(id.clone()).or_insert(Package {
                name,
                workspace_member: depth == 0,
                deps: Vec::new(),
            });
            stack.push(id);
        }
        if graph.packages.is_empty() {
            return Err("cargo tree printed no package".into());
        }
        Ok(graph)
    }

    fn name_of<'a>(&'a self, id: &'a str) -> &'a str {
        self.packages
            .get(id)
            .map_or(id, |package| package.name.as_str())
    }

    fn member_id(&self, name: &str) -> Option<&str> {
        self.packages
            .iter()
            .find(|(_, package)| package.workspace_member && package.name == name)
            .map(|(id, _)| id.as_str())
    }
}

/// Checks both rules and returns every violation, sorted: rule 1 on the workspace
/// graph, rule 2 on the graph of each network-free crate, keyed by the crate's name.
pub(crate) fn check(workspace: &Graph, pure_trees: &BTreeMap<String, Graph>) -> Vec<Violation> {
    let mut violations = check_workspace_edges(workspace);
    for (name, tree) in pure_trees {
        violations.extend(check_pure_crate(tree, name));
    }
    violations.sort();
    violations.dedup();
    violations
}

/// Rule 1: edges between workspace crates follow the layer order.
pub(crate) fn check_workspace_edges(graph: &Graph) -> Vec<Violation> {
    let mut violations = Vec::new();
    for package in graph.packages.values().filter(|p| p.workspace_member) {
        let from = package.name.as_str();
        let Some(from_role) = role(from) else {
            violations.push(Violation::UnplacedCrate {
                name: from.to_owned(),
            });
            continue;
        };
        for (dep_id, kinds) in &package.deps {
            let Some(dep) = graph.packages.get(dep_id) else {
                continue;
            };
            if !dep.workspace_member {
                continue;
            }
            let to = dep.name.as_str();
            for &kind in kinds {
                if let Some(violation) = check_edge(from, from_role, to, kind) {
                    violations.push(violation);
                }
            }
        }
    }
    violations
}

fn check_edge(from: &str, from_role: Role, to: &str, kind: DepKind) -> Option<Violation> {
    let (from, to) = (from.to_owned(), to.to_owned());
    // An unplaced target crate is reported once, as itself, not on every edge.
    let to_role = role(&to)?;
    if to_role == Role::Tool {
        return Some(Violation::DependsOnTool { from, to, kind });
    }
    // Dev-dependencies are not layering edges: tests may use the server or a higher crate.
    if kind == DepKind::Dev {
        return None;
    }
    match (from_role, to_role) {
        (Role::Library(_), Role::Server) => Some(Violation::ServerNotDevOnly { from, kind }),
        (Role::Library(from_index), Role::Library(to_index)) if to_index >= from_index => {
            Some(Violation::RightPointingEdge { from, to, kind })
        }
        _ => None,
    }
}

/// Rule 2: no forbidden crate in the transitive normal-dependency tree of the pure
/// crate `root` (a workspace member of `graph`; nothing is reported if it is absent).
///
/// Each forbidden crate is reported once, with a shortest path to it.
pub(crate) fn check_pure_crate(graph: &Graph, root: &str) -> Vec<Violation> {
    let Some(root_id) = graph.member_id(root) else {
        return Vec::new();
    };
    let parents = normal_tree(graph, root_id);
    let mut violations = Vec::new();
    for &id in parents.keys() {
        if FORBIDDEN_IN_PURE.contains(&graph.name_of(id)) {
            let mut path = vec![graph.name_of(id).to_owned()];
            let mut current = id;
            while let Some(Some(parent)) = parents.get(current) {
                path.push(graph.name_of(parent).to_owned());
                current = parent;
            }
            path.reverse();
            violations.push(Violation::ForbiddenInPure { path });
        }
    }
    violations
}

/// Walks the normal edges breadth first from `root_id` and maps every package reached
/// to the package it was first reached from (`None` for the root).
fn normal_tree<'g>(graph: &'g Graph, root_id: &'g str) -> BTreeMap<&'g str, Option<&'g str>> {
    let mut parents = BTreeMap::from([(root_id, None)]);
    let mut queue = VecDeque::from([root_id]);
    while let Some(id) = queue.pop_front() {
        let Some(package) = graph.packages.get(id) else {
            continue;
        };
        for (dep_id, kinds) in &package.deps {
            if kinds.contains(&DepKind::Normal) && !parents.contains_key(dep_id.as_str()) {
                parents.insert(dep_id.as_str(), Some(id));
                queue.push_back(dep_id.as_str());
            }
        }
    }
    parents
}

/// Runs `cargo metadata` on the workspace at `root` and parses the resolved graph.
///
/// All features are enabled so that an optional dependency cannot hide from the check;
/// all targets and platforms are included because no `--filter-platform` is given.
///
/// # Errors
///
/// Returns a message when cargo cannot run or its output cannot be parsed.
pub(crate) fn load(root: &Path) -> Result<Graph, String> {
    let stdout = run_cargo(
        root,
        &["metadata", "--format-version", "1", "--all-features"],
    )?;
    let json: Value = serde_json::from_str(&stdout)
        .map_err(|error| format!("cargo metadata printed invalid JSON: {error}"))?;
    Graph::from_metadata(&json)
}

/// Runs `cargo tree` for the package `package_id` and parses its normal-dependency
/// graph, for every target platform and with all of the package's features.
///
/// # Errors
///
/// Returns a message when cargo cannot run or its output cannot be parsed.
pub(crate) fn load_normal_tree(root: &Path, package_id: &str) -> Result<Graph, String> {
    let stdout = run_cargo(
        root,
        &[
            "tree",
            "--package",
            package_id,
            "--edges",
            "normal",
            "--target",
            "all",
            "--all-features",
            "--prefix",
            "depth",
            "--format",
            "{p}",
            "--charset",
            "ascii",
            "--color",
            "never",
        ],
    )?;
    Graph::from_cargo_tree(&stdout)
}

/// Runs cargo on the workspace at `root` with `args` and returns what it printed.
fn run_cargo(root: &Path, args: &[&str]) -> Result<String, String> {
    let output = Command::new(crate::cargo())
        .args(args)
        .arg("--manifest-path")
        .arg(root.join("Cargo.toml"))
        .current_dir(root)
        .output()
        .map_err(|error| format!("could not run cargo {}: {error}", args[0]))?;
    if !output.status.success() {
        return Err(format!(
            "cargo {} failed with {}:\n{}",
            args[0],
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    String::from_utf8(output.stdout)
        .map_err(|error| format!("cargo {} printed invalid UTF-8: {error}", args[0]))
}

/// Checks the real workspace at `root`: rule 1 on the `cargo metadata` graph, rule 2
/// on the `cargo tree` graph of each network-free crate. Returns every violation, sorted,
/// and the names of the workspace crates.
///
/// # Errors
///
/// Returns a message when cargo cannot run or its output cannot be parsed.
pub(crate) fn check_workspace(root: &Path) -> Result<(Vec<Violation>, Vec<String>), String> {
    let graph = load(root)?;
    let mut pure_trees = BTreeMap::new();
    for name in NETWORK_FREE_CRATES {
        if let Some(id) = graph.member_id(name) {
            pure_trees.insert((*name).to_owned(), load_normal_tree(root, id)?);
        }
    }
    let violations = check(&graph, &pure_trees);
    let members = graph
        .packages
        .values()
        .filter(|package| package.workspace_member)
        .map(|package| package.name.clone())
        .collect();
    Ok((violations, members))
}

/// Runs the task: prints every violation and returns whether there were none.
pub(crate) fn run(root: &Path) -> bool {
    let (violations, members) = match check_workspace(root) {
        Ok(checked) => checked,
        Err(message) => {
            eprintln!("check-layers: {message}");
            return false;
        }
    };
    if violations.is_empty() {
        println!(
            "check-layers: ok ({} workspace crates: {})",
            members.len(),
            members.join(", ")
        );
        return true;
    }
    for violation in &violations {
        eprintln!("check-layers: {violation}");
    }
    eprintln!("check-layers: {} violation(s)", violations.len());
    false
}

#[cfg(test)]
mod tests;
