//! The room itself: who is here, where each attendee is, and the view the page
//! draws (the room object of the contract), computed from the time the server
//! stamped on each verdict.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::verdict::{Kind, Verdict};

/// The most attendees a room holds; a new name beyond it is refused.
pub const MAX_ATTENDEES: usize = 1000;
/// How many steps the "hardest steps" list shows.
pub const HARDEST_SHOWN: usize = 5;

/// One attendee, as stored and as shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attendee {
    /// The trimmed name they joined with.
    pub name: String,
    /// Joined and not left.
    pub present: bool,
    /// The exercise of their latest verdict.
    pub exercise: Option<String>,
    /// Steps passed in it.
    pub passed: u32,
    /// Steps in it.
    pub total: u32,
    /// Its first failing step, if any.
    pub step: Option<String>,
    /// Why that step fails.
    pub kind: Option<Kind>,
    /// When (unix seconds, the server's clock) they reached this exercise and step.
    pub since: u64,
    /// Best `[passed, total]` per exercise.
    pub best: BTreeMap<String, (u32, u32)>,
}

impl Attendee {
    fn new(name: &str, now: u64) -> Self {
        Attendee {
            name: name.to_owned(),
            present: true,
            exercise: None,
            passed: 0,
            total: 0,
            step: None,
            kind: None,
            since: now,
            best: BTreeMap::new(),
        }
    }
}

/// An attendee with what the server works out for the page.
#[derive(Debug, Clone, Serialize)]
pub struct Shown<'a> {
    #[serde(flatten)]
    attendee: &'a Attendee,
    /// On the same failing step for more than the stuck minutes.
    stuck: bool,
}

/// A step many attendees are failing right now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hard {
    /// The exercise.
    pub exercise: String,
    /// The step.
    pub step: String,
    /// Present attendees failing it now.
    pub failing: usize,
}

/// The room object the page draws (GET /api/room and every WebSocket frame).
#[derive(Debug, Serialize)]
pub struct View<'a> {
    now: u64,
    stuck_minutes: u64,
    exercises: &'a [String],
    attendees: Vec<Shown<'a>>,
    hardest: Vec<Hard>,
}

/// A new name when the room is full.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Full;

/// Every attendee, by name.
#[derive(Debug, Clone)]
pub struct Room {
    exercises: Vec<String>,
    stuck_minutes: u64,
    attendees: BTreeMap<String, Attendee>,
}

impl Room {
    /// An empty room with these columns.
    pub fn new(exercises: Vec<String>, stuck_minutes: u64) -> Self {
        Room { exercises, stuck_minutes, attendees: BTreeMap::new() }
    }

    /// The room's exercise ids, in workshop order.
    pub fn exercises(&self) -> &[String] {
        &self.exercises
    }

    /// Every attendee, in name order (what the state file keeps).
    pub fn attendees(&self) -> impl Iterator<Item = &Attendee> {
        self.attendees.values()
    }

    /// Puts back attendees read from the state file (at most [`MAX_ATTENDEES`]).
    pub fn restore(&mut self, attendees: Vec<Attendee>) {
        for attendee in attendees {
            if self.attendees.len() >= MAX_ATTENDEES {
                break;
            }
            self.attendees.insert(attendee.name.clone(), attendee);
        }
    }

    fn entry(&mut self, name: &str, now: u64) -> Result<&mut Attendee, Full> {
        if !self.attendees.contains_key(name) && self.attendees.len() >= MAX_ATTENDEES {
            return Err(Full);
        }
        Ok(self.attendees.entry(name.to_owned()).or_insert_with(|| Attendee::new(name, now)))
    }

    /// `name` is here (again).
    pub fn join(&mut self, name: &str, now: u64) -> Result<(), Full> {
        self.entry(name, now)?.present = true;
        Ok(())
    }

    /// `name` has left; their row stays, greyed out. Unknown names are ignored.
    pub fn leave(&mut self, name: &str) {
        if let Some(attendee) = self.attendees.get_mut(name) {
            attendee.present = false;
        }
    }

    /// A verdict, stamped `now` by the server; a name that never joined joins.
    pub fn record(&mut self, verdict: &Verdict, now: u64) -> Result<(), Full> {
        let attendee = self.entry(&verdict.name, now)?;
        let step = verdict.failing.as_ref().map(|f| f.step.clone());
        if attendee.exercise.as_deref() != Some(verdict.exercise.as_str()) || attendee.step != step {
            attendee.since = now;
        }
        attendee.present = true;
        attendee.exercise = Some(verdict.exercise.clone());
        attendee.passed = verdict.passed;
        attendee.total = verdict.total;
        attendee.step = step;
        attendee.kind = verdict.failing.as_ref().map(|f| f.kind);
        let best = attendee.best.entry(verdict.exercise.clone()).or_insert((verdict.passed, verdict.total));
        if score(verdict.passed, verdict.total) >= score(best.0, best.1) {
            *best = (verdict.passed, verdict.total);
        }
        Ok(())
    }

