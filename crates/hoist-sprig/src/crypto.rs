//! Sprig's crypto functions (`crypto.go`): `bcrypt`, `htpasswd`, `derivePassword`, `randBytes`,
//! `encryptAES`/`decryptAES`, `genPrivateKey` and the certificate generators (`genCA`,
//! `genSelfSignedCert`, `genSignedCert`, their `WithKey` forms, `buildCustomCert`).
//!
//! RSA keys are made as Go makes them by `rsagen` (fast, on every core); other keys are made, and
//! all keys used, through rcgen on aws-lc-rs. Keys are written in the PEM forms Go's
//! `pemBlockForKey` uses: PKCS#1 `RSA PRIVATE KEY`, SEC1 `EC PRIVATE KEY` (with the curve and the
//! public key), PKCS#8 `PRIVATE KEY` for Ed25519. Certificates follow Sprig's x509 template: a
//! random 128-bit serial, CN-only subject, `NotAfter = now + days`, key usages
//! KeyEncipherment|DigitalSignature (+CertSign for a CA), ServerAuth and ClientAuth, basic
//! constraints, DNS and IP SANs.
//!
//! Not supported: DSA keys (`genPrivateKey "dsa"`, `DSA PRIVATE KEY` inputs) — they give an error.

use std::fmt;
use std::net::IpAddr;
use std::rc::Rc;

use aws_lc_rs::cipher::{
    AES_256, DecryptingKey, DecryptionContext, EncryptingKey, EncryptionContext, UnboundCipherKey,
};
use aws_lc_rs::iv::FixedLength;
use hmac::{KeyInit, Mac};
use hoist_gotmpl::{ArgType, Dict, FuncError, Map, Object, Signature, Value};
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, SanType, SerialNumber, SignatureAlgorithm,
};
use rustls_pki_types::PrivatePkcs8KeyDer;

use crate::SprigFunc;

pub(crate) fn functions() -> Vec<SprigFunc> {
    use ArgType::{Int, List, String as Str};
    let f = |name, params: &'static [ArgType], f| SprigFunc {
        name,
        sig: Signature::fixed(params),
        f,
    };
    vec![
        f("bcrypt", &[Str], bcrypt),
        f("htpasswd", &[Str, Str], htpasswd),
        f(
            "derivePassword",
            &[Int, Str, Str, Str, Str],
            derive_password,
        ),
        f("randBytes", &[Int], rand_bytes),
        f("encryptAES", &[Str, Str], encrypt_aes),
        f("decryptAES", &[Str, Str], decrypt_aes),
        f("genPrivateKey", &[Str], gen_private_key),
        f("buildCustomCert", &[Str, Str], build_custom_cert),
        f("genCA", &[Str, Int], gen_ca),
        f("genCAWithKey", &[Str, Int, Str], gen_ca_with_key),
        f(
            "genSelfSignedCert",
            &[Str, List, List, Int],
            gen_self_signed_cert,
        ),
        f(
            "genSelfSignedCertWithKey",
            &[Str, List, List, Int, Str],
            gen_self_signed_cert_with_key,
        ),
        f(
            "genSignedCert",
            &[Str, List, List, Int, ArgType::Any],
            gen_signed_cert,
        ),
        f(
            "genSignedCertWithKey",
            &[Str, List, List, Int, ArgType::Any, Str],
            gen_signed_cert_with_key,
        ),
    ]
}

fn str_arg(args: &[Value], i: usize) -> &str {
    args.get(i).and_then(Value::as_str).unwrap_or("")
}

fn int_arg(args: &[Value], i: usize) -> i64 {
    match args.get(i) {
        Some(Value::Int(n) | Value::Int64(n)) => *n,
        _ => 0,
    }
}

fn err(msg: impl Into<String>) -> FuncError {
    FuncError::new(msg)
}

// ---------------------------------------------------------------------------------------------
// base64 (Go's encoding/base64 StdEncoding, with its error texts)

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

pub(crate) fn b64_encode(data: &[u8]) -> String {
    base64::Engine::encode(&base64::engine::general_purpose::STANDARD, data)
}

