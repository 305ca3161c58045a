//! Tests of the layering rules on synthetic graphs, and of the real workspace.

use serde_json::json;

use crate::layers::{
    DepKind, Graph, NETWORK_FREE_CRATES, Package, Violation, check, check_pure_crate,
    check_workspace, load, load_normal_tree,
};

/// Checks a synthetic graph that serves both as the workspace graph and as the
/// tree of every network-free crate.
fn check_one(graph: &Graph) -> Vec<Violation> {
    let trees = NETWORK_FREE_CRATES
        .iter()
        .map(|name| ((*name).to_owned(), graph.clone()))
        .collect();
    check(graph, &trees)
}

/// Builds a synthetic graph whose package ids are the package names.
struct Fake(Graph);

impl Fake {
    fn new() -> Self {
        Fake(Graph::default())
    }

    fn add(mut self, name: &str, workspace_member: bool) -> Self {
        self.0.packages.insert(
            name.to_owned(),
            Package {
                name: name.to_owned(),
                workspace_member,
                deps: Vec::new(),
            },
        );
        self
    }

    fn member(self, name: &str) -> Self {
        self.add(name, true)
    }

    fn external(self, name: &str) -> Self {
        self.add(name, false)
    }

    fn edge(mut self, from: &str, to: &str, kind: DepKind) -> Self {
        let package = self.0.packages.get_mut(from).expect("add the crate first");
        package.deps.push((to.to_owned(), vec![kind]));
        self
    }

    fn check(&self) -> Vec<String> {
        check_one(&self.0).iter().map(ToString::to_string).collect()
    }
}

/// The workspace as it stands today, which follows the rules.
fn today() -> Fake {
    Fake::new()
        .member("registry-types")
        .member("registry-canon")
        .member("assay-pack")
        .member("xtask")
        .external("snafu")
        .external("ring")
        .external("proptest")
        .edge("registry-types", "snafu", DepKind::Normal)
        .edge("registry-types", "proptest", DepKind::Dev)
        .edge("registry-canon", "registry-types", DepKind::Normal)
        .edge("registry-canon", "ring", DepKind::Normal)
        .edge("assay-pack", "registry-canon", DepKind::Normal)
        .edge("assay-pack", "registry-types", DepKind::Normal)
}

#[test]
fn the_current_shape_passes() {
    assert_eq!(today().check(), Vec::<String>::new());
}

#[test]
fn an_empty_workspace_passes() {
    assert_eq!(Fake::new().check(), Vec::<String>::new());
}

#[test]
fn a_right_pointing_edge_is_reported() {
    let fake = today().edge("registry-types", "registry-canon", DepKind::Normal);
    assert_eq!(
        check_one(&fake.0),
        [Violation::RightPointingEdge {
            from: "registry-types".into(),
            to: "registry-canon".into(),
            kind: DepKind::Normal,
        }]
    );
    assert!(fake.check()[0].starts_with(
        "registry-types has a normal dependency on registry-canon, which is not to its left"
    ));
}

#[test]
fn a_right_pointing_build_dependency_is_reported_but_a_dev_dependency_is_not() {
    let fake = today()
        .member("registry-lock")
        .member("registry-http")
        .edge("registry-canon", "registry-lock", DepKind::Build)
        .edge("registry-types", "registry-http", DepKind::Dev);
    assert_eq!(
        check_one(&fake.0),
        [Violation::RightPointingEdge {
            from: "registry-canon".into(),
            to: "registry-lock".into(),
            kind: DepKind::Build,
        }]
    );
}

#[test]
fn a_left_pointing_edge_across_missing_layers_passes() {
    let fake = today()
        .member("assay-registry")
        .edge("assay-registry", "registry-types", DepKind::Normal)
        .edge("assay-registry", "registry-canon", DepKind::Normal);
    assert_eq!(fake.check(), Vec::<String>::new());
}

