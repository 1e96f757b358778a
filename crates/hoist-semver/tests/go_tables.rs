//! Masterminds/semver's own test tables (transcribed to tests/data/*.json by
//! tests/gen/extract_go_tables.py from `version_test.go` and `constraints_test.go` at v3.5.0).

use std::cmp::Ordering;

use hoist_semver::{Constraints, Error, Version};
use serde_json::Value;

fn tables(file: &str) -> Value {
    let path = format!("{}/tests/data/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).expect("data file");
    let all: Value = serde_json::from_str(&text).expect("json");
    all["tables"].clone()
}

fn rows(file: &str, name: &str) -> Vec<Vec<Value>> {
    let t = tables(file);
    let rows: Vec<Vec<Value>> = serde_json::from_value(t[name].clone()).expect(name);
    assert!(!rows.is_empty(), "table {name} is empty");
    rows
}

fn s(v: &Value) -> &str {
    v.as_str().expect("string field")
}

fn b(v: &Value) -> bool {
    v.as_bool().expect("bool field")
}

fn go_err(name: &str) -> Error {
    match name {
        "ErrInvalidSemVer" => Error::InvalidSemVer,
        "ErrSegmentStartsZero" => Error::SegmentStartsZero,
        "ErrInvalidPrerelease" => Error::InvalidPrerelease,
        "ErrInvalidMetadata" => Error::InvalidMetadata,
        other => panic!("unknown Go error {other}"),
    }
}

#[test]
fn strict_new_version() {
    for r in rows("version_test.json", "TestStrictNewVersion") {
        let got = Version::parse_strict(s(&r[0]));
        assert_eq!(got.is_err(), b(&r[1]), "{:?}: {got:?}", r[0]);
    }
}

#[test]
fn new_version_loose() {
    // The first TestNewVersion table runs with the default CoerceNewVersion = true.
    for r in rows("version_test.json", "TestNewVersion") {
        let got = Version::parse(s(&r[0]));
        assert_eq!(got.is_err(), b(&r[1]), "{:?}: {got:?}", r[0]);
    }
}

#[test]
fn coerce_string_and_original() {
    for r in rows("version_test.json", "TestCoerceString") {
        let v = Version::parse(s(&r[0])).expect("parses");
        assert_eq!(v.to_string(), s(&r[1]));
        assert_eq!(v.original(), s(&r[0]));
    }
    let v = Version::parse("1.2.3-beta.1+build.123").unwrap();
    assert_eq!(
        (
            v.major(),
            v.minor(),
            v.patch(),
            v.prerelease(),
            v.metadata()
        ),
        (1, 2, 3, "beta.1", "build.123")
    );
}

#[test]
fn compare() {
    for r in rows("version_test.json", "TestCompare") {
        let a = Version::parse(s(&r[0])).unwrap();
        let c = Version::parse(s(&r[1])).unwrap();
        let want = match r[2].as_i64().unwrap() {
            -1 => Ordering::Less,
            0 => Ordering::Equal,
            _ => Ordering::Greater,
        };
        assert_eq!(a.compare(&c), want, "{a} vs {c}");
    }
}

#[test]
fn relations() {
    type Rel = fn(&Version, &Version) -> bool;
    let cases: [(&str, Rel); 4] = [
        ("TestLessThan", Version::less_than),
        ("TestLessThanEqual", Version::less_than_equal),
        ("TestGreaterThan", Version::greater_than),
        ("TestGreaterThanEqual", Version::greater_than_equal),
    ];
    for (table, rel) in cases {
        for r in rows("version_test.json", table) {
            let a = Version::parse(s(&r[0])).unwrap();
            let c = Version::parse(s(&r[1])).unwrap();
            assert_eq!(rel(&a, &c), b(&r[2]), "{table}: {a} {c}");
        }
    }
    for r in rows("version_test.json", "TestEqual") {
        // nil versions have no Rust counterpart; the rows with two versions are checked.
        let (Some(x), Some(y)) = (r[0]["args"][0].as_str(), r[1]["args"][0].as_str()) else {
            continue;
        };
        let (x, y) = (Version::parse(x).unwrap(), Version::parse(y).unwrap());
        assert_eq!(x.equal(&y), b(&r[2]), "{x} {y}");
    }
}

#[test]
fn inc() {
    for r in rows("version_test.json", "TestInc") {
        let v = Version::parse(s(&r[0])).unwrap();
        let next = match s(&r[2]) {
            "patch" => v.inc_patch(),
            "minor" => v.inc_minor(),
            _ => v.inc_major(),
        }
        .unwrap();
        assert_eq!(next.to_string(), s(&r[1]));
        assert_eq!(next.original(), s(&r[3]));
    }
    let top = Version::new(1, 2, u64::MAX, "", "");
    assert_eq!(
        top.inc_patch().unwrap_err().to_string(),
        "patch version increment would overflow uint64"
    );
}

#[test]
fn set_prerelease_and_metadata() {
    for (table, is_pre) in [("TestSetPrerelease", true), ("TestSetMetadata", false)] {
        for r in rows("version_test.json", table) {
            let v = Version::parse(s(&r[0])).unwrap();
            let got = if is_pre {
                v.set_prerelease(s(&r[1]))
            } else {
                v.set_metadata(s(&r[1]))
            };
            match &r[5] {
                Value::Null => {
                    let n = got.expect("no error");
                    assert_eq!(n.to_string(), s(&r[2]));
                    let part = if is_pre { n.prerelease() } else { n.metadata() };
                    assert_eq!(part, s(&r[3]));
                    assert_eq!(n.original(), s(&r[4]));
                }
                Value::String(e) => assert_eq!(got.unwrap_err(), go_err(e)),
                other => panic!("{other:?}"),
            }
        }
    }
    // TestValidatePrerelease / TestValidateMetadata through the public setters.
    let base = Version::parse("1.0.0").unwrap();
    for r in rows("version_test.json", "TestValidatePrerelease") {
        let got = base.set_prerelease(s(&r[0])).err();
        assert_eq!(got, r[1].as_str().map(go_err), "{:?}", r[0]);
    }
    for r in rows("version_test.json", "TestValidateMetadata") {
        let got = base.set_metadata(s(&r[0])).err();
        assert_eq!(got, r[1].as_str().map(go_err), "{:?}", r[0]);
    }
}

#[test]
fn original_v_prefix() {
    for r in rows("version_test.json", "TestOriginalVPrefix") {
        let v = Version::parse(s(&r[0])).unwrap();
        let next = v.inc_patch().unwrap();
        assert_eq!(next.original().starts_with('v'), s(&r[1]) == "v");
    }
}

#[test]
fn new_constraint() {
    for r in rows("constraints_test.json", "TestNewConstraint") {
        let got = Constraints::parse(s(&r[0]));
        assert_eq!(got.is_err(), b(&r[3]), "{:?}: {got:?}", r[0]);
        if let Ok(c) = got {
            let sizes = c.group_sizes();
            assert_eq!(sizes.len() as i64, r[1].as_i64().unwrap(), "{:?}", r[0]);
            assert_eq!(sizes[0] as i64, r[2].as_i64().unwrap(), "{:?}", r[0]);
        }
    }
}

#[test]
fn constraints_check() {
    for (table, include) in [
        ("TestConstraintsCheck", false),
        ("TestConstraintsCheckIncludePrerelease", true),
    ] {
        for r in rows("constraints_test.json", table) {
            let mut c = Constraints::parse(s(&r[0])).expect("constraint");
            c.include_prerelease = include;
            let v = Version::parse(s(&r[1])).expect("version");
            assert_eq!(c.check(&v), b(&r[2]), "{table}: {:?} {:?}", r[0], r[1]);
        }
    }
}

#[test]
fn constraints_validate() {
    for (table, include) in [
        ("TestConstraintsValidate", false),
        ("TestConstraintsValidateIncludePrerelease", true),
    ] {
        for r in rows("constraints_test.json", table) {
            let mut c = Constraints::parse(s(&r[0])).expect("constraint");
            c.include_prerelease = include;
            let v = Version::parse(s(&r[1])).expect("version");
            let (ok, msgs) = c.validate(&v);
            assert_eq!(ok, b(&r[2]), "{table}: {:?} {:?}", r[0], r[1]);
            assert_eq!(ok, msgs.is_empty(), "{table}: {:?} {:?}", r[0], r[1]);
        }
        for r in rows("constraints_test.json", &format!("{table}/2")) {
            let mut c = Constraints::parse(s(&r[0])).expect("constraint");
            c.include_prerelease = include;
            let v = Version::parse_strict(s(&r[1])).expect("version");
            let (_, msgs) = c.validate(&v);
            assert_eq!(
                msgs[0].to_string(),
                s(&r[2]),
                "{table}: {:?} {:?}",
                r[0],
                r[1]
            );
        }
        // The two-message case written out in the Go test body.
        let v = Version::parse_strict("1.2.3").unwrap();
        let mut c = Constraints::parse("!= 1.2.5, ^2, <= 1.1.x").unwrap();
        c.include_prerelease = include;
        let (_, msgs) = c.validate(&v);
        let msgs: Vec<String> = msgs.iter().map(ToString::to_string).collect();
        assert_eq!(
            msgs,
            [
                r#""1.2.3" is less than "2""#,
                r#""1.2.3" is greater than "1.1.x""#
            ]
        );
    }
}

#[test]
fn constraint_string() {
    for table in [
        "TestConstraintString",
        "TestTextMarshalConstraints",
        "TestTextUnmarshalConstraints",
    ] {
        for r in rows("constraints_test.json", table) {
            let c = Constraints::parse(s(&r[0])).expect("constraint");
            assert_eq!(c.to_string(), s(&r[1]), "{table}");
            assert!(Constraints::parse(&c.to_string()).is_ok());
        }
    }
}
