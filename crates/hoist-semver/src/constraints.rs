//! `constraints.go`: parsing constraint strings and checking versions against them.

use std::fmt;
use std::sync::LazyLock;

use regex::Regex;

use crate::version::compare_prerelease;
use crate::{Error, Version, go_quote};

/// Go's `\s` (RE2 is ASCII-only here, unlike Rust's Unicode `\s`).
const WS: &str = r"[\t\n\f\r ]";

/// `cvRegex`: a constraint version. Groups (relative): 1 major, 2 `.minor`, 3 `.patch`, 4 `-pre`,
/// 5 pre, 6 (pre tail), 7 `+meta`, 8 meta, 9 (meta tail).
const CV: &str = r"v?([0-9|x|X|\*]+)(\.[0-9|x|X|\*]+)?(\.[0-9|x|X|\*]+)?(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?";

/// The operators, in Go's alternation order (leftmost-first, like RE2).
const OPS: &str = r"=||!=|>|<|>=|=>|<=|=<|~|~>|\^";

fn compile(pattern: &str) -> Regex {
    Regex::new(&pattern.replace("\\s", WS)).expect("static regex")
}

static CONSTRAINT: LazyLock<Regex> =
    LazyLock::new(|| compile(&format!(r"^\s*({OPS})\s*({CV})\s*$")));
static RANGE: LazyLock<Regex> = LazyLock::new(|| compile(&format!(r"\s*({CV})\s+-\s+({CV})\s*")));
static FIND: LazyLock<Regex> = LazyLock::new(|| compile(&format!(r"({OPS})\s*({CV})")));
static VALID: LazyLock<Regex> = LazyLock::new(|| {
    compile(&format!(
        r"^(\s*({OPS})\s*({CV})\s*)((?:\s+|,\s*)({OPS})\s*({CV})\s*)*$"
    ))
});

/// One check's failure reason, with Masterminds' message (`"1.2.3" is less than "2"`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ValidationError(pub String);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    TildeOrEqual,
    NotEqual,
    GreaterThan,
    LessThan,
    GreaterThanEqual,
    LessThanEqual,
    Tilde,
    Caret,
}

impl Op {
    fn from_str(op: &str) -> Option<Op> {
        Some(match op {
            "" | "=" => Op::TildeOrEqual,
            "!=" => Op::NotEqual,
            ">" => Op::GreaterThan,
            "<" => Op::LessThan,
            ">=" | "=>" => Op::GreaterThanEqual,
            "<=" | "=<" => Op::LessThanEqual,
            "~" | "~>" => Op::Tilde,
            "^" => Op::Caret,
            _ => return None,
        })
    }
}

/// One comparison such as `>=1.2` or `~1.x`.
#[derive(Debug, Clone)]
struct Constraint {
    con: Version,
    /// The version text as written (`4.x` in `!= 4.x`).
    orig: String,
    /// The operator as written.
    origfunc: String,
    op: Op,
    minor_dirty: bool,
    dirty: bool,
    patch_dirty: bool,
}

type CheckResult = Result<(), ValidationError>;

fn fail(v: &Version, what: &str, orig: &str) -> CheckResult {
    Err(ValidationError(format!(
        "{} {what} {}",
        go_quote(&v.to_string()),
        go_quote(orig)
    )))
}

fn prerelease_refused(v: &Version) -> ValidationError {
    ValidationError(format!(
        "{} is a prerelease version and the constraint is only looking for release versions",
        go_quote(&v.to_string())
    ))
}

fn is_x(s: &str) -> bool {
    matches!(s, "x" | "*" | "X")
}

