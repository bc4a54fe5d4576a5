//! The open-file limit. Every connection a server holds is one file descriptor, and a process
//! may have only so many: the soft limit (`ulimit -n`, often 1024), which the process itself may
//! raise as far as the hard limit. The one-thread servers (lessons 7 and 8) mean to hold ten
//! thousand connections, so they raise the soft limit when they start and say so.

/// The soft limit before and after [`raise_open_file_limit`]; `None` where there is no limit or
/// the platform has no such thing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenFileLimit {
    pub before: Option<u64>,
    pub after: Option<u64>,
}

/// Raises this process's soft limit on open files to its hard limit.
#[cfg(unix)]
pub fn raise_open_file_limit() -> std::io::Result<OpenFileLimit> {
    use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
    let limit = getrlimit(Resource::Nofile);
    if limit.current != limit.maximum {
        setrlimit(
            Resource::Nofile,
            Rlimit {
                current: limit.maximum,
                maximum: limit.maximum,
            },
        )?;
    }
    Ok(OpenFileLimit {
        before: limit.current,
        after: getrlimit(Resource::Nofile).current,
    })
}

/// Windows has no per-process limit of this kind: nothing to raise.
#[cfg(not(unix))]
// Unix never builds it, but cargo-mutants reads every cfg: the mark says skip it.
#[cfg_attr(test, mutants::skip)]
pub fn raise_open_file_limit() -> std::io::Result<OpenFileLimit> {
    Ok(OpenFileLimit {
        before: None,
        after: None,
    })
}

/// Prints one line saying what [`raise_open_file_limit`] found and did. A server raises the
/// limit before it announces that it is listening (so that the limit is settled by then) and
/// reports it after, keeping "listening on" its first line.
pub fn report(raised: &std::io::Result<OpenFileLimit>) {
    crate::say!("{}", report_line(raised));
}

/// The line [`report`] prints.
fn report_line(raised: &std::io::Result<OpenFileLimit>) -> String {
    let shown =
        |limit: Option<u64>| limit.map_or("无上限 unlimited".to_owned(), |n| n.to_string());
    match raised {
        Ok(OpenFileLimit { before, after }) if before == after => {
            format!("文件描述符上限 open-file limit: {}", shown(*after))
        }
        Ok(OpenFileLimit { before, after }) => format!(
            "文件描述符上限 open-file limit: {} → {}（已提高到硬上限 raised to the hard limit）",
            shown(*before),
            shown(*after)
        ),
        Err(error) => format!(
            "无法提高文件描述符上限 cannot raise the open-file limit: {:?}: {error}",
            error.kind()
        ),
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    /// From a soft limit below the hard one (lowered here first, where the hard limit allows),
    /// the soft limit ends at the hard limit, and what it was before is kept.
    #[test]
    fn the_soft_limit_ends_at_the_hard_limit() {
        use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
        let hard = getrlimit(Resource::Nofile).maximum;
        let lowered = hard.filter(|&hard| hard > 1024).map(|_| 1024);
        if let Some(soft) = lowered {
            let limit = Rlimit {
                current: Some(soft),
                maximum: hard,
            };
            setrlimit(Resource::Nofile, limit).expect("a soft limit below the hard one");
        }
        let raised = raise_open_file_limit().expect("raising to the hard limit is always allowed");
        assert_eq!(raised.after, hard);
        assert_eq!(getrlimit(Resource::Nofile).current, hard);
        if lowered.is_some() {
            assert_eq!(raised.before, lowered);
        }
    }

    /// The line says the limit, or what it was raised from and to, or why it could not be.
    #[test]
    fn the_line_says_what_was_done() {
        let limit = |before, after| Ok(OpenFileLimit { before, after });
        assert_eq!(
            report_line(&limit(Some(1024), Some(1024))),
            "文件描述符上限 open-file limit: 1024"
        );
        assert_eq!(
            report_line(&limit(Some(1024), Some(524288))),
            "文件描述符上限 open-file limit: 1024 → 524288（已提高到硬上限 raised to the hard limit）"
        );
        assert!(report_line(&limit(None, None)).ends_with(": 无上限 unlimited"));
        let refused = Err(std::io::Error::from(std::io::ErrorKind::PermissionDenied));
        assert!(
            report_line(&refused).contains("cannot raise the open-file limit: PermissionDenied")
        );
    }
}
