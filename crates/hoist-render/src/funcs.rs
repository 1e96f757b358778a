//! Helm's function map (`pkg/engine/funcs.go` and `engine.go` `initFunMap`) on top of Sprig, and
//! Helm's reformatting of template errors.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use hoist_gotmpl::{
    ArgType as T, Error, ErrorKind, Func, FuncError, FuncMap, FuncResult, Map, MissingKey,
    Signature, State, Templates, Value,
};

use crate::engine::EngineOptions;

const WARN_START: &str = "HELM_ERR_START";
const WARN_END: &str = "HELM_ERR_END";
/// Helm's `recursionMaxNums`: how often one name may be re-entered through `include`.
const RECURSION_MAX: usize = 1000;

/// `toYaml`: sigs.k8s.io/yaml output without the final newline; "" when it cannot be encoded.
pub(crate) fn to_yaml_string(v: &Value) -> String {
    match hoist_goyaml::to_yaml(v) {
        Ok(s) => s.strip_suffix('\n').map(str::to_string).unwrap_or(s),
        Err(_) => String::new(),
    }
}

fn one(args: &[Value]) -> &Value {
    args.first().unwrap_or(&Value::Nil)
}

fn str_arg(args: &[Value]) -> &str {
    args.first().and_then(Value::as_str).unwrap_or("")
}

fn to_yaml(args: &[Value]) -> FuncResult {
    Ok(Value::string(to_yaml_string(one(args))))
}

fn must_to_yaml(args: &[Value]) -> FuncResult {
    match hoist_goyaml::to_yaml(one(args)) {
        Ok(s) => Ok(Value::string(s.strip_suffix('\n').unwrap_or(&s))),
        Err(e) => Err(FuncError::new(e.to_string())),
    }
}

fn to_yaml_pretty(args: &[Value]) -> FuncResult {
    Ok(Value::string(
        match hoist_goyaml::to_yaml_pretty(one(args)) {
            Ok(s) => s.strip_suffix('\n').map(str::to_string).unwrap_or(s),
            Err(_) => String::new(),
        },
    ))
}

fn error_map(msg: String) -> Value {
    let mut m = Map::new();
    m.insert("Error".into(), Value::string(msg));
    Value::map(m)
}

fn from_yaml(args: &[Value]) -> FuncResult {
    Ok(match hoist_goyaml::yaml_unmarshal_map(str_arg(args)) {
        Ok(m) => Value::map(m),
        Err(e) => error_map(e.to_string()),
    })
}

fn from_yaml_array(args: &[Value]) -> FuncResult {
    Ok(match hoist_goyaml::yaml_unmarshal_list(str_arg(args)) {
        Ok(l) => Value::list(l),
        Err(e) => Value::list(vec![Value::string(e.to_string())]),
    })
}

fn to_json(args: &[Value]) -> FuncResult {
    Ok(Value::string(
        hoist_goyaml::to_json(one(args)).unwrap_or_default(),
    ))
}

fn must_to_json(args: &[Value]) -> FuncResult {
    hoist_goyaml::to_json(one(args))
        .map(Value::string)
        .map_err(|e| FuncError::new(e.to_string()))
}

fn to_pretty_json(args: &[Value]) -> FuncResult {
    Ok(Value::string(
        hoist_goyaml::to_json_pretty(one(args)).unwrap_or_default(),
    ))
}

fn must_to_pretty_json(args: &[Value]) -> FuncResult {
    hoist_goyaml::to_json_pretty(one(args))
        .map(Value::string)
        .map_err(|e| FuncError::new(e.to_string()))
}

fn to_raw_json(args: &[Value]) -> FuncResult {
    Ok(Value::string(
        hoist_goyaml::to_raw_json(one(args)).unwrap_or_default(),
    ))
}

fn must_to_raw_json(args: &[Value]) -> FuncResult {
    hoist_goyaml::to_raw_json(one(args))
        .map(Value::string)
        .map_err(|e| FuncError::new(e.to_string()))
}

fn from_json(args: &[Value]) -> FuncResult {
    Ok(match hoist_goyaml::json_unmarshal_map(str_arg(args)) {
        Ok(m) => Value::map(m.unwrap_or_default()),
        Err(e) => error_map(e.to_string()),
    })
}

fn from_json_array(args: &[Value]) -> FuncResult {
    Ok(match hoist_goyaml::json_unmarshal_list(str_arg(args)) {
        Ok(l) => Value::list(l.unwrap_or_default()),
        Err(e) => Value::list(vec![Value::string(e.to_string())]),
    })
}

fn to_toml(args: &[Value]) -> FuncResult {
    Ok(Value::string(match hoist_goyaml::to_toml(one(args)) {
        Ok(s) => s,
        Err(e) => e.to_string(),
    }))
}

fn must_to_toml(args: &[Value]) -> FuncResult {
    hoist_goyaml::to_toml(one(args))
        .map(Value::string)
        .map_err(|e| FuncError::new(e.to_string()))
}

fn from_toml(args: &[Value]) -> FuncResult {
    Ok(match hoist_goyaml::from_toml(str_arg(args)) {
        Ok(v) => v,
        Err(e) => error_map(e.to_string()),
    })
}

