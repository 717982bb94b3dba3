//! Reader for the VNNLIB property subset that VNN-COMP uses for fully connected networks.
//!
//! A property file declares inputs `X_0 … X_{n-1}` and outputs `Y_0 … Y_{m-1}` (all `Real`)
//! and asserts linear comparisons between them, combined with `and` / `or`. The conjunction
//! of all assertions describes the *unsafe* set: the property is violated (a counterexample
//! exists) iff some point of the network satisfies it. It is brought into disjunctive normal
//! form; in each disjunct, comparisons of a single input with a constant form that disjunct's
//! input box, and everything else becomes a [`LinearConstraint`].
//!
//! Supported:
//!
//! - commands `declare-const` and `assert`; `check-sat`, `get-model`, `set-logic`,
//!   `set-info`, `set-option` and `exit` are accepted and ignored;
//! - formulas `and`, `or` (any nesting), `true`, `false` and the comparisons `<=`, `>=`, `=`,
//!   `<`, `>`. Strict comparisons are read as non-strict: a verifier over the reals cannot tell
//!   them apart up to its tolerances, and VNN-COMP's checkers treat them the same way;
//! - linear terms: numbers (`3`, `-0.5`, `+2`, `1e-3`), variables, `(+ t …)`, `(- t)`,
//!   `(- t1 t2 …)` and `(* …)` with at most one factor that is not constant.
//!
//! Not supported: `not`, `=>`, `ite`, division, `let`, other sorts than `Real`, and more than
//! one network (every output is output `j` of network 0).

use super::{ConstraintSense, Disjunct, LinearConstraint, ProblemError, Variable};
use crate::network::InputBox;
use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

/// Larger files are refused: VNN-COMP's largest fully connected properties are a few MiB, so a
/// bigger file is almost certainly the wrong file, and parsing it would take much memory.
const MAX_FILE_BYTES: u64 = 64 << 20;

/// Largest disjunctive normal form accepted; beyond it the solver would run one search per
/// disjunct for hours, so refusing early with the reason is kinder.
const MAX_DISJUNCTS: usize = 100_000;

/// Largest total number of comparisons over all disjuncts: bounds memory when many disjuncts
/// each carry many comparisons.
const MAX_DNF_ATOMS: usize = 10_000_000;

/// Deepest accepted nesting of parentheses; keeps the recursive descent off the stack limit.
const MAX_DEPTH: usize = 512;

const SUPPORTED_OPERATORS: &str = "and, or, <=, >=, =, <, > (formulas) and +, -, * (terms)";

const SUPPORTED_COMMANDS: &str = "declare-const, assert (check-sat, get-model, set-logic, \
                                  set-info, set-option and exit are ignored)";

/// Prefixes of input and output names; a name's kind is its index here.
const NAMES: [char; 2] = ['X', 'Y'];

/// `bail!(cx, line => "format", args…)` returns a [`ProblemError::Vnnlib`] at `line` of `cx`'s
/// file; the `=>` keeps rustfmt from spreading every message over five lines.
macro_rules! bail {
    ($cx:expr, $line:expr => $($message:tt)+) => {
        return Err($cx.err($line, format!($($message)+)))
    };
}

/// A parsed VNNLIB property: the unsafe set as a disjunction of conjunctions.
#[derive(Debug, Clone, PartialEq)]
pub struct VnnlibProperty {
    /// Number of declared inputs `X_0 … X_{n-1}`.
    pub inputs: usize,
    /// Number of declared outputs `Y_0 … Y_{m-1}`.
    pub outputs: usize,
    /// The property holds (a counterexample exists) iff some disjunct is satisfiable; every
    /// disjunct has `input_box: Some(..)` bounding every input. Empty when every disjunct is
    /// trivially infeasible (the property can never be violated).
    pub disjuncts: Vec<Disjunct>,
}

/// Reads and parses a file; refuses files over 64 MiB and non-regular files with a clear
/// error naming the file.
pub fn read_vnnlib(path: &Path) -> Result<VnnlibProperty, ProblemError> {
    let file_error = |message: String| ProblemError::File {
        file: path.to_path_buf(),
        message,
    };
    let read_error = |e: std::io::Error| file_error(format!("cannot read the property file: {e}"));
    let too_large = |len: u64| {
        let max = MAX_FILE_BYTES >> 20;
        file_error(format!(
            "the file has {len} bytes; property files over {max} MiB are refused"
        ))
    };
    // Checked on the path before opening: opening a FIFO would block until a writer appears.
    let meta = std::fs::metadata(path).map_err(read_error)?;
    if !meta.is_file() {
        return Err(file_error("not a regular file".into()));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(too_large(meta.len()));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        // The file may grow between the check and the read: never read more than the limit.
        .and_then(|f| f.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes))
        .map_err(read_error)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large(bytes.len() as u64));
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = 1 + valid.iter().filter(|&&b| b == b'\n').count();
        Context { file: path }.err(line, "the file is not UTF-8 text".into())
    })?;
    parse_vnnlib(&text, path)
}

