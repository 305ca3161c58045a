//! The `assay-pack` command-line tool (placeholder).
fn main() {}
