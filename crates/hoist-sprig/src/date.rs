//! Sprig's date functions (`date.go`) on a port of Go's `time` package: reference-layout formatting
//! and parsing (`2006-01-02T15:04:05Z07:00`), `ParseDuration` and `Duration.String`, and
//! `time.Time` / `time.Duration` values with the methods charts call.
//!
//! Time zones come from jiff (the system tzdata); the calendar arithmetic is Go's, done here.
//! `now` reads a clock that tests and Helm-style goldens can freeze with [`set_clock`].

use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;
use std::sync::OnceLock;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use hoist_gotmpl::{ArgType, FuncError, Object, Signature, Value};
use jiff::Timestamp;
use jiff::tz::TimeZone;

use crate::SprigFunc;

pub(crate) fn functions() -> Vec<SprigFunc> {
    use ArgType::{Any, String as Str};
    let f = |name, params: &'static [ArgType], f| SprigFunc {
        name,
        sig: Signature::fixed(params),
        f,
    };
    vec![
        f("now", &[], now),
        f("date", &[Str, Any], date),
        f("date_in_zone", &[Str, Any, Str], date_in_zone),
        f("dateInZone", &[Str, Any, Str], date_in_zone),
        f("htmlDate", &[Any], html_date),
        f("htmlDateInZone", &[Any, Str], html_date_in_zone),
        f("date_modify", &[Str, Any], date_modify),
        f("dateModify", &[Str, Any], date_modify),
        f("must_date_modify", &[Str, Any], must_date_modify),
        f("mustDateModify", &[Str, Any], must_date_modify),
        f("ago", &[Any], ago),
        f("toDate", &[Str, Str], to_date),
        f("mustToDate", &[Str, Str], must_to_date),
        f("unixEpoch", &[Any], unix_epoch),
        f("duration", &[Any], duration),
        f("durationRound", &[Any], duration_round),
    ]
}

// ---------------------------------------------------------------------------------------------
// Clock and local zone

thread_local! {
    static CLOCK: RefCell<Option<SystemTime>> = const { RefCell::new(None) };
    static LOCAL: RefCell<Option<TimeZone>> = const { RefCell::new(None) };
}

/// Freezes what `now` (and `ago`, `durationRound` of a time, `date` of a non-time) see on this
/// thread; `None` goes back to the system clock. A frozen time carries no monotonic reading, so
/// `{{ now }}` prints without Go's ` m=+…` suffix.
#[allow(dead_code)] // reached through the crate root once lib.rs re-exports it
pub fn set_clock(fixed: Option<SystemTime>) {
    CLOCK.with(|c| *c.borrow_mut() = fixed);
}

/// Overrides Go's `time.Local` on this thread (default: the system zone, as Go reads `TZ` and
/// `/etc/localtime`); `None` goes back to the system zone.
#[allow(dead_code)] // reached through the crate root once lib.rs re-exports it
pub fn set_local_zone(zone: Option<TimeZone>) {
    LOCAL.with(|l| *l.borrow_mut() = zone);
}

fn local_zone() -> TimeZone {
    LOCAL
        .with(|l| l.borrow().clone())
        .unwrap_or_else(TimeZone::system)
}

fn process_start() -> Instant {
    static START: OnceLock<Instant> = OnceLock::new();
    *START.get_or_init(Instant::now)
}

/// Go's `time.Now()` in `time.Local`.
pub(crate) fn time_now() -> GoTime {
    let start = process_start();
    let (fixed, sys) = match CLOCK.with(|c| *c.borrow()) {
        Some(t) => (true, t),
        None => (false, SystemTime::now()),
    };
    let (sec, nsec) = match sys.duration_since(UNIX_EPOCH) {
        Ok(d) => (d.as_secs() as i64, d.subsec_nanos()),
        Err(e) => {
            let d = e.duration();
            let mut sec = -(d.as_secs() as i64);
            let mut nsec = d.subsec_nanos();
            if nsec > 0 {
                sec -= 1;
                nsec = 1_000_000_000 - nsec;
            }
            (sec, nsec)
        }
    };
    let mono = (!fixed).then(|| start.elapsed().as_nanos() as i64);
    GoTime {
        sec,
        nsec,
        loc: Loc::Local,
        mono,
    }
}

// ---------------------------------------------------------------------------------------------
// Calendar arithmetic (proleptic Gregorian, days since 1970-01-01)

const NANOS: i64 = 1_000_000_000;
/// Seconds from 0001-01-01 (Go's zero time) to the Unix epoch.
const ZERO_TIME_UNIX: i64 = -62_135_596_800;

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn is_leap(y: i64) -> bool {
    y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
}

fn days_in(month: i64, year: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

const LONG_DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];
const SHORT_DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const LONG_MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const SHORT_MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

// ---------------------------------------------------------------------------------------------
// Locations and times

/// A Go `*time.Location`.
#[derive(Clone, Debug)]
pub(crate) enum Loc {
    Utc,
    Local,
    /// A zone loaded by name (`LoadLocation`).
    Zone(String, TimeZone),
    /// `FixedZone(name, offset)`, as parsing makes for offsets that are not local.
    Fixed(String, i32),
}

fn jiff_ts(sec: i64) -> Timestamp {
    let clamped = sec.clamp(Timestamp::MIN.as_second(), Timestamp::MAX.as_second());
    Timestamp::new(clamped, 0).unwrap_or(Timestamp::UNIX_EPOCH)
}

fn zone_info(tz: &TimeZone, sec: i64) -> (String, i32, bool) {
    let info = tz.to_offset_info(jiff_ts(sec));
    (
        info.abbreviation().to_string(),
        info.offset().seconds(),
        info.dst().is_dst(),
    )
}

impl Loc {
    /// The zone abbreviation, offset east of UTC and DST flag in effect at Unix second `sec`.
    fn lookup(&self, sec: i64) -> (String, i32, bool) {
        match self {
            Loc::Utc => ("UTC".into(), 0, false),
            Loc::Local => zone_info(&local_zone(), sec),
            Loc::Zone(_, tz) => zone_info(tz, sec),
            Loc::Fixed(name, off) => (name.clone(), *off, false),
        }
    }

    /// `Location.String()`.
    fn name(&self) -> &str {
        match self {
            Loc::Utc => "UTC",
            Loc::Local => "Local",
            Loc::Zone(name, _) | Loc::Fixed(name, _) => name,
        }
    }

    /// Go's `LoadLocation`: `""`/`UTC`, `Local`, or a tzdata name (matched exactly).
    pub(crate) fn load(name: &str) -> Result<Loc, String> {
        match name {
            "" | "UTC" => return Ok(Loc::Utc),
            "Local" => return Ok(Loc::Local),
            _ => {}
        }
        let bad = name.starts_with('/')
            || name.contains('\\')
            || name.split('/').any(|p| p == ".." || p.is_empty());
        if !bad
            && let Ok(tz) = TimeZone::get(name)
            && tz.iana_name().is_some_and(|n| n == name)
        {
            return Ok(Loc::Zone(name.to_string(), tz));
        }
        Err(format!("unknown time zone {name}"))
    }
}

/// A Go `time.Time`: an instant (Unix seconds and nanoseconds), its location, and for `time.Now()`
/// results a monotonic clock reading.
#[derive(Clone, Debug)]
pub(crate) struct GoTime {
    sec: i64,
    nsec: u32,
    loc: Loc,
    mono: Option<i64>,
}

impl GoTime {
    /// Go's zero `time.Time{}`: 0001-01-01 00:00:00 UTC.
    fn zero() -> GoTime {
        GoTime {
            sec: ZERO_TIME_UNIX,
            nsec: 0,
            loc: Loc::Utc,
            mono: None,
        }
    }

    /// `time.Unix(sec, 0)` (in Local).
    fn unix(sec: i64) -> GoTime {
        GoTime {
            sec,
            nsec: 0,
            loc: Loc::Local,
            mono: None,
        }
    }

    /// `time.Date(...)`, normalising out-of-range fields as Go does.
    #[allow(clippy::too_many_arguments)]
    fn date(
        year: i64,
        month: i64,
        day: i64,
        hour: i64,
        min: i64,
        sec: i64,
        nsec: i64,
        loc: Loc,
    ) -> GoTime {
        // Years beyond ±10^12 are far outside anything Go can print sensibly; clamping them keeps
        // the arithmetic below from overflowing.
        const LIMIT: i64 = 1_000_000_000_000;
        let (mut year, mut m) = (year.clamp(-LIMIT, LIMIT), month.wrapping_sub(1));
        year += m.div_euclid(12).clamp(-LIMIT, LIMIT);
        m = m.rem_euclid(12);
        let sec = sec.saturating_add(nsec.div_euclid(NANOS));
        let nsec = nsec.rem_euclid(NANOS);
        let min = min.saturating_add(sec.div_euclid(60));
        let sec = sec.rem_euclid(60);
        let hour = hour.saturating_add(min.div_euclid(60));
        let min = min.rem_euclid(60);
        let day = day.saturating_add(hour.div_euclid(24));
        let hour = hour.rem_euclid(24);
        let days = days_from_civil(year.clamp(-2 * LIMIT, 2 * LIMIT), m + 1, 1)
            .saturating_add(day)
            .saturating_sub(1);
        let mut unix = days
            .saturating_mul(86_400)
            .saturating_add(hour * 3600 + min * 60 + sec);
        let (_, o1, _) = loc.lookup(unix);
        if o1 != 0 {
            let (_, o2, _) = loc.lookup(unix - i64::from(o1));
            unix -= i64::from(o2);
        }
        GoTime {
            sec: unix,
            nsec: nsec as u32,
            loc,
            mono: None,
        }
    }

