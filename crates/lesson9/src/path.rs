//! Step 9: from a request's target to a file under the root, safe by construction.
//!
//! The target is text from anyone on the network. Each segment is percent-decoded once and
//! checked on its own, before any file is opened: a segment that could climb out of the root
//! (`..`, an encoded `/`, a `\`, which Windows takes for `/`) or could not name a file (NUL,
//! bytes that are not UTF-8) is refused. Then the path the operating system resolves,
//! symbolic links followed, must still lie inside the root.

use std::fs::{self, Metadata};
use std::io;
use std::path::{Component, Path, PathBuf};

use crate::response::Status;

/// What a target resolves to.
#[derive(Debug, PartialEq, Eq)]
pub enum Resolved {
    /// A file inside the root: its canonical path.
    File(PathBuf),
    /// A folder asked for without its final `/`: the client should ask for this path instead,
    /// so that the relative links in the folder's `index.html` resolve inside the folder.
    AddSlash(String),
}

// ANCHOR: resolve
/// Resolves `target` (`/docs/%E8%AE%B2%E4%B9%89.txt?x=1`) under `root`, which must be
/// canonical (`fs::canonicalize`), as `--root` gives it.
pub fn resolve(root: &Path, target: &str) -> Result<Resolved, Status> {
    // A query or fragment names no file.
    let path = target.split(['?', '#']).next().unwrap_or_default();
    if !path.starts_with('/') {
        return Err(Status::BAD_REQUEST);
    }
    let mut file = root.to_path_buf();
    // An empty segment (`//`) or `.` adds no name.
    for raw in path.split('/') {
        file.push(decode_segment(raw)?);
    }
    let (file, metadata) = inside(root, &file)?;
    if !metadata.is_dir() {
        // A path that ends in `/` names a folder, so `/style.css/` is no file (404), as
        // nginx answers too.
        if path.ends_with('/') {
            return Err(Status::NOT_FOUND);
        }
        return Ok(Resolved::File(file));
    }
    if !path.ends_with('/') {
        return Ok(Resolved::AddSlash(format!("{path}/")));
    }
    inside(root, &file.join("index.html"))
        .map(|(index, _)| Resolved::File(index))
}
// ANCHOR_END: resolve

// ANCHOR: decode_segment
/// One segment of a path, percent-decoded once, if it names a file in its folder: never
/// `..`, nothing with `/`, `\` or NUL, only UTF-8 (the encoding browsers use for paths). The
/// last test asks the platform itself: a segment must be one plain component, so that on
/// Windows `C:` (a drive) is refused too.
fn decode_segment(raw: &str) -> Result<String, Status> {
    let bytes = percent_decode(raw)?;
    let segment = String::from_utf8(bytes).map_err(|_| Status::BAD_REQUEST)?;
    if segment.contains('\0') {
        return Err(Status::BAD_REQUEST);
    }
    if segment == ".." || segment.contains(['/', '\\']) {
        return Err(Status::FORBIDDEN);
    }
    let plain = matches!(
        Path::new(&segment).components().collect::<Vec<_>>()[..],
        [] | [Component::CurDir] | [Component::Normal(_)]
    );
    if !plain {
        return Err(Status::FORBIDDEN);
    }
    Ok(segment)
}
// ANCHOR_END: decode_segment

/// `%XX` to the byte 0xXX, once: `%252e` becomes the three characters `%2e`, never `.`. A `%`
/// without two hex digits after it is malformed.
pub fn percent_decode(text: &str) -> Result<Vec<u8>, Status> {
    let mut bytes = Vec::with_capacity(text.len());
    let mut rest = text.as_bytes();
    while let Some((&byte, after)) = rest.split_first() {
        if byte != b'%' {
            bytes.push(byte);
            rest = after;
            continue;
        }
        let hex = after
            .get(..2)
            .and_then(|digits| std::str::from_utf8(digits).ok())
            .and_then(|digits| u8::from_str_radix(digits, 16).ok())
            .filter(|_| after[..2].iter().all(u8::is_ascii_hexdigit))
            .ok_or(Status::BAD_REQUEST)?;
        bytes.push(hex);
        rest = &after[2..];
    }
    Ok(bytes)
}

