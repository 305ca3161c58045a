//! Throughput of the canonical pack digest against a bare yaml-rust2 event scan.
//!
//! For packs of about 1 KiB, 100 KiB, 1 MiB and 10 MiB, each group measures:
//!
//! - `bare_scan`: pulling every event out of yaml-rust2's parser and nothing else, the floor
//!   any YAML front end built on it pays;
//! - `canonical_digest`: [`registry_canon::compute_canonical_digest`], i.e. the strict
//!   profile, the canonical RFC 8785 bytes written as the events stream, and SHA-256.
//!
//! The project's target is `canonical_digest` at ≥ 80% of `bare_scan`'s throughput on the
//! 1 MiB pack. The packs are generated deterministically with a realistic shape (header
//! fields, then a `rules:` sequence of mappings with literal blocks, flow sequences and a
//! nested `check:` mapping), and each is checked to be accepted before it is measured.
//!
//! `cargo bench -p registry-canon -- --quick` gives a fast, rougher run.

use std::fmt::Write as _;
use std::hint::black_box;
use std::time::Duration;

use criterion::{
    BenchmarkGroup, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
    measurement::WallTime,
};
use yaml_rust2::Event;
use yaml_rust2::parser::Parser;

/// One pack size to measure: the group label, the size to aim for and the criterion
/// settings that keep the whole run within a few minutes.
struct PackSize {
    /// Group name suffix, e.g. `1MiB`.
    label: &'static str,
    /// Length to aim for, in bytes; the pack ends within half a rule of it.
    target: usize,
    /// Criterion sample count.
    sample_size: usize,
    /// Criterion measurement time per function.
    measurement: Duration,
    /// Whether to use flat sampling (one fixed iteration count per sample), which keeps
    /// multi-hundred-millisecond iterations from blowing up the run time.
    flat: bool,
}

/// The pack sizes benchmarked. The largest stays under `registry_canon::MAX_TOTAL_SIZE`.
const SIZES: [PackSize; 4] = [
    PackSize {
        label: "1KiB",
        target: 1024,
        sample_size: 50,
        measurement: Duration::from_secs(2),
        flat: false,
    },
    PackSize {
        label: "100KiB",
        target: 100 * 1024,
        sample_size: 30,
        measurement: Duration::from_secs(3),
        flat: false,
    },
    PackSize {
        label: "1MiB",
        target: 1024 * 1024,
        sample_size: 20,
        measurement: Duration::from_secs(4),
        flat: false,
    },
    PackSize {
        label: "10MiB",
        target: 10_000_000,
        sample_size: 10,
        measurement: Duration::from_secs(6),
        flat: true,
    },
];

/// Rule severities, cycled through by rule number.
const SEVERITIES: [&str; 4] = ["low", "medium", "high", "critical"];

/// Tag words; each rule takes two of them.
const TAGS: [&str; 7] = [
    "transparency",
    "documentation",
    "privacy",
    "robustness",
    "fairness",
    "security",
    "oversight",
];

/// Subjects for rule descriptions and help text.
const SUBJECTS: [&str; 6] = [
    "the model card",
    "the training data sheet",
    "the risk register",
    "the incident log",
    "the deployment manifest",
    "the evaluation report",
];

/// Check types, operators and fields, cycled through by rule number.
const CHECK_TYPES: [&str; 3] = ["field_match", "presence", "threshold"];
/// Comparison operators of a check.
const OPERATORS: [&str; 4] = ["equals", "contains", "at_least", "matches"];
/// Dotted field paths a check looks at.
const FIELDS: [&str; 5] = [
    "metadata.intended_use",
    "spec.training.datasets",
    "status.evaluation.score",
    "metadata.annotations.owner",
    "spec.monitoring.retention_days",
];