impl Constraint {
    /// `parseConstraint`.
    fn parse(c: &str) -> Result<Constraint, Error> {
        if c.is_empty() {
            // `""` is `*`: anything.
            return Ok(Constraint {
                con: Version::parse_strict("0.0.0").map_err(|_| Error::ConstraintParser)?,
                orig: String::new(),
                origfunc: String::new(),
                op: Op::TildeOrEqual,
                minor_dirty: false,
                dirty: true,
                patch_dirty: false,
            });
        }
        let m = CONSTRAINT
            .captures(c)
            .ok_or_else(|| Error::ImproperConstraint(c.to_string()))?;
        let g = |i: usize| m.get(i).map_or("", |x| x.as_str());
        let (origfunc, orig) = (g(1), g(2));
        let (major, minor, patch, pre) = (g(3), g(4), g(5), g(6));
        let mut minor_dirty = false;
        let mut patch_dirty = false;
        let mut dirty = false;
        let ver = if is_x(major) || major.is_empty() {
            dirty = true;
            format!("0.0.0{pre}")
        } else if is_x(minor.trim_start_matches('.')) || minor.is_empty() {
            minor_dirty = true;
            dirty = true;
            format!("{major}.0.0{pre}")
        } else if is_x(patch.trim_start_matches('.')) || patch.is_empty() {
            dirty = true;
            patch_dirty = true;
            format!("{major}{minor}.0{pre}")
        } else {
            orig.to_string()
        };
        let con = Version::parse(&ver).map_err(|_| Error::ConstraintParser)?;
        let op = Op::from_str(origfunc).ok_or(Error::ConstraintParser)?;
        Ok(Constraint {
            con,
            orig: orig.to_string(),
            origfunc: origfunc.to_string(),
            op,
            minor_dirty,
            dirty,
            patch_dirty,
        })
    }

    fn check(&self, v: &Version, include_pre: bool) -> CheckResult {
        // Every operator first refuses pre-releases the group is not looking for.
        if !v.prerelease().is_empty() && !include_pre {
            return Err(prerelease_refused(v));
        }
        match self.op {
            Op::TildeOrEqual => self.tilde_or_equal(v),
            Op::NotEqual => self.not_equal(v),
            Op::GreaterThan => self.greater_than(v),
            Op::LessThan => self.less_than(v),
            Op::GreaterThanEqual => self.greater_than_equal(v),
            Op::LessThanEqual => self.less_than_equal(v),
            Op::Tilde => self.tilde(v),
            Op::Caret => self.caret(v),
        }
    }

    fn not_equal(&self, v: &Version) -> CheckResult {
        let c = &self.con;
        if self.dirty {
            if c.major() != v.major() {
                return Ok(());
            }
            if c.minor() != v.minor() && !self.minor_dirty {
                return Ok(());
            } else if self.minor_dirty {
                return fail(v, "is equal to", &self.orig);
            } else if c.patch() != v.patch() && !self.patch_dirty {
                return Ok(());
            } else if self.patch_dirty {
                if (!v.prerelease().is_empty() || !c.prerelease().is_empty())
                    && compare_prerelease(v.prerelease(), c.prerelease()).is_ne()
                {
                    return Ok(());
                }
                return fail(v, "is equal to", &self.orig);
            }
        }
        if v.equal(c) {
            return fail(v, "is equal to", &self.orig);
        }
        Ok(())
    }

    fn greater_than(&self, v: &Version) -> CheckResult {
        let c = &self.con;
        let ok = if !self.dirty {
            v.compare(c).is_gt()
        } else if v.major() > c.major() {
            true
        } else if v.major() < c.major() || self.minor_dirty {
            false
        } else if self.patch_dirty {
            v.minor() > c.minor()
        } else {
            v.compare(c).is_gt()
        };
        if ok {
            Ok(())
        } else {
            fail(v, "is less than or equal to", &self.orig)
        }
    }

    fn less_than(&self, v: &Version) -> CheckResult {
        if v.compare(&self.con).is_lt() {
            Ok(())
        } else {
            fail(v, "is greater than or equal to", &self.orig)
        }
    }

    fn greater_than_equal(&self, v: &Version) -> CheckResult {
        if v.compare(&self.con).is_ge() {
            Ok(())
        } else {
            fail(v, "is less than", &self.orig)
        }
    }

    fn less_than_equal(&self, v: &Version) -> CheckResult {
        let c = &self.con;
        let ok = if !self.dirty {
            v.compare(c).is_le()
        } else {
            !(v.major() > c.major()
                || (v.major() == c.major() && v.minor() > c.minor() && !self.minor_dirty))
        };
        if ok {
            Ok(())
        } else {
            fail(v, "is greater than", &self.orig)
        }
    }

