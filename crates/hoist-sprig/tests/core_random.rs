//! Properties of the functions whose output is random (`randAlpha`, `randInt`, `shuffle`,
//! `uuidv4`, …): the oracle cannot give fixed outputs for them, so these check what Sprig
//! promises — lengths, alphabets (goutils' CryptoRandom* character sets), ranges and errors
//! (Go's `rand.Intn` panics on a non-positive span).

use std::collections::HashMap;

use hoist_gotmpl::Value;
use hoist_sprig::{SprigFunc, functions};

fn call(name: &str, args: &[Value]) -> Result<Value, String> {
    let funcs: HashMap<&str, SprigFunc> = functions().into_iter().map(|f| (f.name, f)).collect();
    (funcs[name].f)(args).map_err(|e| e.message().to_string())
}

fn text(name: &str, args: &[Value]) -> String {
    call(name, args)
        .expect("call")
        .as_str()
        .expect("string result")
        .to_string()
}

#[test]
fn random_strings_have_the_length_and_alphabet() {
    type Check = (&'static str, fn(char) -> bool);
    let cases: [Check; 4] = [
        ("randAlpha", |c| c.is_ascii_alphabetic()),
        ("randAlphaNum", |c| c.is_ascii_alphanumeric()),
        ("randNumeric", |c| c.is_ascii_digit()),
        ("randAscii", |c| (' '..='~').contains(&c)),
    ];
    for (name, ok) in cases {
        for n in [0i64, 1, 7, 200] {
            let s = text(name, &[Value::Int(n)]);
            assert_eq!(s.chars().count() as i64, n, "{name} {n}");
            assert!(s.chars().all(ok), "{name} gave {s:?}");
        }
        // goutils returns an error for negative counts, which Sprig drops: "".
        assert_eq!(text(name, &[Value::Int(-3)]), "");
        // Two long draws differ (the chance of a collision is negligible).
        assert_ne!(text(name, &[Value::Int(64)]), text(name, &[Value::Int(64)]));
    }
}

#[test]
fn rand_int_stays_in_range() {
    for _ in 0..200 {
        let v = call("randInt", &[Value::Int(-3), Value::Int(4)]).expect("randInt");
        let Value::Int(i) = v else {
            panic!("randInt gave {v:?}")
        };
        assert!((-3..4).contains(&i));
    }
    assert_eq!(
        call("randInt", &[Value::Int(5), Value::Int(5)]).unwrap_err(),
        "invalid argument to Intn"
    );
    assert_eq!(
        call("randInt", &[Value::Int(6), Value::Int(5)]).unwrap_err(),
        "invalid argument to Intn"
    );
}

#[test]
fn shuffle_permutes_runes() {
    let input = "héllo wörld 日本";
    let out = text("shuffle", &[Value::from(input)]);
    let mut a: Vec<char> = input.chars().collect();
    let mut b: Vec<char> = out.chars().collect();
    a.sort();
    b.sort();
    assert_eq!(a, b);
    assert_eq!(text("shuffle", &[Value::from("")]), "");
}

#[test]
fn uuidv4_is_a_version_4_uuid() {
    let u = text("uuidv4", &[]);
    assert_eq!(u.len(), 36);
    let parts: Vec<&str> = u.split('-').collect();
    assert_eq!(
        parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
        [8, 4, 4, 4, 12]
    );
    assert!(parts[2].starts_with('4'));
    assert!(matches!(parts[3].as_bytes()[0], b'8' | b'9' | b'a' | b'b'));
    assert!(
        u.chars()
            .all(|c| c == '-' || c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
    );
    assert_ne!(u, text("uuidv4", &[]));
}
