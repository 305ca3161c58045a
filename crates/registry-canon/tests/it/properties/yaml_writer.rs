//! The test-local YAML emitter: writes a model in a style chosen per node by its seed.

use super::*;

/// A tiny deterministic generator. Seed 0 always answers 0, the default choice.
pub(super) struct Rng(u64);

impl Rng {
    pub(super) fn new(seed: u64, stream: u64) -> Self {
        if seed == 0 {
            Rng(0)
        } else {
            Rng((seed ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15)) | 1)
        }
    }

    /// A number in `0..n` (splitmix64); 0 for the zero seed.
    pub(super) fn below(&mut self, n: usize) -> usize {
        if self.0 == 0 || n <= 1 {
            return 0;
        }
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        usize::try_from(z % n as u64).expect("below n")
    }

    pub(super) fn pick<T: Copy>(&mut self, options: &[T]) -> T {
        options[self.below(options.len())]
    }

    /// True one time in `n`; never for the zero seed.
    pub(super) fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == n - 1
    }
}

/// Where a block node is written: what precedes it decides its indentation.
#[derive(Clone, Copy)]
pub(super) enum Parent {
    /// The document root; nothing precedes it.
    Root,
    /// After `key:` in a block mapping whose keys sit at this column.
    MapValue(usize),
    /// After `?` (an explicit key) in a block mapping at this column.
    ExplicitKey(usize),
    /// After `:` (the value of an explicit key) in a block mapping at this column.
    ExplicitValue(usize),
    /// After `-` in a block sequence whose dashes sit at this column.
    SeqItem(usize),
}

impl Parent {
    /// The column of the enclosing block collection, `None` at the root.
    pub(super) fn indent(self) -> Option<usize> {
        match self {
            Parent::Root => None,
            Parent::MapValue(n)
            | Parent::ExplicitKey(n)
            | Parent::ExplicitValue(n)
            | Parent::SeqItem(n) => Some(n),
        }
    }

    /// A column where continuation lines of a multi-line node may start: any column to the
    /// right of the enclosing block collection (at the root, column 1 keeps `---` and `...`
    /// lines out of the question).
    pub(super) fn continuation(self, rng: &mut Rng) -> usize {
        self.indent().map_or(1, |n| n + 1) + rng.below(3)
    }
}

/// Where an inline (one-line or flow) node is written.
#[derive(Clone, Copy)]
pub(super) struct Inline {
    pub(super) in_flow: bool,
    /// The column continuation lines start at, when the node may span lines.
    pub(super) continuation: Option<usize>,
}

/// Writes a [`Model`] as YAML.
pub(super) struct Emitter<'a> {
    /// Style choices, indexed by node id.
    pub(super) seeds: &'a [u32],
    /// Order of mapping members (0 keeps model order).
    pub(super) order_seed: u64,
    /// Write every mapping's members in the reverse of the chosen order.
    pub(super) reversed: bool,
}

/// Streams of the per-node generator: the node, its key (or the comment before it), and the
/// document.
pub(super) const NODE: u64 = 0;
pub(super) const KEY: u64 = 1 << 40;
pub(super) const DOCUMENT: u64 = 2 << 40;