    fn with_loc(&self, loc: Loc) -> GoTime {
        GoTime {
            sec: self.sec,
            nsec: self.nsec,
            loc,
            mono: None,
        }
    }

    fn is_zero(&self) -> bool {
        self.sec == ZERO_TIME_UNIX && self.nsec == 0
    }

    fn total_nanos(&self) -> i128 {
        i128::from(self.sec) * i128::from(NANOS) + i128::from(self.nsec)
    }

    fn from_total_nanos(total: i128, loc: Loc) -> GoTime {
        let sec = total.div_euclid(i128::from(NANOS));
        let nsec = total.rem_euclid(i128::from(NANOS));
        GoTime {
            sec: sec.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64,
            nsec: nsec as u32,
            loc,
            mono: None,
        }
    }

    /// `t.Add(d)` (keeps the monotonic reading, as Go does).
    fn add(&self, d: i64) -> GoTime {
        let mut t = GoTime::from_total_nanos(self.total_nanos() + i128::from(d), self.loc.clone());
        t.mono = self.mono.map(|m| m.wrapping_add(d));
        t
    }

    /// `t.Sub(u)`, saturating at the Duration range.
    fn sub(&self, u: &GoTime) -> i64 {
        let d = match (self.mono, u.mono) {
            (Some(a), Some(b)) => i128::from(a) - i128::from(b),
            _ => self.total_nanos() - u.total_nanos(),
        };
        d.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
    }

    /// The civil fields in the time's own zone.
    fn civil(&self) -> Civil {
        let (name, offset, _) = self.loc.lookup(self.sec);
        let local = self.sec.saturating_add(i64::from(offset));
        let days = local.div_euclid(86_400);
        let secs = local.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        Civil {
            name,
            offset,
            year,
            month,
            day,
            yday: days - days_from_civil(year, 1, 1) + 1,
            weekday: (days + 4).rem_euclid(7) as usize,
            hour: secs / 3600,
            min: secs / 60 % 60,
            sec: secs % 60,
        }
    }

    /// Go's `Time.Format`.
    pub(crate) fn format(&self, layout: &str) -> String {
        format_time(self, layout)
    }

    /// Go's `Time.String()`.
    fn go_string(&self) -> String {
        let mut s = self.format("2006-01-02 15:04:05.999999999 -0700 MST");
        if let Some(m) = self.mono {
            let sign = if m < 0 { '-' } else { '+' };
            let m2 = m.unsigned_abs();
            let (m1, m2) = (m2 / 1_000_000_000, m2 % 1_000_000_000);
            let (m0, m1) = (m1 / 1_000_000_000, m1 % 1_000_000_000);
            s.push_str(" m=");
            s.push(sign);
            if m0 != 0 {
                s.push_str(&format!("{m0}{m1:09}"));
            } else {
                s.push_str(&m1.to_string());
            }
            s.push_str(&format!(".{m2:09}"));
        }
        s
    }

    /// `Round`/`Truncate` relative to Go's zero time.
    fn round_to(&self, d: i64, round: bool) -> GoTime {
        let base = self.with_loc(self.loc.clone());
        if d <= 0 {
            return base;
        }
        let since_zero = self.total_nanos() - i128::from(ZERO_TIME_UNIX) * i128::from(NANOS);
        let r = since_zero.rem_euclid(i128::from(d));
        let total = self.total_nanos();
        let out = if !round || r + r < i128::from(d) {
            total - r
        } else {
            total + (i128::from(d) - r)
        };
        GoTime::from_total_nanos(out, self.loc.clone())
    }
}

struct Civil {
    name: String,
    offset: i32,
    year: i64,
    month: i64,
    day: i64,
    yday: i64,
    weekday: usize,
    hour: i64,
    min: i64,
    sec: i64,
}

// ---------------------------------------------------------------------------------------------
// Layouts

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Std {
    LongMonth,
    Month,
    NumMonth,
    ZeroMonth,
    LongWeekDay,
    WeekDay,
    Day,
    UnderDay,
    ZeroDay,
    UnderYearDay,
    ZeroYearDay,
    Hour,
    Hour12,
    ZeroHour12,
    Minute,
    ZeroMinute,
    Second,
    ZeroSecond,
    LongYear,
    Year,
    PM,
    Pm,
    TZ,
    Iso8601TZ,
    Iso8601SecondsTZ,
    Iso8601ShortTZ,
    Iso8601ColonTZ,
    Iso8601ColonSecondsTZ,
    NumTZ,
    NumSecondsTz,
    NumShortTZ,
    NumColonTZ,
    NumColonSecondsTZ,
    /// `.000` (digits, separator)
    Frac0(usize, u8),
    /// `.999`
    Frac9(usize, u8),
}

fn starts_lower(s: &[u8]) -> bool {
    s.first().is_some_and(u8::is_ascii_lowercase)
}

/// Go's `nextStdChunk`: (prefix length, element, element length) or `None` when no element is left.
fn next_std_chunk(layout: &str) -> Option<(usize, Std, usize)> {
    let l = layout.as_bytes();
    let at = |i: usize, s: &str| l.len() >= i + s.len() && &l[i..i + s.len()] == s.as_bytes();
    let mut i = 0;
    while i < l.len() {
        let found = match l[i] {
            b'J' if at(i, "Jan") => {
                if at(i, "January") {
                    Some((Std::LongMonth, 7))
                } else if !starts_lower(&l[i + 3..]) {
                    Some((Std::Month, 3))
                } else {
                    None
                }
            }
            b'M' if l.len() >= i + 3 => {
                if at(i, "Mon") {
                    if at(i, "Monday") {
                        Some((Std::LongWeekDay, 6))
                    } else if !starts_lower(&l[i + 3..]) {
                        Some((Std::WeekDay, 3))
                    } else {
                        None
                    }
                } else if at(i, "MST") {
                    Some((Std::TZ, 3))
                } else {
                    None
                }
            }
            b'0' => {
                if l.len() >= i + 2 && (b'1'..=b'6').contains(&l[i + 1]) {
                    Some((
                        [
                            Std::ZeroMonth,
                            Std::ZeroDay,
                            Std::ZeroHour12,
                            Std::ZeroMinute,
                            Std::ZeroSecond,
                            Std::Year,
                        ][(l[i + 1] - b'1') as usize],
                        2,
                    ))
                } else if at(i, "002") {
                    Some((Std::ZeroYearDay, 3))
                } else {
                    None
                }
            }
            b'1' => {
                if at(i, "15") {
                    Some((Std::Hour, 2))
                } else {
                    Some((Std::NumMonth, 1))
                }
            }
            b'2' => {
                if at(i, "2006") {
                    Some((Std::LongYear, 4))
                } else {
                    Some((Std::Day, 1))
                }
            }
            b'_' => {
                if at(i, "_2") {
                    if at(i + 1, "2006") {
                        // `_2006` is a literal `_` and then the year.
                        return Some((i + 1, Std::LongYear, 4));
                    }
                    Some((Std::UnderDay, 2))
                } else if at(i, "__2") {
                    Some((Std::UnderYearDay, 3))
                } else {
                    None
                }
            }
            b'3' => Some((Std::Hour12, 1)),
            b'4' => Some((Std::Minute, 1)),
            b'5' => Some((Std::Second, 1)),
            b'P' if at(i, "PM") => Some((Std::PM, 2)),
            b'p' if at(i, "pm") => Some((Std::Pm, 2)),
            b'-' => {
                if at(i, "-070000") {
                    Some((Std::NumSecondsTz, 7))
                } else if at(i, "-07:00:00") {
                    Some((Std::NumColonSecondsTZ, 9))
                } else if at(i, "-0700") {
                    Some((Std::NumTZ, 5))
                } else if at(i, "-07:00") {
                    Some((Std::NumColonTZ, 6))
                } else if at(i, "-07") {
                    Some((Std::NumShortTZ, 3))
                } else {
                    None
                }
            }
            b'Z' => {
                if at(i, "Z070000") {
                    Some((Std::Iso8601SecondsTZ, 7))
                } else if at(i, "Z07:00:00") {
                    Some((Std::Iso8601ColonSecondsTZ, 9))
                } else if at(i, "Z0700") {
                    Some((Std::Iso8601TZ, 5))
                } else if at(i, "Z07:00") {
                    Some((Std::Iso8601ColonTZ, 6))
                } else if at(i, "Z07") {
                    Some((Std::Iso8601ShortTZ, 3))
                } else {
                    None
                }
            }
            c @ (b'.' | b',') if i + 1 < l.len() && (l[i + 1] == b'0' || l[i + 1] == b'9') => {
                let ch = l[i + 1];
                let mut j = i + 1;
                while j < l.len() && l[j] == ch {
                    j += 1;
                }
                if j < l.len() && l[j].is_ascii_digit() {
                    None
                } else {
                    let n = j - (i + 1);
                    Some((
                        if ch == b'0' {
                            Std::Frac0(n, c)
                        } else {
                            Std::Frac9(n, c)
                        },
                        j - i,
                    ))
                }
            }
            _ => None,
        };
        if let Some((std, len)) = found {
            return Some((i, std, len));
        }
        i += 1;
    }
    None
}

