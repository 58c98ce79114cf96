//! Chapter 14, processes: child processes on the event loop, taught on neighbouring
//! problems (the exercise writes `spawn_process`, the Twisted helpers and the bridge).
//!
//! - [`child_env`]: what a child inherits, and `env_clear` (Twisted's default).
//! - [`sort_skus`]: feed a child's stdin while reading its stdout.
//! - [`merge_logs`]: two children's output into one writer, with backpressure.
//! - [`wait_or_kill`]: a deadline for a child, and reaping it either way.

use std::io;
use std::process::{ExitStatus, Stdio};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::process::{Child, ChildStdout, Command};
use tokio::time::timeout;

// ANCHOR: child_env
/// The environment `env` sees: ours plus WAREHOUSE, or WAREHOUSE alone after
/// `env_clear()`. A tokio `Command` inherits everything unless told otherwise.
pub async fn child_env(clear: bool) -> io::Result<Vec<String>> {
    let mut command = Command::new("env");
    if clear {
        command.env_clear(); // the program is still found on OUR PATH
    }
    command.env("WAREHOUSE", "north");
    let output = command.output().await?; // runs it to the end, stdout gathered
    let text = String::from_utf8_lossy(&output.stdout);
    Ok(text.lines().map(str::to_owned).collect())
}
// ANCHOR_END: child_env

// ANCHOR: sort_skus
/// Sorts SKUs with the system's `sort`: its stdin is written while its stdout is
/// read, two futures polled together, then the child is waited for.
pub async fn sort_skus(skus: &[&str]) -> io::Result<(Vec<String>, ExitStatus)> {
    let mut child = Command::new("sort")
        .env_clear() // C locale: byte order, the same on every machine
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?;
    let mut stdin = child.stdin.take().expect("stdin was piped");
    let mut stdout = child.stdout.take().expect("stdout was piped");
    let input = skus.join("\n") + "\n";
    let feed = async move {
        stdin.write_all(input.as_bytes()).await
        // `stdin` is dropped here: sort sees end of file, and only then answers.
    };
    let mut sorted = String::new();
    let (fed, read) = tokio::join!(feed, stdout.read_to_string(&mut sorted));
    fed?;
    read?;
    let status = child.wait().await?; // reaps it: no zombie left behind
    Ok((sorted.lines().map(str::to_owned).collect(), status))
}
// ANCHOR_END: sort_skus

// ANCHOR: merge_logs
/// Copies two children's stdout, line by line, into `out`, each line tagged with
/// where it came from, until both are closed.
pub async fn merge_logs(
    north: ChildStdout,
    south: ChildStdout,
    out: &mut (impl AsyncWrite + Unpin),
) -> io::Result<()> {
    let mut north = BufReader::new(north).lines();
    let mut south = BufReader::new(south).lines();
    let (mut north_open, mut south_open) = (true, true);
    while north_open || south_open {
        // `, if …` disables a finished source; `next_line` is cancel-safe, so
        // the branch that loses the race loses no data.
        let tagged = tokio::select! {
            line = north.next_line(), if north_open => match line? {
                Some(line) => format!("north: {line}\n"),
                None => { north_open = false; continue; }
            },
            line = south.next_line(), if south_open => match line? {
                Some(line) => format!("south: {line}\n"),
                None => { south_open = false; continue; }
            },
        };
        // Written before anything more is read: a slow `out` slows the children
        // (their pipes fill, their writes block) instead of filling our memory.
        out.write_all(tagged.as_bytes()).await?;
    }
    Ok(())
}
// ANCHOR_END: merge_logs

// ANCHOR: wait_or_kill
/// Waits for `child` at most `limit`; past it, kills it. Either way the child is
/// reaped before this returns, so its exit status is known and no zombie is left.
pub async fn wait_or_kill(child: &mut Child, limit: Duration) -> io::Result<ExitStatus> {
    match timeout(limit, child.wait()).await {
        Ok(status) => status,
        Err(_elapsed) => {
            child.start_kill()?; // SIGKILL on Unix; returns at once
            child.wait().await // the reaping: Child::kill() is these two lines
        }
    }
}
// ANCHOR_END: wait_or_kill

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_child_inherits_our_environment_unless_cleared() {
        let inherited = child_env(false).await.unwrap();
        assert!(inherited.iter().any(|v| v.starts_with("PATH=")), "{inherited:?}");
        assert_eq!(child_env(true).await.unwrap(), ["WAREHOUSE=north"]);
    }

    #[tokio::test]
    async fn sort_gets_its_input_and_ends() {
        let (sorted, status) =
            sort_skus(&["widget-9", "bolt-2", "gadget-5"]).await.unwrap();
        assert_eq!(sorted, ["bolt-2", "gadget-5", "widget-9"]);
        assert!(status.success());
        // More than a pipe holds, still no deadlock.
        let many: Vec<String> = (0..50_000).map(|i| format!("sku-{i:06}")).collect();
        let refs: Vec<&str> = many.iter().map(String::as_str).collect();
        assert_eq!(sort_skus(&refs).await.unwrap().0.len(), 50_000);
    }

    #[tokio::test]
    async fn two_logs_merge_and_every_line_arrives() {
        let spawn = |text: &str| {
            let mut child = Command::new("printf")
                .arg(text)
                .stdout(Stdio::piped())
                .spawn()
                .expect("printf");
            (child.stdout.take().unwrap(), child)
        };
        let (north, mut north_child) = spawn("a\\nb\\n");
        let (south, mut south_child) = spawn("c\\n");
        let mut out = Vec::new();
        merge_logs(north, south, &mut out).await.unwrap();
        let text = String::from_utf8(out).unwrap();
        let mut lines: Vec<&str> = text.lines().collect();
        lines.sort();
        assert_eq!(lines, ["north: a", "north: b", "south: c"]);
        assert!(north_child.wait().await.unwrap().success());
        assert!(south_child.wait().await.unwrap().success());
    }

    #[tokio::test]
    async fn a_child_past_its_deadline_is_killed_and_reaped() {
        let mut child = Command::new("sleep").arg("30").spawn().unwrap();
        let status = wait_or_kill(&mut child, Duration::from_millis(100)).await.unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::process::ExitStatusExt;
            assert_eq!(status.signal(), Some(9), "killed by SIGKILL");
        }
        assert!(!status.success());
        let mut quick = Command::new("true").spawn().unwrap();
        let status = wait_or_kill(&mut quick, Duration::from_secs(5)).await.unwrap();
        assert!(status.success());
    }
}