impl Emitter<'_> {
    pub(super) fn rng(&self, id: usize, stream: u64) -> Rng {
        let seed = if self.seeds.is_empty() {
            0
        } else {
            self.seeds[id % self.seeds.len()]
        };
        Rng::new(u64::from(seed), stream + id as u64)
    }

    /// The order in which the members of mapping `id` are written.
    pub(super) fn order(&self, id: usize, len: usize) -> Vec<usize> {
        let mut order: Vec<usize> = (0..len).collect();
        let mut rng = Rng::new(self.order_seed, id as u64);
        for i in (1..len).rev() {
            order.swap(i, rng.below(i + 1));
        }
        if self.reversed {
            order.reverse();
        }
        order
    }

    /// The members of a mapping with their node ids, in emission order.
    pub(super) fn members<'m>(
        &self,
        map: &'m BTreeMap<String, Model>,
        model: &Model,
        id: usize,
    ) -> Vec<(&'m String, &'m Model, usize)> {
        let all: Vec<_> = map
            .iter()
            .zip(model.child_ids(id))
            .map(|((k, v), child)| (k, v, child))
            .collect();
        self.order(id, all.len())
            .into_iter()
            .map(|i| all[i])
            .collect()
    }

    /// The whole document: maybe with a BOM, maybe with CRLF line breaks (which YAML reads
    /// as `\n`, in block scalars too; every other line break in content is escaped).
    pub(super) fn document(&self, model: &Model) -> String {
        let mut out = String::new();
        self.block_node(model, 0, Parent::Root, &mut out);
        let mut rng = self.rng(0, DOCUMENT);
        if rng.one_in(4) {
            out = out.replace('\n', "\r\n");
        }
        if rng.one_in(6) {
            out.insert(0, '\u{FEFF}');
        }
        out
    }

    /// Writes `model` after what `parent` wrote (`key:`, `?`, `:`, `-`, or nothing at the
    /// root), up to and including the final line break.
    pub(super) fn block_node(&self, model: &Model, id: usize, parent: Parent, out: &mut String) {
        let mut rng = self.rng(id, NODE);
        let as_flow = rng.one_in(5);
        match model {
            Model::Map(map) if !map.is_empty() && !as_flow => {
                self.nested_block(parent, &mut rng, out, false, |indent, out| {
                    self.block_map(model, map, id, indent, out);
                });
            }
            Model::Seq(items) if !items.is_empty() && !as_flow => {
                self.nested_block(parent, &mut rng, out, true, |indent, out| {
                    self.block_seq(model, items, id, indent, out);
                });
            }
            Model::Str(s) => self.string_node(s, parent, false, &mut rng, out),
            Model::Null if !matches!(parent, Parent::Root) && rng.one_in(3) => {
                // An empty node is null.
                out.push_str(comment(&mut rng));
                out.push('\n');
            }
            Model::Null if matches!(parent, Parent::Root) && rng.one_in(3) => {
                // An empty stream, or one holding only a comment, is null.
                out.push_str(if rng.one_in(2) { "# nothing\n" } else { "" });
            }
            _ => {
                if !matches!(parent, Parent::Root) {
                    out.push_str(separation(parent, &mut rng));
                }
                let continuation = rng.one_in(3).then(|| parent.continuation(&mut rng));
                let line = Inline {
                    in_flow: false,
                    continuation,
                };
                out.push_str(&self.inline(model, id, line, &mut rng));
                out.push_str(comment(&mut rng));
                out.push('\n');
            }
        }
    }

    /// Places a block collection after its parent: on the next lines (indented more, or for
    /// a sequence under a key possibly at the key's column), or compact on the indicator's
    /// line (`- key: v`, `- - item`, `: key: v`).
    pub(super) fn nested_block(
        &self,
        parent: Parent,
        rng: &mut Rng,
        out: &mut String,
        is_seq: bool,
        write: impl FnOnce(usize, &mut String),
    ) {
        match parent {
            Parent::Root => write(0, out),
            Parent::MapValue(n) => {
                let indent = if is_seq {
                    rng.pick(&[n + 2, n, n + 1, n + 4])
                } else {
                    rng.pick(&[n + 2, n + 1, n + 3, n + 4])
                };
                out.push_str(comment(rng));
                out.push('\n');
                write(indent, out);
            }
            Parent::SeqItem(n) | Parent::ExplicitValue(n) | Parent::ExplicitKey(n) => {
                if rng.one_in(3) {
                    let indent = rng.pick(&[n + 2, n + 1, n + 3]);
                    out.push_str(comment(rng));
                    out.push('\n');
                    write(indent, out);
                } else {
                    // Compact: the nested collection starts on this line, 1 to 3 spaces
                    // after the indicator.
                    let spaces = 1 + rng.below(3);
                    let mut nested = String::new();
                    write(n + 1 + spaces, &mut nested);
                    out.push_str(&nested[n + 1..]);
                }
            }
        }
    }

    pub(super) fn block_map(
        &self,
        model: &Model,
        map: &BTreeMap<String, Model>,
        id: usize,
        indent: usize,
        out: &mut String,
    ) {
        for (i, (key, value, child)) in self.members(map, model, id).into_iter().enumerate() {
            let mut key_rng = self.rng(child, KEY);
            if i > 0 && key_rng.one_in(8) {
                out.push_str(&" ".repeat(indent));
                out.push_str("# between members\n");
            }
            out.push_str(&" ".repeat(indent));
            if key_rng.one_in(6) {
                // An explicit key, `? key` then `: value`, the key possibly a block scalar.
                out.push('?');
                self.string_node(key, Parent::ExplicitKey(indent), true, &mut key_rng, out);
                out.push_str(&" ".repeat(indent));
                out.push(':');
                self.block_node(value, child, Parent::ExplicitValue(indent), out);
            } else {
                out.push_str(&scalar_text(key, false, true, None, &mut key_rng));
                out.push_str(key_rng.pick(&[":", ":", " :"]));
                self.block_node(value, child, Parent::MapValue(indent), out);
            }
        }
    }

    pub(super) fn block_seq(
        &self,
        model: &Model,
        items: &[Model],
        id: usize,
        indent: usize,
        out: &mut String,
    ) {
        for (i, (item, child)) in items.iter().zip(model.child_ids(id)).enumerate() {
            if i > 0 && self.rng(child, KEY).one_in(8) {
                out.push_str(&" ".repeat(indent));
                out.push_str("# between items\n");
            }
            out.push_str(&" ".repeat(indent));
            out.push('-');
            self.block_node(item, child, Parent::SeqItem(indent), out);
        }
    }

    /// A scalar, or a flow collection (everything inside it is flow), possibly over several
    /// lines when `line.continuation` allows.
    pub(super) fn inline(&self, model: &Model, id: usize, line: Inline, rng: &mut Rng) -> String {
        let nested = Inline {
            in_flow: true,
            ..line
        };
        match model {
            Model::Null => rng.pick(&["null", "~", "Null", "NULL"]).to_owned(),
            Model::Bool(true) => rng.pick(&["true", "True", "TRUE"]).to_owned(),
            Model::Bool(false) => rng.pick(&["false", "False", "FALSE"]).to_owned(),
            Model::Int(value) => int_text(*value, rng),
            Model::Str(s) => scalar_text(s, line.in_flow, false, line.continuation, rng),
            Model::Seq(items) => {
                let texts: Vec<String> = items
                    .iter()
                    .zip(model.child_ids(id))
                    .map(|(item, child)| {
                        let mut item_rng = self.rng(child, NODE);
                        match item {
                            // `[k: v]` is `[{k: v}]`. yaml-rust2 rejects a collection as
                            // the value (`[a: [1]]`, valid YAML), so only scalars there.
                            Model::Map(pair)
                                if pair.len() == 1
                                    && !pair
                                        .values()
                                        .any(|v| matches!(v, Model::Seq(_) | Model::Map(_)))
                                    && item_rng.one_in(3) =>
                            {
                                let single_line = Inline {
                                    in_flow: true,
                                    continuation: None,
                                };
                                self.flow_members(pair, item, child, single_line, false)[0].clone()
                            }
                            _ => self.inline(item, child, nested, &mut item_rng),
                        }
                    })
                    .collect();
                flow_collection(&texts, "[", "]", line.continuation, rng)
            }
            Model::Map(map) => {
                let texts = self.flow_members(map, model, id, nested, true);
                flow_collection(&texts, "{", "}", line.continuation, rng)
            }
        }
    }

    /// The members of a flow mapping: `key: value`, `"key":value` (adjacent value after a
    /// quoted key), and for null `key:` with nothing after it or, inside braces
    /// (`in_braces`), a bare `key`.
    pub(super) fn flow_members(
        &self,
        map: &BTreeMap<String, Model>,
        model: &Model,
        id: usize,
        line: Inline,
        in_braces: bool,
    ) -> Vec<String> {
        self.members(map, model, id)
            .into_iter()
            .map(|(key, value, child)| {
                let mut key_rng = self.rng(child, KEY);
                // Implicit keys stay on one line.
                let key = scalar_text(key, true, true, None, &mut key_rng);
                let quoted = key.starts_with(['"', '\'']);
                if matches!(value, Model::Null) && key_rng.one_in(3) {
                    return if in_braces && key_rng.one_in(2) {
                        key
                    } else {
                        format!("{key}: ")
                    };
                }
                let value = self.inline(value, child, line, &mut self.rng(child, NODE));
                let colon = if quoted && key_rng.one_in(2) {
                    ":"
                } else {
                    ": "
                };
                format!("{key}{colon}{value}")
            })
            .collect()
    }

    /// A string in block context: plain, quoted (maybe over several lines), literal or
    /// folded.
    pub(super) fn string_node(
        &self,
        s: &str,
        parent: Parent,
        is_key: bool,
        rng: &mut Rng,
        out: &mut String,
    ) {
        let literal = literal_plan(s, parent);
        let folded = folded_plan(s);
        let mut styles = vec![0, 1];
        if literal.is_some() {
            styles.push(2);
        }
        if folded.is_some() {
            styles.push(3);
        }
        if !matches!(parent, Parent::Root) {
            out.push_str(separation(parent, rng));
        }
        match rng.pick(&styles) {
            2 => {
                let plan = literal.expect("literal style allowed");
                self.block_scalar(&plan, parent, rng, out);
            }
            3 => {
                let plan = folded.expect("folded style allowed");
                self.folded_scalar(s, &plan, parent, rng, out);
            }
            _ => {
                let continuation = rng.one_in(3).then(|| parent.continuation(rng));
                out.push_str(&scalar_text(s, false, is_key, continuation, rng));
                out.push_str(comment(rng));
                out.push('\n');
            }
        }
    }

    /// A literal block scalar (`|`, `|-`, `|+`, with an indentation indicator when needed
    /// or chosen).
    pub(super) fn block_scalar(
        &self,
        plan: &LiteralPlan,
        parent: Parent,
        rng: &mut Rng,
        out: &mut String,
    ) {
        let chomping = match plan.trailing {
            Trailing::None => "-",
            Trailing::One => rng.pick(&["", "+"]),
            Trailing::Many => "+",
        };
        // An explicit indicator is relative to the enclosing collection's column.
        let indicator = match parent.indent() {
            Some(n) if plan.needs_indicator || rng.one_in(3) => Some((n, 1 + rng.below(4))),
            _ => None,
        };
        let content_indent = match (indicator, parent.indent()) {
            (Some((n, m)), _) => n + m,
            (None, None) => rng.pick(&[2, 1, 3]),
            (None, Some(n)) => rng.pick(&[n + 2, n + 1, n + 3]),
        };
        out.push('|');
        match indicator {
            Some((_, m)) if rng.one_in(2) => write!(out, "{chomping}{m}"),
            Some((_, m)) => write!(out, "{m}{chomping}"),
            None => write!(out, "{chomping}"),
        }
        .expect("writing to a String");
        out.push_str(comment(rng));
        out.push('\n');
        for line in &plan.lines {
            if !line.is_empty() {
                out.push_str(&" ".repeat(content_indent));
                out.push_str(line);
            }
            out.push('\n');
        }
    }

    /// A folded block scalar: the single line broken at some of its spaces, which folding
    /// turns back into spaces.
    pub(super) fn folded_scalar(
        &self,
        s: &str,
        plan: &FoldedPlan,
        parent: Parent,
        rng: &mut Rng,
        out: &mut String,
    ) {
        let content_indent = match parent.indent() {
            None => rng.pick(&[2, 1, 3]),
            Some(n) => rng.pick(&[n + 2, n + 1, n + 3]),
        };
        out.push_str(if plan.clip { ">" } else { ">-" });
        out.push_str(comment(rng));
        out.push('\n');
        let body = s.strip_suffix('\n').unwrap_or(s);
        out.push_str(&" ".repeat(content_indent));
        for (i, word) in body.split(' ').enumerate() {
            if i > 0 {
                if rng.one_in(2) {
                    out.push('\n');
                    out.push_str(&" ".repeat(content_indent));
                } else {
                    out.push(' ');
                }
            }
            out.push_str(word);
        }
        out.push('\n');
    }
}

