//! The template functions of sealos's Clusterfile and `*.tmpl` rendering
//! (`pkg/template/funcmap.go`): Sprig plus toYaml, toJson, toToml, fromYaml, fromYamlArray,
//! fromJson, fromJsonArray, ipNet, ipAt.

use hoist_gotmpl::{ArgType, FuncError, FuncMap, Map, Signature, Value};

const ANY: Signature = Signature::fixed(&[ArgType::Any]);
const STRING: Signature = Signature::fixed(&[ArgType::String]);

fn one(args: &[Value]) -> &Value {
    args.first().unwrap_or(&Value::Nil)
}

fn to_yaml(args: &[Value]) -> Result<Value, FuncError> {
    let s = hoist_goyaml::to_yaml(one(args)).unwrap_or_default();
    Ok(Value::string(s.strip_suffix('\n').unwrap_or(&s)))
}

fn to_json(args: &[Value]) -> Result<Value, FuncError> {
    Ok(Value::string(
        hoist_goyaml::to_json(one(args)).unwrap_or_default(),
    ))
}

fn to_toml(args: &[Value]) -> Result<Value, FuncError> {
    Ok(Value::string(
        hoist_goyaml::to_toml(one(args)).unwrap_or_else(|e| e.to_string()),
    ))
}

fn error_map(msg: String) -> Value {
    let mut m = Map::new();
    m.insert("Error".into(), Value::string(msg));
    Value::map(m)
}

fn from_yaml(args: &[Value]) -> Result<Value, FuncError> {
    let s = one(args).as_str().unwrap_or_default();
    Ok(match hoist_goyaml::yaml_unmarshal_map(s) {
        Ok(m) => Value::map(m),
        Err(e) => error_map(e.to_string()),
    })
}

fn from_json(args: &[Value]) -> Result<Value, FuncError> {
    let s = one(args).as_str().unwrap_or_default();
    Ok(match hoist_goyaml::json_unmarshal_map(s) {
        Ok(Some(m)) => Value::map(m),
        Ok(None) => Value::map(Map::new()),
        Err(e) => error_map(e.to_string()),
    })
}

fn from_yaml_array(args: &[Value]) -> Result<Value, FuncError> {
    let s = one(args).as_str().unwrap_or_default();
    Ok(match hoist_goyaml::yaml_unmarshal_list(s) {
        Ok(l) => Value::list(l),
        Err(e) => Value::list(vec![Value::string(e.to_string())]),
    })
}

fn from_json_array(args: &[Value]) -> Result<Value, FuncError> {
    let s = one(args).as_str().unwrap_or_default();
    Ok(match hoist_goyaml::json_unmarshal_list(s) {
        Ok(l) => Value::list(l.unwrap_or_default()),
        Err(e) => Value::list(vec![Value::string(e.to_string())]),
    })
}

/// Go's `net.ParseCIDR` for IPv4: (network address, prefix bits).
fn parse_cidr4(s: &str) -> Result<(u32, u32), String> {
    let bad = || format!("invalid cidr: invalid CIDR address: {s}");
    let (ip, bits) = s.split_once('/').ok_or_else(bad)?;
    let ip: std::net::Ipv4Addr = ip.parse().map_err(|_| bad())?;
    let bits: u32 = match bits.parse() {
        Ok(b) if b <= 32 && !bits.starts_with('+') => b,
        _ => return Err(bad()),
    };
    let mask = if bits == 0 {
        0
    } else {
        u32::MAX << (32 - bits)
    };
    Ok((u32::from(ip) & mask, bits))
}

/// `ipNet "10.0.0.7/24"` → `10.0.0.0/24`; a bad CIDR gives `invalid cidr: …` (as sealos).
fn ip_net(args: &[Value]) -> Result<Value, FuncError> {
    let s = one(args).as_str().unwrap_or_default();
    Ok(Value::string(match parse_cidr4(s) {
        Ok((net, bits)) => format!("{}/{bits}", std::net::Ipv4Addr::from(net)),
        Err(e) => e,
    }))
}

/// `ipAt "10.0.0.0/24" 5` → `10.0.0.5`; past the broadcast address: `out of ip address range`.
fn ip_at(args: &[Value]) -> Result<Value, FuncError> {
    let s = one(args).as_str().unwrap_or_default();
    let idx = match args.get(1) {
        Some(Value::Int(n)) | Some(Value::Int64(n)) => u32::try_from(*n)
            .map_err(|_| FuncError::new(format!("ipAt: index {n} is not a uint32")))?,
        _ => return Err(FuncError::new("ipAt: the index must be an integer")),
    };
    Ok(Value::string(match parse_cidr4(s) {
        Ok((net, bits)) => {
            let mask = if bits == 0 {
                0
            } else {
                u32::MAX << (32 - bits)
            };
            let finish = net | !mask;
            let at = net.wrapping_add(idx);
            if at > finish {
                "out of ip address range".to_string()
            } else {
                std::net::Ipv4Addr::from(at).to_string()
            }
        }
        Err(e) => e,
    }))
}

/// sprig's `TxtFuncMap` (with `env`/`expandenv`) plus sealos's `toYaml`, `toJson`, `toToml`,
/// `fromYaml`, `fromYamlArray`, `fromJson`, `fromJsonArray`, `ipNet`, `ipAt`.
pub(crate) fn func_map() -> FuncMap {
    let mut funcs = FuncMap::new();
    for f in hoist_sprig::functions() {
        funcs.insert_plain(f.name, f.sig, f.f);
    }
    funcs.insert_plain("toYaml", ANY, to_yaml);
    funcs.insert_plain("toJson", ANY, to_json);
    funcs.insert_plain("toToml", ANY, to_toml);
    funcs.insert_plain("fromYaml", STRING, from_yaml);
    funcs.insert_plain("fromJson", STRING, from_json);
    funcs.insert_plain("fromYamlArray", STRING, from_yaml_array);
    funcs.insert_plain("fromJsonArray", STRING, from_json_array);
    funcs.insert_plain("ipNet", STRING, ip_net);
    funcs.insert_plain(
        "ipAt",
        Signature::fixed(&[ArgType::String, ArgType::Int64]),
        ip_at,
    );
    funcs
}