    fn tilde(&self, v: &Version) -> CheckResult {
        let c = &self.con;
        if v.less_than(c) {
            return fail(v, "is less than", &self.orig);
        }
        // ~0.0.0 accepts everything.
        if c.major() == 0
            && c.minor() == 0
            && c.patch() == 0
            && !self.minor_dirty
            && !self.patch_dirty
        {
            return Ok(());
        }
        if v.major() != c.major() {
            return fail(v, "does not have same major version as", &self.orig);
        }
        if v.minor() != c.minor() && !self.minor_dirty {
            return fail(
                v,
                "does not have same major and minor version as",
                &self.orig,
            );
        }
        Ok(())
    }

    fn tilde_or_equal(&self, v: &Version) -> CheckResult {
        if self.dirty {
            return self.tilde(v);
        }
        if v.equal(&self.con) {
            Ok(())
        } else {
            fail(v, "is not equal to", &self.orig)
        }
    }

    fn caret(&self, v: &Version) -> CheckResult {
        let c = &self.con;
        if v.less_than(c) {
            return fail(v, "is less than", &self.orig);
        }
        if c.major() > 0 || self.minor_dirty {
            if v.major() == c.major() {
                return Ok(());
            }
            return fail(v, "does not have same major version as", &self.orig);
        }
        if c.major() == 0 && v.major() > 0 {
            return fail(v, "does not have same major version as", &self.orig);
        }
        if c.minor() > 0 || self.patch_dirty {
            if v.minor() == c.minor() {
                return Ok(());
            }
            return Err(ValidationError(format!(
                "{} does not have same minor version as {}. Expected minor versions to match when constraint major version is 0",
                go_quote(&v.to_string()),
                go_quote(&self.orig)
            )));
        }
        if c.minor() == 0 && v.minor() > 0 {
            return fail(v, "does not have same minor version as", &self.orig);
        }
        if c.patch() == v.patch() {
            return Ok(());
        }
        Err(ValidationError(format!(
            "{} does not equal {}. Expect version and constraint to equal when major and minor versions are 0",
            go_quote(&v.to_string()),
            go_quote(&self.orig)
        )))
    }
}

impl fmt::Display for Constraint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.origfunc, self.orig)
    }
}

/// `rewriteRange`: turns each `A - B` into `>= A, <= B `.
fn rewrite_range(input: &str) -> String {
    let mut out = input.to_string();
    for m in RANGE.captures_iter(input) {
        let whole = m.get(0).map_or("", |x| x.as_str());
        let from = m.get(1).map_or("", |x| x.as_str());
        let to = m.get(11).map_or("", |x| x.as_str());
        let replacement = format!(">= {from}, <= {to} ");
        // Go's strings.Replace(o, whole, t, 1): the first occurrence in the text so far.
        if let Some(at) = out.find(whole) {
            out.replace_range(at..at + whole.len(), &replacement);
        }
    }
    out
}

/// A parsed constraint string: OR groups of AND-ed comparisons (Masterminds' `*Constraints`).
#[derive(Debug, Clone)]
pub struct Constraints {
    groups: Vec<Vec<Constraint>>,
    contains_pre: Vec<bool>,
    /// Go's `IncludePrerelease`: admit pre-release versions in every group (default false: only
    /// groups with a pre-release comparison admit them).
    pub include_prerelease: bool,
}

impl Constraints {
    /// Go's `NewConstraint`.
    pub fn parse(c: &str) -> Result<Constraints, Error> {
        let c = rewrite_range(c);
        let mut groups = Vec::new();
        let mut contains_pre = Vec::new();
        for part in c.split("||") {
            if !VALID.is_match(part) {
                return Err(Error::ImproperConstraint(part.to_string()));
            }
            let mut found: Vec<&str> = FIND.find_iter(part).map(|m| m.as_str()).collect();
            if found.is_empty() {
                found.push(part);
            }
            let mut group = Vec::with_capacity(found.len());
            let mut has_pre = false;
            for s in found {
                let pc = Constraint::parse(s)?;
                if !pc.con.prerelease().is_empty() {
                    has_pre = true;
                }
                group.push(pc);
            }
            groups.push(group);
            contains_pre.push(has_pre);
        }
        Ok(Constraints {
            groups,
            contains_pre,
            include_prerelease: false,
        })
    }

    /// Go's `Check`: true when every comparison of some OR group accepts `v`.
    pub fn check(&self, v: &Version) -> bool {
        self.groups.iter().enumerate().any(|(i, group)| {
            let include_pre = self.include_prerelease || self.contains_pre[i];
            group.iter().all(|c| c.check(v, include_pre).is_ok())
        })
    }