/// What may end a line after a node: nothing, a comment, or white space.
pub(super) fn comment(rng: &mut Rng) -> &'static str {
    if rng.one_in(4) {
        rng.pick(&[" # a comment", "\t# a comment", " ", "\t", "  # a comment"])
    } else {
        ""
    }
}

/// White space between an indicator (`key:`, `-`, `?`) and an inline node; YAML allows
/// tabs there. yaml-rust2 rejects a tab right after `:` (`a:\tb`) and any tab after `?`
/// (`? \tb`), both valid YAML, so after `:` a tab follows a space and after `?` there is
/// none.
pub(super) fn separation(parent: Parent, rng: &mut Rng) -> &'static str {
    let separator = rng.pick(&[" ", " ", " ", "  ", "\t", " \t"]);
    match parent {
        Parent::SeqItem(_) | Parent::Root => separator,
        Parent::ExplicitKey(_) if separator.contains('\t') => " ",
        _ if separator == "\t" => " \t",
        _ => separator,
    }
}

/// `[a, b]` or `{k: v}`, with random spacing, an optional trailing comma, and line breaks
/// after commas when continuation lines are allowed.
pub(super) fn flow_collection(
    items: &[String],
    open: &str,
    close: &str,
    continuation: Option<usize>,
    rng: &mut Rng,
) -> String {
    if items.is_empty() {
        return format!("{open}{}{close}", rng.pick(&["", " "]));
    }
    let padding = rng.pick(&["", " "]);
    let mut out = format!("{open}{padding}");
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(rng.pick(&[", ", ",", " , ", ",  "]));
            if let Some(column) = continuation.filter(|_| rng.one_in(3)) {
                if rng.one_in(3) {
                    out.push_str(" # inside a flow collection");
                }
                out.push('\n');
                out.push_str(&" ".repeat(column));
            }
        }
        out.push_str(item);
    }
    if rng.one_in(4) {
        out.push(',');
    }
    if let Some(column) = continuation.filter(|_| rng.one_in(4)) {
        out.push('\n');
        out.push_str(&" ".repeat(column));
    }
    out.push_str(padding);
    out.push_str(close);
    out
}

