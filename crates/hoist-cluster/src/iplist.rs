//! Host lists as sealos takes them (`iputils.ParseIPList`): comma-separated addresses, `a-b`
//! ranges, CIDRs (network and broadcast addresses included, as sealos does), each single
//! address optionally with `:port`. IPv4 only, as sealos's range and host checks are.

use std::collections::BTreeSet;
use std::net::Ipv4Addr;

use crate::Error;

/// The most addresses one range or CIDR may expand to (sealos has no limit; a `/8` would
/// allocate 16M strings).
const MAX_EXPANSION: u64 = 65_536;

/// Expands an IP list as sealos does: comma lists, `a-b` ranges, CIDRs (network and broadcast
/// addresses included, as sealos does) and single `ip` or `ip:port` entries. Empty items are
/// skipped; an empty list is `[]`. Unlike sealos, a repeated IP, a bad port, IPv6 and huge
/// ranges are errors.
pub fn parse_ip_list(s: &str) -> Result<Vec<String>, Error> {
    let mut out = Vec::new();
    for item in s.split(',') {
        expand_item(item.trim(), &mut out)?;
    }
    let mut seen = BTreeSet::new();
    for entry in &out {
        let ip = host_part(entry);
        if !seen.insert(ip.to_string()) {
            return Err(Error::Invalid(format!("duplicate ip: {ip}")));
        }
    }
    Ok(out)
}

/// The IP of an `ip[:port]` entry.
fn host_part(entry: &str) -> &str {
    entry.split(':').next().unwrap_or(entry)
}

/// Splits `ip[:port]`, checking both.
fn split_host_port(entry: &str) -> Result<(Ipv4Addr, Option<u16>), Error> {
    let (ip, port) = match entry.split_once(':') {
        Some((ip, port)) => (ip, Some(port)),
        None => (entry, None),
    };
    let addr: Ipv4Addr = ip
        .parse()
        .map_err(|_| Error::Invalid(format!("invalid ip: {entry}")))?;
    let port = match port {
        None => None,
        Some(p) => match p.parse::<u16>() {
            Ok(n) if n != 0 && !p.starts_with('+') => Some(n),
            _ => return Err(Error::Invalid(format!("invalid port in {entry}: {p:?}"))),
        },
    };
    Ok((addr, port))
}

fn expand_item(s: &str, out: &mut Vec<String>) -> Result<(), Error> {
    if s.is_empty() {
        return Ok(());
    }
    if s.contains('/') {
        let (ip, bits) = s
            .split_once('/')
            .ok_or_else(|| Error::Invalid(format!("invalid CIDR address: {s}")))?;
        let addr: Ipv4Addr = ip
            .parse()
            .map_err(|_| Error::Invalid(format!("invalid CIDR address: {s}")))?;
        let bits: u32 = match bits.parse() {
            Ok(b) if b <= 32 && !bits.starts_with('+') => b,
            _ => return Err(Error::Invalid(format!("invalid CIDR address: {s}"))),
        };
        let count = 1u64 << (32 - bits);
        if count > MAX_EXPANSION {
            return Err(Error::Invalid(format!(
                "CIDR {s} has {count} addresses, more than {MAX_EXPANSION}"
            )));
        }
        let mask = if bits == 0 {
            0
        } else {
            u32::MAX << (32 - bits)
        };
        let start = u32::from(addr) & mask;
        for i in 0..count {
            out.push(Ipv4Addr::from(start.wrapping_add(i as u32)).to_string());
        }
        return Ok(());
    }
    if s.contains('-') {
        let parts: Vec<&str> = s.split('-').collect();
        if parts.len() != 2 {
            return Err(Error::Invalid("ip range format is invalid".into()));
        }
        let mut ends = [0u32; 2];
        for (i, p) in parts.iter().enumerate() {
            let a: Ipv4Addr = match p.parse() {
                Ok(a) => a,
                // hoist's short form `10.0.0.2-5` (the last octet of the end address).
                Err(_) if i == 1 && !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => {
                    let last: u8 = p
                        .parse()
                        .map_err(|_| Error::Invalid(format!("invalid ip: {p}")))?;
                    let o = Ipv4Addr::from(ends[0]).octets();
                    Ipv4Addr::new(o[0], o[1], o[2], last)
                }
                Err(_) => return Err(Error::Invalid(format!("invalid ip: {p}"))),
            };
            ends[i] = u32::from(a);
        }
        if ends[0] > ends[1] {
            return Err(Error::Invalid(format!(
                "start ip {} cannot greater than end ip {}",
                parts[0], parts[1]
            )));
        }
        let count = u64::from(ends[1] - ends[0]) + 1;
        if count > MAX_EXPANSION {
            return Err(Error::Invalid(format!(
                "ip range {s} has {count} addresses, more than {MAX_EXPANSION}"
            )));
        }
        for n in ends[0]..=ends[1] {
            out.push(Ipv4Addr::from(n).to_string());
        }
        return Ok(());
    }
    split_host_port(s)?;
    out.push(s.to_string());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::parse_ip_list;

    #[test]
    fn lists_ranges_cidrs_ports() {
        assert_eq!(
            parse_ip_list("10.0.0.2,10.0.0.3:2222").unwrap(),
            ["10.0.0.2", "10.0.0.3:2222"]
        );
        assert_eq!(
            parse_ip_list("10.0.0.2-10.0.0.4").unwrap(),
            ["10.0.0.2", "10.0.0.3", "10.0.0.4"]
        );
        assert_eq!(
            parse_ip_list("10.0.0.2-3").unwrap(),
            ["10.0.0.2", "10.0.0.3"]
        );
        assert_eq!(
            parse_ip_list("10.0.0.0/30").unwrap(),
            ["10.0.0.0", "10.0.0.1", "10.0.0.2", "10.0.0.3"]
        );
        assert!(parse_ip_list("10.0.0.2,10.0.0.2").is_err());
        assert!(parse_ip_list("10.0.0.300").is_err());
        assert!(parse_ip_list("10.0.0.5-10.0.0.2").is_err());
        assert!(parse_ip_list("10.0.0.0/8").is_err());
        assert!(parse_ip_list("10.0.0.2-300").is_err());
        assert!(parse_ip_list("host:99999").is_err());
        assert!(parse_ip_list("10.0.0.1:99999").is_err());
    }
}
