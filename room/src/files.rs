//! The files a room may serve: the built book under /book/ and the offline bundle,
//! streamed from disk (the bundle is hundreds of megabytes), never outside their
//! folder.

use std::path::{Path, PathBuf};

use futures_util::stream;
use http_body_util::{BodyExt, StreamBody};
use hyper::StatusCode;
use hyper::body::{Bytes, Frame};
use hyper::header::{CONTENT_LENGTH, HeaderValue, LOCATION};
use std::io::Read;

use crate::reply::{self, Reply};

/// Bytes read from disk at a time.
const CHUNK: usize = 64 * 1024;

/// The file at `path`, streamed; 404 if it is not a readable file. (tokio's `fs`
/// is not in the workshop's feature set: each chunk is read on the blocking pool.)
pub async fn send(path: &Path) -> Reply {
    let path_owned = path.to_path_buf();
    let opened = tokio::task::spawn_blocking(move || {
        let file = std::fs::File::open(&path_owned)?;
        let meta = file.metadata()?;
        Ok::<_, std::io::Error>(meta.is_file().then_some((file, meta.len())))
    })
    .await;
    let Ok(Ok(Some((file, length)))) = opened else {
        return reply::text(StatusCode::NOT_FOUND, "not found\n");
    };
    let chunks = stream::unfold(Some(file), |file| async move {
        let mut file = file?;
        let read = tokio::task::spawn_blocking(move || {
            let mut buffer = vec![0; CHUNK];
            let n = file.read(&mut buffer)?;
            buffer.truncate(n);
            Ok::<_, std::io::Error>((buffer, file))
        })
        .await
        .unwrap_or_else(|e| Err(std::io::Error::other(e)));
        match read {
            Ok((buffer, _)) if buffer.is_empty() => None,
            Ok((buffer, file)) => Some((Ok(Frame::data(Bytes::from(buffer))), Some(file))),
            Err(e) => Some((Err(e), None)),
        }
    });
    let mut reply = reply::with(StatusCode::OK, content_type(path), StreamBody::new(chunks).boxed());
    reply.headers_mut().insert(CONTENT_LENGTH, HeaderValue::from(length));
    reply
}

/// `rel` (the URL path after /book) under `root`: `index.html` for a folder, 404
/// for anything that is not plainly a file inside it.
pub async fn from_folder(root: &Path, rel: &str) -> Reply {
    if rel.is_empty() {
        // Relative links in the book resolve against /book/, not /.
        let mut reply = reply::text(StatusCode::MOVED_PERMANENTLY, "see /book/\n");
        reply.headers_mut().insert(LOCATION, HeaderValue::from_static("/book/"));
        return reply;
    }
    let Some(path) = inside(root, rel) else {
        return reply::text(StatusCode::NOT_FOUND, "not found\n");
    };
    let path = if rel.ends_with('/') { path.join("index.html") } else { path };
    // No symlink may lead outside the book either.
    let root = root.to_path_buf();
    let real = tokio::task::spawn_blocking(move || {
        let real = std::fs::canonicalize(&path).ok()?;
        real.starts_with(std::fs::canonicalize(&root).ok()?).then_some(real)
    })
    .await;
    match real {
        Ok(Some(real)) => send(&real).await,
        _ => reply::text(StatusCode::NOT_FOUND, "not found\n"),
    }
}

/// `root` joined with the plain segments of `rel`: none empty (but a trailing
/// one), hidden, `..`, percent-escaped or with a backslash.
fn inside(root: &Path, rel: &str) -> Option<PathBuf> {
    let mut path = root.to_path_buf();
    let rel = rel.strip_prefix('/')?;
    let segments: Vec<&str> = rel.split('/').collect();
    for (i, segment) in segments.iter().enumerate() {
        if segment.is_empty() && i + 1 == segments.len() {
            break;
        }
        let plain = !segment.is_empty()
            && !segment.starts_with('.')
            && segment.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
        if !plain {
            return None;
        }
        path.push(segment);
    }
    Some(path)
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "ttf" => "font/ttf",
        "ico" => "image/x-icon",
        "txt" | "md" => "text/plain; charset=utf-8",
        "tar" => "application/x-tar",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_paths_inside_the_folder() {
        let root = Path::new("/book");
        assert_eq!(inside(root, "/index.html"), Some(PathBuf::from("/book/index.html")));
        assert_eq!(inside(root, "/web/"), Some(PathBuf::from("/book/web")));
        assert_eq!(inside(root, "/../etc/passwd"), None);
        assert_eq!(inside(root, "/a//b"), None);
        assert_eq!(inside(root, "/%2e%2e/x"), None);
        assert_eq!(inside(root, "/.git/config"), None);
        assert_eq!(inside(root, "/a\\b"), None);
    }
}