// ANCHOR: inside
/// `file` and what the file system says of it, if it exists and lies inside `root`. Each
/// name below the root is looked at without following a link (`lstat`): a path without a
/// symbolic link lies inside the root by construction, since no segment is `..`. A path
/// with a link is resolved by the operating system, every link followed, and must still lie
/// inside the root: a link that points out of it is refused.
fn inside(root: &Path, file: &Path) -> Result<(PathBuf, Metadata), Status> {
    let below_root = file.strip_prefix(root).map_err(|_| Status::FORBIDDEN)?;
    let mut walked = root.to_path_buf();
    let mut last = None;
    for name in below_root.components() {
        walked.push(name);
        let metadata =
            fs::symlink_metadata(&walked).map_err(|error| status_of(&error))?;
        if metadata.is_symlink() {
            return followed(root, file);
        }
        last = Some(metadata);
    }
    // No name below the root: the path is the root itself.
    let metadata = match last {
        Some(metadata) => metadata,
        None => fs::metadata(root).map_err(|error| status_of(&error))?,
    };
    Ok((walked, metadata))
}

/// A path with a symbolic link in it: its canonical form, if that lies inside `root`.
fn followed(root: &Path, file: &Path) -> Result<(PathBuf, Metadata), Status> {
    let canonical =
        fs::canonicalize(file).map_err(|error| status_of(&error))?;
    if !canonical.starts_with(root) {
        return Err(Status::FORBIDDEN);
    }
    let metadata =
        fs::metadata(&canonical).map_err(|error| status_of(&error))?;
    Ok((canonical, metadata))
}
// ANCHOR_END: inside

/// The status for a file that cannot be found or opened: none there, a file used as a folder
/// (`/style.css/x`) or a name too long for the file system is 404; a file the server may not
/// read is 403; anything else (a link that loops, a failing disk) is the server's own, 500.
pub fn status_of(error: &io::Error) -> Status {
    match error.kind() {
        io::ErrorKind::NotFound
        | io::ErrorKind::NotADirectory
        | io::ErrorKind::InvalidFilename => Status::NOT_FOUND,
        io::ErrorKind::PermissionDenied => Status::FORBIDDEN,
        _ => Status::INTERNAL_ERROR,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Percent-decoding is once, byte by byte, and refuses a `%` without two hex digits.
    #[test]
    fn percent_decoding_is_once() {
        assert_eq!(percent_decode("a%20b"), Ok(b"a b".to_vec()));
        assert_eq!(percent_decode("%252e"), Ok(b"%2e".to_vec()));
        assert_eq!(percent_decode("%E8%AE%B2"), Ok("讲".as_bytes().to_vec()));
        assert_eq!(percent_decode("%e8%ae%b2"), Ok("讲".as_bytes().to_vec()));
        assert_eq!(percent_decode("%C4%E3"), Ok(vec![0xC4, 0xE3]));
        for bad in ["%", "%2", "%zz", "a%2", "%+1", "%-1", "%1 "] {
            assert_eq!(
                percent_decode(bad),
                Err(Status::BAD_REQUEST),
                "{bad:?}"
            );
        }
    }

    /// Each segment that could leave its folder, or name no file, is refused.
    #[test]
    fn unsafe_segments_are_refused() {
        for (raw, status) in [
            ("..", Status::FORBIDDEN),
            ("%2e%2e", Status::FORBIDDEN),
            ("%2E.", Status::FORBIDDEN),
            ("..%2fsecret", Status::FORBIDDEN),
            ("a%2Fb", Status::FORBIDDEN),
            ("..\\secret", Status::FORBIDDEN),
            ("%5c..", Status::FORBIDDEN),
            ("a%00b", Status::BAD_REQUEST),
            ("%C4%E3%BA%C3.txt", Status::BAD_REQUEST),
            ("%ff", Status::BAD_REQUEST),
        ] {
            assert_eq!(decode_segment(raw), Err(status), "{raw:?}");
        }
        for (raw, segment) in [
            ("%252e%252e", "%2e%2e"),
            ("...", "..."),
            (".hidden", ".hidden"),
            ("%E8%AE%B2%E4%B9%89.txt", "讲义.txt"),
            ("", ""),
            (".", "."),
        ] {
            assert_eq!(decode_segment(raw).as_deref(), Ok(segment), "{raw:?}");
        }
    }
}