/// Go's `base64.StdEncoding.DecodeString`: newlines are skipped; errors are
/// `illegal base64 data at input byte N`.
pub(crate) fn b64_decode(s: &str) -> Result<Vec<u8>, String> {
    let src = s.as_bytes();
    let illegal = |i: usize| format!("illegal base64 data at input byte {i}");
    let val = |c: u8| B64.iter().position(|&x| x == c).map(|p| p as u32);
    let mut out = Vec::with_capacity(src.len() / 4 * 3);
    let mut si = 0;
    loop {
        // Collect one quantum of up to 4 symbols.
        let mut dbuf = [0u32; 4];
        let mut dlen = 4;
        let mut j = 0;
        while j < 4 {
            if si == src.len() {
                if j == 0 {
                    return Ok(out);
                }
                // StdEncoding is padded: an unfinished quantum is an error.
                return Err(illegal(si - j));
            }
            let c = src[si];
            si += 1;
            if c == b'\n' || c == b'\r' {
                continue;
            }
            if let Some(v) = val(c) {
                dbuf[j] = v;
                j += 1;
                continue;
            }
            if c != b'=' {
                return Err(illegal(si - 1));
            }
            // Padding: only at positions 2 or 3 of a quantum.
            match j {
                0 | 1 => return Err(illegal(si - 1)),
                2 => {
                    // Skip newlines, then a second '=' must follow.
                    while si < src.len() && (src[si] == b'\n' || src[si] == b'\r') {
                        si += 1;
                    }
                    if si == src.len() {
                        return Err(illegal(src.len()));
                    }
                    if src[si] != b'=' {
                        return Err(illegal(si - 1));
                    }
                    si += 1;
                }
                _ => {}
            }
            while si < src.len() && (src[si] == b'\n' || src[si] == b'\r') {
                si += 1;
            }
            if si < src.len() {
                return Err(illegal(si));
            }
            dlen = j;
            break;
        }
        let n = (dbuf[0] << 18) | (dbuf[1] << 12) | (dbuf[2] << 6) | dbuf[3];
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        match dlen {
            4 => out.extend_from_slice(&bytes),
            // Not Strict: leftover bits need not be zero.
            3 => out.extend_from_slice(&bytes[..2]),
            2 => out.push(bytes[0]),
            _ => {}
        }
        if dlen < 4 {
            return Ok(out);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// bcrypt, htpasswd, randBytes, derivePassword

fn bcrypt_hash(input: &str) -> String {
    if input.len() > 72 {
        return "failed to encrypt string with bcrypt: bcrypt: password length exceeds 72 bytes"
            .to_string();
    }
    match bcrypt::hash_with_result(input, 10) {
        Ok(parts) => parts.format_for_version(bcrypt::Version::TwoA),
        Err(e) => format!("failed to encrypt string with bcrypt: {e}"),
    }
}

fn bcrypt(args: &[Value]) -> Result<Value, FuncError> {
    Ok(Value::string(bcrypt_hash(str_arg(args, 0))))
}

fn htpasswd(args: &[Value]) -> Result<Value, FuncError> {
    let user = str_arg(args, 0);
    if user.contains(':') {
        return Ok(Value::string(format!("invalid username: {user}")));
    }
    Ok(Value::string(format!(
        "{user}:{}",
        bcrypt_hash(str_arg(args, 1))
    )))
}

fn rand_bytes(args: &[Value]) -> Result<Value, FuncError> {
    let count = int_arg(args, 0);
    if count < 0 {
        return Err(err("runtime error: makeslice: len out of range"));
    }
    let mut buf = vec![0u8; count as usize];
    aws_lc_rs::rand::fill(&mut buf).map_err(|_| err("crypto/rand: failed to read random data"))?;
    Ok(Value::string(b64_encode(&buf)))
}

const MASTER_PASSWORD_SEED: &str = "com.lyndir.masterpassword";

fn password_templates(kind: &str) -> Option<&'static [&'static str]> {
    Some(match kind {
        "maximum" => &["anoxxxxxxxxxxxxxxxxx", "axxxxxxxxxxxxxxxxxno"],
        "long" => &[
            "CvcvnoCvcvCvcv",
            "CvcvCvcvnoCvcv",
            "CvcvCvcvCvcvno",
            "CvccnoCvcvCvcv",
            "CvccCvcvnoCvcv",
            "CvccCvcvCvcvno",
            "CvcvnoCvccCvcv",
            "CvcvCvccnoCvcv",
            "CvcvCvccCvcvno",
            "CvcvnoCvcvCvcc",
            "CvcvCvcvnoCvcc",
            "CvcvCvcvCvccno",
            "CvccnoCvccCvcv",
            "CvccCvccnoCvcv",
            "CvccCvccCvcvno",
            "CvcvnoCvccCvcc",
            "CvcvCvccnoCvcc",
            "CvcvCvccCvccno",
            "CvccnoCvcvCvcc",
            "CvccCvcvnoCvcc",
            "CvccCvcvCvccno",
        ],
        "medium" => &["CvcnoCvc", "CvcCvcno"],
        "short" => &["Cvcn"],
        "basic" => &["aaanaaan", "aannaaan", "aaannaaa"],
        "pin" => &["nnnn"],
        _ => return None,
    })
}

fn template_chars(c: u8) -> &'static [u8] {
    match c {
        b'V' => b"AEIOU",
        b'C' => b"BCDFGHJKLMNPQRSTVWXYZ",
        b'v' => b"aeiou",
        b'c' => b"bcdfghjklmnpqrstvwxyz",
        b'A' => b"AEIOUBCDFGHJKLMNPQRSTVWXYZ",
        b'a' => b"AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz",
        b'n' => b"0123456789",
        b'o' => b"@&%?,=[]_:-+*$#!'^~;()/.",
        _ => b"AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz0123456789!@#$%^&*()",
    }
}

/// The Master Password algorithm (scrypt N=32768 r=8 p=2, then HMAC-SHA256 over the site).
fn derive_password(args: &[Value]) -> Result<Value, FuncError> {
    // Go converts the template's int to the uint32 parameter.
    let counter = int_arg(args, 0);
    let Ok(counter) = u32::try_from(counter) else {
        return Err(err(format!(
            "wrong type for value; expected uint32; got int (value {counter} overflows)"
        )));
    };
    let kind = str_arg(args, 1);
    let (password, user, site) = (str_arg(args, 2), str_arg(args, 3), str_arg(args, 4));
    let Some(templates) = password_templates(kind) else {
        return Ok(Value::string(format!(
            "cannot find password template {kind}"
        )));
    };
    let mut salt = MASTER_PASSWORD_SEED.as_bytes().to_vec();
    salt.extend_from_slice(&(user.len() as u32).to_be_bytes());
    salt.extend_from_slice(user.as_bytes());
    let params = scrypt::Params::new(15, 8, 2).map_err(|e| err(e.to_string()))?;
    let mut key = [0u8; 64];
    if let Err(e) = scrypt::scrypt(password.as_bytes(), &salt, &params, &mut key) {
        return Ok(Value::string(format!("failed to derive password: {e}")));
    }
    let mut msg = MASTER_PASSWORD_SEED.as_bytes().to_vec();
    msg.extend_from_slice(&(site.len() as u32).to_be_bytes());
    msg.extend_from_slice(site.as_bytes());
    msg.extend_from_slice(&counter.to_be_bytes());
    let mut mac =
        hmac::Hmac::<sha2::Sha256>::new_from_slice(&key).map_err(|e| err(e.to_string()))?;
    mac.update(&msg);
    let seed = mac.finalize().into_bytes();
    let template = templates[usize::from(seed[0]) % templates.len()].as_bytes();
    let out: String = template
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            let chars = template_chars(c);
            chars[usize::from(seed[i + 1]) % chars.len()] as char
        })
        .collect();
    Ok(Value::string(out))
}