/// Appends rule number `n` to `out` as one item of the `rules:` block sequence.
fn write_rule(out: &mut String, n: usize) {
    let subject = SUBJECTS[n % SUBJECTS.len()];
    let first_tag = TAGS[n % TAGS.len()];
    let second_tag = TAGS[(n / 3 + 1 + n) % TAGS.len()];
    // `writeln!` into a `String` cannot fail.
    let _ = writeln!(out, "  - id: rule-{n:06}");
    let _ = writeln!(out, "    severity: {}", SEVERITIES[n % SEVERITIES.len()]);
    let _ = writeln!(
        out,
        "    description: Ensure that {subject} states the intended use for control {n}"
    );
    out.push_str("    help: |\n");
    let _ = writeln!(
        out,
        "      Reviewers check that {subject} is present and up to date."
    );
    out.push_str("      The statement must name the people responsible for the system,\n");
    let _ = writeln!(
        out,
        "      and link to evidence kept for at least {} months.",
        6 + n % 30
    );
    for line in 0..n % 3 {
        let _ = writeln!(
            out,
            "      Extra guidance line {line}: see the handbook, section {}.",
            n % 97
        );
    }
    let _ = writeln!(out, "    tags: [{first_tag}, {second_tag}]");
    out.push_str("    check:\n");
    let _ = writeln!(out, "      type: {}", CHECK_TYPES[n % CHECK_TYPES.len()]);
    let _ = writeln!(out, "      field: \"{}\"", FIELDS[n % FIELDS.len()]);
    let _ = writeln!(out, "      operator: {}", OPERATORS[n % OPERATORS.len()]);
    if n.is_multiple_of(2) {
        let _ = writeln!(out, "      value: \"expected-value-{}\"", n % 1000);
    } else {
        let _ = writeln!(out, "      value: {}", n % 500);
    }
    if n.is_multiple_of(4) {
        out.push_str("      any_of:\n");
        let _ = writeln!(out, "        - \"variant-{}\"", n % 11);
        let _ = writeln!(out, "        - {}", n % 7);
        out.push_str("        - fallback\n");
    }
}

/// A pack whose length is as close to `target` as whole rules allow: header fields, then
/// rules up to the one that brings the length nearest to `target`.
fn generate_pack(target: usize) -> String {
    let mut pack = String::with_capacity(target);
    let _ = writeln!(pack, "name: bench-pack-{target}");
    pack.push_str("version: \"1.0.0\"\n");
    pack.push_str("kind: compliance\n");
    pack.push_str(
        "description: Synthetic compliance pack used to benchmark the canonical digest\n",
    );
    pack.push_str("author: Assay Registry Benchmarks\n");
    pack.push_str("rules:\n");
    let mut rule = String::new();
    for n in 1.. {
        rule.clear();
        write_rule(&mut rule, n);
        let overshoot = (pack.len() + rule.len()).saturating_sub(target);
        let undershoot = target.saturating_sub(pack.len());
        if overshoot >= undershoot {
            break;
        }
        pack.push_str(&rule);
    }
    pack
}

/// Pulls every event out of yaml-rust2's parser and does nothing else with them.
fn bare_scan(input: &str) {
    let mut parser = Parser::new_from_str(input);
    loop {
        let (event, mark) = parser.next_token().expect("generated packs are valid YAML");
        let end = event == Event::StreamEnd;
        black_box((event, mark));
        if end {
            break;
        }
    }
}

/// Benchmarks one pack size: a bare event scan and the canonical digest of the same text.
fn bench_size(group: &mut BenchmarkGroup<'_, WallTime>, pack: &str) {
    group.bench_function("bare_scan", |b| b.iter(|| bare_scan(black_box(pack))));
    group.bench_function("canonical_digest", |b| {
        b.iter(|| registry_canon::compute_canonical_digest(black_box(pack)))
    });
}

/// Generates every pack, checks that it is accepted, and benchmarks it.
fn digest_benches(c: &mut Criterion) {
    for size in &SIZES {
        let pack = generate_pack(size.target);
        assert!(
            pack.len() <= registry_canon::MAX_TOTAL_SIZE,
            "the {} pack is {} bytes, over the input limit",
            size.label,
            pack.len()
        );
        if let Err(error) = registry_canon::compute_canonical_digest(&pack) {
            panic!("the {} pack is rejected: {error}", size.label);
        }
        let mut group = c.benchmark_group(format!("digest/{}", size.label));
        group
            .throughput(Throughput::Bytes(pack.len() as u64))
            .sample_size(size.sample_size)
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(size.measurement);
        if size.flat {
            group.sampling_mode(SamplingMode::Flat);
        }
        bench_size(&mut group, &pack);
        group.finish();
    }
}

criterion_group!(benches, digest_benches);
criterion_main!(benches);