/// An integer in decimal, `+N`, or `0x`/`0o`/`0b` form (lowercase prefix, optional sign,
/// optional leading zeros after the prefix, either case of hex digits).
pub(super) fn int_text(value: i64, rng: &mut Rng) -> String {
    int_text_of(value < 0, value.unsigned_abs(), rng)
}

/// [`int_text`] for a sign and a magnitude, which may lie beyond ±2^53.
pub(super) fn int_text_of(negative: bool, magnitude: u64, rng: &mut Rng) -> String {
    let sign = if negative {
        "-"
    } else if magnitude == 0 {
        rng.pick(&["", "+", "-"])
    } else {
        rng.pick(&["", "+"])
    };
    let zeros = "0".repeat(rng.below(3));
    match rng.below(5) {
        1 => format!("{sign}0x{zeros}{magnitude:x}"),
        2 => format!("{sign}0x{zeros}{magnitude:X}"),
        3 => format!("{sign}0o{zeros}{magnitude:o}"),
        4 => format!("{sign}0b{zeros}{magnitude:b}"),
        _ => format!("{sign}{magnitude}"),
    }
}

/// Characters YAML lets us write raw outside double quotes and that yaml-rust2 reads as
/// plain content: printable, not a line break or tab, not a BOM.
pub(super) fn printable(c: char) -> bool {
    let code = u32::from(c);
    code >= 0x20
        && !(0x7F..=0x9F).contains(&code)
        && !matches!(code, 0x2028 | 0x2029 | 0xFEFF | 0xFFFE | 0xFFFF)
}