fn push_int(b: &mut String, x: i64, width: usize) {
    if x < 0 {
        b.push('-');
    }
    let s = x.unsigned_abs().to_string();
    for _ in s.len()..width {
        b.push('0');
    }
    b.push_str(&s);
}

fn push_nano(b: &mut String, nsec: u32, n: usize, sep: u8, trim: bool) {
    if trim && (n == 0 || nsec == 0) {
        return;
    }
    let mut digits = format!("{nsec:09}");
    if n < 9 {
        digits.truncate(n);
    }
    let mut frac = String::new();
    frac.push(sep as char);
    frac.push_str(&digits);
    if trim {
        while frac.ends_with('0') {
            frac.pop();
        }
        if frac.len() == 1 {
            return;
        }
    }
    b.push_str(&frac);
}

fn format_time(t: &GoTime, mut layout: &str) -> String {
    let c = t.civil();
    let mut b = String::with_capacity(layout.len() + 10);
    while !layout.is_empty() {
        let Some((pre, std, len)) = next_std_chunk(layout) else {
            b.push_str(layout);
            break;
        };
        b.push_str(&layout[..pre]);
        layout = &layout[pre + len..];
        match std {
            Std::Year => push_int(&mut b, c.year.abs() % 100, 2),
            Std::LongYear => push_int(&mut b, c.year, 4),
            Std::Month => b.push_str(SHORT_MONTHS[(c.month - 1) as usize]),
            Std::LongMonth => b.push_str(LONG_MONTHS[(c.month - 1) as usize]),
            Std::NumMonth => push_int(&mut b, c.month, 0),
            Std::ZeroMonth => push_int(&mut b, c.month, 2),
            Std::WeekDay => b.push_str(SHORT_DAYS[c.weekday]),
            Std::LongWeekDay => b.push_str(LONG_DAYS[c.weekday]),
            Std::Day => push_int(&mut b, c.day, 0),
            Std::UnderDay => {
                if c.day < 10 {
                    b.push(' ');
                }
                push_int(&mut b, c.day, 0);
            }
            Std::ZeroDay => push_int(&mut b, c.day, 2),
            Std::UnderYearDay => {
                if c.yday < 100 {
                    b.push(' ');
                    if c.yday < 10 {
                        b.push(' ');
                    }
                }
                push_int(&mut b, c.yday, 0);
            }
            Std::ZeroYearDay => push_int(&mut b, c.yday, 3),
            Std::Hour => push_int(&mut b, c.hour, 2),
            Std::Hour12 | Std::ZeroHour12 => {
                let hr = if c.hour % 12 == 0 { 12 } else { c.hour % 12 };
                push_int(&mut b, hr, if std == Std::Hour12 { 0 } else { 2 });
            }
            Std::Minute => push_int(&mut b, c.min, 0),
            Std::ZeroMinute => push_int(&mut b, c.min, 2),
            Std::Second => push_int(&mut b, c.sec, 0),
            Std::ZeroSecond => push_int(&mut b, c.sec, 2),
            Std::PM => b.push_str(if c.hour >= 12 { "PM" } else { "AM" }),
            Std::Pm => b.push_str(if c.hour >= 12 { "pm" } else { "am" }),
            Std::Iso8601TZ
            | Std::Iso8601ColonTZ
            | Std::Iso8601SecondsTZ
            | Std::Iso8601ShortTZ
            | Std::Iso8601ColonSecondsTZ
            | Std::NumTZ
            | Std::NumColonTZ
            | Std::NumSecondsTz
            | Std::NumShortTZ
            | Std::NumColonSecondsTZ => {
                let iso = matches!(
                    std,
                    Std::Iso8601TZ
                        | Std::Iso8601ColonTZ
                        | Std::Iso8601SecondsTZ
                        | Std::Iso8601ShortTZ
                        | Std::Iso8601ColonSecondsTZ
                );
                if c.offset == 0 && iso {
                    b.push('Z');
                    continue;
                }
                let mut zone = c.offset / 60;
                let mut abs = c.offset;
                if zone < 0 {
                    b.push('-');
                    zone = -zone;
                    abs = -abs;
                } else {
                    b.push('+');
                }
                push_int(&mut b, i64::from(zone / 60), 2);
                if matches!(
                    std,
                    Std::Iso8601ColonTZ
                        | Std::NumColonTZ
                        | Std::Iso8601ColonSecondsTZ
                        | Std::NumColonSecondsTZ
                ) {
                    b.push(':');
                }
                if !matches!(std, Std::NumShortTZ | Std::Iso8601ShortTZ) {
                    push_int(&mut b, i64::from(zone % 60), 2);
                }
                if matches!(
                    std,
                    Std::Iso8601SecondsTZ
                        | Std::NumSecondsTz
                        | Std::NumColonSecondsTZ
                        | Std::Iso8601ColonSecondsTZ
                ) {
                    if matches!(std, Std::NumColonSecondsTZ | Std::Iso8601ColonSecondsTZ) {
                        b.push(':');
                    }
                    push_int(&mut b, i64::from(abs % 60), 2);
                }
            }
            Std::TZ => {
                if !c.name.is_empty() {
                    b.push_str(&c.name);
                } else {
                    let mut zone = c.offset / 60;
                    if zone < 0 {
                        b.push('-');
                        zone = -zone;
                    } else {
                        b.push('+');
                    }
                    push_int(&mut b, i64::from(zone / 60), 2);
                    push_int(&mut b, i64::from(zone % 60), 2);
                }
            }
            Std::Frac0(n, sep) => push_nano(&mut b, t.nsec, n, sep, false),
            Std::Frac9(n, sep) => push_nano(&mut b, t.nsec, n, sep, true),
        }
    }
    b
}

/// The `time` package's own `quote` (non-ASCII and control bytes as `\x..`).
fn time_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        if (c as u32) >= 0x80 || (c as u32) < 0x20 {
            let mut buf = [0u8; 4];
            for byte in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("\\x{byte:02x}"));
            }
        } else {
            if c == '"' || c == '\\' {
                out.push('\\');
            }
            out.push(c);
        }
    }
    out.push('"');
    out
}

fn is_digit(s: &[u8], i: usize) -> bool {
    s.get(i).is_some_and(u8::is_ascii_digit)
}

struct Bad;

fn getnum(s: &[u8], fixed: bool) -> Result<(i64, &[u8]), Bad> {
    if !is_digit(s, 0) {
        return Err(Bad);
    }
    if !is_digit(s, 1) {
        if fixed {
            return Err(Bad);
        }
        return Ok((i64::from(s[0] - b'0'), &s[1..]));
    }
    Ok((
        i64::from(s[0] - b'0') * 10 + i64::from(s[1] - b'0'),
        &s[2..],
    ))
}

fn getnum3(s: &[u8], fixed: bool) -> Result<(i64, &[u8]), Bad> {
    let mut n = 0;
    let mut i = 0;
    while i < 3 && is_digit(s, i) {
        n = n * 10 + i64::from(s[i] - b'0');
        i += 1;
    }
    if i == 0 || (fixed && i != 3) {
        return Err(Bad);
    }
    Ok((n, &s[i..]))
}

fn skip<'a>(mut value: &'a [u8], mut prefix: &[u8]) -> Result<&'a [u8], &'a [u8]> {
    while let Some(&p) = prefix.first() {
        if p == b' ' {
            if value.first().is_some_and(|&c| c != b' ') {
                return Err(value);
            }
            while prefix.first() == Some(&b' ') {
                prefix = &prefix[1..];
            }
            while value.first() == Some(&b' ') {
                value = &value[1..];
            }
            continue;
        }
        if value.first() != Some(&p) {
            return Err(value);
        }
        prefix = &prefix[1..];
        value = &value[1..];
    }
    Ok(value)
}

fn lookup_name<'a>(tab: &[&str], val: &'a [u8]) -> Result<(usize, &'a [u8]), Bad> {
    for (i, v) in tab.iter().enumerate() {
        if val.len() >= v.len() && val[..v.len()].eq_ignore_ascii_case(v.as_bytes()) {
            return Ok((i, &val[v.len()..]));
        }
    }
    Err(Bad)
}

/// Go's `atoi` on a short field: optional sign, digits only.
fn atoi(s: &[u8]) -> Result<i64, Bad> {
    let (neg, digits) = match s.first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        // Go's leadingInt accepts an empty run, giving 0.
        if digits.is_empty() {
            return Ok(0);
        }
        return Err(Bad);
    }
    let mut x: i64 = 0;
    for &d in digits {
        x = x
            .checked_mul(10)
            .and_then(|x| x.checked_add(i64::from(d - b'0')))
            .ok_or(Bad)?;
    }
    Ok(if neg { -x } else { x })
}

fn parse_nanoseconds(value: &[u8], nbytes: usize) -> Result<(i64, bool), Bad> {
    if !matches!(value.first(), Some(b'.' | b',')) {
        return Err(Bad);
    }
    let nbytes = nbytes.min(10);
    let ns = atoi(&value[1..nbytes])?;
    if ns < 0 {
        return Ok((0, true));
    }
    let mut ns = ns;
    for _ in 0..10 - nbytes {
        ns *= 10;
    }
    Ok((ns, false))
}