/// Parses the text of a property file; `file` only names it in messages and origins.
pub fn parse_vnnlib(text: &str, file: &Path) -> Result<VnnlibProperty, ProblemError> {
    let cx = Context { file };
    let commands = read_sexps(text.strip_prefix('\u{feff}').unwrap_or(text), &cx)?;

    let mut declared = [BTreeMap::new(), BTreeMap::new()];
    let mut asserts = Vec::new();
    for command in &commands {
        let (op, args, line) = cx.operation(command, "a command such as (assert …)")?;
        match (op, args) {
            ("declare-const", _) => declare(&mut declared, args, line, &cx)?,
            ("assert", [formula]) => asserts.push((formula, line)),
            ("assert", _) => return Err(cx.arity(op, "one formula", args.len(), line)),
            ("check-sat" | "get-model" | "set-logic" | "set-info" | "set-option" | "exit", _) => {}
            _ => bail!(cx, line => "unknown command `{op}`; supported: {SUPPORTED_COMMANDS}"),
        }
    }
    if asserts.is_empty() {
        let empty = if commands.is_empty() {
            "the file is empty: "
        } else {
            ""
        };
        bail!(cx, 1 => "{empty}no assertions");
    }
    let inputs = contiguous(&declared[0], NAMES[0], &cx)?;
    let outputs = contiguous(&declared[1], NAMES[1], &cx)?;
    if inputs == 0 {
        bail!(cx, 1 => "no inputs declared; expected (declare-const X_0 Real) …");
    }

    let mut dnf = Dnf {
        cx: &cx,
        counts: [inputs, outputs],
        atoms: Vec::new(),
    };
    // Every assertion is converted before they are combined, so that a later assertion that
    // is trivially false does not hide an error in an earlier one.
    let mut parts = Vec::with_capacity(asserts.len());
    for &(formula, line) in &asserts {
        parts.push((dnf.formula(formula)?, line));
    }
    let mut disjuncts = Vec::new();
    for mut conjunction in dnf.conjoin_all(parts)? {
        // Atoms are numbered in the order they appear in the file: sorting restores that
        // order, which `conjoin_all` does not keep.
        conjunction.atoms.sort_unstable();
        let first_line = conjunction.atoms.first().map(|&a| dnf.atoms[a].line);
        let line = conjunction.line.or(first_line).unwrap_or(asserts[0].1);
        disjuncts.extend(dnf.disjunct(&conjunction, line)?);
    }
    Ok(VnnlibProperty {
        inputs,
        outputs,
        disjuncts,
    })
}

/// Names the file in errors and origins.
struct Context<'p> {
    file: &'p Path,
}

impl Context<'_> {
    fn err(&self, line: usize, message: String) -> ProblemError {
        ProblemError::Vnnlib {
            file: self.file.to_path_buf(),
            line,
            message,
        }
    }

    fn arity(&self, op: &str, expected: &str, found: usize, line: usize) -> ProblemError {
        self.err(
            line,
            format!("`{op}` takes {expected}, found {found} argument(s)"),
        )
    }

    fn origin(&self, line: usize) -> String {
        format!("{}:{line}", self.file.display())
    }

    /// Splits `(op args…)`; `expected` says what should have been there otherwise.
    fn operation<'s, 'a>(
        &self,
        e: &'s Sexp<'a>,
        expected: &str,
    ) -> Result<(&'a str, &'s [Sexp<'a>], usize), ProblemError> {
        let (found, line) = match e {
            Sexp::List { items, line } => match items.split_first() {
                Some((Sexp::Atom { text, .. }, args)) => return Ok((text, args, *line)),
                Some(_) => ("a list where the operator should be".into(), *line),
                None => ("()".into(), *line),
            },
            Sexp::Atom { text, line } => (format!("`{text}`"), *line),
        };
        bail!(self, line => "expected {expected}, found {found}")
    }
}

/// An S-expression; `line` is where it starts (1-based).
#[derive(Debug)]
enum Sexp<'a> {
    Atom { text: &'a str, line: usize },
    List { items: Vec<Sexp<'a>>, line: usize },
}

impl Sexp<'_> {
    fn line(&self) -> usize {
        match self {
            Sexp::Atom { line, .. } | Sexp::List { line, .. } => *line,
        }
    }
}

/// Splits the text into top-level S-expressions. Iterative, with a depth limit, so that no
/// input can overflow the stack here or in the recursive passes that follow.
fn read_sexps<'a>(text: &'a str, cx: &Context) -> Result<Vec<Sexp<'a>>, ProblemError> {
    let bytes = text.as_bytes();
    // The lists being read, innermost last, each with the line of its `(`.
    let mut open: Vec<(usize, Vec<Sexp<'a>>)> = Vec::new();
    let mut top = Vec::new();
    let (mut line, mut i) = (1, 0);
    while i < bytes.len() {
        let (start, start_line) = (i, line);
        i += 1;
        let item = match bytes[start] {
            b'\n' => {
                line += 1;
                continue;
            }
            c if c.is_ascii_whitespace() => continue,
            b';' => {
                i = text[start..].find('\n').map_or(bytes.len(), |n| start + n);
                continue;
            }
            b'(' if open.len() >= MAX_DEPTH => {
                bail!(cx, line => "expressions are nested more than {MAX_DEPTH} deep")
            }
            b'(' => {
                open.push((line, Vec::new()));
                continue;
            }
            b')' => match open.pop() {
                Some((line, items)) => Sexp::List { items, line },
                None => bail!(cx, line => "unbalanced parentheses: `)` without a matching `(`"),
            },
            // SMT-LIB quoted symbols and strings (seen in `set-info`) may span lines and
            // contain parentheses.
            quote @ (b'|' | b'"') => {
                let Some(n) = bytes[i..].iter().position(|&b| b == quote) else {
                    bail!(cx, line => "unterminated `{}`", char::from(quote));
                };
                i += n + 1;
                line += bytes[start..i].iter().filter(|&&b| b == b'\n').count();
                Sexp::Atom {
                    text: &text[start..i],
                    line: start_line,
                }
            }
            _ => {
                let delimiter = |b: &u8| b.is_ascii_whitespace() || b"();|\"".contains(b);
                i = bytes[start..]
                    .iter()
                    .position(delimiter)
                    .map_or(bytes.len(), |n| start + n);
                // Every delimiter is ASCII, so `start..i` lies on character boundaries.
                Sexp::Atom {
                    text: &text[start..i],
                    line,
                }
            }
        };
        match open.last_mut() {
            Some((_, items)) => items.push(item),
            None => top.push(item),
        }
    }
    // The outermost unclosed list is reported: a missing `)` swallows every later command
    // into it, so the innermost one is usually far from the mistake.
    if let Some(&(line, _)) = open.first() {
        bail!(cx, line => "unbalanced parentheses: `(` opened here is never closed");
    }
    Ok(top)
}