    /// Go's `Validate`: like [`check`](Self::check), plus every reason for failure (empty when
    /// `v` is accepted). The pre-release refusal is reported once.
    pub fn validate(&self, v: &Version) -> (bool, Vec<ValidationError>) {
        let mut errors = Vec::new();
        let mut prerelease_reported = false;
        for (i, group) in self.groups.iter().enumerate() {
            let include_pre = self.include_prerelease || self.contains_pre[i];
            let mut joy = true;
            for c in group {
                if !include_pre && !v.prerelease().is_empty() {
                    if !prerelease_reported {
                        errors.push(prerelease_refused(v));
                        prerelease_reported = true;
                    }
                    joy = false;
                } else if let Err(e) = c.check(v, include_pre) {
                    errors.push(e);
                    joy = false;
                }
            }
            if joy {
                return (true, Vec::new());
            }
        }
        (false, errors)
    }

    /// The number of comparisons in each OR group.
    pub fn group_sizes(&self) -> Vec<usize> {
        self.groups.iter().map(Vec::len).collect()
    }
}

/// Go's `String()`: comparisons joined by spaces, groups by ` || `.
impl fmt::Display for Constraints {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (k, group) in self.groups.iter().enumerate() {
            if k > 0 {
                f.write_str(" || ")?;
            }
            for (i, c) in group.iter().enumerate() {
                if i > 0 {
                    f.write_str(" ")?;
                }
                write!(f, "{c}")?;
            }
        }
        Ok(())
    }
}

impl std::str::FromStr for Constraints {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Constraints::parse(s)
    }
}

#[cfg(test)]
mod tests {
    //! Tables for the private helpers, from Masterminds/semver `constraints_test.go`.
    use super::*;

    fn table(name: &str) -> Vec<Vec<serde_json::Value>> {
        let text = include_str!("../tests/data/constraints_test.json");
        let all: serde_json::Value = serde_json::from_str(text).expect("json");
        serde_json::from_value(all["tables"][name].clone()).expect("table")
    }

    #[test]
    fn parse_constraint_table() {
        let rows = table("TestParseConstraint");
        assert!(!rows.is_empty());
        for row in rows {
            let input = row[0].as_str().unwrap();
            let func = row[1].as_str().unwrap_or("");
            let ver = row[2].as_str().unwrap();
            let err = row[3].as_bool().unwrap();
            let got = Constraint::parse(input);
            assert_eq!(got.is_err(), err, "{input}");
            if let Ok(c) = got {
                assert_eq!(c.con.to_string(), ver, "{input}");
                let want = match func {
                    "constraintGreaterThanEqual" => Op::GreaterThanEqual,
                    "constraintTildeOrEqual" => Op::TildeOrEqual,
                    "constraintLessThanEqual" => Op::LessThanEqual,
                    "constraintGreaterThan" => Op::GreaterThan,
                    "constraintLessThan" => Op::LessThan,
                    other => panic!("unknown func {other}"),
                };
                assert_eq!(c.op, want, "{input}");
            }
        }
    }

    #[test]
    fn constraint_check_table() {
        // TestConstraintCheck: one comparison, pre-releases admitted when it names one.
        let rows = table("TestConstraintCheck");
        assert!(rows.len() > 50);
        for row in rows {
            let (c, v, want) = (
                row[0].as_str().unwrap(),
                row[1].as_str().unwrap(),
                row[2].as_bool().unwrap(),
            );
            let c = Constraint::parse(c).expect(c);
            let v = Version::parse(v).expect(v);
            let has_pre = !c.con.prerelease().is_empty();
            assert_eq!(c.check(&v, has_pre).is_ok(), want, "{c} with {v}");
        }
    }

    #[test]
    fn rewrite_range_table() {
        for row in table("TestRewriteRange") {
            let (c, nc) = (row[0].as_str().unwrap(), row[1].as_str().unwrap());
            assert_eq!(rewrite_range(c), nc, "{c}");
        }
    }

    #[test]
    fn is_x_table() {
        for row in table("TestIsX") {
            let (s, want) = (row[0].as_str().unwrap(), row[1].as_bool().unwrap());
            assert_eq!(is_x(s), want, "{s}");
        }
    }
}