fn leading_int(s: &[u8]) -> Result<(u64, &[u8]), Bad> {
    let mut x: u64 = 0;
    let mut i = 0;
    while i < s.len() && s[i].is_ascii_digit() {
        if x > (1 << 63) / 10 {
            return Err(Bad);
        }
        x = x * 10 + u64::from(s[i] - b'0');
        if x > 1 << 63 {
            return Err(Bad);
        }
        i += 1;
    }
    Ok((x, &s[i..]))
}

fn parse_signed_offset(value: &[u8]) -> usize {
    if !matches!(value.first(), Some(b'-' | b'+')) {
        return 0;
    }
    match leading_int(&value[1..]) {
        Ok((x, rem)) if rem.len() != value.len() - 1 && x <= 23 => value.len() - rem.len(),
        _ => 0,
    }
}

fn parse_time_zone(value: &[u8]) -> Option<usize> {
    if value.len() < 3 {
        return None;
    }
    if value.len() >= 4 && (&value[..4] == b"ChST" || &value[..4] == b"MeST") {
        return Some(4);
    }
    if &value[..3] == b"GMT" {
        if value.len() == 3 {
            return Some(3);
        }
        return Some(3 + parse_signed_offset(&value[3..]));
    }
    if value[0] == b'+' || value[0] == b'-' {
        let n = parse_signed_offset(value);
        return (n > 0).then_some(n);
    }
    let n_upper = value
        .iter()
        .take(6)
        .take_while(|c| c.is_ascii_uppercase())
        .count();
    match n_upper {
        5 if value[4] == b'T' => Some(5),
        4 if value[3] == b'T' || &value[..4] == b"WITA" => Some(4),
        3 => Some(3),
        _ => None,
    }
}

/// Finds the offset a zone abbreviation has in `loc` near `unix` (Go's `lookupName`).
fn lookup_zone_name(loc: &Loc, name: &str, unix: i64) -> Option<i32> {
    const HALF_YEAR: i64 = 183 * 86_400;
    for probe in [unix, unix - HALF_YEAR, unix + HALF_YEAR] {
        let (abbr, off, _) = loc.lookup(probe);
        if abbr == name {
            let (abbr2, off2, _) = loc.lookup(unix - i64::from(off));
            if abbr2 == name {
                return Some(off2);
            }
            return Some(off);
        }
    }
    None
}