#[test]
fn the_server_is_a_dev_dependency_only() {
    let fake = today()
        .member("registry-server")
        .member("registry-verify")
        .edge("registry-server", "registry-verify", DepKind::Normal)
        .edge("registry-verify", "registry-canon", DepKind::Normal)
        .edge("registry-verify", "registry-server", DepKind::Dev)
        .edge("assay-pack", "registry-server", DepKind::Normal);
    assert_eq!(fake.check(), Vec::<String>::new());

    let fake = fake.edge("registry-canon", "registry-server", DepKind::Normal);
    assert_eq!(
        check_one(&fake.0),
        [Violation::ServerNotDevOnly {
            from: "registry-canon".into(),
            kind: DepKind::Normal,
        }]
    );
}

#[test]
fn nothing_may_depend_on_the_tools() {
    let fake = today()
        .edge("registry-canon", "assay-pack", DepKind::Dev)
        .edge("assay-pack", "xtask", DepKind::Normal);
    assert_eq!(
        check_one(&fake.0),
        [
            Violation::DependsOnTool {
                from: "assay-pack".into(),
                to: "xtask".into(),
                kind: DepKind::Normal,
            },
            Violation::DependsOnTool {
                from: "registry-canon".into(),
                to: "assay-pack".into(),
                kind: DepKind::Dev,
            },
        ]
    );
}

#[test]
fn an_unplaced_workspace_crate_is_reported() {
    let fake = today()
        .member("registry-misc")
        .edge("registry-misc", "registry-types", DepKind::Normal)
        .edge("registry-canon", "registry-misc", DepKind::Normal);
    assert_eq!(
        check_one(&fake.0),
        [Violation::UnplacedCrate {
            name: "registry-misc".into()
        }]
    );
}

#[test]
fn a_transitive_tokio_is_reported_with_its_path() {
    let fake = today()
        .external("foo")
        .external("tokio")
        .edge("registry-canon", "foo", DepKind::Normal)
        .edge("foo", "tokio", DepKind::Normal);
    assert_eq!(
        check_one(&fake.0),
        [Violation::ForbiddenInPure {
            path: vec!["registry-canon".into(), "foo".into(), "tokio".into()],
        }]
    );
    assert_eq!(
        fake.check(),
        [
            "tokio is in the normal dependency tree of the network-free crate registry-canon: registry-canon -> foo -> tokio"
        ]
    );
}

#[test]
fn a_forbidden_crate_below_types_is_reported_for_every_pure_crate_above_it() {
    let fake = today()
        .external("bar")
        .external("hyper")
        .edge("snafu", "bar", DepKind::Normal)
        .edge("bar", "hyper", DepKind::Normal);
    let paths: Vec<Vec<String>> = check_one(&fake.0)
        .into_iter()
        .map(|violation| match violation {
            Violation::ForbiddenInPure { path } => path,
            other => panic!("unexpected violation {other}"),
        })
        .collect();
    assert_eq!(
        paths,
        [
            vec!["registry-canon", "registry-types", "snafu", "bar", "hyper"],
            vec!["registry-types", "snafu", "bar", "hyper"],
        ]
    );
}

#[test]
fn forbidden_crates_behind_dev_or_build_edges_or_below_other_crates_pass() {
    let fake = today()
        .external("tokio")
        .external("cc")
        .external("rustls")
        .edge("registry-canon", "tokio", DepKind::Dev)
        .edge("ring", "cc", DepKind::Build)
        .edge("cc", "rustls", DepKind::Normal)
        .edge("assay-pack", "tokio", DepKind::Normal);
    assert_eq!(fake.check(), Vec::<String>::new());
}