// ---------------------------------------------------------------------------------------------
// encryptAES / decryptAES

fn aes_key(password: &str) -> [u8; 32] {
    let mut key = [0u8; 32];
    let n = password.len().min(32);
    key[..n].copy_from_slice(&password.as_bytes()[..n]);
    key
}

fn encrypt_aes(args: &[Value]) -> Result<Value, FuncError> {
    let (password, plaintext) = (str_arg(args, 0), str_arg(args, 1));
    if plaintext.is_empty() {
        return Ok(Value::string(""));
    }
    let fail = |_| err("crypto/aes: encryption failed");
    let key =
        EncryptingKey::cbc(UnboundCipherKey::new(&AES_256, &aes_key(password)).map_err(fail)?)
            .map_err(fail)?;
    let mut content = plaintext.as_bytes().to_vec();
    let padding = 16 - content.len() % 16;
    content.extend(std::iter::repeat_n(padding as u8, padding));
    let mut iv = [0u8; 16];
    aws_lc_rs::rand::fill(&mut iv).map_err(fail)?;
    key.less_safe_encrypt(
        &mut content,
        EncryptionContext::Iv128(FixedLength::from(iv)),
    )
    .map_err(fail)?;
    let mut out = iv.to_vec();
    out.extend_from_slice(&content);
    Ok(Value::string(b64_encode(&out)))
}

fn decrypt_aes(args: &[Value]) -> Result<Value, FuncError> {
    let (password, crypt64) = (str_arg(args, 0), str_arg(args, 1));
    if crypt64.is_empty() {
        return Ok(Value::string(""));
    }
    let crypt = b64_decode(crypt64).map_err(err)?;
    // Go slices crypt[:16] without a check: a short input panics.
    if crypt.len() < 16 {
        return Err(err(format!(
            "runtime error: slice bounds out of range [:16] with capacity {}",
            crypt.len()
        )));
    }
    let (iv, body) = crypt.split_at(16);
    if body.len() % 16 != 0 {
        return Err(err("crypto/cipher: input not full blocks"));
    }
    let mut decrypted = body.to_vec();
    if !decrypted.is_empty() {
        let fail = |_| err("crypto/aes: decryption failed");
        let key =
            DecryptingKey::cbc(UnboundCipherKey::new(&AES_256, &aes_key(password)).map_err(fail)?)
                .map_err(fail)?;
        let mut ivb = [0u8; 16];
        ivb.copy_from_slice(iv);
        key.decrypt(
            &mut decrypted,
            DecryptionContext::Iv128(FixedLength::from(ivb)),
        )
        .map_err(fail)?;
    }
    let Some(&last) = decrypted.last() else {
        return Err(err("runtime error: index out of range [-1]"));
    };
    let end = decrypted.len() as i64 - i64::from(last);
    if end < 0 {
        return Err(err(format!(
            "runtime error: slice bounds out of range [:{end}]"
        )));
    }
    Ok(Value::string(String::from_utf8_lossy(
        &decrypted[..end as usize],
    )))
}

