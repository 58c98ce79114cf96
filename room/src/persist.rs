//! The state file: the attendees as JSON, written atomically (a temporary file in
//! the same folder, flushed, then renamed over the old one) so a crash or a full
//! disk leaves the last good state, never half of one.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::state::{Attendee, MAX_ATTENDEES};
use crate::verdict;

/// The most bytes of state file read back (1000 attendees fit in far less).
pub const MAX_STATE_BYTES: u64 = 16 << 20;

#[derive(Serialize, Deserialize)]
struct Saved {
    version: u32,
    attendees: Vec<Attendee>,
}

/// What loading found.
#[derive(Debug)]
pub enum Loaded {
    /// No state file yet: an empty room.
    Missing,
    /// The attendees it held.
    Attendees(Vec<Attendee>),
    /// It could not be read as a room: moved aside to this path, and the room starts empty.
    MovedAside(PathBuf, String),
}

/// Reads the state at `path`; a file that is not a room is renamed
/// `<name>.corrupt-<unix secs>` and reported, never fatal.
pub fn load(path: &Path, now: u64) -> io::Result<Loaded> {
    let bytes = match std::fs::metadata(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Loaded::Missing),
        Err(e) => return Err(e),
        Ok(meta) if meta.len() > MAX_STATE_BYTES => Err(format!("over {MAX_STATE_BYTES} bytes")),
        Ok(_) => Ok(std::fs::read(path)?),
    };
    let parsed = bytes.and_then(|bytes| serde_json::from_slice::<Saved>(&bytes).map_err(|e| e.to_string()));
    match parsed {
        Ok(saved) => {
            let valid = |a: &Attendee| verdict::name(&a.name).is_ok_and(|name| name == a.name);
            Ok(Loaded::Attendees(saved.attendees.into_iter().filter(valid).take(MAX_ATTENDEES).collect()))
        }
        Err(why) => {
            let mut aside = path.as_os_str().to_owned();
            aside.push(format!(".corrupt-{now}"));
            let aside = PathBuf::from(aside);
            std::fs::rename(path, &aside)?;
            Ok(Loaded::MovedAside(aside, why))
        }
    }
}

/// Writes `attendees` to `path` atomically.
pub fn save<'a>(path: &Path, attendees: impl Iterator<Item = &'a Attendee>) -> io::Result<()> {
    let saved = Saved { version: 1, attendees: attendees.cloned().collect() };
    let json = serde_json::to_vec_pretty(&saved).map_err(io::Error::other)?;
    let folder = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = path.file_name().ok_or_else(|| io::Error::other("the state path names no file"))?;
    let mut temp_name = std::ffi::OsString::from(".");
    temp_name.push(name);
    temp_name.push(format!(".tmp-{}", std::process::id()));
    let temp = folder.join(temp_name);
    let written = (|| {
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(&json)?;
        file.sync_all()?;
        std::fs::rename(&temp, path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    written?;
    // The rename itself is durable once the folder is (best effort: not everywhere).
    if let Ok(dir) = std::fs::File::open(folder) {
        let _ = dir.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::Room;
    use crate::verdict::{Failing, Kind, Verdict};

    fn temp_dir(test: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("untwisted-room-{test}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn the_room_survives_a_round_trip() {
        let dir = temp_dir("round-trip");
        let path = dir.join("state.json");
        assert!(matches!(load(&path, 0).unwrap(), Loaded::Missing));
        let mut room = Room::new(vec!["05-lines".into()], 10);
        let failing = Some(Failing { step: "step_2".into(), kind: Kind::Timeout });
        let verdict = Verdict { name: "Zoë <b>".into(), exercise: "05-lines".into(), passed: 1, total: 6, failing };
        room.record(&verdict, 1234).unwrap();
        room.join("Grace", 1300).unwrap();
        room.leave("Grace");
        save(&path, room.attendees()).unwrap();
        let Loaded::Attendees(back) = load(&path, 0).unwrap() else { panic!("not loaded") };
        assert_eq!(back, room.attendees().cloned().collect::<Vec<_>>());
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1, "no temporary file left behind");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_corrupt_state_file_is_moved_aside_not_fatal() {
        let dir = temp_dir("corrupt");
        let path = dir.join("state.json");
        std::fs::write(&path, b"{\"version\": 1, \"attendees\": [tru").unwrap();
        let Loaded::MovedAside(aside, why) = load(&path, 77).unwrap() else { panic!("not moved aside") };
        assert_eq!(aside, dir.join("state.json.corrupt-77"));
        assert!(!why.is_empty());
        assert!(!path.exists() && aside.exists());
        assert!(matches!(load(&path, 78).unwrap(), Loaded::Missing));
        // Valid JSON with an invalid name: that attendee is dropped, the rest kept.
        let bad = r#"{"version": 1, "attendees": [{"name": "  padded ", "present": true, "exercise": null,
            "passed": 0, "total": 0, "step": null, "kind": null, "since": 0, "best": {}}]}"#;
        std::fs::write(&path, bad).unwrap();
        assert!(matches!(load(&path, 79).unwrap(), Loaded::Attendees(a) if a.is_empty()));
        std::fs::remove_dir_all(dir).unwrap();
    }
}