fn must_from_json(args: &[Value]) -> FuncResult {
    hoist_goyaml::from_json(str_arg(args)).map_err(|e| FuncError::new(e.to_string()))
}

fn lookup(_args: &[Value]) -> FuncResult {
    Ok(Value::map(Map::new()))
}

fn get_host_by_name(_args: &[Value]) -> FuncResult {
    Ok(Value::string(""))
}

/// Helm's functions, as `funcMap()` adds them over Sprig (without the late-bound ones).
fn helm_funcs(funcs: &mut FuncMap) {
    let any = Signature::fixed(&[T::Any]);
    let string = Signature::fixed(&[T::String]);
    funcs.insert_plain("toYaml", any, to_yaml);
    funcs.insert_plain("mustToYaml", any, must_to_yaml);
    funcs.insert_plain("toYamlPretty", any, to_yaml_pretty);
    funcs.insert_plain("fromYaml", string, from_yaml);
    funcs.insert_plain("fromYamlArray", string, from_yaml_array);
    funcs.insert_plain("toJson", any, to_json);
    funcs.insert_plain("mustToJson", any, must_to_json);
    funcs.insert_plain("fromJson", string, from_json);
    funcs.insert_plain("fromJsonArray", string, from_json_array);
    funcs.insert_plain("toToml", any, to_toml);
    funcs.insert_plain("mustToToml", any, must_to_toml);
    funcs.insert_plain("fromToml", string, from_toml);
    funcs.insert_plain("toPrettyJson", any, to_pretty_json);
    funcs.insert_plain("mustToPrettyJson", any, must_to_pretty_json);
    funcs.insert_plain("toRawJson", any, to_raw_json);
    funcs.insert_plain("mustToRawJson", any, must_to_raw_json);
    funcs.insert_plain("mustFromJson", string, must_from_json);
    funcs.insert_plain(
        "lookup",
        Signature::fixed(&[T::String, T::String, T::String, T::String]),
        lookup,
    );
    funcs.insert_plain("getHostByName", string, get_host_by_name);
}

/// Sprig's function map (v3.3.0, without `env` and `expandenv`).
fn sprig_funcs(funcs: &mut FuncMap) {
    for f in hoist_sprig::functions() {
        if f.name == "env" || f.name == "expandenv" {
            continue;
        }
        funcs.insert_plain(f.name, f.sig, f.f);
    }
}

type Included = Rc<RefCell<HashMap<String, usize>>>;

fn include_func(included: Included) -> Func {
    Func::stateful(
        Signature::fixed(&[T::String, T::Any]),
        move |state: &mut State<'_>, args: &[Value]| {
            let name = str_arg(args).to_string();
            let data = args.get(1).cloned().unwrap_or_default();
            {
                let mut map = included.borrow_mut();
                let count = map.entry(name.clone()).or_insert(0);
                if *count > RECURSION_MAX {
                    return Err(FuncError::new(format!(
                        "rendering template has a nested reference name: {name}: unable to execute template"
                    )));
                }
                *count += 1;
            }
            let result = state.execute_template(&name, &data);
            if let Some(c) = included.borrow_mut().get_mut(&name) {
                *c = c.saturating_sub(1);
            }
            match result {
                Ok(s) => Ok(Value::string(s)),
                Err(e) => Err(FuncError::with_source(e.to_string(), e)),
            }
        },
    )
}

fn tpl_func(opts: EngineOptions) -> Func {
    Func::stateful(
        Signature::fixed(&[T::String, T::Any]),
        move |state: &mut State<'_>, args: &[Value]| {
            let text = str_arg(args);
            let data = args.get(1).cloned().unwrap_or_default();
            let mut set: Templates = state.templates().clone();
            set.set_missing_key(if opts.strict {
                MissingKey::Error
            } else {
                MissingKey::Zero
            });
            let name = set.name().to_string();
            if let Err(e) = set.parse(&name, text) {
                return Err(FuncError::new(format!(
                    "cannot parse template {}: {e}",
                    hoist_gotmpl::gofmt::quote(text)
                )));
            }
            match state.execute_in(&set, &name, &data) {
                Ok(s) => Ok(Value::string(s.replace("<no value>", ""))),
                Err(e) => Err(FuncError::new(format!(
                    "error during tpl function execution for {}: {e}",
                    hoist_gotmpl::gofmt::quote(text)
                ))),
            }
        },
    )
}

fn required_func(opts: EngineOptions) -> Func {
    Func::closure(
        Signature::fixed(&[T::String, T::Any]),
        move |args: &[Value]| {
            let warn = str_arg(args);
            let val = args.get(1).cloned().unwrap_or_default();
            let missing = match &val {
                Value::Nil => true,
                Value::String(s) => s.is_empty(),
                _ => false,
            };
            if !missing {
                return Ok(val);
            }
            if opts.lint_mode {
                return Ok(Value::string(""));
            }
            Err(FuncError::new(format!("{WARN_START}{warn}{WARN_END}")))
        },
    )
}