/// Whether `s` can be written as a plain scalar and read back as the same string.
pub(super) fn plain_safe(s: &str, in_flow: bool, is_key: bool) -> bool {
    let chars: Vec<char> = s.chars().collect();
    let Some(&first) = chars.first() else {
        return false;
    };
    if resolve(s) != Resolved::Str || (is_key && s == "<<") {
        return false;
    }
    if s.starts_with(' ') || s.ends_with(' ') || s.starts_with("...") {
        return false;
    }
    // yaml-rust2 rejects a flow plain scalar whose last word is `-` right before a flow
    // indicator (`[a -]`), which YAML allows: a quirk, not a wrong value (see the report).
    if in_flow && s.ends_with(" -") {
        return false;
    }
    if "-?:,[]{}#&*!|>'\"%@`".contains(first)
        && !(first == '-' && chars.get(1).is_some_and(char::is_ascii_alphanumeric))
    {
        return false;
    }
    chars.iter().enumerate().all(|(i, &c)| {
        printable(c)
            && !(in_flow && ",[]{}:".contains(c))
            && (c != ':' || chars.get(i + 1).is_some_and(char::is_ascii_alphanumeric))
            && (c != '#' || i == 0 || chars[i - 1] != ' ')
    })
}

/// Whether `s` can be single-quoted: printable, and line breaks only inside the text, away
/// from spaces (folding would eat those), and only when the scalar may span lines.
pub(super) fn single_quote_safe(s: &str, continuation: Option<usize>) -> bool {
    if !s.chars().all(|c| c == '\n' || printable(c)) {
        return false;
    }
    !s.contains('\n')
        || (continuation.is_some()
            && !s.starts_with('\n')
            && !s.ends_with('\n')
            && !s.contains(" \n")
            && !s.contains("\n "))
}