// ---------------------------------------------------------------------------------------------
// DER and PEM helpers

pub(crate) mod der {
    /// One TLV: (tag, content, rest).
    pub(crate) fn read(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
        let (&tag, rest) = input.split_first()?;
        let (&first, mut rest) = rest.split_first()?;
        let len = if first < 0x80 {
            usize::from(first)
        } else {
            let n = usize::from(first & 0x7f);
            if n == 0 || n > 4 || rest.len() < n {
                return None;
            }
            let mut len = 0usize;
            for &b in &rest[..n] {
                len = (len << 8) | usize::from(b);
            }
            rest = &rest[n..];
            len
        };
        if rest.len() < len {
            return None;
        }
        Some((tag, &rest[..len], &rest[len..]))
    }

    pub(crate) fn write(tag: u8, content: &[u8]) -> Vec<u8> {
        let mut out = vec![tag];
        let len = content.len();
        if len < 0x80 {
            out.push(len as u8);
        } else {
            let bytes = len.to_be_bytes();
            let skip = bytes.iter().take_while(|&&b| b == 0).count();
            out.push(0x80 | (bytes.len() - skip) as u8);
            out.extend_from_slice(&bytes[skip..]);
        }
        out.extend_from_slice(content);
        out
    }

    pub(crate) fn seq(parts: &[&[u8]]) -> Vec<u8> {
        write(0x30, &parts.concat())
    }
}

const OID_RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
const OID_EC: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
const OID_P256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
const OID_P384: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x22];
const OID_P521: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x23];
const OID_ED25519: &[u8] = &[0x2b, 0x65, 0x70];

/// A PEM block as Go's `pem.Decode` finds it (the first one in the text).
struct PemBlock {
    kind: String,
    bytes: Vec<u8>,
}

fn pem_decode(text: &str) -> Option<PemBlock> {
    let mut rest = text;
    while let Some(start) = rest.find("-----BEGIN ") {
        let after = &rest[start + 11..];
        let type_end = after.find("-----")?;
        let kind = &after[..type_end];
        let body_start = &after[type_end + 5..];
        let end_marker = format!("-----END {kind}-----");
        let Some(end) = body_start.find(&end_marker) else {
            rest = body_start;
            continue;
        };
        // The BEGIN line must end right after its dashes.
        let body = body_start[..end].trim_start_matches([' ', '\t', '\r']);
        let Some(body) = body.strip_prefix('\n') else {
            rest = body_start;
            continue;
        };
        let mut lines: Vec<&str> = body.lines().collect();
        // Skip RFC 1421 headers (a block of "Key: value" lines ending with an empty line).
        if lines.first().is_some_and(|l| l.contains(':')) {
            if let Some(blank) = lines.iter().position(|l| l.trim().is_empty()) {
                lines.drain(..=blank);
            } else {
                rest = body_start;
                continue;
            }
        }
        let b64: String = lines
            .iter()
            .flat_map(|l| l.chars().filter(|c| !c.is_whitespace()))
            .collect();
        if let Ok(bytes) = b64_decode(&b64) {
            return Some(PemBlock {
                kind: kind.to_string(),
                bytes,
            });
        }
        rest = body_start;
    }
    None
}

fn pem_encode(kind: &str, der: &[u8]) -> String {
    let b64 = b64_encode(der);
    let mut out = format!("-----BEGIN {kind}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out.push_str(&format!("-----END {kind}-----\n"));
    out
}

// ---------------------------------------------------------------------------------------------
// Private keys

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum KeyKind {
    Rsa,
    P256,
    P384,
    P521,
    Ed25519,
}

impl KeyKind {
    fn alg(self) -> &'static SignatureAlgorithm {
        match self {
            KeyKind::Rsa => &rcgen::PKCS_RSA_SHA256,
            KeyKind::P256 => &rcgen::PKCS_ECDSA_P256_SHA256,
            KeyKind::P384 => &rcgen::PKCS_ECDSA_P384_SHA384,
            KeyKind::P521 => &rcgen::PKCS_ECDSA_P521_SHA512,
            KeyKind::Ed25519 => &rcgen::PKCS_ED25519,
        }
    }

    fn curve_oid(self) -> &'static [u8] {
        match self {
            KeyKind::P384 => OID_P384,
            KeyKind::P521 => OID_P521,
            _ => OID_P256,
        }
    }
}

/// A private key: its kind and PKCS#8 DER (what rcgen and aws-lc-rs take).
struct PrivKey {
    kind: KeyKind,
    pkcs8: Vec<u8>,
}

impl PrivKey {
    fn key_pair(&self) -> Result<KeyPair, String> {
        KeyPair::from_pkcs8_der_and_sign_algo(
            &PrivatePkcs8KeyDer::from(self.pkcs8.clone()),
            self.kind.alg(),
        )
        .map_err(|e| format!("unusable private key: {e}"))
    }

