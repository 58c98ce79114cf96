//! The two tracks' timing. Every chapter's speaker notes give its minutes in the
//! 150-minute short track and in the full day, one line each (`Short track: N min`,
//! `Full day: N min`); the short track adds up to 150 minutes, the full day to eight
//! hours with its breaks, and the full day's schedule (the appendix page "Running the
//! workshop") agrees with the chapters row by row.

use super::{assert_no_problems, read, root};

/// The minutes of the short track, across every chapter's speaker notes.
const SHORT_TRACK_MINUTES: u32 = 150;

/// The full day, 09:00 to 17:00: the chapters' minutes plus the breaks.
const FULL_DAY_MINUTES: u32 = 8 * 60;

/// When the full day starts and ends, as the schedule writes it.
const FULL_DAY_HOURS: (&str, &str) = ("09:00", "17:00");

/// The full day's breaks, in order, as the schedule names them.
const BREAKS: [(&str, u32); 3] = [("Coffee break", 15), ("Lunch", 60), ("Coffee break", 15)];

/// The page that holds the full day's schedule.
const SCHEDULE: &str = "book/src/appendix/running.md";

const SHORT: &str = "Short track:";
const FULL: &str = "Full day:";

/// One page SUMMARY.md lists, from the workspace root, and whether it is a chapter
/// (listed at the top level) or a page under one (a solution walkthrough).
struct Listed {
    path: String,
    chapter: bool,
}

fn listed() -> Vec<Listed> {
    read(&root().join("book/src/SUMMARY.md"))
        .lines()
        .filter_map(|line| {
            let start = line.find("](")? + 2;
            let end = start + line[start..].find(')')?;
            Some(Listed { path: format!("book/src/{}", &line[start..end]), chapter: line.starts_with("- [") })
        })
        .collect()
}

/// `Short track: 20 min` → 20, for a line that is exactly `<label> N min`.
fn minutes(line: &str, label: &str) -> Option<u32> {
    line.trim().strip_prefix(label)?.strip_suffix(" min")?.trim_start().parse().ok()
}

/// A chapter's minutes in both tracks (None where its notes do not say).
struct Timing {
    chapter: String,
    short: Option<u32>,
    full: Option<u32>,
}

/// The timing of every chapter SUMMARY.md lists, and what is wrong with how the pages
/// state it: each chapter says both lines, once each, inside its speaker notes, and no
/// page says them any other way (a walkthrough's minutes would never be counted).
fn timings() -> (Vec<Timing>, Vec<String>) {
    let mut timings = Vec::new();
    let mut problems = Vec::new();
    for page in listed() {
        let Ok(text) = std::fs::read_to_string(root().join(&page.path)) else {
            problems.push(format!("{} is listed in SUMMARY.md but does not exist", page.path));
            continue;
        };
        let notes = text.find("speaker-notes").map(|at| &text[at..]).unwrap_or_default();
        let mut timing = Timing { chapter: page.path.clone(), short: None, full: None };
        for (label, slot) in [(SHORT, &mut timing.short), (FULL, &mut timing.full)] {
            let found: Vec<u32> = notes.lines().filter_map(|line| minutes(line, label)).collect();
            let loose = text
                .lines()
                .filter(|line| line.contains(label) && minutes(line, label).is_none())
                // Prose may quote the form in a code span.
                .filter(|line| !line.contains(&format!("`{label}")))
                .map(|line| line.trim().to_owned());
            problems
                .extend(loose.map(|line| format!("{}: `{line}`: say `{label} N min` on a line of its own", page.path)));
            match (page.chapter, &found[..]) {
                (true, [n]) => *slot = Some(*n),
                (true, []) if notes.is_empty() => {
                    problems.push(format!("{} has no speaker notes (with `{label} N min`)", page.path))
                }
                (true, []) => problems.push(format!("{}'s speaker notes have no `{label} N min` line", page.path)),
                (true, _) => problems.push(format!("{} says `{label} N min` {} times", page.path, found.len())),
                (false, []) => {}
                (false, _) => problems
                    .push(format!("{} is not a chapter (it is listed under one), but says `{label} N min`", page.path)),
            }
        }
        if text.contains("Long track") {
            problems.push(format!("{} still says `Long track`: the full day is `{FULL} N min`", page.path));
        }
        if page.chapter {
            timings.push(timing);
        }
    }
    (timings, problems)
}

#[test]
fn every_chapter_gives_its_minutes_in_both_tracks_once() {
    let (_, problems) = timings();
    assert_no_problems("the tracks' lines in the speaker notes", &problems);
}

#[test]
fn the_short_track_adds_up_to_150_minutes() {
    let (timings, _) = timings();
    let total: u32 = timings.iter().filter_map(|t| t.short).sum();
    let breakdown: Vec<String> =
        timings.iter().filter_map(|t| Some(format!("{}: {} min", t.chapter, t.short?))).collect();
    assert!(
        total == SHORT_TRACK_MINUTES,
        "the short track is {total} min, not {SHORT_TRACK_MINUTES}:\n  {}",
        breakdown.join("\n  ")
    );
}

#[test]
fn the_full_day_adds_up_to_eight_hours_with_its_breaks() {
    let (timings, _) = timings();
    let mut rows: Vec<(String, u32)> = timings.iter().filter_map(|t| Some((t.chapter.clone(), t.full?))).collect();
    rows.extend(BREAKS.iter().map(|(name, minutes)| (format!("{name} (break)"), *minutes)));
    let total: u32 = rows.iter().map(|(_, minutes)| minutes).sum();
    let breakdown: Vec<String> = rows.iter().map(|(what, minutes)| format!("{what}: {minutes} min")).collect();
    assert!(
        total == FULL_DAY_MINUTES,
        "the full day is {total} min with its breaks, not {FULL_DAY_MINUTES} ({} to {}):\n  {}",
        FULL_DAY_HOURS.0,
        FULL_DAY_HOURS.1,
        breakdown.join("\n  ")
    );
}