    /// Whether `attendee` has been on one failing step for more than the stuck minutes.
    fn is_stuck(&self, attendee: &Attendee, now: u64) -> bool {
        attendee.present && attendee.step.is_some() && now.saturating_sub(attendee.since) > self.stuck_minutes * 60
    }

    /// The room object at `now`.
    pub fn view(&self, now: u64) -> View<'_> {
        let attendees =
            self.attendees.values().map(|attendee| Shown { attendee, stuck: self.is_stuck(attendee, now) }).collect();
        View { now, stuck_minutes: self.stuck_minutes, exercises: &self.exercises, attendees, hardest: self.hardest() }
    }

    /// The steps that more than a third of present attendees are failing now, most
    /// failed first (at most [`HARDEST_SHOWN`]).
    pub fn hardest(&self) -> Vec<Hard> {
        let present: Vec<&Attendee> = self.attendees.values().filter(|a| a.present).collect();
        let mut failing: HashMap<(&str, &str), usize> = HashMap::new();
        for attendee in &present {
            if let (Some(exercise), Some(step)) = (&attendee.exercise, &attendee.step) {
                *failing.entry((exercise, step)).or_default() += 1;
            }
        }
        let mut hard: Vec<Hard> = failing
            .into_iter()
            .filter(|(_, n)| n * 3 > present.len())
            .map(|((exercise, step), failing)| Hard { exercise: exercise.into(), step: step.into(), failing })
            .collect();
        hard.sort_by(|a, b| {
            b.failing.cmp(&a.failing).then_with(|| (&a.exercise, &a.step).cmp(&(&b.exercise, &b.step)))
        });
        hard.truncate(HARDEST_SHOWN);
        hard
    }
}

/// A score to compare: the share of steps passed (a build failure's 0 of 0 is 0).
fn score(passed: u32, total: u32) -> f64 {
    if total == 0 { 0.0 } else { f64::from(passed) / f64::from(total) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verdict::Failing;

    fn verdict(name: &str, exercise: &str, passed: u32, step: Option<&str>) -> Verdict {
        Verdict {
            name: name.into(),
            exercise: exercise.into(),
            passed,
            total: 6,
            failing: step.map(|step| Failing { step: step.into(), kind: Kind::Assertion }),
        }
    }

    fn room() -> Room {
        Room::new(vec!["00-welcome".into(), "05-lines".into()], 10)
    }

    #[test]
    fn since_moves_only_with_the_exercise_or_step_and_stuck_follows_it() {
        let mut room = room();
        room.record(&verdict("ada", "05-lines", 3, Some("step_4")), 1000).unwrap();
        room.record(&verdict("ada", "05-lines", 3, Some("step_4")), 1300).unwrap();
        let ada = room.attendees().next().unwrap().clone();
        assert_eq!((ada.since, ada.present), (1000, true), "a verdict for a new name joins it");
        let shown = |room: &Room, now| serde_json::to_value(room.view(now)).unwrap()["attendees"][0].clone();
        assert_eq!(shown(&room, 1600)["stuck"], false);
        assert_eq!(shown(&room, 1601)["stuck"], true);
        room.record(&verdict("ada", "05-lines", 4, Some("step_5")), 1700).unwrap();
        assert_eq!(shown(&room, 1701)["since"], 1700);
        assert_eq!(shown(&room, 1701)["stuck"], false);
        room.record(&verdict("ada", "05-lines", 2, Some("step_3")), 1800).unwrap();
        assert_eq!(shown(&room, 1800)["best"]["05-lines"], serde_json::json!([4, 6]), "the best score stays");
    }

    #[test]
    fn hardest_lists_steps_more_than_a_third_of_present_attendees_fail() {
        let mut room = room();
        for (name, step) in [("a", Some("s1")), ("b", Some("s1")), ("c", Some("s2")), ("d", None), ("e", None)] {
            room.record(&verdict(name, "05-lines", 1, step), 0).unwrap();
        }
        assert_eq!(room.hardest(), vec![Hard { exercise: "05-lines".into(), step: "s1".into(), failing: 2 }]);
        for gone in ["b", "d", "e"] {
            room.leave(gone);
        }
        assert_eq!(room.hardest().len(), 2, "one of two present is more than a third");
        room.leave("nobody");
    }

    #[test]
    fn the_room_is_bounded() {
        let mut room = room();
        for i in 0..MAX_ATTENDEES {
            room.join(&format!("n{i}"), 0).unwrap();
        }
        assert_eq!(room.join("late", 0), Err(Full));
        assert!(room.join("n1", 0).is_ok(), "someone already here may come back");
    }
}
