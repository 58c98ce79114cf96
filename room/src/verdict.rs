//! What attendees may post, checked field by field: a name, and a verdict summary
//! (exercise, score, the first failing step and its kind). Nothing else is kept.

use serde::{Deserialize, Serialize};

/// The most characters a name may have, after trimming.
pub const MAX_NAME_CHARS: usize = 40;
/// The most characters a step name may have.
pub const MAX_STEP_CHARS: usize = 120;
/// The most steps an exercise may report.
pub const MAX_STEPS: u32 = 1000;

/// Why a failing step failed, as `cargo xtask check` classifies it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// The exercise did not compile.
    Build,
    /// An assertion failed.
    Assertion,
    /// A snapshot differed.
    Snapshot,
    /// The code panicked.
    Panic,
    /// The step ran out of time.
    Timeout,
    /// The exercise's sealed tests were changed.
    Tampered,
    /// Anything else.
    Other,
}

/// Every kind's name, for messages.
pub const KINDS: &str = "build, assertion, snapshot, panic, timeout, tampered, other";

/// The first failing step of a verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failing {
    /// The step's test name, e.g. `step_4_splits_lines`.
    pub step: String,
    /// Why it failed.
    pub kind: Kind,
}

/// One `check`'s summary, as posted to /api/verdict, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// Who checked (trimmed).
    pub name: String,
    /// Which exercise (one of the room's).
    pub exercise: String,
    /// Steps passed.
    pub passed: u32,
    /// Steps in the exercise.
    pub total: u32,
    /// The first failing step, if any.
    pub failing: Option<Failing>,
}

/// A request the room refuses: 400 (not JSON) or 422 (JSON, but not a valid request).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// 400 or 422.
    pub status: u16,
    /// What was wrong, for the poster.
    pub message: String,
}

fn invalid(message: impl Into<String>) -> Rejection {
    Rejection { status: 422, message: message.into() }
}

#[derive(Deserialize)]
struct NameBody {
    name: String,
}

#[derive(Deserialize)]
struct VerdictBody {
    name: String,
    exercise: String,
    passed: u32,
    total: u32,
    failing: Option<FailingBody>,
}

#[derive(Deserialize)]
struct FailingBody {
    step: String,
    kind: String,
}

fn json<'a, T: Deserialize<'a>>(body: &'a [u8]) -> Result<T, Rejection> {
    serde_json::from_slice(body).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => invalid(format!("invalid request: {e}")),
        _ => Rejection { status: 400, message: format!("not JSON: {e}") },
    })
}

/// `{"name": N}` (join and leave): the trimmed name.
pub fn parse_name(body: &[u8]) -> Result<String, Rejection> {
    name(&json::<NameBody>(body)?.name)
}

/// A verdict body, checked against the room's exercise ids.
pub fn parse_verdict(body: &[u8], exercises: &[String]) -> Result<Verdict, Rejection> {
    let raw: VerdictBody = json(body)?;
    let name = name(&raw.name)?;
    if !exercises.contains(&raw.exercise) {
        return Err(invalid(format!("unknown exercise (this room has {})", exercises.join(", "))));
    }
    if raw.total > MAX_STEPS || raw.passed > raw.total {
        return Err(invalid(format!("passed must be at most total, and total at most {MAX_STEPS}")));
    }
    let failing = match raw.failing {
        None => None,
        Some(FailingBody { step, kind }) => {
            let kind = serde_json::from_value(serde_json::Value::String(kind))
                .map_err(|_| invalid(format!("failing.kind must be one of {KINDS}")))?;
            let chars = step.chars().count();
            if chars == 0 || chars > MAX_STEP_CHARS || step.chars().any(char::is_control) {
                return Err(invalid(format!("failing.step must be 1 to {MAX_STEP_CHARS} characters, no control ones")));
            }
            Some(Failing { step, kind })
        }
    };
    Ok(Verdict { name, exercise: raw.exercise, passed: raw.passed, total: raw.total, failing })
}

/// A name: trimmed, 1 to [`MAX_NAME_CHARS`] characters, any Unicode but control ones.
pub fn name(raw: &str) -> Result<String, Rejection> {
    let name = raw.trim();
    let chars = name.chars().count();
    if chars == 0 || chars > MAX_NAME_CHARS || name.chars().any(char::is_control) {
        return Err(invalid(format!("name must be 1 to {MAX_NAME_CHARS} characters, no control ones")));
    }
    Ok(name.to_owned())
}

/// `05-lines`: ASCII lowercase letters, digits and dashes, starting with a digit or
/// letter, at most 64 characters (safe in a path, a URL and a page).
pub fn is_exercise_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id.starts_with(|c: char| c.is_ascii_alphanumeric())
        && id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exercises() -> Vec<String> {
        vec!["00-welcome".into(), "05-lines".into()]
    }

    #[test]
    fn a_good_verdict_is_accepted_with_its_name_trimmed() {
        let body = br#"{"name": "  Ada  ", "exercise": "05-lines", "passed": 3, "total": 6,
                        "failing": {"step": "step_4_splits", "kind": "assertion"}}"#;
        let verdict = parse_verdict(body, &exercises()).unwrap();
        assert_eq!(verdict.name, "Ada");
        assert_eq!(verdict.failing, Some(Failing { step: "step_4_splits".into(), kind: Kind::Assertion }));
        let passing = br#"{"name": "<b>", "exercise": "00-welcome", "passed": 2, "total": 2, "failing": null}"#;
        assert_eq!(parse_verdict(passing, &exercises()).unwrap().failing, None);
    }

    #[test]
    fn bad_fields_are_422_and_garbage_400() {
        let status = |body: &str| parse_verdict(body.as_bytes(), &exercises()).unwrap_err().status;
        // A good verdict with one field replaced (a JSON object never repeats a key).
        let with = |field: &str| {
            let mut good =
                serde_json::json!({"name": "Ada", "exercise": "05-lines", "passed": 1, "total": 2, "failing": null});
            let replaced: serde_json::Value = serde_json::from_str(&format!("{{{field}}}")).unwrap();
            good.as_object_mut().unwrap().extend(replaced.as_object().unwrap().clone());
            good.to_string()
        };
        assert_eq!(status(&with(r#""name": "   ""#)), 422);
        assert_eq!(status(&with(&format!(r#""name": "{}""#, "é".repeat(41)))), 422);
        assert_eq!(status(&with(r#""name": "a\u0007b""#)), 422);
        assert_eq!(status(&with(r#""exercise": "99-nope""#)), 422);
        assert_eq!(status(&with(r#""passed": 3"#)), 422);
        assert_eq!(status(&with(r#""passed": -1"#)), 422);
        assert_eq!(status(&with(r#""failing": {"step": "s", "kind": "oops"}"#)), 422);
        assert_eq!(status(&with(r#""failing": {"step": "", "kind": "panic"}"#)), 422);
        assert_eq!(status(r#"{"name": "Ada"}"#), 422);
        assert_eq!(status(r#"{"name": "Ada", "#), 400);
        assert_eq!(status("\u{0}\u{ff}"), 400);
        assert_eq!(parse_name(br#"{"name": " Grace Hopper "}"#).unwrap(), "Grace Hopper");
        assert_eq!(parse_name(&[0xff, 0xfe]).unwrap_err().status, 400);
        assert!(name(&"é".repeat(40)).is_ok());
    }

    #[test]
    fn exercise_ids_are_safe_words() {
        assert!(is_exercise_id("05-lines"));
        assert!(!is_exercise_id("../x"));
        assert!(!is_exercise_id("-x"));
        assert!(!is_exercise_id("A B"));
    }
}