/// `09:30` → minutes since midnight.
fn clock(time: &str) -> Option<u32> {
    let (hours, minutes) = time.split_once(':')?;
    Some(hours.parse::<u32>().ok()? * 60 + minutes.parse::<u32>().ok()?)
}

/// One row of the schedule: `| 09:30 | 30 | [The reactor](../reactor/index.md) |`.
struct Row {
    start: String,
    minutes: Option<u32>,
    what: String,
    /// The linked page, from the workspace root.
    page: Option<String>,
}

/// The page a table cell links, from the workspace root (the schedule page is in
/// book/src/appendix/).
fn linked_page(cell: &str) -> Option<String> {
    let at = cell.find("](")? + 2;
    let target = &cell[at..at + cell[at..].find(')')?];
    Some(match target.strip_prefix("../") {
        Some(rest) => format!("book/src/{rest}"),
        None => format!("book/src/appendix/{target}"),
    })
}

fn schedule() -> Vec<Row> {
    read(&root().join(SCHEDULE))
        .lines()
        .filter_map(|line| {
            let cells: Vec<&str> =
                line.trim().strip_prefix('|')?.strip_suffix('|')?.split('|').map(str::trim).collect();
            let [start, minutes, what] = cells[..] else { return None };
            clock(start)?;
            let page = linked_page(what);
            Some(Row { start: start.to_owned(), minutes: minutes.parse().ok(), what: what.to_owned(), page })
        })
        .collect()
}

#[test]
fn the_full_day_schedule_agrees_with_the_chapters() {
    let (timings, _) = timings();
    let rows = schedule();
    let mut problems = Vec::new();
    match (rows.first(), rows.last()) {
        (Some(first), Some(last)) => {
            if first.start != FULL_DAY_HOURS.0 {
                problems.push(format!("the day starts at {}, not {}", first.start, FULL_DAY_HOURS.0));
            }
            if last.start != FULL_DAY_HOURS.1 || last.minutes.is_some() {
                problems.push(format!("the last row should be `| {} | | End |`", FULL_DAY_HOURS.1));
            }
        }
        _ => problems.push(format!("{SCHEDULE} has no schedule table (`| 09:00 | 20 | … |`)")),
    }
    // Each row starts when the one before it ends.
    for pair in rows.windows(2) {
        let ends = clock(&pair[0].start).unwrap() + pair[0].minutes.unwrap_or(0);
        if clock(&pair[1].start) != Some(ends) {
            problems.push(format!(
                "`{}` starts at {} and takes {:?} min, but `{}` starts at {}",
                pair[0].what, pair[0].start, pair[0].minutes, pair[1].what, pair[1].start
            ));
        }
    }
    let breaks: Vec<(&str, u32)> = rows
        .iter()
        .filter(|row| BREAKS.iter().any(|(name, _)| row.what == *name))
        .map(|row| (row.what.as_str(), row.minutes.unwrap_or(0)))
        .collect();
    if breaks != BREAKS {
        problems.push(format!("the schedule's breaks are {breaks:?}, not {BREAKS:?}"));
    }
    // Every chapter with full-day minutes is on the schedule once, with those minutes.
    for timing in &timings {
        let on = rows.iter().filter(|row| row.page.as_deref() == Some(&timing.chapter)).collect::<Vec<_>>();
        match (timing.full, &on[..]) {
            (Some(0) | None, []) => {}
            (Some(full), [row]) if row.minutes == Some(full) => {}
            (full, [row]) => problems
                .push(format!("{}: the schedule gives it {:?} min, its notes {full:?}", timing.chapter, row.minutes)),
            (full, _) => problems.push(format!(
                "{} ({full:?} min in its notes) is on the schedule {} times, not once",
                timing.chapter,
                on.len()
            )),
        }
    }
    for row in rows.iter().filter(|row| row.minutes.is_some()) {
        let known = BREAKS.iter().any(|(name, _)| row.what == *name)
            || row.page.as_deref().is_some_and(|page| timings.iter().any(|t| t.chapter == page));
        if !known {
            problems.push(format!("`{}` on the schedule is neither a break nor a chapter", row.what));
        }
    }
    assert_no_problems(&format!("the full day's schedule ({SCHEDULE}) and the chapters' notes"), &problems);
}

/// The short track's table on the schedule page: `| [Setup](../setup/index.md) | 10 |`
/// → (book/src/setup/index.md, 10).
fn short_track_table() -> Vec<(String, u32)> {
    read(&root().join(SCHEDULE))
        .lines()
        .filter_map(|line| {
            let cells: Vec<&str> =
                line.trim().strip_prefix('|')?.strip_suffix('|')?.split('|').map(str::trim).collect();
            let [what, minutes] = cells[..] else { return None };
            Some((linked_page(what)?, minutes.parse().ok()?))
        })
        .collect()
}

#[test]
fn the_short_track_table_agrees_with_the_chapters() {
    let (timings, _) = timings();
    let table = short_track_table();
    let mut problems = Vec::new();
    for timing in &timings {
        let rows: Vec<u32> = table.iter().filter(|(page, _)| *page == timing.chapter).map(|(_, n)| *n).collect();
        match (timing.short, &rows[..]) {
            (Some(0) | None, []) => {}
            (Some(short), [n]) if short == *n => {}
            (short, _) => problems
                .push(format!("{}: {short:?} min in its notes, {rows:?} in the short track's table", timing.chapter)),
        }
    }
    assert_no_problems(&format!("the short track's table ({SCHEDULE}) and the chapters' notes"), &problems);
}