/// Go's `time.ParseInLocation(layout, value, loc)`, with Go's `ParseError` texts.
pub(crate) fn parse_in_location(layout: &str, value: &str, loc: &Loc) -> Result<GoTime, String> {
    let (alayout, avalue) = (layout, value);
    let perr = |layout_elem: &str, value_elem: &[u8], message: &str| {
        let value_elem = String::from_utf8_lossy(value_elem);
        if message.is_empty() {
            format!(
                "parsing time {} as {}: cannot parse {} as {}",
                time_quote(avalue),
                time_quote(alayout),
                time_quote(&value_elem),
                time_quote(layout_elem)
            )
        } else {
            format!("parsing time {}{message}", time_quote(avalue))
        }
    };
    let mut layout = layout;
    let mut value = value.as_bytes();
    let mut range_err = "";
    let (mut am_set, mut pm_set) = (false, false);
    let mut year: i64 = 0;
    let mut month: i64 = -1;
    let mut day: i64 = -1;
    let mut yday: i64 = -1;
    let (mut hour, mut min, mut sec, mut nsec) = (0i64, 0i64, 0i64, 0i64);
    let mut z: Option<Loc> = None;
    let mut zone_offset: i64 = -1;
    let mut zone_name = String::new();

    loop {
        let chunk = next_std_chunk(layout);
        let (pre, std, len) = match chunk {
            Some((p, s, l)) => (p, Some(s), l),
            None => (layout.len(), None, 0),
        };
        let prefix = &layout[..pre];
        let stdstr = &layout[pre..pre + len];
        value = match skip(value, prefix.as_bytes()) {
            Ok(v) => v,
            Err(v) => return Err(perr(prefix, v, "")),
        };
        let Some(std) = std else {
            if !value.is_empty() {
                let rest = String::from_utf8_lossy(value);
                return Err(perr(
                    "",
                    value,
                    &format!(": extra text: {}", time_quote(&rest)),
                ));
            }
            break;
        };
        layout = &layout[pre + len..];
        let hold = value;
        let mut result: Result<(), Bad> = Ok(());
        match std {
            Std::Year => {
                if value.len() < 2 {
                    result = Err(Bad);
                } else {
                    let p = &value[..2];
                    value = &value[2..];
                    match atoi(p) {
                        Ok(y) => year = if y >= 69 { y + 1900 } else { y + 2000 },
                        Err(e) => result = Err(e),
                    }
                }
            }
            Std::LongYear => {
                if value.len() < 4 || !is_digit(value, 0) {
                    result = Err(Bad);
                } else {
                    let p = &value[..4];
                    value = &value[4..];
                    match atoi(p) {
                        Ok(y) => year = y,
                        Err(e) => result = Err(e),
                    }
                }
            }
            Std::Month | Std::LongMonth => {
                let tab: &[&str] = if std == Std::Month {
                    &SHORT_MONTHS
                } else {
                    &LONG_MONTHS
                };
                match lookup_name(tab, value) {
                    Ok((m, rest)) => {
                        month = m as i64 + 1;
                        value = rest;
                    }
                    Err(e) => result = Err(e),
                }
            }
            Std::NumMonth | Std::ZeroMonth => match getnum(value, std == Std::ZeroMonth) {
                Ok((m, rest)) => {
                    month = m;
                    value = rest;
                    if !(1..=12).contains(&m) {
                        range_err = "month";
                    }
                }
                Err(e) => result = Err(e),
            },
            Std::WeekDay | Std::LongWeekDay => {
                let tab: &[&str] = if std == Std::WeekDay {
                    &SHORT_DAYS
                } else {
                    &LONG_DAYS
                };
                match lookup_name(tab, value) {
                    Ok((_, rest)) => value = rest,
                    Err(e) => result = Err(e),
                }
            }
            Std::Day | Std::UnderDay | Std::ZeroDay => {
                if std == Std::UnderDay && value.first() == Some(&b' ') {
                    value = &value[1..];
                }
                match getnum(value, std == Std::ZeroDay) {
                    Ok((d, rest)) => {
                        day = d;
                        value = rest;
                    }
                    Err(e) => result = Err(e),
                }
            }
            Std::UnderYearDay | Std::ZeroYearDay => {
                for _ in 0..2 {
                    if std == Std::UnderYearDay && value.first() == Some(&b' ') {
                        value = &value[1..];
                    }
                }
                match getnum3(value, std == Std::ZeroYearDay) {
                    Ok((d, rest)) => {
                        yday = d;
                        value = rest;
                    }
                    Err(e) => result = Err(e),
                }
            }
            Std::Hour => match getnum(value, false) {
                Ok((h, rest)) => {
                    hour = h;
                    value = rest;
                    if !(0..24).contains(&h) {
                        range_err = "hour";
                    }
                }
                Err(e) => result = Err(e),
            },
            Std::Hour12 | Std::ZeroHour12 => match getnum(value, std == Std::ZeroHour12) {
                Ok((h, rest)) => {
                    hour = h;
                    value = rest;
                    if !(0..=12).contains(&h) {
                        range_err = "hour";
                    }
                }
                Err(e) => result = Err(e),
            },
            Std::Minute | Std::ZeroMinute => match getnum(value, std == Std::ZeroMinute) {
                Ok((m, rest)) => {
                    min = m;
                    value = rest;
                    if !(0..60).contains(&m) {
                        range_err = "minute";
                    }
                }
                Err(e) => result = Err(e),
            },
            Std::Second | Std::ZeroSecond => match getnum(value, std == Std::ZeroSecond) {
                Ok((s, rest)) => {
                    sec = s;
                    value = rest;
                    if !(0..60).contains(&s) {
                        range_err = "second";
                    } else if value.len() >= 2
                        && matches!(value[0], b'.' | b',')
                        && is_digit(value, 1)
                    {
                        let next = next_std_chunk(layout).map(|(_, s, _)| s);
                        if !matches!(next, Some(Std::Frac0(..) | Std::Frac9(..))) {
                            let mut n = 2;
                            while n < value.len() && is_digit(value, n) {
                                n += 1;
                            }
                            match parse_nanoseconds(value, n) {
                                Ok((ns, bad)) => {
                                    nsec = ns;
                                    if bad {
                                        range_err = "fractional second";
                                    }
                                }
                                Err(e) => result = Err(e),
                            }
                            value = &value[n..];
                        }
                    }
                }
                Err(e) => result = Err(e),
            },
            Std::PM | Std::Pm => {
                if value.len() < 2 {
                    result = Err(Bad);
                } else {
                    let p = &value[..2];
                    value = &value[2..];
                    let (pm, am): (&[u8], &[u8]) = if std == Std::PM {
                        (b"PM", b"AM")
                    } else {
                        (b"pm", b"am")
                    };
                    if p == pm {
                        pm_set = true;
                    } else if p == am {
                        am_set = true;
                    } else {
                        result = Err(Bad);
                    }
                }
            }
            Std::Iso8601TZ
            | Std::Iso8601ShortTZ
            | Std::Iso8601ColonTZ
            | Std::Iso8601SecondsTZ
            | Std::Iso8601ColonSecondsTZ
            | Std::NumTZ
            | Std::NumShortTZ
            | Std::NumColonTZ
            | Std::NumSecondsTz
            | Std::NumColonSecondsTZ => 'tz: {
                let iso = matches!(
                    std,
                    Std::Iso8601TZ
                        | Std::Iso8601ShortTZ
                        | Std::Iso8601ColonTZ
                        | Std::Iso8601SecondsTZ
                        | Std::Iso8601ColonSecondsTZ
                );
                if iso && value.first() == Some(&b'Z') {
                    value = &value[1..];
                    z = Some(Loc::Utc);
                    break 'tz;
                }
                let (sign, hh, mm, ss): (u8, &[u8], &[u8], &[u8]);
                match std {
                    Std::Iso8601ColonTZ | Std::NumColonTZ => {
                        if value.len() < 6 || value[3] != b':' {
                            result = Err(Bad);
                            break 'tz;
                        }
                        (sign, hh, mm, ss) = (value[0], &value[1..3], &value[4..6], b"00");
                        value = &value[6..];
                    }
                    Std::NumShortTZ | Std::Iso8601ShortTZ => {
                        if value.len() < 3 {
                            result = Err(Bad);
                            break 'tz;
                        }
                        (sign, hh, mm, ss) = (value[0], &value[1..3], b"00", b"00");
                        value = &value[3..];
                    }
                    Std::Iso8601ColonSecondsTZ | Std::NumColonSecondsTZ => {
                        if value.len() < 9 || value[3] != b':' || value[6] != b':' {
                            result = Err(Bad);
                            break 'tz;
                        }
                        (sign, hh, mm, ss) = (value[0], &value[1..3], &value[4..6], &value[7..9]);
                        value = &value[9..];
                    }
                    Std::Iso8601SecondsTZ | Std::NumSecondsTz => {
                        if value.len() < 7 {
                            result = Err(Bad);
                            break 'tz;
                        }
                        (sign, hh, mm, ss) = (value[0], &value[1..3], &value[3..5], &value[5..7]);
                        value = &value[7..];
                    }
                    _ => {
                        if value.len() < 5 {
                            result = Err(Bad);
                            break 'tz;
                        }
                        (sign, hh, mm, ss) = (value[0], &value[1..3], &value[3..5], b"00");
                        value = &value[5..];
                    }
                }
                let nums = getnum(hh, true).and_then(|(h, _)| {
                    getnum(mm, true).and_then(|(m, _)| getnum(ss, true).map(|(s, _)| (h, m, s)))
                });
                let (hr, mn, sc) = match nums {
                    Ok(n) => n,
                    Err(e) => {
                        result = Err(e);
                        (0, 0, 0)
                    }
                };
                if hr > 24 {
                    range_err = "time zone offset hour";
                }
                if mn > 60 {
                    range_err = "time zone offset minute";
                }
                if sc > 60 {
                    range_err = "time zone offset second";
                }
                zone_offset = (hr * 60 + mn) * 60 + sc;
                match sign {
                    b'+' => {}
                    b'-' => zone_offset = -zone_offset,
                    _ => result = Err(Bad),
                }
            }
            Std::TZ => {
                if value.len() >= 3 && &value[..3] == b"UTC" {
                    z = Some(Loc::Utc);
                    value = &value[3..];
                } else if let Some(n) = parse_time_zone(value) {
                    zone_name = String::from_utf8_lossy(&value[..n]).into_owned();
                    value = &value[n..];
                } else {
                    result = Err(Bad);
                }
            }
            Std::Frac0(n, _) => {
                let ndigit = 1 + n;
                if value.len() < ndigit {
                    result = Err(Bad);
                } else {
                    match parse_nanoseconds(value, ndigit) {
                        Ok((ns, bad)) => {
                            nsec = ns;
                            if bad {
                                range_err = "fractional second";
                            }
                        }
                        Err(e) => result = Err(e),
                    }
                    value = &value[ndigit..];
                }
            }
            Std::Frac9(..) => {
                if value.len() >= 2 && matches!(value[0], b'.' | b',') && value[1].is_ascii_digit()
                {
                    let mut i = 0;
                    while i + 1 < value.len() && value[i + 1].is_ascii_digit() {
                        i += 1;
                    }
                    match parse_nanoseconds(value, 1 + i) {
                        Ok((ns, bad)) => {
                            nsec = ns;
                            if bad {
                                range_err = "fractional second";
                            }
                        }
                        Err(e) => result = Err(e),
                    }
                    value = &value[1 + i..];
                }
            }
        }
        if !range_err.is_empty() {
            return Err(perr(stdstr, value, &format!(": {range_err} out of range")));
        }
        if result.is_err() {
            return Err(perr(stdstr, hold, ""));
        }
    }
    if pm_set && hour < 12 {
        hour += 12;
    } else if am_set && hour == 12 {
        hour = 0;
    }
    if yday >= 0 {
        let (mut d, mut m) = (0, 0);
        if is_leap(year) {
            if yday == 31 + 29 {
                m = 2;
                d = 29;
            } else if yday > 31 + 29 {
                yday -= 1;
            }
        }
        if !(1..=365).contains(&yday) {
            return Err(perr("", value, ": day-of-year out of range"));
        }
        if m == 0 {
            m = (yday - 1) / 31 + 1;
            let days_before = |month: i64| -> i64 { (1..month).map(|k| days_in(k, 2001)).sum() };
            if days_before(m + 1) < yday {
                m += 1;
            }
            d = yday - days_before(m);
        }
        if month >= 0 && month != m {
            return Err(perr("", value, ": day-of-year does not match month"));
        }
        month = m;
        if day >= 0 && day != d {
            return Err(perr("", value, ": day-of-year does not match day"));
        }
        day = d;
    } else {
        if month < 0 {
            month = 1;
        }
        if day < 0 {
            day = 1;
        }
    }
    if day < 1 || day > days_in(month, year) {
        return Err(perr("", value, ": day out of range"));
    }
    if let Some(z) = z {
        return Ok(GoTime::date(year, month, day, hour, min, sec, nsec, z));
    }
    if zone_offset != -1 {
        let mut t = GoTime::date(year, month, day, hour, min, sec, nsec, Loc::Utc);
        t.sec -= zone_offset;
        let (name, offset, _) = loc.lookup(t.sec);
        if i64::from(offset) == zone_offset && (zone_name.is_empty() || name == zone_name) {
            return Ok(t.with_loc(loc.clone()));
        }
        return Ok(t.with_loc(Loc::Fixed(zone_name, zone_offset as i32)));
    }
    if !zone_name.is_empty() {
        let mut t = GoTime::date(year, month, day, hour, min, sec, nsec, Loc::Utc);
        if let Some(offset) = lookup_zone_name(loc, &zone_name, t.sec) {
            t.sec -= i64::from(offset);
            return Ok(t.with_loc(loc.clone()));
        }
        let mut offset = 0;
        if zone_name.len() > 3 && zone_name.starts_with("GMT") {
            offset = atoi(&zone_name.as_bytes()[3..]).unwrap_or(0) * 3600;
        }
        return Ok(t.with_loc(Loc::Fixed(zone_name, offset as i32)));
    }
    Ok(GoTime::date(
        year,
        month,
        day,
        hour,
        min,
        sec,
        nsec,
        loc.clone(),
    ))
}

// ---------------------------------------------------------------------------------------------
// Durations

const UNITS: [(&str, u64); 8] = [
    ("ns", 1),
    ("us", 1_000),
    ("µs", 1_000),
    ("μs", 1_000),
    ("ms", 1_000_000),
    ("s", 1_000_000_000),
    ("m", 60_000_000_000),
    ("h", 3_600_000_000_000),
];

/// Go's `time.ParseDuration`.
pub(crate) fn parse_duration(orig: &str) -> Result<i64, String> {
    let invalid = || format!("time: invalid duration {}", time_quote(orig));
    let mut s = orig.as_bytes();
    let mut d: u64 = 0;
    let mut neg = false;
    if let Some(&c) = s.first()
        && (c == b'-' || c == b'+')
    {
        neg = c == b'-';
        s = &s[1..];
    }
    if s == b"0" {
        return Ok(0);
    }
    if s.is_empty() {
        return Err(invalid());
    }
    while !s.is_empty() {
        if !(s[0] == b'.' || s[0].is_ascii_digit()) {
            return Err(invalid());
        }
        let pl = s.len();
        let (mut v, rest) = leading_int(s).map_err(|_| invalid())?;
        s = rest;
        let pre = pl != s.len();
        let mut post = false;
        let (mut f, mut scale) = (0u64, 1f64);
        if s.first() == Some(&b'.') {
            s = &s[1..];
            let pl = s.len();
            let mut overflow = false;
            let mut i = 0;
            while i < s.len() && s[i].is_ascii_digit() {
                if !overflow {
                    if f > (i64::MAX as u64) / 10 {
                        overflow = true;
                    } else {
                        let y = f * 10 + u64::from(s[i] - b'0');
                        if y > 1 << 63 {
                            overflow = true;
                        } else {
                            f = y;
                            scale *= 10.0;
                        }
                    }
                }
                i += 1;
            }
            s = &s[i..];
            post = pl != s.len();
        }
        if !pre && !post {
            return Err(invalid());
        }
        let i = s
            .iter()
            .position(|&c| c == b'.' || c.is_ascii_digit())
            .unwrap_or(s.len());
        if i == 0 {
            return Err(format!(
                "time: missing unit in duration {}",
                time_quote(orig)
            ));
        }
        let u = String::from_utf8_lossy(&s[..i]).into_owned();
        s = &s[i..];
        let Some(&(_, unit)) = UNITS.iter().find(|(name, _)| *name == u) else {
            return Err(format!(
                "time: unknown unit {} in duration {}",
                time_quote(&u),
                time_quote(orig)
            ));
        };
        if v > (1 << 63) / unit {
            return Err(invalid());
        }
        v *= unit;
        if f > 0 {
            v += (f as f64 * (unit as f64 / scale)) as u64;
            if v > 1 << 63 {
                return Err(invalid());
            }
        }
        // Go's uint64 sum wraps silently.
        d = d.wrapping_add(v);
        if d > 1 << 63 {
            return Err(invalid());
        }
    }
    if neg {
        return Ok((d as i64).wrapping_neg());
    }
    if d > i64::MAX as u64 {
        return Err(invalid());
    }
    Ok(d as i64)
}