/// A scalar inline: plain when safe, single-quoted when it has no control characters,
/// otherwise (or by choice) double-quoted; over several lines when `continuation` allows.
pub(super) fn scalar_text(
    s: &str,
    in_flow: bool,
    is_key: bool,
    continuation: Option<usize>,
    rng: &mut Rng,
) -> String {
    let mut styles = Vec::new();
    let multi_line_plain = !in_flow && continuation.is_some() && plain_multi_line_safe(s, is_key);
    if plain_safe(s, in_flow, is_key) || multi_line_plain {
        styles.push(0);
    }
    if single_quote_safe(s, continuation) {
        styles.push(1);
    }
    styles.push(2);
    match rng.pick(&styles) {
        0 if in_flow => s.to_owned(),
        0 => plain(s, continuation, rng),
        1 => single_quoted(s, continuation, rng),
        _ => double_quoted(s, continuation, rng),
    }
}

/// A plain scalar, folded over lines at some single spaces followed by a letter or digit
/// (a break folds back into one space).
pub(super) fn plain(s: &str, continuation: Option<usize>, rng: &mut Rng) -> String {
    let Some(column) = continuation else {
        return s.to_owned();
    };
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        let foldable = c == ' '
            && i > 0
            && chars[i - 1] != ' '
            && chars.get(i + 1).is_some_and(char::is_ascii_alphanumeric);
        if c == '\n' {
            // A line feed is a line break followed by an empty line.
            if chars[i - 1] != '\n' {
                out.push('\n');
            }
            out.push('\n');
            if chars[i + 1] != '\n' {
                out.push_str(&" ".repeat(column));
            }
        } else if foldable && rng.one_in(2) {
            out.push('\n');
            out.push_str(&" ".repeat(column));
        } else {
            out.push(c);
        }
    }
    out
}

