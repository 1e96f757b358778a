//! Structure checks for the random outputs of the crypto functions: certificates are parsed back
//! with x509-parser (and `openssl`, when installed) and compared with what Sprig's x509 templates
//! produce (the expectations mirror a certificate made by the real Helm and shown by
//! `openssl x509 -text`: key usages, EKUs, basic constraints, SAN order, AKI = CA's SKI).

use std::process::Command;

use hoist_gotmpl::Value;
use x509_parser::extensions::GeneralName;
use x509_parser::prelude::*;

fn call(name: &str, args: Vec<Value>) -> Result<Value, String> {
    let f = hoist_sprig::functions()
        .into_iter()
        .find(|f| f.name == name)
        .unwrap_or_else(|| panic!("no function {name}"));
    (f.f)(&args).map_err(|e| e.to_string())
}

fn s(v: &str) -> Value {
    Value::string(v)
}

fn strs(items: &[&str]) -> Value {
    Value::list(items.iter().map(|x| s(x)).collect())
}

fn text(v: &Value) -> String {
    v.as_str().expect("string result").to_string()
}

fn field(v: &Value, name: &str) -> String {
    let Value::Object(o) = v else {
        panic!("not an object: {v:?}")
    };
    text(&o.field(name).expect("field"))
}

/// The DER of the first PEM block, with its label.
fn pem(text: &str) -> (String, Vec<u8>) {
    let (_, p) = x509_parser::pem::parse_x509_pem(text.as_bytes()).expect("pem");
    (p.label, p.contents)
}