fn fmt_frac(buf: &mut Vec<u8>, mut v: u64, prec: usize) -> u64 {
    let mut print = false;
    for _ in 0..prec {
        let digit = v % 10;
        print = print || digit != 0;
        if print {
            buf.push(b'0' + digit as u8);
        }
        v /= 10;
    }
    if print {
        buf.push(b'.');
    }
    v
}

fn fmt_int(buf: &mut Vec<u8>, mut v: u64) {
    if v == 0 {
        buf.push(b'0');
    } else {
        while v > 0 {
            buf.push(b'0' + (v % 10) as u8);
            v /= 10;
        }
    }
}

/// Go's `Duration.String()`.
pub(crate) fn duration_string(d: i64) -> String {
    // Built back to front, as Go does, then reversed.
    let mut buf: Vec<u8> = Vec::with_capacity(32);
    let neg = d < 0;
    let mut u = d.unsigned_abs();
    if u < 1_000_000_000 {
        buf.push(b's');
        let prec;
        if u == 0 {
            return "0s".into();
        } else if u < 1_000 {
            prec = 0;
            buf.push(b'n');
        } else if u < 1_000_000 {
            prec = 3;
            // "µ" (U+00B5) is two bytes; pushed reversed.
            buf.push(0xb5);
            buf.push(0xc2);
        } else {
            prec = 6;
            buf.push(b'm');
        }
        u = fmt_frac(&mut buf, u, prec);
        fmt_int(&mut buf, u);
    } else {
        buf.push(b's');
        u = fmt_frac(&mut buf, u, 9);
        fmt_int(&mut buf, u % 60);
        u /= 60;
        if u > 0 {
            buf.push(b'm');
            fmt_int(&mut buf, u % 60);
            u /= 60;
            if u > 0 {
                buf.push(b'h');
                fmt_int(&mut buf, u);
            }
        }
    }
    if neg {
        buf.push(b'-');
    }
    buf.reverse();
    String::from_utf8_lossy(&buf).into_owned()
}

/// Go's `Duration.Round(m)`.
fn duration_round_to(d: i64, m: i64) -> i64 {
    if m <= 0 {
        return d;
    }
    let r = d % m;
    let less_than_half = |x: i64| (x as u64).wrapping_add(x as u64) < m as u64;
    if d < 0 {
        let r = -r;
        if less_than_half(r) {
            return d + r;
        }
        return d.checked_sub(m).map_or(i64::MIN, |x| x + r);
    }
    if less_than_half(r) {
        return d - r;
    }
    d.checked_add(m - r).unwrap_or(i64::MAX)
}

fn duration_truncate_to(d: i64, m: i64) -> i64 {
    if m <= 0 { d } else { d - d % m }
}

// ---------------------------------------------------------------------------------------------
// Template objects

const SECRET: &str = "\0hoist:time";

/// A `time.Time` value.
#[derive(Debug)]
pub(crate) struct TimeObject(pub(crate) GoTime);

/// A `time.Duration` value.
#[derive(Debug)]
struct DurationObject(i64);

/// A value whose one method is `String`: `time.Month` / `time.Weekday` (an int that prints its
/// English name) and `*time.Location`.
#[derive(Debug)]
struct StringerObject {
    type_name: &'static str,
    kind_name: &'static str,
    name: String,
    /// What encoding/json writes for it.
    data: Value,
}

impl StringerObject {
    /// `time.Month` / `time.Weekday`.
    fn named_int(type_name: &'static str, value: i64, name: &str) -> Value {
        Value::Object(Rc::new(StringerObject {
            type_name,
            kind_name: "int",
            name: name.to_string(),
            data: Value::Int(value),
        }))
    }
}

fn time_value(t: GoTime) -> Value {
    Value::Object(Rc::new(TimeObject(t)))
}

fn duration_value(d: i64) -> Value {
    Value::Object(Rc::new(DurationObject(d)))
}

/// The `time.Time` inside a template value, if it holds one.
pub(crate) fn time_of(v: &Value) -> Option<GoTime> {
    let Value::Object(o) = v else { return None };
    if o.type_name() != "time.Time" {
        return None;
    }
    let Ok(Value::List(parts)) = o.call_method(SECRET, &[]) else {
        return None;
    };
    let int = |i: usize| match parts.get(i) {
        Some(Value::Int64(n)) => Some(*n),
        _ => None,
    };
    let text = |i: usize| parts.get(i).and_then(Value::as_str).unwrap_or("");
    let loc = match text(2) {
        "utc" => Loc::Utc,
        "local" => Loc::Local,
        "zone" => Loc::load(text(3)).unwrap_or(Loc::Utc),
        _ => Loc::Fixed(text(3).to_string(), int(4)? as i32),
    };
    Some(GoTime {
        sec: int(0)?,
        nsec: int(1)? as u32,
        loc,
        mono: match parts.get(5) {
            Some(Value::Int64(m)) => Some(*m),
            _ => None,
        },
    })
}

fn duration_of(v: &Value) -> Option<i64> {
    match v {
        Value::Int(n) | Value::Int64(n) => Some(*n),
        Value::Float(f) if f.fract() == 0.0 && f.abs() < 9.2e18 => Some(*f as i64),
        Value::Object(o) if o.type_name() == "time.Duration" => match o.call_method(SECRET, &[]) {
            Ok(Value::Int64(n)) => Some(n),
            _ => None,
        },
        _ => None,
    }
}

fn arity(name: &str, args: &[Value], want: usize) -> Result<(), FuncError> {
    if args.len() == want {
        Ok(())
    } else {
        Err(FuncError::new(format!(
            "wrong number of args for {name}: want {want} got {}",
            args.len()
        )))
    }
}

fn wrong_type(expected: &str, got: &Value) -> FuncError {
    if got.is_nil() {
        return FuncError::new(format!("invalid value; expected {expected}"));
    }
    FuncError::new(format!(
        "wrong type for value; expected {expected}; got {}",
        got.type_name()
    ))
}

fn time_arg(v: &Value) -> Result<GoTime, FuncError> {
    time_of(v).ok_or_else(|| wrong_type("time.Time", v))
}

fn duration_arg(v: &Value) -> Result<i64, FuncError> {
    duration_of(v).ok_or_else(|| wrong_type("time.Duration", v))
}

fn int_arg(v: &Value) -> Result<i64, FuncError> {
    match v {
        Value::Int(n) => Ok(*n),
        Value::Float(f) if f.fract() == 0.0 => Ok(*f as i64),
        other => Err(wrong_type("int", other)),
    }
}

/// text/template's `goodFunc` refusal of a method whose results a template cannot take.
fn bad_results(name: &str) -> FuncError {
    FuncError::new(match name {
        "Zone" | "ISOWeek" => {
            format!(
                "invalid function signature for {name}: second return value should be error; is int"
            )
        }
        "ZoneBounds" => format!(
            "invalid function signature for {name}: second return value should be error; is time.Time"
        ),
        _ => format!("function {name} has 3 return values; should be 1 or 2"),
    })
}

const TIME_METHODS: &[&str] = &[
    "Add",
    "AddDate",
    "After",
    "Before",
    "Clock",
    "Compare",
    "Date",
    "Day",
    "Equal",
    "Format",
    "GoString",
    "Hour",
    "ISOWeek",
    "In",
    "IsDST",
    "IsZero",
    "Local",
    "Location",
    "MarshalJSON",
    "MarshalText",
    "Minute",
    "Month",
    "Nanosecond",
    "Round",
    "Second",
    "String",
    "Sub",
    "Truncate",
    "UTC",
    "Unix",
    "UnixMicro",
    "UnixMilli",
    "UnixNano",
    "Weekday",
    "Year",
    "YearDay",
    "Zone",
    "ZoneBounds",
];

impl Object for TimeObject {
    fn type_name(&self) -> &str {
        "time.Time"
    }

    fn has_method(&self, name: &str) -> bool {
        TIME_METHODS.contains(&name)
    }

    fn is_stringer(&self) -> bool {
        true
    }