/// Whether `s`, which holds line feeds, can be written as a plain scalar over several
/// lines: each line feed an empty line, inside the text, away from spaces, and each line
/// after one starting with a letter or digit (so it is not a comment or an indicator).
pub(super) fn plain_multi_line_safe(s: &str, is_key: bool) -> bool {
    let chars: Vec<char> = s.chars().collect();
    s.contains('\n')
        && !s.starts_with('\n')
        && !s.ends_with('\n')
        && !s.contains(" \n")
        && !s.contains("\n ")
        && chars
            .windows(2)
            .all(|pair| pair[0] != '\n' || pair[1] == '\n' || pair[1].is_ascii_alphanumeric())
        && plain_safe(&s.replace('\n', " "), false, is_key)
}

/// A single-quoted scalar (`''` for `'`). Over several lines, a break between words folds
/// into a space and a break followed by k empty lines is k line feeds.
pub(super) fn single_quoted(s: &str, continuation: Option<usize>, rng: &mut Rng) -> String {
    let chars: Vec<char> = s.chars().collect();
    let indent = " ".repeat(continuation.unwrap_or(0));
    let mut out = String::from("'");
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\n' {
            let run = chars[i..].iter().take_while(|&&c| c == '\n').count();
            out.push_str(&"\n".repeat(run + 1));
            out.push_str(&indent);
            i += run;
            continue;
        }
        let foldable = c == ' '
            && continuation.is_some()
            && i > 0
            && chars[i - 1] != ' '
            && chars
                .get(i + 1)
                .is_some_and(|&next| next != ' ' && next != '\n');
        if foldable && rng.one_in(3) {
            out.push('\n');
            out.push_str(&indent);
        } else if c == '\'' {
            out.push_str("''");
        } else {
            out.push(c);
        }
        i += 1;
    }
    out.push('\'');
    out
}

/// A double-quoted scalar using every escape YAML has, chosen at random where several fit.
/// Over several lines, a raw space between non-blanks becomes a folded break, and an
/// escaped break (`\` at the end of a line) may go between any two non-blank pieces.
pub(super) fn double_quoted(s: &str, continuation: Option<usize>, rng: &mut Rng) -> String {
    let chars: Vec<char> = s.chars().collect();
    let pieces: Vec<String> = chars.iter().map(|&c| double_quoted_char(c, rng)).collect();
    let blank = |piece: &String| piece == " " || piece == "\t";
    let mut out = String::from("\"");
    let mut i = 0;
    while i < pieces.len() {
        let piece = &pieces[i];
        if let (Some(column), Some(previous)) = (continuation, i.checked_sub(1)) {
            let indent = " ".repeat(column);
            // k line feeds as a line break and k empty lines.
            let run = chars[i..].iter().take_while(|&&c| c == '\n').count();
            let after_run = pieces.get(i + run).is_some_and(|next| !blank(next));
            if run > 0 && !blank(&pieces[previous]) && after_run && rng.one_in(2) {
                out.push_str(&"\n".repeat(run + 1));
                out.push_str(&indent);
                i += run;
                continue;
            }
            let neighbours_not_blank =
                !blank(&pieces[previous]) && pieces.get(i + 1).is_some_and(|next| !blank(next));
            if piece == " " && neighbours_not_blank && rng.one_in(3) {
                out.push('\n');
                out.push_str(&indent);
                i += 1;
                continue;
            }
            if !blank(piece) && !blank(&pieces[previous]) && rng.one_in(8) {
                out.push_str("\\\n");
                out.push_str(&indent);
            }
        }
        out.push_str(piece);
        i += 1;
    }
    out.push('"');
    out
}