fn fail_func(opts: EngineOptions) -> Func {
    Func::closure(Signature::fixed(&[T::String]), move |args: &[Value]| {
        if opts.lint_mode {
            return Ok(Value::string(""));
        }
        Err(FuncError::new(format!(
            "{WARN_START}{}{WARN_END}",
            str_arg(args)
        )))
    })
}

/// The template set Helm's engine builds: named `gotpl`, `missingkey=zero`, Sprig plus Helm's
/// functions with `include`, `tpl`, `required` and `fail` bound to this render.
pub(crate) fn new_template_set(opts: EngineOptions, included: Included) -> Templates {
    let mut funcs = FuncMap::new();
    sprig_funcs(&mut funcs);
    helm_funcs(&mut funcs);
    funcs.insert("include", include_func(included));
    funcs.insert("tpl", tpl_func(opts));
    funcs.insert("required", required_func(opts));
    funcs.insert("fail", fail_func(opts));
    let mut set = Templates::new(funcs).with_name("gotpl");
    set.set_missing_key(if opts.strict {
        MissingKey::Error
    } else {
        MissingKey::Zero
    });
    set
}

/// Helm's `TemplateName`: renders `--name-template` with Sprig and no data.
pub(crate) fn name_template(text: &str) -> Result<String, String> {
    let mut funcs = FuncMap::new();
    sprig_funcs(&mut funcs);
    let mut set = Templates::new(funcs).with_name("name-template");
    set.parse("name-template", text)
        .map_err(|e| e.to_string())?;
    set.execute("name-template", &Value::Nil)
        .map_err(|e| e.to_string())
}

/// One parsed level of a template error (Helm's `TraceableError`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct Traceable {
    location: String,
    message: String,
    executed_function: String,
}

impl Traceable {
    fn render(&self, out: &mut String) {
        if !self.location.is_empty() {
            out.push_str(&self.location);
            out.push_str("\n  ");
        }
        if !self.executed_function.is_empty() {
            out.push_str(&self.executed_function);
            out.push_str("\n    ");
        }
        if !self.message.is_empty() {
            out.push_str(&self.message);
            out.push('\n');
        }
    }
}

fn cut_chained(msg: &str) -> &str {
    match msg.find(" template:") {
        Some(i) => &msg[..i],
        None => msg,
    }
}

/// Helm's `parseTemplateExecErrorString`.
fn parse_traceable(s: &str) -> Option<Traceable> {
    let remainder = s.strip_prefix("template: ")?;
    if remainder.starts_with("no template ") {
        return Some(Traceable {
            message: s.to_string(),
            ..Traceable::default()
        });
    }
    if let Some((template_name, after)) = remainder.split_once(": executing ") {
        let executing = (|| {
            let rest = after.strip_prefix('"')?;
            let end = rest.find('"')?;
            let function = &rest[..end];
            let after_at = rest[end + 1..].strip_prefix(" at <")?;
            let (location, msg) = after_at.split_once(">: ")?;
            Some(Traceable {
                location: template_name.to_string(),
                message: cut_chained(msg).to_string(),
                executed_function: format!("executing \"{function}\" at <{location}>:"),
            })
        })();
        if executing.is_some() {
            return executing;
        }
        // Helm falls through to the simple form below.
    }
    let sep = remainder.rfind(": ")?;
    Some(Traceable {
        location: remainder[..sep].to_string(),
        message: cut_chained(&remainder[sep + 2..]).to_string(),
        executed_function: String::new(),
    })
}

/// The texts of Go's error chain (`errors.Unwrap`), or `None` when a link is a function's own
/// error that Helm cannot parse, in which case Helm prints the raw error.
fn error_chain(e: &Error, out: &mut Vec<String>) -> bool {
    out.push(e.to_string());
    if e.kind() == ErrorKind::Exec && e.message().starts_with("error calling ") {
        return match e.inner() {
            Some(inner) => error_chain(inner, out),
            None => false,
        };
    }
    true
}

/// Helm's `reformatExecErrorMsg` for an error from executing `filename`.
pub(crate) fn reformat_exec_error(filename: &str, err: &Error) -> String {
    let text = err.to_string();
    if err.kind() != ErrorKind::Exec {
        return text;
    }
    let tokens: Vec<&str> = text.splitn(3, ": ").collect();
    if tokens.len() != 3 {
        return format!("execution error in ({filename}): {text}");
    }
    let location = tokens[1];
    if let Some(start) = tokens[2].find(WARN_START)
        && let Some(end) = tokens[2].rfind(WARN_END)
        && end >= start + WARN_START.len()
    {
        return format!(
            "execution error at ({location}): {}",
            &tokens[2][start + WARN_START.len()..end]
        );
    }
    let mut chain = Vec::new();
    if !error_chain(err, &mut chain) {
        return text;
    }
    let mut levels: Vec<Traceable> = Vec::new();
    for s in &chain {
        let Some(t) = parse_traceable(s) else {
            return text;
        };
        if levels.last() != Some(&t) {
            levels.push(t);
        }
    }
    let mut out = String::new();
    for t in &levels {
        t.render(&mut out);
    }
    out.trim().to_string()
}