    fn generate(kind: KeyKind) -> Result<PrivKey, String> {
        if kind == KeyKind::Rsa {
            return PrivKey::generate_rsa(2048);
        }
        let kp = KeyPair::generate_for(kind.alg()).map_err(|e| e.to_string())?;
        PrivKey::from_generated(kind, &kp)
    }

    /// An RSA key as Go's `rsa.GenerateKey` makes it (see `rsagen`).
    fn generate_rsa(bits: u64) -> Result<PrivKey, String> {
        let key = crate::rsagen::generate(bits)?;
        let alg = der::seq(&[&der::write(0x06, OID_RSA), &[0x05, 0x00]]);
        Ok(PrivKey {
            kind: KeyKind::Rsa,
            pkcs8: wrap_pkcs8(&alg, &key.pkcs1_der()),
        })
    }

    fn from_generated(kind: KeyKind, kp: &KeyPair) -> Result<PrivKey, String> {
        let pkcs8 = kp.serialize_der();
        if kind == KeyKind::Ed25519 {
            // Re-encode as Go's MarshalPKCS8PrivateKey does: version 0, no public key.
            let inner = pkcs8_inner(&pkcs8).ok_or("bad generated key")?;
            return Ok(PrivKey {
                kind,
                pkcs8: ed25519_pkcs8(inner),
            });
        }
        Ok(PrivKey { kind, pkcs8 })
    }

    /// Go's `pemBlockForKey`.
    fn pem(&self) -> Result<String, String> {
        let inner = pkcs8_inner(&self.pkcs8).ok_or("bad private key encoding")?;
        Ok(match self.kind {
            KeyKind::Rsa => pem_encode("RSA PRIVATE KEY", inner),
            KeyKind::Ed25519 => pem_encode("PRIVATE KEY", &self.pkcs8),
            ec => {
                let kp = self.key_pair()?;
                pem_encode(
                    "EC PRIVATE KEY",
                    &sec1_full(inner, ec, kp.public_key_raw())?,
                )
            }
        })
    }
}

/// The privateKey OCTET STRING content of a PKCS#8 PrivateKeyInfo.
fn pkcs8_inner(pkcs8: &[u8]) -> Option<&[u8]> {
    let (_, body, _) = der::read(pkcs8)?;
    let (_, _version, rest) = der::read(body)?;
    let (_, _alg, rest) = der::read(rest)?;
    let (tag, key, _) = der::read(rest)?;
    (tag == 0x04).then_some(key)
}

fn ed25519_pkcs8(inner: &[u8]) -> Vec<u8> {
    der::seq(&[
        &der::write(0x02, &[0]),
        &der::seq(&[&der::write(0x06, OID_ED25519)]),
        &der::write(0x04, inner),
    ])
}

fn wrap_pkcs8(alg_id: &[u8], key: &[u8]) -> Vec<u8> {
    der::seq(&[&der::write(0x02, &[0]), alg_id, &der::write(0x04, key)])
}

/// An ECPrivateKey (SEC1) with the named curve and public key, as Go's `MarshalECPrivateKey`.
fn sec1_full(sec1: &[u8], kind: KeyKind, public: &[u8]) -> Result<Vec<u8>, String> {
    let bad = || "bad EC private key".to_string();
    let (_, body, _) = der::read(sec1).ok_or_else(bad)?;
    let (_, _version, rest) = der::read(body).ok_or_else(bad)?;
    let (tag, d, _) = der::read(rest).ok_or_else(bad)?;
    if tag != 0x04 {
        return Err(bad());
    }
    let mut bits = vec![0u8];
    bits.extend_from_slice(public);
    Ok(der::seq(&[
        &der::write(0x02, &[1]),
        &der::write(0x04, d),
        &der::write(0xa0, &der::write(0x06, kind.curve_oid())),
        &der::write(0xa1, &der::write(0x03, &bits)),
    ]))
}

/// Go's `parsePrivateKeyPEM` (DSA keys are not supported).
fn parse_private_key_pem(text: &str) -> Result<PrivKey, String> {
    let block = pem_decode(text).ok_or("no PEM data in input")?;
    if block.kind == "PRIVATE KEY" {
        return pkcs8_key(block.bytes).map_err(|e| format!("decoding PEM as PKCS#8: {e}"));
    }
    let Some(prefix) = block.kind.strip_suffix(" PRIVATE KEY") else {
        return Err(format!(
            "no private key data in PEM block of type {}",
            block.kind
        ));
    };
    match prefix {
        "RSA" => {
            let alg = der::seq(&[&der::write(0x06, OID_RSA), &[0x05, 0x00]]);
            der::read(&block.bytes)
                .filter(|(tag, _, _)| *tag == 0x30)
                .ok_or("parsing RSA private key from PEM: x509: malformed private key")?;
            Ok(PrivKey {
                kind: KeyKind::Rsa,
                pkcs8: wrap_pkcs8(&alg, &block.bytes),
            })
        }
        "EC" => {
            let kind = sec1_curve(&block.bytes)
                .map_err(|e| format!("parsing EC private key from PEM: {e}"))?;
            let alg = der::seq(&[
                &der::write(0x06, OID_EC),
                &der::write(0x06, kind.curve_oid()),
            ]);
            Ok(PrivKey {
                kind,
                pkcs8: wrap_pkcs8(&alg, &block.bytes),
            })
        }
        "DSA" => Err("parsing DSA private key from PEM: DSA keys are not supported".into()),
        _ => Err(format!("invalid private key type {}", block.kind)),
    }
}