/// `X_<i>` or `Y_<j>` in canonical form (no sign, no leading zeros) → kind (index into
/// [`NAMES`]) and index.
fn variable_name(name: &str) -> Option<(usize, usize)> {
    let kind = NAMES
        .iter()
        .position(|&p| name.starts_with(p) && name[1..].starts_with('_'))?;
    let digits = &name[2..];
    let canonical = digits == "0" || (!digits.starts_with('0') && !digits.is_empty());
    if !canonical || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((kind, digits.parse().ok()?))
}

/// Handles `(declare-const NAME Real)`, recording the line of each index.
fn declare(
    declared: &mut [BTreeMap<usize, usize>; 2],
    args: &[Sexp],
    line: usize,
    cx: &Context,
) -> Result<(), ProblemError> {
    let [Sexp::Atom { text: name, .. }, sort] = args else {
        return Err(cx.arity("declare-const", "a name and a sort", args.len(), line));
    };
    match sort {
        Sexp::Atom { text: "Real", .. } => {}
        Sexp::Atom { text, .. } => bail!(cx, line => "unsupported sort `{text}`: only Real"),
        Sexp::List { .. } => bail!(cx, line => "unsupported sort (a list): only Real"),
    }
    let Some((kind, index)) = variable_name(name) else {
        bail!(cx, line => "unsupported variable name `{name}`: expected X_<i> or Y_<j>");
    };
    if let Some(first) = declared[kind].insert(index, line) {
        bail!(cx, line => "`{name}` is declared twice (first at line {first})");
    }
    Ok(())
}

/// Checks that the declared indices run from 0 without gaps; returns their number.
fn contiguous(
    declared: &BTreeMap<usize, usize>,
    p: char,
    cx: &Context,
) -> Result<usize, ProblemError> {
    for (expected, (&index, &line)) in declared.iter().enumerate() {
        if index != expected {
            bail!(cx, line => "{p}_{expected} is not declared but {p}_{index} is: indices must \
                               run from {p}_0 without gaps");
        }
    }
    Ok(declared.len())
}

/// `Σ a·v + constant`, with variables kept sorted so that constraints come out in a stable
/// order.
#[derive(Debug, Default)]
struct Linear {
    terms: BTreeMap<Variable, f64>,
    constant: f64,
}

impl Linear {
    fn is_constant(&self) -> bool {
        self.terms.values().all(|&a| a == 0.0)
    }

    fn add_scaled(&mut self, other: Linear, scale: f64) {
        for (v, a) in other.terms {
            *self.terms.entry(v).or_insert(0.0) += scale * a;
        }
        self.constant += scale * other.constant;
    }

    fn scale(&mut self, s: f64) {
        self.terms.values_mut().for_each(|a| *a *= s);
        self.constant *= s;
    }
}

/// A comparison `Σ a·v (sense) rhs` with at least one nonzero coefficient.
#[derive(Debug)]
struct Atom {
    terms: Vec<(Variable, f64)>,
    sense: ConstraintSense,
    rhs: f64,
    line: usize,
}

/// A conjunction of atoms (indices into [`Dnf::atoms`]); `line` is where the branch of an
/// `or` that chose it starts, if any.
#[derive(Debug, Default)]
struct Conjunction {
    atoms: Vec<usize>,
    line: Option<usize>,
}

/// Converts formulas to disjunctive normal form, collecting their atoms.
struct Dnf<'c, 'p> {
    cx: &'c Context<'p>,
    /// Numbers of inputs and outputs, indexed like [`NAMES`].
    counts: [usize; 2],
    atoms: Vec<Atom>,
}

