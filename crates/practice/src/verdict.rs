//! What a check found, in the words a student needs: what was expected, what happened, and
//! which step of the notes to look at. A `todo!()` still in the code is "step N is not written
//! yet", never a panic dump.

use std::fmt;

/// A check's finding when the program did not do what the notes' steps say.
#[derive(Debug, Clone)]
pub struct Failure {
    pub expected: String,
    pub got: String,
    /// The notes' step to look at, e.g. `3.1`.
    pub step: Option<&'static str>,
}

impl Failure {
    pub fn new(expected: impl Into<String>, got: impl Into<String>) -> Self {
        Self {
            expected: expected.into(),
            got: got.into(),
            step: None,
        }
    }

    /// Names the notes' step to look at.
    pub fn step(mut self, step: &'static str) -> Self {
        self.step = Some(step);
        self
    }
}

/// A `todo!("第 2 步 step 2: connect")` the program reached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Todo {
    /// The step's number, as the `todo!` message names it (`2`, `3.1`), if it does.
    pub step: Option<String>,
    /// The rest of the message: what to write there.
    pub what: String,
    /// `file:line` of the `todo!`.
    pub location: String,
}

impl Todo {
    /// What the student reads: Chinese and English on lines of their own, then the `todo!`'s
    /// own message and where it is.
    pub fn lines(&self) -> Vec<String> {
        let (zh, en) = match &self.step {
            Some(step) => (
                format!("第 {step} 步还没写"),
                format!("step {step} is not written yet"),
            ),
            None => (
                "还有 todo!() 没写".to_owned(),
                "a todo!() is not written yet".to_owned(),
            ),
        };
        vec![zh, en, format!("todo!: {} ({})", self.what, self.location)]
    }
}

impl fmt::Display for Todo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.lines().join("\n"))
    }
}

/// A panic found on a program's stderr: where, and its message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Panic {
    pub location: String,
    pub message: String,
}

impl Panic {
    /// The first panic in `stderr`, as Rust prints it:
    /// `thread 'main' (123) panicked at src/main.rs:4:5:` then the message on the next line.
    pub fn find(stderr: &str) -> Option<Self> {
        let mut lines = stderr.lines();
        while let Some(line) = lines.next() {
            let Some((_, at)) = line.split_once("panicked at ") else {
                continue;
            };
            let location = at.trim_end_matches(':');
            // Keep `file:line`, drop the column.
            let location = match location.rsplit_once(':') {
                Some((file_line, column)) if column.chars().all(|c| c.is_ascii_digit()) => {
                    file_line
                }
                _ => location,
            };
            let message = lines.next().unwrap_or_default().trim().to_owned();
            return Some(Self {
                location: location.to_owned(),
                message,
            });
        }
        None
    }

    /// The `todo!()` this panic is, if it is one.
    pub fn todo(&self) -> Option<Todo> {
        let rest = self.message.strip_prefix("not yet implemented")?;
        let rest = rest.trim_start_matches(':').trim();
        let step = step_number(rest);
        // The description follows `step N:`; without one, the whole message.
        let what = match rest.split_once("step ") {
            Some((_, after)) => after
                .split_once(':')
                .map_or(after, |(_, what)| what)
                .trim()
                .to_owned(),
            None => rest.to_owned(),
        };
        Some(Todo {
            step,
            what,
            location: self.location.clone(),
        })
    }
}

impl fmt::Display for Panic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.message, self.location)
    }
}

/// The number after `step ` (or inside `第 … 步`): `3.1` in `第 3.1 步 step 3.1: encode`.
pub fn step_number(text: &str) -> Option<String> {
    let after = text
        .split_once("step ")
        .map(|(_, after)| after)
        .or_else(|| text.split_once("第 ").map(|(_, after)| after))?;
    let number: String = after
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    let number = number.trim_end_matches('.');
    (!number.is_empty()).then(|| number.to_owned())
}

/// The result of one check.
#[derive(Debug, Clone)]
pub enum Outcome {
    Pass,
    /// The check cannot be made on this system (sending Ctrl-C, say): it does not hold the
    /// exercise back, and the student is told what to try by hand instead. Chinese, " / ", English.
    NotChecked(&'static str),
    NotWritten(Todo),
    Fail(Failure),
}

impl Outcome {
    /// Whether the check lets the exercise be done.
    pub fn passed(&self) -> bool {
        matches!(self, Self::Pass | Self::NotChecked(_))
    }

    /// The mark before the check's title.
    pub fn mark(&self) -> &'static str {
        match self {
            Self::Pass => "✓",
            Self::NotChecked(_) => "–",
            Self::NotWritten(_) | Self::Fail(_) => "✗",
        }
    }

