//! The site exercise 11's checks serve: a temporary directory holding `site/`, the root the
//! server is given, and `secret.txt` beside it, outside the root, which no request may reach.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::checks::io_failure;
use crate::verdict::Failure;

/// The file outside the root, and what it holds: a response that holds these bytes leaked it.
pub const SECRET: &[u8] = b"SECRET: outside the root, never to be served\n";

/// The site's files: the name under the root, the bytes, and the Content-Type they are
/// served with. Every extension of the exercise's table is here, in both cases.
pub const FILES: &[(&str, &[u8], &str)] = &[
    (
        "index.html",
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>练习 11</title>\
         <link rel=\"stylesheet\" href=\"style.css\"></head>\n<body><h1>你好，HTTP</h1></body></html>\n"
            .as_bytes(),
        HTML,
    ),
    ("style.css", b"h1 { color: teal; }\n", "text/css; charset=utf-8"),
    ("app.js", b"console.log(\"hi\");\n", "text/javascript; charset=utf-8"),
    ("你好.txt", "你好，世界\n".as_bytes(), TEXT),
    ("README.TXT", b"an extension in capitals\n", TEXT),
    ("page.htm", b"<p>htm</p>\n", HTML),
    ("data.json", b"{\"ok\": true}\n", "application/json"),
    ("img.png", b"\x89PNG\r\n\x1a\n", "image/png"),
    ("photo.jpg", b"\xff\xd8\xff\xe0jpg", "image/jpeg"),
    ("photo.jpeg", b"\xff\xd8\xff\xe0jpeg", "image/jpeg"),
    ("anim.gif", b"GIF89a", "image/gif"),
    ("logo.svg", b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n", "image/svg+xml"),
    ("favicon.ico", b"\x00\x00\x01\x00", "image/x-icon"),
    ("LICENSE", b"no extension at all\n", OCTET),
    ("sub/index.html", b"<p>sub's index</p>\n", HTML),
    ("sub/page.html", b"<p>a page in sub</p>\n", HTML),
];

/// The binary file, `blob.bin`: every byte value, in an order no two chunks repeat.
pub const BLOB: &str = "blob.bin";

pub const HTML: &str = "text/html; charset=utf-8";
pub const TEXT: &str = "text/plain; charset=utf-8";
pub const OCTET: &str = "application/octet-stream";

/// The bytes of `blob.bin`: 40,000 bytes, more than two of the solution's 16 KiB chunks.
pub fn blob() -> Vec<u8> {
    (0..40_000usize)
        .map(|at| ((at % 256) ^ (at / 256 % 256)) as u8)
        .collect()
}

/// A site in a directory of its own, removed when dropped.
pub struct Site {
    dir: PathBuf,
    pub root: PathBuf,
    /// Whether the symlinks were made (Unix): `link.txt` to the secret, `sub/alias.html` to
    /// the index.
    pub symlinks: bool,
}

impl Site {
    pub fn build() -> Result<Self, Failure> {
        static COUNT: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "practice-http-{}-{}",
            std::process::id(),
            COUNT.fetch_add(1, Ordering::Relaxed)
        ));
        let root = dir.join("site");
        let site = Self {
            dir,
            root,
            symlinks: cfg!(unix),
        };
        let _ = fs::remove_dir_all(&site.dir);
        let made =
            |error: std::io::Error| io_failure("建网站目录 make the site's directory", &error);
        fs::create_dir_all(site.root.join("sub")).map_err(made)?;
        fs::create_dir_all(site.root.join("empty")).map_err(made)?;
        fs::write(site.dir.join("secret.txt"), SECRET).map_err(made)?;
        for (name, bytes, _) in FILES {
            fs::write(site.root.join(name), bytes).map_err(made)?;
        }
        fs::write(site.root.join(BLOB), blob()).map_err(made)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::symlink;
            symlink("../secret.txt", site.root.join("link.txt")).map_err(made)?;
            symlink("../index.html", site.root.join("sub/alias.html")).map_err(made)?;
        }
        Ok(site)
    }

    /// The root, as the argument of `--root`.
    pub fn root_arg(&self) -> Result<&str, Failure> {
        self.root.to_str().ok_or_else(|| {
            Failure::new(
                "临时目录的路径是 UTF-8 / the temporary directory's path is UTF-8",
                format!(
                    "检查自己出错了 the check itself failed: {}",
                    self.root.display()
                ),
            )
        })
    }

    /// A file the server cannot read (mode 000), when this system has such a thing: not on
    /// Windows, and not for a user the OS lets read anything (root).
    pub fn unreadable(&self) -> Option<&'static str> {
        let name = "locked.txt";
        let path = self.root.join(name);
        fs::write(&path, b"locked\n").ok()?;
        lock(&path)?;
        fs::File::open(&path).is_err().then_some(name)
    }
}

#[cfg(unix)]
fn lock(path: &Path) -> Option<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(0o000)).ok()
}

#[cfg(not(unix))]
fn lock(_: &Path) -> Option<()> {
    None
}

impl Drop for Site {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.dir);
    }
}