impl Dnf<'_, '_> {
    /// The disjuncts of `f`: none when `f` is false, one empty conjunction when true.
    fn formula(&mut self, f: &Sexp) -> Result<Vec<Conjunction>, ProblemError> {
        match f {
            Sexp::Atom { text: "true", .. } => return Ok(vec![Conjunction::default()]),
            Sexp::Atom { text: "false", .. } => return Ok(Vec::new()),
            _ => {}
        }
        let (op, args, line) = self.cx.operation(f, "a formula such as (<= Y_0 1)")?;
        let sense = match op {
            "and" | "or" if args.is_empty() => {
                return Err(self.cx.arity(op, "at least one formula", 0, line));
            }
            "and" => {
                let mut parts = Vec::with_capacity(args.len());
                for a in args {
                    parts.push((self.formula(a)?, line));
                }
                return self.conjoin_all(parts);
            }
            "or" => {
                let (mut conjunctions, mut total) = (Vec::new(), 0usize);
                for a in args {
                    for mut c in self.formula(a)? {
                        c.line = c.line.or(Some(a.line()));
                        total = total.saturating_add(c.atoms.len());
                        conjunctions.push(c);
                    }
                    self.check_size(conjunctions.len(), total, line)?;
                }
                return Ok(conjunctions);
            }
            "<=" | "<" => ConstraintSense::Le,
            ">=" | ">" => ConstraintSense::Ge,
            "=" => ConstraintSense::Eq,
            _ => return Err(self.unsupported(op, line)),
        };
        let [a, b] = args else {
            return Err(self.cx.arity(op, "two terms", args.len(), line));
        };
        let mut lhs = self.term(a)?;
        lhs.add_scaled(self.term(b)?, -1.0);
        // `+ 0.0` turns a `-0.0` right-hand side into `0.0`, which prints better.
        let rhs = -lhs.constant + 0.0;
        let terms: Vec<_> = lhs.terms.into_iter().filter(|&(_, a)| a != 0.0).collect();
        if !rhs.is_finite() || terms.iter().any(|(_, a)| !a.is_finite()) {
            bail!(self.cx, line => "the comparison's coefficients overflow to infinity");
        }
        if terms.is_empty() {
            let holds = match sense {
                ConstraintSense::Le => 0.0 <= rhs,
                ConstraintSense::Ge => 0.0 >= rhs,
                ConstraintSense::Eq => rhs == 0.0,
            };
            return Ok(if holds {
                vec![Conjunction::default()]
            } else {
                Vec::new()
            });
        }
        self.atoms.push(Atom {
            terms,
            sense,
            rhs,
            line,
        });
        Ok(vec![Conjunction {
            atoms: vec![self.atoms.len() - 1],
            line: None,
        }])
    }

    /// The conjunction of `parts`, distributed over their disjuncts; a part's line is blamed
    /// when the result grows too large there.
    fn conjoin_all(
        &self,
        parts: Vec<(Vec<Conjunction>, usize)>,
    ) -> Result<Vec<Conjunction>, ProblemError> {
        if parts.iter().any(|(p, _)| p.is_empty()) {
            return Ok(Vec::new());
        }
        // Parts with a single alternative (box bounds, often thousands) are merged first:
        // that is linear, where distributing them one by one would copy every disjunct's
        // atoms once per part.
        let (singles, multiples): (Vec<_>, Vec<_>) =
            parts.into_iter().partition(|(p, _)| p.len() == 1);
        let mut base = Conjunction::default();
        for mut c in singles.into_iter().flat_map(|(p, _)| p) {
            base.atoms.append(&mut c.atoms);
            base.line = base.line.or(c.line);
        }
        let mut acc = vec![base];
        for (next, line) in multiples {
            let atoms = |cs: &[Conjunction]| cs.iter().map(|c| c.atoms.len()).sum::<usize>();
            let total = (acc.len().saturating_mul(atoms(&next)))
                .saturating_add(next.len().saturating_mul(atoms(&acc)));
            self.check_size(acc.len().saturating_mul(next.len()), total, line)?;
            let mut product = Vec::with_capacity(acc.len() * next.len());
            for a in &acc {
                for b in &next {
                    let atoms = [a.atoms.as_slice(), &b.atoms].concat();
                    product.push(Conjunction {
                        atoms,
                        line: a.line.or(b.line),
                    });
                }
            }
            acc = product;
        }
        Ok(acc)
    }

    /// Refuses a normal form of `count` disjuncts holding `total` atoms if it is too large.
    fn check_size(&self, count: usize, total: usize, line: usize) -> Result<(), ProblemError> {
        let limits = [
            (count, MAX_DISJUNCTS, "disjuncts"),
            (total, MAX_DNF_ATOMS, "comparisons"),
        ];
        for (n, max, what) in limits {
            if n > max {
                bail!(self.cx, line => "the disjunctive normal form grows to {n} {what} here, \
                                        more than the {max} accepted; split the property");
            }
        }
        Ok(())
    }

    fn unsupported(&self, op: &str, line: usize) -> ProblemError {
        self.cx.err(
            line,
            format!("unsupported operator `{op}`; supported: {SUPPORTED_OPERATORS}"),
        )
    }

    /// A linear term.
    fn term(&self, t: &Sexp) -> Result<Linear, ProblemError> {
        if let &Sexp::Atom { text, line } = t {
            return Ok(match (looks_numeric(text), text.parse::<f64>()) {
                (true, Ok(v)) if v.is_finite() => Linear {
                    constant: v,
                    ..Linear::default()
                },
                (true, Ok(_)) => bail!(self.cx, line => "the number `{text}` is not finite"),
                (true, Err(_)) => bail!(self.cx, line => "`{text}` is not a number"),
                (false, _) => {
                    let v = self.variable(text, line)?;
                    Linear {
                        terms: BTreeMap::from([(v, 1.0)]),
                        constant: 0.0,
                    }
                }
            });
        }
        let (op, args, line) = self.cx.operation(t, "a term such as (+ Y_0 1)")?;
        let Some((first, rest)) = args.split_first() else {
            return Err(self.cx.arity(op, "at least one term", 0, line));
        };
        let mut result = self.term(first)?;
        match op {
            "-" if rest.is_empty() => result.scale(-1.0),
            "+" | "-" => {
                let sign = if op == "-" { -1.0 } else { 1.0 };
                for r in rest {
                    result.add_scaled(self.term(r)?, sign);
                }
            }
            "*" => {
                for r in rest {
                    let mut factor = self.term(r)?;
                    if result.is_constant() {
                        factor.scale(result.constant);
                        result = factor;
                    } else if factor.is_constant() {
                        result.scale(factor.constant);
                    } else {
                        bail!(self.cx, r.line() => "nonlinear term: `*` multiplies two terms \
                                                    with variables; one factor must be constant");
                    }
                }
            }
            _ => return Err(self.unsupported(op, line)),
        }
        Ok(result)
    }

