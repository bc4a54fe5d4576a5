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
    let shown =
        |limit: Option<u64>| limit.map_or("无上限 unlimited".to_owned(), |n| n.to_string());
    match raised {
        Ok(OpenFileLimit { before, after }) if before == after => {
            crate::say!("文件描述符上限 open-file limit: {}", shown(*after));
        }
        Ok(OpenFileLimit { before, after }) => crate::say!(
            "文件描述符上限 open-file limit: {} → {}（已提高到硬上限 raised to the hard limit）",
            shown(*before),
            shown(*after)
        ),
        Err(error) => crate::say!(
            "无法提高文件描述符上限 cannot raise the open-file limit: {:?}: {error}",
            error.kind()
        ),
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn the_soft_limit_ends_at_the_hard_limit() {
        let raised = raise_open_file_limit().expect("raising to the hard limit is always allowed");
        let hard = rustix::process::getrlimit(rustix::process::Resource::Nofile).maximum;
        assert_eq!(raised.after, hard);
    }
}