fn openssl(args: &[&str], input: &str) -> Option<String> {
    let dir = std::env::temp_dir().join(format!("hoist-sprig-crypto-{}", std::process::id()));
    std::fs::create_dir_all(&dir).ok()?;
    let path = dir.join("in.pem");
    std::fs::write(&path, input).ok()?;
    let mut cmd = Command::new("openssl");
    cmd.args(args).arg("-in").arg(&path);
    let out = cmd.output().ok()?;
    let _ = std::fs::remove_dir_all(&dir);
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

struct Parsed {
    cn: Option<String>,
    issuer_cn: Option<String>,
    days: i64,
    is_ca: Option<bool>,
    key_usage: (bool, bool, bool),
    eku: (bool, bool),
    dns: Vec<String>,
    ips: Vec<Vec<u8>>,
    key_bits: usize,
    serial_bits: u64,
    ski: Option<Vec<u8>>,
    aki: Option<Vec<u8>>,
}

fn parse_cert(cert_pem: &str) -> Parsed {
    let (label, der) = pem(cert_pem);
    assert_eq!(label, "CERTIFICATE");
    let (rest, cert) = parse_x509_certificate(&der).expect("certificate");
    assert!(rest.is_empty());
    let cn = |name: &X509Name| {
        name.iter_common_name()
            .next()
            .map(|c| c.as_str().unwrap().to_string())
    };
    let validity = cert.validity();
    let days = (validity.not_after.timestamp() - validity.not_before.timestamp()) / 86_400;
    let ku = cert.key_usage().unwrap().map(|k| {
        assert!(k.critical, "key usage is critical");
        (
            k.value.digital_signature(),
            k.value.key_encipherment(),
            k.value.key_cert_sign(),
        )
    });
    let eku = cert
        .extended_key_usage()
        .unwrap()
        .map(|e| (e.value.server_auth, e.value.client_auth));
    let mut dns = Vec::new();
    let mut ips = Vec::new();
    if let Some(san) = cert.subject_alternative_name().unwrap() {
        for name in &san.value.general_names {
            match name {
                GeneralName::DNSName(d) => {
                    assert!(ips.is_empty(), "DNS names come before IPs");
                    dns.push(d.to_string());
                }
                GeneralName::IPAddress(ip) => ips.push(ip.to_vec()),
                other => panic!("unexpected SAN {other:?}"),
            }
        }
    }
    let key_bits = match cert.public_key().parsed().expect("public key") {
        x509_parser::public_key::PublicKey::RSA(rsa) => rsa.key_size(),
        x509_parser::public_key::PublicKey::EC(ec) => ec.key_size(),
        _ => 255,
    };
    let mut ski = None;
    let mut aki = None;
    for ext in cert.extensions() {
        match ext.parsed_extension() {
            ParsedExtension::SubjectKeyIdentifier(k) => ski = Some(k.0.to_vec()),
            ParsedExtension::AuthorityKeyIdentifier(a) => {
                aki = a.key_identifier.as_ref().map(|k| k.0.to_vec());
            }
            _ => {}
        }
    }
    Parsed {
        cn: cn(cert.subject()),
        issuer_cn: cn(cert.issuer()),
        days,
        is_ca: cert.basic_constraints().unwrap().map(|b| {
            assert!(b.critical, "basic constraints are critical");
            b.value.ca
        }),
        key_usage: ku.expect("key usage"),
        eku: eku.expect("extended key usage"),
        dns,
        ips,
        key_bits,
        serial_bits: cert.serial.bits(),
        ski,
        aki,
    }
}

#[test]
fn gen_ca() {
    let ca = call("genCA", vec![s("my-ca"), Value::Int(30)]).unwrap();
    let Value::Object(o) = &ca else { panic!() };
    assert_eq!(o.type_name(), "sprig.certificate");
    let p = parse_cert(&field(&ca, "Cert"));
    assert_eq!(p.cn.as_deref(), Some("my-ca"));
    assert_eq!(p.issuer_cn.as_deref(), Some("my-ca"));
    assert_eq!(p.days, 30);
    assert_eq!(p.is_ca, Some(true));
    assert_eq!(p.key_usage, (true, true, true));
    assert_eq!(p.eku, (true, true));
    assert!(p.dns.is_empty() && p.ips.is_empty());
    assert_eq!(p.key_bits, 2048);
    assert!(p.serial_bits <= 128 && p.serial_bits > 64);
    assert!(p.ski.is_some(), "a CA carries a subject key identifier");
    let key = field(&ca, "Key");
    assert!(key.starts_with("-----BEGIN RSA PRIVATE KEY-----\n"));
    assert!(key.ends_with("-----END RSA PRIVATE KEY-----\n"));
    if let Some(out) = openssl(&["rsa", "-noout", "-check"], &key) {
        assert!(out.contains("RSA key ok"), "{out}");
    }
}

#[test]
fn self_signed_and_signed_certs() {
    let ips = strs(&["10.0.0.1", "::ffff:1.2.3.4", "2001:db8::1"]);
    let dns = strs(&["a.example", "b.example"]);
    let cert = call(
        "genSelfSignedCert",
        vec![s("leaf"), ips.clone(), dns.clone(), Value::Int(7)],
    )
    .unwrap();
    let p = parse_cert(&field(&cert, "Cert"));
    assert_eq!(p.cn.as_deref(), Some("leaf"));
    assert_eq!(p.issuer_cn.as_deref(), Some("leaf"));
    assert_eq!(p.days, 7);
    assert_eq!(p.is_ca, Some(false));
    assert_eq!(p.key_usage, (true, true, false));
    assert_eq!(p.eku, (true, true));
    assert_eq!(p.dns, ["a.example", "b.example"]);
    let v6: Vec<u8> = "2001:db8::1"
        .parse::<std::net::Ipv6Addr>()
        .unwrap()
        .octets()
        .to_vec();
    assert_eq!(p.ips, vec![vec![10, 0, 0, 1], vec![1, 2, 3, 4], v6]);

    let ca = call("genCA", vec![s("the-ca"), Value::Int(365)]).unwrap();
    let leaf = call(
        "genSignedCert",
        vec![s("leaf"), ips, dns, Value::Int(90), ca.clone()],
    )
    .unwrap();
    let p = parse_cert(&field(&leaf, "Cert"));
    let ca_parsed = parse_cert(&field(&ca, "Cert"));
    assert_eq!(p.cn.as_deref(), Some("leaf"));
    assert_eq!(p.issuer_cn.as_deref(), Some("the-ca"));
    assert_eq!(p.days, 90);
    assert_eq!(p.is_ca, Some(false));
    assert_eq!(p.aki, ca_parsed.ski, "AKI names the CA's key");
    // An empty CN gives an empty subject.
    let anon = call(
        "genSelfSignedCert",
        vec![s(""), Value::Nil, Value::Nil, Value::Int(1)],
    )
    .unwrap();
    assert_eq!(parse_cert(&field(&anon, "Cert")).cn, None);

    // openssl agrees the leaf chains to the CA.
    if openssl(&["version"], "").is_some() {
        let dir = std::env::temp_dir().join(format!("hoist-sprig-chain-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("ca.pem"), field(&ca, "Cert")).unwrap();
        std::fs::write(dir.join("leaf.pem"), field(&leaf, "Cert")).unwrap();
        let out = Command::new("openssl")
            .arg("verify")
            .arg("-CAfile")
            .arg(dir.join("ca.pem"))
            .arg(dir.join("leaf.pem"))
            .output()
            .unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        assert!(
            String::from_utf8_lossy(&out.stdout).contains(": OK"),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn private_keys_and_with_key_variants() {
    let ec = text(&call("genPrivateKey", vec![s("ecdsa")]).unwrap());
    let (label, der) = pem(&ec);
    assert_eq!(label, "EC PRIVATE KEY");
    // SEC1 with the curve ([0] prime256v1) and the public key ([1]), as Go writes it.
    assert_eq!(der.len(), 121);
    assert_eq!(&der[..7], &[0x30, 0x77, 0x02, 0x01, 0x01, 0x04, 0x20]);
    assert_eq!(
        &der[39..51],
        &[
            0xa0, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07
        ]
    );
    assert_eq!(&der[51..53], &[0xa1, 0x44]);

    let ed = text(&call("genPrivateKey", vec![s("ed25519")]).unwrap());
    let (label, der) = pem(&ed);
    assert_eq!(label, "PRIVATE KEY");
    // PKCS#8 v1 (no public key): 48 bytes, as Go's MarshalPKCS8PrivateKey.
    assert_eq!(der.len(), 48);
    assert!(ed.starts_with("-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEI"));

    let rsa = text(&call("genPrivateKey", vec![s("rsa")]).unwrap());
    assert!(rsa.starts_with("-----BEGIN RSA PRIVATE KEY-----\n"));
    if let Some(out) = openssl(&["rsa", "-noout", "-text"], &rsa) {
        assert!(out.contains("4096 bit"), "{out}");
    }

    for key in [&ec, &ed, &rsa] {
        let ca = call("genCAWithKey", vec![s("k-ca"), Value::Int(2), s(key)]).unwrap();
        assert_eq!(&field(&ca, "Key"), key, "the key comes back unchanged");
        assert_eq!(parse_cert(&field(&ca, "Cert")).is_ca, Some(true));
        let own = call(
            "genSelfSignedCertWithKey",
            vec![s("self"), Value::Nil, Value::Nil, Value::Int(3), s(key)],
        )
        .unwrap();
        assert_eq!(&field(&own, "Key"), key);
        let leaf = call(
            "genSignedCertWithKey",
            vec![
                s("leaf"),
                Value::Nil,
                strs(&["x.example"]),
                Value::Int(4),
                ca.clone(),
                s(&ec),
            ],
        )
        .unwrap();
        assert_eq!(field(&leaf, "Key"), ec);
        let p = parse_cert(&field(&leaf, "Cert"));
        assert_eq!(p.issuer_cn.as_deref(), Some("k-ca"));
        assert_eq!(p.dns, ["x.example"]);
    }

    // buildCustomCert takes base64 PEM and hands it back.
    let ca = call("genCA", vec![s("custom"), Value::Int(1)]).unwrap();
    let b64 = |t: &str| data_encoding_b64(t.as_bytes());
    let built = call(
        "buildCustomCert",
        vec![s(&b64(&field(&ca, "Cert"))), s(&b64(&field(&ca, "Key")))],
    )
    .unwrap();
    assert_eq!(field(&built, "Cert"), field(&ca, "Cert"));
    assert_eq!(field(&built, "Key"), field(&ca, "Key"));
}

/// Standard base64 with padding (test helper).
fn data_encoding_b64(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in data.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= c.len() {
                out.push(T[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[test]
fn bcrypt_htpasswd_aes_rand() {
    let h = text(&call("bcrypt", vec![s("password")]).unwrap());
    assert!(h.starts_with("$2a$10$"), "{h}");
    assert_eq!(h.len(), 60);
    assert!(bcrypt::verify("password", &h).unwrap());

    let line = text(&call("htpasswd", vec![s("user"), s("pw")]).unwrap());
    let (user, hash) = line.split_once(':').unwrap();
    assert_eq!(user, "user");
    assert!(bcrypt::verify("pw", hash).unwrap());

    let enc = text(&call("encryptAES", vec![s("k"), s("hello world")]).unwrap());
    let other = text(&call("encryptAES", vec![s("k"), s("hello world")]).unwrap());
    assert_ne!(enc, other, "a fresh IV each time");
    // 16-byte IV + one padded block, base64.
    assert_eq!(enc.len(), 44);
    let dec = text(&call("decryptAES", vec![s("k"), s(&enc)]).unwrap());
    assert_eq!(dec, "hello world");

    let r = text(&call("randBytes", vec![Value::Int(32)]).unwrap());
    assert_eq!(r.len(), 44);
    assert!(call("randBytes", vec![Value::Int(-1)]).is_err());
}