    fn variable(&self, name: &str, line: usize) -> Result<Variable, ProblemError> {
        let counts = self.counts;
        match variable_name(name) {
            Some((0, i)) if i < counts[0] => return Ok(Variable::Input(i)),
            Some((1, j)) if j < counts[1] => {
                return Ok(Variable::Output {
                    network: 0,
                    output: j,
                });
            }
            Some((kind, _)) => {
                let p = NAMES[kind];
                let declared = match counts[kind] {
                    0 => format!("no {p}_ variables are declared"),
                    n => format!("{p}_0 … {p}_{} are declared", n - 1),
                };
                bail!(self.cx, line => "undeclared variable `{name}` ({declared})");
            }
            None => {}
        }
        // Likely slips: lower case (`x_0`) or a missing underscore (`X0`).
        let mut chars = name.chars();
        let hint = chars
            .next()
            .map(|c| {
                let rest = chars.as_str();
                format!(
                    "{}_{}",
                    c.to_ascii_uppercase(),
                    rest.strip_prefix('_').unwrap_or(rest)
                )
            })
            .filter(|c| variable_name(c).is_some_and(|(k, i)| i < counts[k]))
            .map(|c| format!("; did you mean `{c}`?"))
            .unwrap_or_default();
        bail!(self.cx, line => "undeclared variable `{name}`{hint}")
    }

    /// Builds the disjunct of a conjunction: single-input comparisons form its box, the rest
    /// its constraints. `None` when the box is empty (the disjunct is infeasible).
    fn disjunct(&self, c: &Conjunction, line: usize) -> Result<Option<Disjunct>, ProblemError> {
        let n = self.counts[0];
        let (mut lower, mut upper) = (vec![f64::NEG_INFINITY; n], vec![f64::INFINITY; n]);
        let mut constraints = Vec::new();
        for atom in c.atoms.iter().map(|&a| &self.atoms[a]) {
            let &[(Variable::Input(i), a)] = atom.terms.as_slice() else {
                constraints.push(LinearConstraint {
                    terms: atom.terms.clone(),
                    sense: atom.sense,
                    rhs: atom.rhs,
                    origin: self.cx.origin(atom.line),
                });
                continue;
            };
            let bound = atom.rhs / a;
            if !bound.is_finite() {
                bail!(self.cx, atom.line => "the bound {} / {a} on X_{i} overflows", atom.rhs);
            }
            // Dividing by a negative coefficient flips the comparison.
            let sense = match (atom.sense, a < 0.0) {
                (ConstraintSense::Le, true) => ConstraintSense::Ge,
                (ConstraintSense::Ge, true) => ConstraintSense::Le,
                (s, _) => s,
            };
            if sense != ConstraintSense::Ge {
                upper[i] = upper[i].min(bound);
            }
            if sense != ConstraintSense::Le {
                lower[i] = lower[i].max(bound);
            }
        }
        if lower.iter().zip(&upper).any(|(l, u)| l > u) {
            return Ok(None);
        }
        for (i, (l, u)) in lower.iter().zip(&upper).enumerate() {
            let missing = match (l.is_finite(), u.is_finite()) {
                (true, true) => continue,
                (false, true) => "a lower bound",
                (true, false) => "an upper bound",
                (false, false) => "both bounds",
            };
            bail!(self.cx, line => "input X_{i} lacks {missing} in the disjunct starting here; \
                                    every input needs a finite lower and upper bound");
        }
        let input_box = InputBox::new(lower, upper)
            .map_err(|e| self.cx.err(line, format!("the disjunct's input box: {e}")))?;
        let origin = self.cx.origin(line);
        Ok(Some(Disjunct {
            input_box: Some(input_box),
            constraints,
            origin,
        }))
    }
}