    /// `time.Duration`, `time.Time` and `*time.Location` parameters have no parameter type in the
    /// value model: those methods take any value and convert it themselves.
    fn method_signature(&self, name: &str) -> Option<Signature> {
        Some(match name {
            "Format" => Signature::fixed(&[ArgType::String]),
            "AddDate" => Signature::fixed(&[ArgType::Int, ArgType::Int, ArgType::Int]),
            "Add" | "Sub" | "After" | "Before" | "Equal" | "Compare" | "Round" | "Truncate"
            | "In" => Signature::fixed(&[ArgType::Any]),
            _ => Signature::fixed(&[]),
        })
    }

    fn call_method(&self, name: &str, args: &[Value]) -> Result<Value, FuncError> {
        let t = &self.0;
        let none = || arity(name, args, 0);
        let one = || arity(name, args, 1);
        let civil = || t.civil();
        Ok(match name {
            SECRET => {
                let (kind, zone, off) = match &t.loc {
                    Loc::Utc => ("utc", String::new(), 0),
                    Loc::Local => ("local", String::new(), 0),
                    Loc::Zone(n, _) => ("zone", n.clone(), 0),
                    Loc::Fixed(n, o) => ("fixed", n.clone(), *o),
                };
                Value::list(vec![
                    Value::Int64(t.sec),
                    Value::Int64(i64::from(t.nsec)),
                    Value::string(kind),
                    Value::string(zone),
                    Value::Int64(i64::from(off)),
                    t.mono.map_or(Value::Nil, Value::Int64),
                ])
            }
            "Format" => {
                one()?;
                let layout = args[0]
                    .as_str()
                    .ok_or_else(|| wrong_type("string", &args[0]))?;
                Value::string(t.format(layout))
            }
            "String" | "GoString" => {
                none()?;
                Value::string(t.go_string())
            }
            "Unix" => {
                none()?;
                Value::Int64(t.sec)
            }
            "UnixMilli" | "UnixMicro" | "UnixNano" => {
                none()?;
                let per = match name {
                    "UnixMilli" => 1_000_000,
                    "UnixMicro" => 1_000,
                    _ => 1,
                };
                Value::Int64((t.total_nanos() / per) as i64)
            }
            "UTC" => {
                none()?;
                time_value(t.with_loc(Loc::Utc))
            }
            "Local" => {
                none()?;
                time_value(t.with_loc(Loc::Local))
            }
            "In" => {
                one()?;
                match &args[0] {
                    Value::Object(o) if o.type_name() == "*time.Location" => {
                        let mut name = String::new();
                        o.fmt_value(&mut name)
                            .map_err(|e| FuncError::new(e.to_string()))?;
                        let loc = if name == t.loc.name() {
                            t.loc.clone()
                        } else {
                            Loc::load(&name).unwrap_or(Loc::Utc)
                        };
                        time_value(t.with_loc(loc))
                    }
                    other => return Err(wrong_type("*time.Location", other)),
                }
            }
            "Location" => {
                none()?;
                // A Location's exported fields are none: encoding/json writes `{}`.
                Value::Object(Rc::new(StringerObject {
                    type_name: "*time.Location",
                    kind_name: "ptr",
                    name: t.loc.name().to_string(),
                    data: Value::Map(hoist_gotmpl::Dict::new(hoist_gotmpl::Map::new())),
                }))
            }
            "Add" => {
                one()?;
                time_value(t.add(duration_arg(&args[0])?))
            }
            "AddDate" => {
                arity(name, args, 3)?;
                let (y, m, d) = (int_arg(&args[0])?, int_arg(&args[1])?, int_arg(&args[2])?);
                let c = civil();
                time_value(GoTime::date(
                    c.year.wrapping_add(y),
                    c.month.wrapping_add(m),
                    c.day.wrapping_add(d),
                    c.hour,
                    c.min,
                    c.sec,
                    i64::from(t.nsec),
                    t.loc.clone(),
                ))
            }
            "Sub" => {
                one()?;
                duration_value(t.sub(&time_arg(&args[0])?))
            }
            "After" | "Before" | "Equal" | "Compare" => {
                one()?;
                let u = time_arg(&args[0])?;
                let ord = t.total_nanos().cmp(&u.total_nanos());
                match name {
                    "After" => Value::Bool(ord.is_gt()),
                    "Before" => Value::Bool(ord.is_lt()),
                    "Equal" => Value::Bool(ord.is_eq()),
                    _ => Value::Int(ord as i64),
                }
            }
            "Round" | "Truncate" => {
                one()?;
                time_value(t.round_to(duration_arg(&args[0])?, name == "Round"))
            }
            "IsZero" => {
                none()?;
                Value::Bool(t.is_zero())
            }
            "IsDST" => {
                none()?;
                Value::Bool(t.loc.lookup(t.sec).2)
            }
            "Year" => {
                none()?;
                Value::Int(civil().year)
            }
            "Month" => {
                none()?;
                let m = civil().month;
                StringerObject::named_int("time.Month", m, LONG_MONTHS[(m - 1) as usize])
            }
            "Day" => {
                none()?;
                Value::Int(civil().day)
            }
            "Hour" => {
                none()?;
                Value::Int(civil().hour)
            }
            "Minute" => {
                none()?;
                Value::Int(civil().min)
            }
            "Second" => {
                none()?;
                Value::Int(civil().sec)
            }
            "Nanosecond" => {
                none()?;
                Value::Int(i64::from(t.nsec))
            }
            "YearDay" => {
                none()?;
                Value::Int(civil().yday)
            }
            "Weekday" => {
                none()?;
                let w = civil().weekday;
                StringerObject::named_int("time.Weekday", w as i64, LONG_DAYS[w])
            }
            "MarshalJSON" | "MarshalText" => {
                none()?;
                let text = marshal_text(t).map_err(FuncError::new)?;
                let text = if name == "MarshalJSON" {
                    format!("\"{text}\"")
                } else {
                    text
                };
                Value::Bytes(Rc::from(text.into_bytes()))
            }
            "Zone" | "ISOWeek" | "ZoneBounds" | "Date" | "Clock" => return Err(bad_results(name)),
            _ => return Err(FuncError::new(format!("can't call method {name}"))),
        })
    }

    fn fmt_value(&self, f: &mut dyn fmt::Write) -> fmt::Result {
        f.write_str(&self.0.go_string())
    }

    fn to_data(&self) -> Option<Value> {
        marshal_text(&self.0).ok().map(Value::string)
    }
}

/// `MarshalText`/`MarshalJSON`: RFC 3339 with nanoseconds, years 0–9999 only.
fn marshal_text(t: &GoTime) -> Result<String, String> {
    let c = t.civil();
    if !(0..=9999).contains(&c.year) {
        return Err("Time.MarshalText: year outside of range [0,9999]".into());
    }
    Ok(t.format("2006-01-02T15:04:05.999999999Z07:00"))
}

impl Object for DurationObject {
    fn type_name(&self) -> &str {
        "time.Duration"
    }

    fn kind_name(&self) -> &str {
        "int64"
    }

    fn has_method(&self, name: &str) -> bool {
        matches!(
            name,
            "Abs"
                | "Hours"
                | "Microseconds"
                | "Milliseconds"
                | "Minutes"
                | "Nanoseconds"
                | "Round"
                | "Seconds"
                | "String"
                | "Truncate"
        )
    }

    fn is_stringer(&self) -> bool {
        true
    }

    fn method_signature(&self, name: &str) -> Option<Signature> {
        Some(match name {
            "Round" | "Truncate" => Signature::fixed(&[ArgType::Any]),
            _ => Signature::fixed(&[]),
        })
    }

    fn call_method(&self, name: &str, args: &[Value]) -> Result<Value, FuncError> {
        let d = self.0;
        if name == SECRET {
            return Ok(Value::Int64(d));
        }
        if matches!(name, "Round" | "Truncate") {
            arity(name, args, 1)?;
            let m = duration_arg(&args[0])?;
            return Ok(duration_value(if name == "Round" {
                duration_round_to(d, m)
            } else {
                duration_truncate_to(d, m)
            }));
        }
        arity(name, args, 0)?;
        let split = |unit: i64| (d / unit) as f64 + (d % unit) as f64 / unit as f64;
        Ok(match name {
            "Abs" => duration_value(if d >= 0 {
                d
            } else if d == i64::MIN {
                i64::MAX
            } else {
                -d
            }),
            "Hours" => Value::Float(split(3_600_000_000_000)),
            "Minutes" => Value::Float(split(60_000_000_000)),
            "Seconds" => Value::Float(split(1_000_000_000)),
            "Milliseconds" => Value::Int64(d / 1_000_000),
            "Microseconds" => Value::Int64(d / 1_000),
            "Nanoseconds" => Value::Int64(d),
            "String" => Value::string(duration_string(d)),
            _ => return Err(FuncError::new(format!("can't call method {name}"))),
        })
    }

    fn fmt_value(&self, f: &mut dyn fmt::Write) -> fmt::Result {
        f.write_str(&duration_string(self.0))
    }

    /// encoding/json has no Marshaler on Duration: it encodes the int64.
    fn to_data(&self) -> Option<Value> {
        Some(Value::Int64(self.0))
    }
}

impl Object for StringerObject {
    fn type_name(&self) -> &str {
        self.type_name
    }

    fn kind_name(&self) -> &str {
        self.kind_name
    }

