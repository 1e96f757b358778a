//! Host lists as sealos takes them: comma-separated addresses, `a-b` ranges, CIDRs (network and
//! broadcast addresses included, as sealos does), each optionally with `:port`.

use std::net::{IpAddr, Ipv4Addr};

use crate::Error;

/// Hosts of a CIDR or range beyond this are surely a typo.
const MAX_HOSTS: u64 = 4096;

fn split_port(item: &str) -> Result<(&str, Option<u16>), Error> {
    if let Some(rest) = item.strip_prefix('[') {
        let (ip, tail) = rest
            .split_once(']')
            .ok_or_else(|| Error::Invalid(format!("invalid address `{item}`: missing `]`")))?;
        return match tail.strip_prefix(':') {
            Some(p) => Ok((ip, Some(parse_port(item, p)?))),
            None if tail.is_empty() => Ok((ip, None)),
            None => Err(Error::Invalid(format!("invalid address `{item}`"))),
        };
    }
    match item.rsplit_once(':') {
        Some((ip, p)) if item.matches(':').count() == 1 => Ok((ip, Some(parse_port(item, p)?))),
        _ => Ok((item, None)),
    }
}

fn parse_port(item: &str, p: &str) -> Result<u16, Error> {
    match p.parse::<u16>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(Error::Invalid(format!("invalid port in `{item}`"))),
    }
}

fn parse_ip(item: &str, s: &str) -> Result<IpAddr, Error> {
    s.trim()
        .parse::<IpAddr>()
        .map_err(|_| Error::Invalid(format!("invalid IP address `{s}` in `{item}`")))
}

fn fmt_host(ip: &IpAddr, port: Option<u16>) -> String {
    match (ip, port) {
        (IpAddr::V6(v6), Some(p)) => format!("[{v6}]:{p}"),
        (_, Some(p)) => format!("{ip}:{p}"),
        (_, None) => ip.to_string(),
    }
}

/// Expands a host list. Returns `ip` or `ip:port` strings in order; duplicates are an error.
pub fn parse_ip_list(s: &str) -> Result<Vec<String>, Error> {
    let mut out: Vec<String> = Vec::new();
    for item in s.split(',').map(str::trim).filter(|i| !i.is_empty()) {
        let (addr, port) = split_port(item)?;
        let mut ips: Vec<IpAddr> = Vec::new();
        if let Some((net, bits)) = addr.split_once('/') {
            let IpAddr::V4(base) = parse_ip(item, net)? else {
                return Err(Error::Invalid(format!(
                    "`{item}`: only IPv4 CIDRs are supported"
                )));
            };
            let bits: u32 = bits
                .parse()
                .ok()
                .filter(|b| *b <= 32)
                .ok_or_else(|| Error::Invalid(format!("invalid CIDR prefix in `{item}`")))?;
            let count = 1u64 << (32 - bits);
            if count > MAX_HOSTS {
                return Err(Error::Invalid(format!(
                    "`{item}` is {count} addresses; at most {MAX_HOSTS} at once"
                )));
            }
            let mask = if bits == 0 {
                0
            } else {
                u32::MAX << (32 - bits)
            };
            let first = u32::from(base) & mask;
            for i in 0..count {
                ips.push(IpAddr::V4(Ipv4Addr::from(first + i as u32)));
            }
        } else if let Some((a, b)) = addr.split_once('-') {
            let (IpAddr::V4(a4), b_ip) = (parse_ip(item, a)?, b.trim()) else {
                return Err(Error::Invalid(format!(
                    "`{item}`: only IPv4 ranges are supported"
                )));
            };
            // `10.0.0.2-10.0.0.5`, or sealos's short form `10.0.0.2-5`.
            let b4 = if b_ip.contains('.') {
                match parse_ip(item, b_ip)? {
                    IpAddr::V4(v) => v,
                    IpAddr::V6(_) => {
                        return Err(Error::Invalid(format!(
                            "`{item}`: only IPv4 ranges are supported"
                        )));
                    }
                }
            } else {
                let last: u8 = b_ip
                    .parse()
                    .map_err(|_| Error::Invalid(format!("invalid range end in `{item}`")))?;
                let o = a4.octets();
                Ipv4Addr::new(o[0], o[1], o[2], last)
            };
            let (lo, hi) = (u32::from(a4), u32::from(b4));
            if hi < lo {
                return Err(Error::Invalid(format!(
                    "`{item}`: the range ends before it starts"
                )));
            }
            if u64::from(hi - lo) + 1 > MAX_HOSTS {
                return Err(Error::Invalid(format!(
                    "`{item}` is too many addresses; at most {MAX_HOSTS} at once"
                )));
            }
            for n in lo..=hi {
                ips.push(IpAddr::V4(Ipv4Addr::from(n)));
            }
        } else {
            ips.push(parse_ip(item, addr)?);
        }
        for ip in ips {
            let h = fmt_host(&ip, port);
            if out.contains(&h) {
                return Err(Error::Invalid(format!("{h} is listed twice")));
            }
            out.push(h);
        }
    }
    Ok(out)
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
        assert!(parse_ip_list("host:99999").is_err());
    }
}
