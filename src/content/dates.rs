//! Dates as authors write them → `DateTime<FixedOffset>`.
//!
//! The contract allows `YYYY-MM-DD`, `YYYY-MM-DD HH:MM[:SS]` and RFC 3339 (also without seconds, with the
//! offset written `+0100` or after a space, as Hugo and Jekyll take it). A date without an offset is a
//! wall-clock time in the site's timezone; resolving it here, once, means every later stage (sorting,
//! feeds, the future-post check) compares instants, never strings.

use chrono::{
    DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Timelike,
};
use chrono_tz::Tz;

const LOCAL_FORMATS: &[&str] = &[
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%dT%H:%M",
];

/// Parse an author-written date in `tz`.
pub fn parse(text: &str, tz: Tz) -> Result<DateTime<FixedOffset>, String> {
    let s = text.trim();
    checked(s, parse_any(s, tz)?)
}

/// A Unix timestamp (seconds, or milliseconds when it has 13 digits or more, as Staticman writes them)
/// as an instant shown in `tz`.
pub fn from_unix(text: &str, tz: Tz) -> Result<DateTime<FixedOffset>, String> {
    let t = text.trim();
    let not_a_date = || format!("`{t}` is not a date");
    let secs: i64 = t.parse().map_err(|_| not_a_date())?;
    let secs = if t.len() >= 13 { secs / 1000 } else { secs };
    let dt = chrono::Utc
        .timestamp_opt(secs, 0)
        .single()
        .ok_or_else(not_a_date)?;
    checked(t, dt.with_timezone(&tz).fixed_offset())
}

/// `dt` if HTML's `datetime`, RFC 3339 feeds and sitemaps can all carry it: years 0001 to 9999, no
/// leap second. Fractions of a second are cut to milliseconds, the most a `datetime` attribute takes.
fn checked(s: &str, dt: DateTime<FixedOffset>) -> Result<DateTime<FixedOffset>, String> {
    if dt.nanosecond() >= 1_000_000_000 {
        return Err(format!(
            "`{s}` has second 60 (a leap second), which HTML and feeds cannot carry: write :59"
        ));
    }
    if !(1..=9999).contains(&dt.year()) {
        return Err(format!(
            "`{s}` is in the year {}: pages, feeds and sitemaps carry only the years 0001 to 9999",
            dt.year()
        ));
    }
    let millis = dt.nanosecond() / 1_000_000 * 1_000_000;
    Ok(dt.with_nanosecond(millis).unwrap_or(dt))
}

fn parse_any(s: &str, tz: Tz) -> Result<DateTime<FixedOffset>, String> {
    if let Some(naive) = plain_local(s) {
        return in_timezone(s, &naive, tz);
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return Ok(dt);
    }
    // `Z` for UTC where the patterns below want an offset: `2024-03-05T10:30Z`.
    if let Some(utc) = s.strip_suffix(['Z', 'z']).filter(|r| r.contains(':')) {
        return parse_any(&format!("{utc}+00:00"), tz);
    }
    // Jekyll's and Ruby's `2024-03-05 10:30:00 UTC` (or `GMT`): the one zone name that is not ambiguous.
    if let Some(utc) = [" UTC", " GMT", " utc", " gmt"]
        .iter()
        .find_map(|zone| s.strip_suffix(zone))
        .filter(|r| r.contains(':'))
    {
        return parse_any(&format!("{}+00:00", utc.trim_end()), tz);
    }
    if let Some(zone) = zone_name(s) {
        return Err(format!(
            "`{s}` ends with the time zone name `{zone}`, which lanyard does not read (names are \
             ambiguous: EST, IST…): write its offset instead, such as `-05:00`, or leave it out to use \
             the site's `timezone`"
        ));
    }
    // With an offset, `T` or a space before the time, seconds or not, and the offset with or without
    // its colon and a space before it: `2024-03-05T09:30+01:00`, `2024-03-05 09:30:00 +0100`.
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%Y-%m-%dT%H:%M%z",
        "%Y-%m-%d %H:%M:%S%.f%z",
        "%Y-%m-%d %H:%M:%S%.f %z",
        "%Y-%m-%d %H:%M%z",
        "%Y-%m-%d %H:%M %z",
        "%Y-%m-%dT%H:%M:%S%.f%#z",
        "%Y-%m-%dT%H:%M%#z",
    ] {
        if let Ok(dt) = DateTime::parse_from_str(s, fmt) {
            return Ok(dt);
        }
    }
    in_timezone(s, &parse_naive(s)?, tz)
}