#[test]
fn metadata_json_is_parsed_into_the_graph() {
    let json = json!({
        "workspace_members": ["path+file:///w/crates/registry-canon#0.1.0"],
        "packages": [
            {"id": "path+file:///w/crates/registry-canon#0.1.0", "name": "registry-canon"},
            {"id": "registry+x#mio@1.0.0", "name": "mio"},
            {"id": "registry+x#proptest@1.0.0", "name": "proptest"},
        ],
        "resolve": {"root": null, "nodes": [
            {"id": "path+file:///w/crates/registry-canon#0.1.0", "deps": [
                {"name": "mio", "pkg": "registry+x#mio@1.0.0",
                 "dep_kinds": [{"kind": null, "target": "cfg(unix)"}]},
                {"name": "proptest", "pkg": "registry+x#proptest@1.0.0",
                 "dep_kinds": [{"kind": "dev", "target": null}, {"kind": "build", "target": null}]},
            ]},
            {"id": "registry+x#mio@1.0.0", "deps": []},
            {"id": "registry+x#proptest@1.0.0", "deps": []},
        ]},
    });
    let graph = Graph::from_metadata(&json).expect("valid metadata");
    let canon = &graph.packages["path+file:///w/crates/registry-canon#0.1.0"];
    assert!(canon.workspace_member);
    assert_eq!(
        canon.deps,
        [
            ("registry+x#mio@1.0.0".to_owned(), vec![DepKind::Normal]),
            (
                "registry+x#proptest@1.0.0".to_owned(),
                vec![DepKind::Dev, DepKind::Build]
            ),
        ]
    );
    assert_eq!(
        check_one(&graph),
        [Violation::ForbiddenInPure {
            path: vec!["registry-canon".into(), "mio".into()],
        }]
    );

    let no_deps = json!({"workspace_members": [], "packages": [], "resolve": null});
    assert!(Graph::from_metadata(&no_deps).is_err());
}

#[test]
fn cargo_tree_output_is_parsed_into_the_graph() {
    let text = "\
0registry-canon v0.1.0 (/w/crates/registry-canon)
1foo v1.0.0
2tokio v1.54.1
3mio v1.2.5
2serde_derive v1.0.229 (proc-macro)
1registry-types v0.1.0 (/w/crates/registry-types)
2foo v1.0.0 (*)
1bar v2.0.0
";
    let graph = Graph::from_cargo_tree(text).expect("valid cargo tree output");
    assert_eq!(graph.packages.len(), 7);
    let types = &graph.packages["registry-types v0.1.0 (/w/crates/registry-types)"];
    assert!(!types.workspace_member);
    assert_eq!(
        types.deps,
        [("foo v1.0.0".to_owned(), vec![DepKind::Normal])]
    );
    assert!(graph.packages.contains_key("serde_derive v1.0.229"));
    assert_eq!(
        check_pure_crate(&graph, "registry-canon"),
        [
            Violation::ForbiddenInPure {
                path: vec![
                    "registry-canon".into(),
                    "foo".into(),
                    "tokio".into(),
                    "mio".into()
                ],
            },
            Violation::ForbiddenInPure {
                path: vec!["registry-canon".into(), "foo".into(), "tokio".into()],
            },
        ]
    );
    // Only the root is a member, so the other network-free crates are not checked here.
    assert_eq!(check_pure_crate(&graph, "registry-types"), []);

    assert!(Graph::from_cargo_tree("").is_err());
    assert!(Graph::from_cargo_tree("0a v1\n2b v1\n").is_err());
    assert!(Graph::from_cargo_tree("0a v1\n0b v1\n").is_err());
}

/// STYLE.md §1 holds for the real workspace (`cargo xtask check-layers` as a test).
#[test]
fn the_workspace_follows_the_layering() {
    let root = crate::workspace_root();
    let graph = load(&root).expect("cargo metadata works");
    let types = graph
        .member_id("registry-types")
        .expect("registry-types is a workspace member");
    assert!(
        !graph.packages[types].deps.is_empty(),
        "the metadata lists no dependencies of registry-types; is the parser broken?"
    );
    let tree = load_normal_tree(&root, types).expect("cargo tree works");
    assert!(
        tree.packages.len() > 1,
        "cargo tree lists no dependencies of registry-types; is the parser broken?"
    );
    let (violations, _) = check_workspace(&root).expect("the check runs");
    let violations: Vec<String> = violations.iter().map(ToString::to_string).collect();
    assert!(
        violations.is_empty(),
        "layering violations (run `cargo xtask check-layers`):\n{}",
        violations.join("\n")
    );
}