    fn has_method(&self, name: &str) -> bool {
        name == "String"
    }

    fn is_stringer(&self) -> bool {
        true
    }

    fn method_signature(&self, _name: &str) -> Option<Signature> {
        Some(Signature::fixed(&[]))
    }

    fn call_method(&self, name: &str, args: &[Value]) -> Result<Value, FuncError> {
        arity(name, args, 0)?;
        Ok(Value::string(&self.name))
    }

    fn fmt_value(&self, f: &mut dyn fmt::Write) -> fmt::Result {
        f.write_str(&self.name)
    }

    fn to_data(&self) -> Option<Value> {
        Some(self.data.clone())
    }
}

// ---------------------------------------------------------------------------------------------
// Sprig functions

fn str_arg(args: &[Value], i: usize) -> &str {
    args.get(i).and_then(Value::as_str).unwrap_or("")
}

/// The time a `date`-family argument stands for: a time.Time, or Unix seconds as int/int64;
/// anything else is "now".
fn date_arg(v: Option<&Value>) -> GoTime {
    match v {
        Some(Value::Int(n) | Value::Int64(n)) => GoTime::unix(*n),
        Some(v) => time_of(v).unwrap_or_else(time_now),
        None => time_now(),
    }
}

fn format_in_zone(layout: &str, t: &GoTime, zone: &str) -> String {
    let loc = Loc::load(zone).unwrap_or(Loc::Utc);
    t.with_loc(loc).format(layout)
}

fn now(_args: &[Value]) -> Result<Value, FuncError> {
    Ok(time_value(time_now()))
}

fn date(args: &[Value]) -> Result<Value, FuncError> {
    let t = date_arg(args.get(1));
    Ok(Value::string(format_in_zone(str_arg(args, 0), &t, "Local")))
}

fn date_in_zone(args: &[Value]) -> Result<Value, FuncError> {
    let t = date_arg(args.get(1));
    Ok(Value::string(format_in_zone(
        str_arg(args, 0),
        &t,
        str_arg(args, 2),
    )))
}

fn html_date(args: &[Value]) -> Result<Value, FuncError> {
    let t = date_arg(args.first());
    Ok(Value::string(format_in_zone("2006-01-02", &t, "Local")))
}

fn html_date_in_zone(args: &[Value]) -> Result<Value, FuncError> {
    let t = date_arg(args.first());
    Ok(Value::string(format_in_zone(
        "2006-01-02",
        &t,
        str_arg(args, 1),
    )))
}

fn date_modify(args: &[Value]) -> Result<Value, FuncError> {
    let t = time_arg(args.get(1).unwrap_or(&Value::Nil))?;
    Ok(time_value(match parse_duration(str_arg(args, 0)) {
        Ok(d) => t.add(d),
        Err(_) => t,
    }))
}

fn must_date_modify(args: &[Value]) -> Result<Value, FuncError> {
    let t = time_arg(args.get(1).unwrap_or(&Value::Nil))?;
    let d = parse_duration(str_arg(args, 0)).map_err(FuncError::new)?;
    Ok(time_value(t.add(d)))
}

fn ago(args: &[Value]) -> Result<Value, FuncError> {
    let t = match args.first() {
        Some(Value::Int(n) | Value::Int64(n)) => GoTime::unix(*n),
        Some(v) => time_of(v).unwrap_or_else(time_now),
        None => time_now(),
    };
    let since = time_now().sub(&t);
    Ok(Value::string(duration_string(duration_round_to(
        since,
        1_000_000_000,
    ))))
}

fn to_date(args: &[Value]) -> Result<Value, FuncError> {
    let t = parse_in_location(str_arg(args, 0), str_arg(args, 1), &Loc::Local)
        .unwrap_or_else(|_| GoTime::zero());
    Ok(time_value(t))
}

fn must_to_date(args: &[Value]) -> Result<Value, FuncError> {
    parse_in_location(str_arg(args, 0), str_arg(args, 1), &Loc::Local)
        .map(time_value)
        .map_err(FuncError::new)
}

fn unix_epoch(args: &[Value]) -> Result<Value, FuncError> {
    let t = time_arg(args.first().unwrap_or(&Value::Nil))?;
    Ok(Value::string(t.sec.to_string()))
}

/// Go's `strconv.ParseInt(s, 10, 64)`, 0 on any error.
fn parse_int10(s: &str) -> i64 {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return 0;
    }
    s.parse::<i64>().unwrap_or_else(|_| {
        // Out of range: Go returns the clamped value with an error, which sprig drops.
        if s.starts_with('-') {
            i64::MIN
        } else {
            i64::MAX
        }
    })
}

fn duration(args: &[Value]) -> Result<Value, FuncError> {
    let n = match args.first() {
        Some(Value::String(s)) => parse_int10(s),
        Some(Value::Int64(n)) => *n,
        _ => 0,
    };
    Ok(Value::string(duration_string(
        n.wrapping_mul(1_000_000_000),
    )))
}

fn duration_round(args: &[Value]) -> Result<Value, FuncError> {
    let d = match args.first() {
        Some(Value::String(s)) => parse_duration(s).unwrap_or(0),
        Some(Value::Int64(n)) => *n,
        Some(v) => match time_of(v) {
            Some(t) => time_now().sub(&t),
            None => 0,
        },
        None => 0,
    };
    let u = d.unsigned_abs();
    const SECOND: u64 = 1_000_000_000;
    const MINUTE: u64 = 60 * SECOND;
    const HOUR: u64 = 60 * MINUTE;
    const DAY: u64 = 24 * HOUR;
    const MONTH: u64 = 30 * DAY;
    const YEAR: u64 = 365 * DAY;
    let out = if u > YEAR {
        format!("{}y", u / YEAR)
    } else if u > MONTH {
        format!("{}mo", u / MONTH)
    } else if u > DAY {
        format!("{}d", u / DAY)
    } else if u > HOUR {
        format!("{}h", u / HOUR)
    } else if u > MINUTE {
        format!("{}m", u / MINUTE)
    } else if u > SECOND {
        format!("{}s", u / SECOND)
    } else {
        "0s".to_string()
    };
    Ok(Value::string(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// sprig date_test.go `TestAgo`, with the clock frozen instead of read.
    #[test]
    fn ago_with_frozen_clock() {
        let now = UNIX_EPOCH + std::time::Duration::from_secs(1_600_000_000);
        set_clock(Some(now));
        let at = |secs: i64| time_value(GoTime::unix(1_600_000_000 + secs));
        let ago_of = |v: Value| ago(&[v]).unwrap().as_str().unwrap().to_string();
        assert_eq!(ago_of(at(-125)), "2m5s");
        assert_eq!(ago_of(at(-(2 * 3600 + 34 * 60 + 17))), "2h34m17s");
        assert_eq!(ago_of(at(5)), "-5s");
        // int and int64 are Unix seconds.
        assert_eq!(ago_of(Value::Int(1_600_000_000 - 60)), "1m0s");
        assert_eq!(ago_of(Value::Int64(1_600_000_000 - 61)), "1m1s");
        // durationRound of a time is the time since it.
        let round = |v: Value| duration_round(&[v]).unwrap().as_str().unwrap().to_string();
        assert_eq!(round(at(-3 * 86_400 - 5)), "3d");
        // A frozen `now` prints without a monotonic reading.
        let printed = now_value_string();
        assert_eq!(printed, "2020-09-13 12:26:40 +0000 UTC");
        set_clock(None);
        assert!(now_value_string().contains(" m=+"));
    }

    /// Extreme inputs give Go's wrapped or clamped answers, never a panic.
    #[test]
    fn extreme_inputs_do_not_panic() {
        for n in [i64::MAX, i64::MIN, 0] {
            let _ = date(&[Value::string("2006-01-02 15:04:05 MST"), Value::Int(n)]).unwrap();
            let _ = duration(&[Value::string(n.to_string())]).unwrap();
            let _ = duration(&[Value::Int64(n)]).unwrap();
            let _ = duration_round(&[Value::Int64(n)]).unwrap();
            let t = time_value(GoTime::unix(n));
            let Value::Object(o) = &t else { panic!() };
            for m in [
                "UTC", "Unix", "UnixNano", "Year", "String", "Month", "YearDay",
            ] {
                let _ = o.call_method(m, &[]).unwrap();
            }
            let big = [Value::Int(n), Value::Int(n), Value::Int(n)];
            let _ = o.call_method("AddDate", &big).unwrap();
            let _ = o.call_method("Add", &[Value::Int(n)]).unwrap();
            let _ = o.call_method("Round", &[Value::Int(n)]).unwrap();
        }
        assert_eq!(
            parse_duration("9223372036854775808ns9223372036854775808ns"),
            Ok(0),
            "Go's uint64 sum wraps"
        );
    }

    fn now_value_string() -> String {
        set_local_zone(Some(TimeZone::UTC));
        let v = now(&[]).unwrap();
        let Value::Object(o) = v else { panic!() };
        let mut s = String::new();
        o.fmt_value(&mut s).unwrap();
        set_local_zone(None);
        s
    }

    #[test]
    fn civil_round_trip() {
        for days in [-719_468 - 400, -1, 0, 1, 11_016, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(
            days_from_civil(1, 1, 1) * 86_400,
            ZERO_TIME_UNIX,
            "Go's zero time"
        );
    }
}