pub(super) fn double_quoted_char(c: char, rng: &mut Rng) -> String {
    let code = u32::from(c);
    let fixed = match c {
        '"' => "\\\"",
        '\\' => "\\\\",
        '\n' => rng.pick(&["\\n", "\\u000a", "\\x0A"]),
        '\t' => rng.pick(&["\\t", "\t", "\\u0009"]),
        '\r' => rng.pick(&["\\r", "\\x0d"]),
        '\0' => rng.pick(&["\\0", "\\x00", "\\u0000"]),
        '\u{7}' => rng.pick(&["\\a", "\\x07"]),
        '\u{8}' => rng.pick(&["\\b", "\\u0008"]),
        '\u{b}' => rng.pick(&["\\v", "\\x0b"]),
        '\u{c}' => rng.pick(&["\\f", "\\u000C"]),
        '\u{1b}' => rng.pick(&["\\e", "\\x1B"]),
        '\u{85}' => rng.pick(&["\\N", "\\u0085"]),
        '\u{a0}' => rng.pick(&["\\_", "\u{a0}"]),
        '\u{2028}' => rng.pick(&["\\L", "\\u2028"]),
        '\u{2029}' => rng.pick(&["\\P", "\\u2029"]),
        '/' => rng.pick(&["/", "\\/"]),
        ' ' => rng.pick(&[" ", "\\ "]),
        _ => "",
    };
    if !fixed.is_empty() {
        return fixed.to_owned();
    }
    let hex4 = |rng: &mut Rng| {
        if rng.one_in(2) {
            format!("\\u{code:04X}")
        } else {
            format!("\\u{code:04x}")
        }
    };
    if !printable(c) {
        if code <= 0xFF && rng.one_in(2) {
            format!("\\x{code:02x}")
        } else {
            hex4(rng)
        }
    } else if code > 0xFFFF && rng.one_in(2) {
        format!("\\U{code:08x}")
    } else if code > 0x7F && code <= 0xFFFF && rng.one_in(3) {
        hex4(rng)
    } else {
        c.to_string()
    }
}

/// How many line breaks end a block scalar's text, which decides the chomping indicator.
#[derive(Clone, Copy)]
pub(super) enum Trailing {
    /// None: strip (`|-`).
    None,
    /// Exactly one after a non-empty last line: clip (`|`) or keep (`|+`).
    One,
    /// Several, or the text is only line breaks: keep (`|+`).
    Many,
}

pub(super) struct LiteralPlan {
    /// The content lines (empty lines are written without indentation).
    pub(super) lines: Vec<String>,
    pub(super) trailing: Trailing,
    /// The first line with a character starts with a space: auto-detection would take that
    /// space for indentation.
    pub(super) needs_indicator: bool,
}

/// How `s` is written as a literal block scalar, if it can be.
pub(super) fn literal_plan(s: &str, parent: Parent) -> Option<LiteralPlan> {
    if !s.chars().all(|c| c == '\n' || printable(c)) {
        return None;
    }
    let (body, trailing) = match s.strip_suffix('\n') {
        None => (s, Trailing::None),
        Some(body) if !body.is_empty() && !body.ends_with('\n') => (body, Trailing::One),
        Some(body) => (body, Trailing::Many),
    };
    let lines: Vec<String> = if s.is_empty() {
        Vec::new()
    } else {
        body.split('\n').map(str::to_owned).collect()
    };
    let needs_indicator = lines
        .iter()
        .find(|line| !line.is_empty())
        .is_some_and(|line| line.starts_with(' '));
    // No indicator at the root: there YAML and yaml-rust2 measure it from different columns.
    if needs_indicator && matches!(parent, Parent::Root) {
        return None;
    }
    Some(LiteralPlan {
        lines,
        trailing,
        needs_indicator,
    })
}

pub(super) struct FoldedPlan {
    /// `>` with one final line break, rather than `>-` without.
    pub(super) clip: bool,
}

/// Whether `s` can be written folded: one non-empty line (plus an optional final line
/// break) without leading, trailing or double spaces.
pub(super) fn folded_plan(s: &str) -> Option<FoldedPlan> {
    let (body, clip) = match s.strip_suffix('\n') {
        Some(body) => (body, true),
        None => (s, false),
    };
    let ok = !body.is_empty()
        && body.chars().all(printable)
        && !body.starts_with(' ')
        && !body.ends_with(' ')
        && !body.contains("  ");
    ok.then_some(FoldedPlan { clip })
}