fn curve_from_oid(oid: &[u8]) -> Option<KeyKind> {
    match oid {
        OID_P256 => Some(KeyKind::P256),
        OID_P384 => Some(KeyKind::P384),
        OID_P521 => Some(KeyKind::P521),
        _ => None,
    }
}

/// The curve named in a SEC1 ECPrivateKey's `[0]` parameters.
fn sec1_curve(sec1: &[u8]) -> Result<KeyKind, String> {
    let malformed = || "x509: failed to parse EC private key".to_string();
    let (_, body, _) = der::read(sec1).ok_or_else(malformed)?;
    let (_, _, mut rest) = der::read(body).ok_or_else(malformed)?;
    let (_, _, r) = der::read(rest).ok_or_else(malformed)?;
    rest = r;
    while let Some((tag, content, r)) = der::read(rest) {
        if tag == 0xa0 {
            let (_, oid, _) = der::read(content).ok_or_else(malformed)?;
            return curve_from_oid(oid).ok_or_else(|| "x509: unknown elliptic curve".to_string());
        }
        rest = r;
    }
    Err("x509: unknown elliptic curve".into())
}

fn pkcs8_key(pkcs8: Vec<u8>) -> Result<PrivKey, String> {
    let malformed = || "x509: failed to parse private key".to_string();
    let (_, body, _) = der::read(&pkcs8).ok_or_else(malformed)?;
    let (_, _, rest) = der::read(body).ok_or_else(malformed)?;
    let (_, alg, _) = der::read(rest).ok_or_else(malformed)?;
    let (_, oid, params) = der::read(alg).ok_or_else(malformed)?;
    let kind = match oid {
        OID_RSA => KeyKind::Rsa,
        OID_ED25519 => KeyKind::Ed25519,
        OID_EC => {
            let (_, curve, _) = der::read(params).ok_or_else(malformed)?;
            curve_from_oid(curve).ok_or("x509: unknown elliptic curve")?
        }
        _ => {
            return Err(
                "x509: PKCS#8 wrapping contained private key with unknown algorithm".into(),
            );
        }
    };
    Ok(PrivKey { kind, pkcs8 })
}

fn gen_private_key(args: &[Value]) -> Result<Value, FuncError> {
    let typ = str_arg(args, 0);
    let key = match typ {
        "" | "rsa" => PrivKey::generate_rsa(4096),
        "ecdsa" => PrivKey::generate(KeyKind::P256),
        "ed25519" => PrivKey::generate(KeyKind::Ed25519),
        "dsa" => return Err(err("genPrivateKey: dsa keys are not supported")),
        other => return Ok(Value::string(format!("Unknown type {other}"))),
    };
    let text = match key.and_then(|k| k.pem()) {
        Ok(pem) => pem,
        Err(e) => format!("failed to generate private key: {e}"),
    };
    Ok(Value::string(text))
}

// ---------------------------------------------------------------------------------------------
// Certificates

/// Sprig's `certificate` struct: `.Cert` and `.Key` (PEM).
#[derive(Debug)]
pub(crate) struct Certificate {
    cert: String,
    key: String,
}

impl Certificate {
    fn value(cert: String, key: String) -> Value {
        Value::Object(Rc::new(Certificate { cert, key }))
    }
}

impl Object for Certificate {
    fn type_name(&self) -> &str {
        "sprig.certificate"
    }

    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "Cert" => Some(Value::string(&self.cert)),
            "Key" => Some(Value::string(&self.key)),
            _ => None,
        }
    }

    fn fmt_value(&self, f: &mut dyn fmt::Write) -> fmt::Result {
        write!(f, "{{{} {}}}", self.cert, self.key)
    }

    fn to_data(&self) -> Option<Value> {
        let mut m = Map::new();
        m.insert("Cert".into(), Value::string(&self.cert));
        m.insert("Key".into(), Value::string(&self.key));
        Some(Value::Map(Dict::new(m)))
    }
}

/// Go's `%v` of a list element, for the "is not a string" messages.
fn go_v(v: &Value) -> String {
    match v {
        Value::Nil => "<nil>".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int(n) | Value::Int64(n) => n.to_string(),
        Value::Float(f) => f.to_string(),
        Value::String(s) => s.to_string(),
        Value::Object(o) => {
            let mut s = String::new();
            let _ = o.fmt_value(&mut s);
            s
        }
        other => format!("{other:?}"),
    }
}