/// Whether a token is meant as a number (`3`, `-0.5`, `+2`, `.5`, `1e-3`) rather than a name.
fn looks_numeric(text: &str) -> bool {
    match text.as_bytes() {
        [c, ..] if c.is_ascii_digit() => true,
        [b'+' | b'-' | b'.', c, ..] => c.is_ascii_digit() || *c == b'.',
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ACAS: &str = "; ACAS Xu property 3 style
(declare-const X_0 Real)
(declare-const X_1 Real)
(declare-const X_2 Real)
(declare-const X_3 Real)
(declare-const X_4 Real)
(declare-const Y_0 Real)
(declare-const Y_1 Real)
(declare-const Y_2 Real)

(assert (<= X_0 0.679857769))
(assert (>= X_0 -0.129289109))
(assert (<= X_1 0.499999896))
(assert (>= X_1 0.11140846))
(assert (<= X_2 -0.498552195))
(assert (>= X_2 -0.499999896))
(assert (<= X_3 0.5))
(assert (>= X_3 0.227272727))
(assert (<= X_4 0.5))
(assert (>= X_4 0.166666667))

(assert (or
    (and (>= Y_0 Y_1))
    (and (>= Y_0 Y_2))
))
(check-sat)
";

    fn parse(text: &str) -> Result<VnnlibProperty, ProblemError> {
        parse_vnnlib(text, Path::new("p.vnnlib"))
    }

    /// The line and message of a parse error.
    fn error(text: &str) -> (usize, String) {
        match parse(text) {
            Err(ProblemError::Vnnlib { line, message, .. }) => (line, message),
            other => panic!("expected a VNNLIB error, got {other:?}"),
        }
    }

    fn y(j: usize) -> Variable {
        Variable::Output {
            network: 0,
            output: j,
        }
    }

    /// Declarations of `n` inputs and `m` outputs, one a line.
    fn declare(n: usize, m: usize) -> String {
        let mut s = String::new();
        for i in 0..n {
            s += &format!("(declare-const X_{i} Real)\n");
        }
        for j in 0..m {
            s += &format!("(declare-const Y_{j} Real)\n");
        }
        s
    }

    /// A single constraint of a one-input, three-output property.
    fn single_constraint(atom: &str) -> LinearConstraint {
        let text = format!(
            "{}(assert (<= 0 X_0 ))(assert (<= X_0 1))\n(assert {atom})",
            declare(1, 3)
        );
        let p = parse(&text).unwrap();
        assert_eq!(p.disjuncts.len(), 1);
        let [c] = p.disjuncts[0].constraints.as_slice() else {
            panic!("{:?}", p.disjuncts[0].constraints)
        };
        c.clone()
    }

    #[test]
    fn acas_xu_property_gives_two_disjuncts_with_the_same_box() {
        let p = parse(ACAS).unwrap();
        assert_eq!((p.inputs, p.outputs), (5, 3));
        assert_eq!(p.disjuncts.len(), 2);
        let b = p.disjuncts[0].input_box.as_ref().unwrap();
        assert_eq!(
            b.lower(),
            &[
                -0.129289109,
                0.11140846,
                -0.499999896,
                0.227272727,
                0.166666667
            ]
        );
        assert_eq!(
            b.upper(),
            &[0.679857769, 0.499999896, -0.498552195, 0.5, 0.5]
        );
        assert_eq!(p.disjuncts[1].input_box.as_ref(), Some(b));
        for (d, (j, line)) in p.disjuncts.iter().zip([(1, 23), (2, 24)]) {
            assert_eq!(d.origin, format!("p.vnnlib:{line}"));
            assert_eq!(
                d.constraints,
                vec![LinearConstraint {
                    terms: vec![(y(0), 1.0), (y(j), -1.0)],
                    sense: ConstraintSense::Ge,
                    rhs: 0.0,
                    origin: format!("p.vnnlib:{line}"),
                }]
            );
        }
    }

    #[test]
    fn or_of_input_boxes_gives_disjuncts_with_different_boxes() {
        let text = format!(
            "{}(assert (or\n (and (>= X_0 0) (<= X_0 1) (>= X_1 -1) (<= X_1 1))\n \
             (and (>= X_0 2) (<= X_0 3) (= X_1 0.5) (<= (* -2 X_1) 7))))\n\
             (assert (<= Y_0 0))",
            declare(2, 1)
        );
        let p = parse(&text).unwrap();
        assert_eq!(p.disjuncts.len(), 2);
        let boxes: Vec<_> = p
            .disjuncts
            .iter()
            .map(|d| d.input_box.clone().unwrap())
            .collect();
        assert_eq!(boxes[0].pairs(), vec![[0.0, 1.0], [-1.0, 1.0]]);
        assert_eq!(boxes[1].pairs(), vec![[2.0, 3.0], [0.5, 0.5]]);
        assert_eq!(p.disjuncts[0].origin, "p.vnnlib:5");
        assert_eq!(p.disjuncts[1].origin, "p.vnnlib:6");
        for d in &p.disjuncts {
            assert_eq!(d.constraints.len(), 1);
            assert_eq!(d.constraints[0].origin, "p.vnnlib:7");
        }
    }

    #[test]
    fn sum_with_negated_product_becomes_one_constraint() {
        let c = single_constraint("(<= (+ Y_0 (* -1 Y_2)) 0)");
        assert_eq!(c.terms, vec![(y(0), 1.0), (y(2), -1.0)]);
        assert_eq!((c.sense, c.rhs), (ConstraintSense::Le, 0.0));
        assert_eq!(c.origin, "p.vnnlib:6");
    }

    #[test]
    fn constants_move_to_the_right_hand_side() {
        let c = single_constraint("(<= (+ Y_0 3) (* 2 Y_1))");
        assert_eq!(c.terms, vec![(y(0), 1.0), (y(1), -2.0)]);
        assert_eq!((c.sense, c.rhs), (ConstraintSense::Le, -3.0));
    }

    #[test]
    fn terms_merge_cancel_and_accept_every_number_form() {
        // Y_1 cancels; Y_0 appears three times; `<` is read as `<=`.
        let c =
            single_constraint("(< (+ Y_0 Y_1 (- Y_0) (* Y_0 2.5e-1 +4) (- Y_1)) (- 0.25 -0.5 .5))");
        assert_eq!(c.terms, vec![(y(0), 1.0)]);
        assert_eq!((c.sense, c.rhs), (ConstraintSense::Le, 0.25));
        let c = single_constraint("(> (- (* 3 (+ Y_2 1))) X_0) ; a comment\n");
        assert_eq!(c.terms, vec![(Variable::Input(0), -1.0), (y(2), -3.0)]);
        assert_eq!((c.sense, c.rhs), (ConstraintSense::Ge, 3.0));
    }

    #[test]
    fn input_comparisons_with_any_coefficient_become_bounds() {
        let text = format!(
            "(set-logic QF_LRA)\n{}(assert (and (<= (* -2 X_0) 4) (>= (- X_0) -1) (>= X_0 -5)))\n\
             (assert (= (* 4 X_1) 2))\n(assert (>= 1 (+ X_1 X_0)))\n(get-model)",
            declare(2, 0)
        );
        let p = parse(&text).unwrap();
        let [d] = p.disjuncts.as_slice() else {
            panic!()
        };
        assert_eq!(
            d.input_box.as_ref().unwrap().pairs(),
            vec![[-2.0, 1.0], [0.5, 0.5]]
        );
        // Two inputs in one comparison: a constraint, not a bound.
        assert_eq!(d.constraints.len(), 1);
        assert_eq!(
            d.constraints[0].terms,
            vec![(Variable::Input(0), -1.0), (Variable::Input(1), -1.0)]
        );
        assert_eq!(
            (d.constraints[0].sense, d.constraints[0].rhs),
            (ConstraintSense::Ge, -1.0)
        );
        assert_eq!(d.origin, "p.vnnlib:4");
    }

    #[test]
    fn trivially_false_atoms_and_empty_boxes_drop_their_disjunct() {
        let base = format!("{}(assert (>= X_0 0))(assert (<= X_0 1))\n", declare(1, 2));
        let p = parse(&format!(
            "{base}(assert (or (and (<= Y_0 0) (<= 2 (+ 1 0.5))) (and (>= Y_1 0) (<= 1 2))))"
        ))
        .unwrap();
        assert_eq!(p.disjuncts.len(), 1);
        assert_eq!(p.disjuncts[0].constraints[0].terms, vec![(y(1), 1.0)]);

        let p = parse(&format!(
            "{base}(assert (or (and (<= Y_0 0) (>= X_0 3)) (>= Y_1 0)))"
        ))
        .unwrap();
        assert_eq!(p.disjuncts.len(), 1);
        assert_eq!(p.disjuncts[0].constraints[0].terms, vec![(y(1), 1.0)]);

        // Every disjunct infeasible: the property is trivially unsat.
        let p = parse(&format!("{base}(assert (or (= 0 1) (>= (- Y_0 Y_0) 1)))")).unwrap();
        assert!(p.disjuncts.is_empty());
    }

    #[test]
    fn ignored_commands_and_quoted_text_keep_line_numbers() {
        let head = format!(
            "(set-info :source |two\nlines (with a paren|)\n(set-option :produce-models true)\n\
             {}(assert (and true (>= X_0 0) (<= X_0 1)))\n",
            declare(1, 1)
        );
        let p = parse(&format!("{head}(assert (or false (<= Y_0 2)))\n(exit)")).unwrap();
        assert_eq!(p.disjuncts[0].constraints[0].origin, "p.vnnlib:7");
        let (line, message) = error(&format!("{head}(assert (or false (<= Y_0 \"a\nb\")))"));
        assert_eq!(line, 7);
        assert!(message.contains("undeclared variable"), "{message}");
        assert!(
            error(&format!("{head}(set-info |open"))
                .1
                .contains("unterminated")
        );
    }

    #[test]
    fn undeclared_variables_are_reported_with_a_suggestion() {
        let base = declare(2, 2);
        let (line, message) = error(&format!("{base}(assert (<= X_0 1))\n\n(assert (<= x_0 1))"));
        assert_eq!(line, 7);
        assert!(
            message.contains("`x_0`") && message.contains("did you mean `X_0`"),
            "{message}"
        );
        let (line, message) = error(&format!("{base}(assert\n (<= Y0 1))"));
        assert_eq!(line, 6);
        assert!(
            message.contains("`Y0`") && message.contains("did you mean `Y_0`"),
            "{message}"
        );
        let (_, message) = error(&format!("{base}(assert (<= Y_2 1))"));
        assert!(message.contains("Y_0 … Y_1 are declared"), "{message}");
    }

    #[test]
    fn unsupported_operators_are_named_with_the_supported_ones() {
        let (line, message) = error(&format!("{}\n(assert (<= (exp Y_0) 1))", declare(1, 1)));
        assert_eq!(line, 4);
        assert!(
            message.contains("`exp`") && message.contains("+, -, *"),
            "{message}"
        );
        let (line, message) = error(&format!("{}(assert (not (<= Y_0 1)))", declare(1, 1)));
        assert_eq!(line, 3);
        assert!(message.contains("`not`"), "{message}");
        let (line, message) = error(&format!("{}(push 1)", declare(1, 1)));
        assert_eq!(line, 3);
        assert!(message.contains("unknown command `push`"), "{message}");
    }

    #[test]
    fn a_missing_input_bound_names_the_input_and_the_disjunct() {
        let text = format!(
            "{}(assert (>= X_0 0))\n(assert (<= X_0 1))\n(assert (>= X_1 0))\n\
             (assert (or\n (and (<= X_1 1) (<= Y_0 0))\n (and (<= Y_0 1))))",
            declare(2, 1)
        );
        let (line, message) = error(&text);
        assert_eq!(line, 9);
        assert!(message.contains("X_1 lacks an upper bound"), "{message}");
    }

    #[test]
    fn unbalanced_parentheses_are_reported_where_they_occur() {
        let (line, message) = error(&format!("{}(assert (<= Y_0 1)))\n", declare(1, 1)));
        assert_eq!(line, 3);
        assert!(message.contains("unbalanced"), "{message}");
        let (line, message) = error(&format!(
            "{}(assert (<= Y_0 1)\n(assert (<= Y_0 2))\n",
            declare(1, 1)
        ));
        assert_eq!(line, 3);
        assert!(message.contains("never closed"), "{message}");
    }

    #[test]
    fn products_of_variables_are_refused_as_nonlinear() {
        let (line, message) = error(&format!("{}(assert (<= (* 2\n Y_0 X_0) 1))", declare(1, 1)));
        assert_eq!(line, 4);
        assert!(message.contains("nonlinear"), "{message}");
    }

    #[test]
    fn a_dnf_over_the_limit_is_refused_at_the_assertion_that_crosses_it() {
        let mut text = declare(1, 2);
        for _ in 0..20 {
            text += "(assert (or (<= Y_0 0) (<= Y_1 0)))\n";
        }
        // 2^17 = 131072 is the first power of two above 100 000; declarations use 3 lines.
        let (line, message) = error(&text);
        assert_eq!(line, 3 + 17);
        assert!(message.contains("disjunctive normal form"), "{message}");
    }

    #[test]
    fn declarations_must_be_real_unique_and_contiguous() {
        let cases = [
            (
                "(declare-const X_0 Real)\n(declare-const X_2 Real)",
                2,
                "X_1 is not declared",
            ),
            (
                "(declare-const X_0 Real)\n(declare-const X_0 Real)",
                2,
                "declared twice",
            ),
            ("(declare-const X_0 Int)", 1, "only Real"),
            ("(declare-const in0 Real)", 1, "unsupported variable name"),
            ("(declare-const X_0)", 1, "`declare-const` takes"),
            ("(declare-const Y_0 Real)", 1, "no inputs declared"),
        ];
        for (decls, line, expected) in cases {
            let (l, message) = error(&format!("{decls}\n(assert (<= 0 1))"));
            assert_eq!(l, line, "{decls}");
            assert!(message.contains(expected), "{decls}: {message}");
        }
    }

    #[test]
    fn malformed_numbers_arities_and_empty_files_are_errors() {
        let base = declare(1, 1);
        let cases = [
            ("(assert (<= Y_0 1e999))", "not finite"),
            ("(assert (<= Y_0 1.2.3))", "not a number"),
            ("(assert (<= Y_0 1 2))", "two terms"),
            ("(assert (<= Y_0 1) (<= Y_0 2))", "`assert` takes"),
            ("(assert (and))", "`and` takes"),
            ("(assert (<= (-) 1))", "`-` takes"),
            ("(assert Y_0)", "expected a formula"),
            ("(assert (<= (* 1e300 1e300 Y_0) 1))", "overflow"),
        ];
        for (assert, expected) in cases {
            let (line, message) = error(&format!("{base}{assert}"));
            assert_eq!(line, 3, "{assert}");
            assert!(message.contains(expected), "{assert}: {message}");
        }
        assert_eq!(error(""), (1, "the file is empty: no assertions".into()));
        assert_eq!(
            error("; only a comment\n").1,
            "the file is empty: no assertions"
        );
        assert_eq!(error(&base).1, "no assertions");
    }

    #[test]
    fn never_panics_on_truncations_and_garbage() {
        for end in 0..=ACAS.len() {
            let _ = parse(&ACAS[..end]);
        }
        let pieces = [
            "(",
            ")",
            " ",
            "\n",
            ";",
            "assert",
            "and",
            "or",
            "<=",
            ">=",
            "=",
            "-",
            "+",
            "*",
            "X_0",
            "X_1",
            "Y_0",
            "x_0",
            "1",
            "-0.5",
            "1e309",
            "0",
            "declare-const",
            "Real",
            "|",
            "\"",
            "é",
            "check-sat",
            "true",
            "X_99999999999999999999",
        ];
        // A fixed xorshift keeps the test reproducible.
        let mut state = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..3000 {
            let mut text = String::new();
            for _ in 0..(state % 60) {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                text += pieces[(state % pieces.len() as u64) as usize];
                text += if state & 64 == 0 { " " } else { "" };
            }
            let _ = parse(&text);
            let _ = parse(&format!("{}{text}", declare(2, 2)));
        }
        let deep = "(".repeat(100_000);
        assert!(error(&deep).1.contains("nested"));
        let nested = format!(
            "{}(assert (<= {}Y_0{} 1))",
            declare(1, 1),
            "(+ ".repeat(400),
            ")".repeat(400)
        );
        assert!(error(&nested).1.contains("X_0 lacks both bounds"));
    }

    #[test]
    fn reads_files_and_refuses_directories() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("prop.vnnlib");
        std::fs::write(&path, ACAS).unwrap();
        let p = read_vnnlib(&path).unwrap();
        assert_eq!(p.disjuncts[0].origin, format!("{}:23", path.display()));
        let message = read_vnnlib(dir.path()).unwrap_err().to_string();
        assert!(message.contains("not a regular file"), "{message}");
        assert!(read_vnnlib(&dir.path().join("missing")).is_err());
        std::fs::write(&path, b"(assert\n\xff)").unwrap();
        assert!(matches!(
            read_vnnlib(&path),
            Err(ProblemError::Vnnlib { line: 2, .. })
        ));
    }
}