    /// The lines printed under the check's title (none for a pass).
    pub fn explain(&self) -> Vec<String> {
        match self {
            Self::Pass => Vec::new(),
            Self::NotChecked(why) => {
                let (zh, en) = why.split_once(" / ").unwrap_or((why, ""));
                vec![
                    format!("这个系统上没有检查 not checked on this system: {zh}"),
                    en.to_owned(),
                ]
            }
            Self::NotWritten(todo) => todo.lines(),
            Self::Fail(failure) => {
                let mut lines = vec![
                    format!("应该 expected: {}", failure.expected),
                    format!("实际 got: {}", failure.got),
                ];
                if let Some(step) = failure.step {
                    // The exercise's steps, as its todo!()s number them (the notes number fewer).
                    lines.push(format!("→ 看练习的第 {step} 步（main.rs 里的注释）"));
                    lines.push(format!(
                        "→ see step {step} of the exercise (main.rs's comments)"
                    ));
                }
                lines
            }
        }
    }
}

/// `line`, indented by `indent` spaces, cut into lines of at most [`columns::MAX_COLUMNS`] columns (a
/// CJK character takes two): at spaces, and between Chinese characters; a word longer than
/// that stays whole. Every line of the runner's output about a check goes through here.
pub fn fit(line: &str, indent: usize) -> Vec<String> {
    fit_hanging(line, indent, indent)
}

/// [`fit`], with the first line indented by `first` and the lines it runs on to by `rest`.
pub fn fit_hanging(line: &str, first: usize, rest: usize) -> Vec<String> {
    columns::fit(line, &" ".repeat(first), &" ".repeat(rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TODO_PANIC: &str = "\nthread 'main' (4242) panicked at 01_client/src/main.rs:45:37:\n\
        not yet implemented: 第 3.1 步 step 3.1: 编码 encode args.message\n\
        note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace\n";

    #[test]
    fn a_todo_panic_names_its_step() {
        let panic = Panic::find(TODO_PANIC).expect("the text holds a panic");
        assert_eq!(panic.location, "01_client/src/main.rs:45");
        let todo = panic.todo().expect("the panic is a todo!()");
        assert_eq!(todo.step.as_deref(), Some("3.1"));
        assert_eq!(todo.what, "编码 encode args.message");
        assert_eq!(
            todo.lines(),
            [
                "第 3.1 步还没写",
                "step 3.1 is not written yet",
                "todo!: 编码 encode args.message (01_client/src/main.rs:45)"
            ]
        );
    }

    #[test]
    fn a_bare_todo_and_another_panic_are_told_apart() {
        let bare = "thread 'main' panicked at src/main.rs:9:5:\nnot yet implemented\n";
        let todo = Panic::find(bare)
            .and_then(|p| p.todo())
            .expect("a bare todo!()");
        assert_eq!(todo.step, None);
        assert!(todo.to_string().contains("not written yet"));
        let unwrap = "thread 'main' panicked at src/main.rs:9:5:\ncalled `Result::unwrap()` on an `Err` value\n";
        let panic = Panic::find(unwrap).expect("a panic");
        assert_eq!(panic.todo(), None);
        assert_eq!(Panic::find("错误 / error: refused"), None);
    }

    /// A check that cannot be made here does not hold the exercise back, and says so, in both
    /// languages, with what to try by hand.
    #[test]
    fn a_check_not_made_here_says_so_and_lets_the_exercise_pass() {
        let outcome = Outcome::NotChecked("自己按 Ctrl-C / press Ctrl-C yourself");
        assert!(outcome.passed());
        assert_eq!(outcome.mark(), "–");
        assert_eq!(
            outcome.explain(),
            [
                "这个系统上没有检查 not checked on this system: 自己按 Ctrl-C",
                "press Ctrl-C yourself"
            ]
        );
        assert_eq!(Outcome::Pass.mark(), "✓");
    }

    #[test]
    fn step_numbers_come_from_either_language() {
        assert_eq!(step_number("第 2 步 step 2: connect").as_deref(), Some("2"));
        assert_eq!(step_number("第 1.1 步：设置").as_deref(), Some("1.1"));
        assert_eq!(step_number("connect"), None);
    }

    /// A long line is cut to fit the terminal, counting a CJK character as two columns, at
    /// spaces and inside a run of Chinese that has none; a short one is only indented.
    #[test]
    fn long_lines_are_cut_to_fit() {
        assert_eq!(fit("short line", 4), ["    short line"]);
        let long = "汉字 ".repeat(30); // 30 words of 4 columns, 149 columns with the spaces
        let lines = fit(long.trim_end(), 6);
        assert_eq!(lines.len(), 2, "{lines:?}");
        let run = "下面的连接还在等待，服务端要在绑定之前设置".repeat(4); // 160 columns, no space
        let run_lines = fit_hanging(&run, 2, 6);
        assert_eq!(run_lines.len(), 2, "{run_lines:?}");
        assert!(run_lines[0].starts_with("  下面"), "{run_lines:?}");
        assert!(run_lines[1].starts_with("      "), "{run_lines:?}");
        for line in lines.iter().chain(&run_lines) {
            let width = columns::width(line);
            assert!(width <= columns::MAX_COLUMNS, "{width} columns: {line}");
        }
        assert!(
            lines.iter().all(|line| line.starts_with("      汉字")),
            "{lines:?}"
        );
    }
}