fn list_items(v: Option<&Value>) -> Vec<Value> {
    match v {
        Some(Value::List(items)) => items.as_ref().clone(),
        _ => Vec::new(),
    }
}

/// Go's `net.ParseIP`, mapped as `x509` marshals it (IPv4-in-IPv6 becomes 4 bytes).
fn parse_ips(v: Option<&Value>) -> Result<Vec<IpAddr>, String> {
    list_items(v)
        .iter()
        .map(|item| {
            let Some(s) = item.as_str() else {
                return Err(format!("error parsing ip: {} is not a string", go_v(item)));
            };
            let ip: IpAddr = s.parse().map_err(|_| format!("error parsing ip: {s}"))?;
            Ok(match ip {
                IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
                v4 => v4,
            })
        })
        .collect()
}

fn parse_dns(v: Option<&Value>) -> Result<Vec<String>, String> {
    list_items(v)
        .iter()
        .map(|item| {
            item.as_str().map(str::to_string).ok_or_else(|| {
                format!(
                    "error processing alternate dns name: {} is not a string",
                    go_v(item)
                )
            })
        })
        .collect()
}

/// Sprig's `getBaseCertTemplate`.
fn base_template(
    cn: &str,
    ips: &[IpAddr],
    dns: &[String],
    days: i64,
) -> Result<CertificateParams, String> {
    let mut params = CertificateParams::default();
    let mut serial = [0u8; 16];
    aws_lc_rs::rand::fill(&mut serial).map_err(|_| "crypto/rand: failed to read random data")?;
    // rand.Int gives a non-negative number below 2^128 without leading zero bytes.
    let start = serial.iter().position(|&b| b != 0).unwrap_or(15);
    params.serial_number = Some(SerialNumber::from_slice(&serial[start..]));
    let mut dn = DistinguishedName::new();
    if !cn.is_empty() {
        dn.push(DnType::CommonName, cn);
    }
    params.distinguished_name = dn;
    for name in dns {
        let ia5 = name
            .clone()
            .try_into()
            .map_err(|e| format!("error creating certificate: {e}"))?;
        params.subject_alt_names.push(SanType::DnsName(ia5));
    }
    params
        .subject_alt_names
        .extend(ips.iter().copied().map(SanType::IpAddress));
    let now = time::OffsetDateTime::now_utc();
    params.not_before = now;
    // Go: time.Hour * 24 * time.Duration(daysValid), in int64 nanoseconds (wrapping).
    let validity = 86_400_000_000_000i64.wrapping_mul(days);
    params.not_after = now
        .checked_add(time::Duration::nanoseconds(validity))
        .ok_or("error creating certificate: validity out of range")?;
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    params.extended_key_usages = vec![
        ExtendedKeyUsagePurpose::ServerAuth,
        ExtendedKeyUsagePurpose::ClientAuth,
    ];
    params.is_ca = IsCa::ExplicitNoCa;
    Ok(params)
}

/// Signs `params` for `signee` (self-signed when `signer` is `None`) and returns (cert, key) PEM.
fn cert_and_key(
    params: CertificateParams,
    signee: &PrivKey,
    signer: Option<(&str, &PrivKey)>,
) -> Result<Value, String> {
    let signee_kp = signee.key_pair()?;
    let cert = match signer {
        None => params
            .self_signed(&signee_kp)
            .map_err(|e| format!("error creating certificate: {e}"))?,
        Some((ca_pem, ca_key)) => {
            let mut params = params;
            params.use_authority_key_identifier_extension = true;
            let ca_kp = ca_key.key_pair()?;
            let issuer = Issuer::from_ca_cert_pem(ca_pem, ca_kp)
                .map_err(|e| format!("error parsing certificate: decodedSignerCert.Bytes: {e}"))?;
            params
                .signed_by(&signee_kp, &issuer)
                .map_err(|e| format!("error creating certificate: {e}"))?
        }
    };
    let cert_pem = pem_encode("CERTIFICATE", cert.der());
    let key_pem = signee
        .pem()
        .map_err(|e| format!("error pem-encoding key: {e}"))?;
    Ok(Certificate::value(cert_pem, key_pem))
}

fn ca_params(cn: &str, days: i64) -> Result<CertificateParams, String> {
    let mut params = base_template(cn, &[], &[], days)?;
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
        KeyUsagePurpose::KeyCertSign,
    ];
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    Ok(params)
}

fn new_rsa() -> Result<PrivKey, String> {
    PrivKey::generate(KeyKind::Rsa).map_err(|e| format!("error generating rsa key: {e}"))
}

fn given_key(text: &str) -> Result<PrivKey, String> {
    parse_private_key_pem(text).map_err(|e| format!("parsing private key: {e}"))
}

fn gen_ca(args: &[Value]) -> Result<Value, FuncError> {
    let key = new_rsa().map_err(err)?;
    cert_and_key(
        ca_params(str_arg(args, 0), int_arg(args, 1)).map_err(err)?,
        &key,
        None,
    )
    .map_err(err)
}