/// `naive`, a wall-clock time in `tz`, as an instant (the earlier one when the clocks go back). A
/// date written without a time is the first moment of that day, which is not midnight where the
/// clocks skip midnight (Santiago, Cairo, Beirut when summer time starts).
fn in_timezone(s: &str, naive: &NaiveDateTime, tz: Tz) -> Result<DateTime<FixedOffset>, String> {
    if let Some(dt) = tz.from_local_datetime(naive).earliest() {
        return Ok(dt.fixed_offset());
    }
    if s.contains(':') {
        return Err(format!(
            "`{s}` does not exist in timezone {tz} (a daylight-saving gap): pick another time"
        ));
    }
    first_moment(naive.date(), tz).ok_or_else(|| {
        format!("`{s}` does not exist in timezone {tz}: its clocks skipped that whole day")
    })
}

/// The earliest wall-clock minute of `day` that exists in `tz`.
fn first_moment(day: NaiveDate, tz: Tz) -> Option<DateTime<FixedOffset>> {
    let midnight = day.and_hms_opt(0, 0, 0)?;
    (1..24 * 60)
        .map(|m| midnight + Duration::minutes(m))
        .find_map(|t| tz.from_local_datetime(&t).earliest())
        .map(|dt| dt.fixed_offset())
}

/// The common shapes without an offset, read digit by digit: `YYYY-MM-DD`, `YYYY-MM-DD HH:MM` and
/// `YYYY-MM-DD HH:MM:SS` (`T` or a space between). Comments carry plain dates, and trying each strftime
/// pattern in turn parses every pattern again for each of twenty thousand comments. Anything else,
/// including an impossible date, is `None` and goes the general way, which explains the mistake.
fn plain_local(s: &str) -> Option<NaiveDateTime> {
    let b = s.as_bytes();
    let num = |at: usize, len: usize| -> Option<u32> {
        b.get(at..at + len)?.iter().try_fold(0u32, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    if !matches!(b.len(), 10 | 16 | 19) || !looks_like_date(s) {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(num(0, 4)? as i32, num(5, 2)?, num(8, 2)?)?;
    if b.len() == 10 {
        return date.and_hms_opt(0, 0, 0);
    }
    if !matches!(b[10], b' ' | b'T') || b[13] != b':' {
        return None;
    }
    let seconds = match b.len() {
        19 if b[16] == b':' => num(17, 2)?,
        19 => return None,
        _ => 0,
    };
    date.and_hms_opt(num(11, 2)?, num(14, 2)?, seconds)
}

fn parse_naive(s: &str) -> Result<NaiveDateTime, String> {
    for fmt in LOCAL_FORMATS {
        if let Ok(dt) = NaiveDateTime::parse_from_str(s, fmt) {
            return Ok(dt);
        }
    }
    match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        Ok(d) => Ok(d.and_hms_opt(0, 0, 0).unwrap_or_default()),
        Err(_) if looks_like_date(s) => Err(format!(
            "`{s}` is not a real date or time: check the month, day and hour"
        )),
        Err(_) => Err(format!(
            "`{s}` is not a date: write YYYY-MM-DD, YYYY-MM-DD HH:MM[:SS], or RFC 3339 (2024-03-05T08:30:00-06:00)"
        )),
    }
}

/// The letters after a date and time, when that is what ends `s`: `EST` in `2024-03-05 10:30 EST`.
fn zone_name(s: &str) -> Option<&str> {
    let (before, zone) = s.rsplit_once(' ')?;
    let letters = (2..=5).contains(&zone.len()) && zone.bytes().all(|b| b.is_ascii_alphabetic());
    (letters && before.contains(':') && plain_local(before.trim_end()).is_some()).then_some(zone)
}

fn looks_like_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 10 && b[..4].iter().all(u8::is_ascii_digit) && b[4] == b'-' && b[7] == b'-'
}

/// A `YYYY-MM-DD-` prefix of a file name, split off: `("2024-03-05", "rest")`.
pub fn split_date_prefix(stem: &str) -> Option<(&str, &str)> {
    let b = stem.as_bytes();
    if b.len() > 11
        && looks_like_date(stem)
        && b[10] == b'-'
        && NaiveDate::parse_from_str(&stem[..10], "%Y-%m-%d").is_ok()
    {
        Some((&stem[..10], &stem[11..]))
    } else {
        None
    }
}

/// A `YYYY-MM-DD-` prefix of a file name that is not a real date (`2023-02-29-leap`), which
/// [`split_date_prefix`] leaves in the name.
pub fn bad_date_prefix(stem: &str) -> Option<&str> {
    let b = stem.as_bytes();
    (b.len() > 11 && looks_like_date(stem) && b[10] == b'-' && split_date_prefix(stem).is_none())
        .then(|| &stem[..10])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_date_is_midnight_in_site_timezone() {
        let tz: Tz = "America/Chicago".parse().unwrap();
        let dt = parse("2007-07-31", tz).unwrap();
        assert_eq!(dt.to_rfc3339(), "2007-07-31T00:00:00-05:00");
    }

    #[test]
    fn times_and_offsets() {
        assert_eq!(
            parse("2024-03-05 08:30", Tz::UTC).unwrap().to_rfc3339(),
            "2024-03-05T08:30:00+00:00"
        );
        assert_eq!(
            parse("2024-03-05 08:30:15", Tz::UTC).unwrap().to_rfc3339(),
            "2024-03-05T08:30:15+00:00"
        );
        assert_eq!(
            parse("2007-08-02T10:00:00-05:00", Tz::UTC)
                .unwrap()
                .to_rfc3339(),
            "2007-08-02T10:00:00-05:00"
        );
        assert_eq!(
            parse("2007-08-02T10:00:00Z", Tz::UTC).unwrap().to_rfc3339(),
            "2007-08-02T10:00:00+00:00"
        );
    }

    #[test]
    fn offsets_with_or_without_seconds_colon_or_space() {
        for s in [
            "2020-01-02T13:45+02:00",
            "2020-01-02T13:45:00+0200",
            "2020-01-02T13:45+0200",
            "2020-01-02 13:45+02:00",
            "2020-01-02 13:45 +02:00",
            "2020-01-02 13:45:00 +0200",
            "2020-01-02T13:45:00.000+02:00",
        ] {
            assert_eq!(
                parse(s, Tz::UTC).map(|d| d.to_rfc3339()),
                Ok("2020-01-02T13:45:00+02:00".to_string()),
                "{s}"
            );
        }
    }

    #[test]
    fn utc_by_name_is_read_and_other_zone_names_are_explained() {
        let chicago: Tz = "America/Chicago".parse().unwrap();
        for s in [
            "2024-01-02 10:00:00 UTC",
            "2024-01-02 10:00 GMT",
            "2024-01-02T10:00:00 utc",
        ] {
            assert_eq!(
                parse(s, chicago).map(|d| d.to_rfc3339()),
                Ok("2024-01-02T10:00:00+00:00".to_string()),
                "{s}"
            );
        }
        let err = parse("2024-01-02 10:00:00 EST", chicago).unwrap_err();
        assert!(
            err.starts_with("`2024-01-02 10:00:00 EST` ends with the time zone name `EST`")
                && err.contains("write its offset instead"),
            "{err}"
        );
        // Not a date and time before the letters: the general message.
        assert!(parse("2024-01-02 EST", chicago)
            .unwrap_err()
            .contains("is not a"));
    }

    #[test]
    fn a_leap_second_is_an_error() {
        for s in ["2016-12-31T23:59:60Z", "2016-12-31 23:59:60"] {
            assert!(
                parse(s, Tz::UTC).unwrap_err().contains("leap second"),
                "{s}"
            );
        }
    }

    #[test]
    fn impossible_and_garbage_dates_explain() {
        assert!(parse("2023-02-30", Tz::UTC)
            .unwrap_err()
            .contains("not a real date"));
        assert!(parse("next tuesday", Tz::UTC)
            .unwrap_err()
            .contains("write YYYY-MM-DD"));
        assert!(parse("2024-13-01", Tz::UTC).is_err());
    }

    #[test]
    fn daylight_saving_gap_is_an_error() {
        let tz: Tz = "America/Chicago".parse().unwrap();
        assert!(parse("2024-03-10 02:30", tz)
            .unwrap_err()
            .contains("daylight-saving"));
    }

    #[test]
    fn a_day_whose_midnight_is_skipped_starts_when_its_clocks_do() {
        let santiago: Tz = "America/Santiago".parse().unwrap();
        assert_eq!(
            parse("2024-09-08", santiago).map(|d| d.to_rfc3339()),
            Ok("2024-09-08T01:00:00-03:00".to_string())
        );
        let cairo: Tz = "Africa/Cairo".parse().unwrap();
        assert_eq!(
            parse("2024-04-26", cairo).map(|d| d.to_rfc3339()),
            Ok("2024-04-26T01:00:00+03:00".to_string())
        );
        // Samoa went from 29 to 31 December 2011.
        let apia: Tz = "Pacific/Apia".parse().unwrap();
        assert!(parse("2011-12-30", apia).unwrap_err().contains("whole day"));
        assert!(parse("2024-09-08 00:30", santiago)
            .unwrap_err()
            .contains("daylight-saving"));
    }

    #[test]
    fn years_beyond_what_html_and_feeds_carry_are_errors() {
        for s in [
            "0000-01-01",
            "-0001-01-01T00:00:00Z",
            "+10000-01-01T00:00:00Z",
        ] {
            let err = parse(s, Tz::UTC).unwrap_err();
            assert!(
                err.contains("0001 to 9999") || err.contains("not a"),
                "{s}: {err}"
            );
        }
        assert!(parse("0001-01-01", Tz::UTC).is_ok());
        assert!(from_unix("253402300800000", Tz::UTC)
            .unwrap_err()
            .contains("0001 to 9999"));
    }

    #[test]
    fn fractions_are_cut_to_milliseconds() {
        assert_eq!(
            parse("2024-03-05T10:30:15.123456Z", Tz::UTC).map(|d| d.to_rfc3339()),
            Ok("2024-03-05T10:30:15.123+00:00".to_string())
        );
        assert_eq!(
            parse("2024-03-05 10:30:15.250", Tz::UTC).map(|d| d.to_rfc3339()),
            Ok("2024-03-05T10:30:15.250+00:00".to_string())
        );
    }

    #[test]
    fn utc_written_z_and_hour_only_offsets() {
        for (s, want) in [
            ("2024-03-05T10:30Z", "2024-03-05T10:30:00+00:00"),
            ("2024-03-05T10:30:15+05", "2024-03-05T10:30:15+05:00"),
        ] {
            assert_eq!(
                parse(s, Tz::UTC).map(|d| d.to_rfc3339()),
                Ok(want.to_string()),
                "{s}"
            );
        }
    }

    #[test]
    fn unix_times_are_shown_in_the_site_timezone() {
        let ny: Tz = "America/New_York".parse().unwrap();
        assert_eq!(
            from_unix("1709697600", ny).map(|d| d.to_rfc3339()),
            Ok("2024-03-05T23:00:00-05:00".to_string())
        );
        assert_eq!(from_unix("1709697600000", ny), from_unix("1709697600", ny));
    }

    #[test]
    fn plain_shapes_read_as_the_patterns_read_them() {
        for s in [
            "2024-02-29",
            "2024-03-05 08:30",
            "2024-03-05T08:30:15",
            "1999-12-31 23:59:59",
        ] {
            assert_eq!(plain_local(s), parse_naive(s).ok(), "{s}");
        }
        // Not plain: left to the patterns, which accept or explain them.
        for s in [
            "2023-02-30",
            "2024-03-05 24:00",
            "2024-03-05 08:30:60",
            "2024-3-05",
            "2024-03-05x08:30",
        ] {
            assert_eq!(plain_local(s), None, "{s}");
        }
    }

    proptest::proptest! {
        #[test]
        fn plain_shapes_agree_with_the_patterns(
            s in "[0-9]{4}-[0-3][0-9]-[0-3][0-9]([ T][0-2][0-9]:[0-6][0-9](:[0-6][0-9])?)?"
        ) {
            if let Some(fast) = plain_local(&s) {
                proptest::prop_assert_eq!(Ok(fast), parse_naive(&s));
            }
            proptest::prop_assert_eq!(parse(&s, Tz::UTC).ok(), general(&s));
        }
    }

    /// `parse` in UTC without the plain-shape shortcut (and, like it, without leap seconds or year 0).
    fn general(s: &str) -> Option<DateTime<FixedOffset>> {
        DateTime::parse_from_rfc3339(s)
            .ok()
            .or_else(|| in_timezone(s, &parse_naive(s).ok()?, Tz::UTC).ok())
            .filter(|d| d.nanosecond() < 1_000_000_000 && d.year() >= 1)
    }

    #[test]
    fn date_prefixes() {
        assert_eq!(
            split_date_prefix("2007-07-31-be-a-resource"),
            Some(("2007-07-31", "be-a-resource"))
        );
        assert_eq!(split_date_prefix("2007-13-31-x"), None);
        assert_eq!(split_date_prefix("be-a-resource"), None);
        assert_eq!(split_date_prefix("2007-07-31"), None);
        assert_eq!(bad_date_prefix("2023-02-29-leap"), Some("2023-02-29"));
        assert_eq!(bad_date_prefix("2024-02-29-leap"), None);
        assert_eq!(bad_date_prefix("be-a-resource"), None);
    }
}