fn gen_ca_with_key(args: &[Value]) -> Result<Value, FuncError> {
    let key = given_key(str_arg(args, 2)).map_err(err)?;
    cert_and_key(
        ca_params(str_arg(args, 0), int_arg(args, 1)).map_err(err)?,
        &key,
        None,
    )
    .map_err(err)
}

fn self_signed(args: &[Value], key: Result<PrivKey, String>) -> Result<Value, FuncError> {
    let ips = parse_ips(args.get(1)).map_err(err)?;
    let dns = parse_dns(args.get(2)).map_err(err)?;
    let key = key.map_err(err)?;
    let params = base_template(str_arg(args, 0), &ips, &dns, int_arg(args, 3)).map_err(err)?;
    cert_and_key(params, &key, None).map_err(err)
}

fn gen_self_signed_cert(args: &[Value]) -> Result<Value, FuncError> {
    self_signed(args, new_rsa())
}

fn gen_self_signed_cert_with_key(args: &[Value]) -> Result<Value, FuncError> {
    self_signed(args, given_key(str_arg(args, 4)))
}

/// The `.Cert` and `.Key` of the CA argument (a `certificate` struct).
fn ca_arg(v: Option<&Value>) -> Result<(String, String), FuncError> {
    match v {
        Some(Value::Object(o)) if o.type_name() == "sprig.certificate" => {
            let get = |f: &str| o.field(f).and_then(|v| v.as_str().map(str::to_string));
            Ok((
                get("Cert").unwrap_or_default(),
                get("Key").unwrap_or_default(),
            ))
        }
        Some(Value::Nil) | None => Err(err("invalid value; expected sprig.certificate")),
        Some(other) => Err(err(format!(
            "wrong type for value; expected sprig.certificate; got {}",
            other.type_name()
        ))),
    }
}

fn signed(
    args: &[Value],
    key: impl FnOnce() -> Result<PrivKey, String>,
) -> Result<Value, FuncError> {
    let (ca_cert, ca_key) = ca_arg(args.get(4))?;
    let key = key().map_err(err)?;
    let block = pem_decode(&ca_cert).ok_or_else(|| err("unable to decode certificate"))?;
    let ca_pem = pem_encode("CERTIFICATE", &block.bytes);
    let signer_key = parse_private_key_pem(&ca_key)
        .map_err(|e| err(format!("error parsing private key: {e}")))?;
    let ips = parse_ips(args.get(1)).map_err(err)?;
    let dns = parse_dns(args.get(2)).map_err(err)?;
    let params = base_template(str_arg(args, 0), &ips, &dns, int_arg(args, 3)).map_err(err)?;
    cert_and_key(params, &key, Some((&ca_pem, &signer_key))).map_err(err)
}

fn gen_signed_cert(args: &[Value]) -> Result<Value, FuncError> {
    signed(args, new_rsa)
}

fn gen_signed_cert_with_key(args: &[Value]) -> Result<Value, FuncError> {
    let text = str_arg(args, 5).to_string();
    signed(args, move || given_key(&text))
}

fn build_custom_cert(args: &[Value]) -> Result<Value, FuncError> {
    let cert =
        b64_decode(str_arg(args, 0)).map_err(|_| err("unable to decode base64 certificate"))?;
    let key =
        b64_decode(str_arg(args, 1)).map_err(|_| err("unable to decode base64 private key"))?;
    let cert = String::from_utf8_lossy(&cert).into_owned();
    let key = String::from_utf8_lossy(&key).into_owned();
    let block = pem_decode(&cert).ok_or_else(|| err("unable to decode certificate"))?;
    if let Err(e) = x509_parser::parse_x509_certificate(&block.bytes) {
        return Err(err(format!(
            "error parsing certificate: decodedCert.Bytes: x509: malformed certificate ({e})"
        )));
    }
    parse_private_key_pem(&key).map_err(|e| err(format!("error parsing private key: {e}")))?;
    Ok(Certificate::value(cert, key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trip_and_errors() {
        for data in [&b""[..], b"a", b"ab", b"abc", b"abcd", b"\xff\xfe\x00"] {
            assert_eq!(b64_decode(&b64_encode(data)).unwrap(), data);
        }
        assert_eq!(b64_encode(b"hello"), "aGVsbG8=");
        assert_eq!(
            b64_decode("!!!").unwrap_err(),
            "illegal base64 data at input byte 0"
        );
        assert_eq!(
            b64_decode("aGVsbG8").unwrap_err(),
            "illegal base64 data at input byte 4"
        );
    }

    #[test]
    fn huge_validity_is_an_error_not_a_panic() {
        for days in [i64::MAX, i64::MIN] {
            if let Ok(params) = base_template("x", &[], &[], days) {
                let key = PrivKey::generate(KeyKind::P256).unwrap();
                let _ = cert_and_key(params, &key, None);
            }
        }
    }
}
