//! `cargo xtask new-lesson NAME`: the next lesson's scaffold, as rustlings' `dev new` makes an
//! exercise's. It writes every file a lesson has (crate, pages in both languages, tests,
//! listings, exercise, solution, check) and adds it to every list that names the lessons (the
//! registry, the book's contents, the tour, the runner's catalog). Where only a person can
//! write the content, it leaves `harness::to_write::MARK`; `pages::nothing_is_left_to_write`
//! then names each such place, and every other test passes.
//!
//! Nothing is written until every edit has found its place: a file that changed shape stops the
//! scaffold with what it looked for, and the tree stays as it was.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use harness::to_write::MARK;
use toml_edit::DocumentMut;

use crate::edit;

#[derive(clap::Args)]
pub struct Args {
    /// 这一课的短名（小写字母和下划线），用作练习目录和检查模块的名字，例如 http
    /// / the lesson's short name (lowercase letters and `_`): its exercise's directory and check
    /// module are named after it, e.g. http
    name: String,
    /// 中文标题（书的目录里的）；不给就留作待写 / the Chinese title in the book's contents; left
    /// to write if not given
    #[arg(long)]
    title_zh: Option<String>,
    /// 英文标题 / the English title, e.g. "HTTP and a static web server"
    #[arg(long)]
    title_en: Option<String>,
    /// 在这个目录里搭架子（默认是这个仓库）/ scaffold in this tree (default: this repository)
    #[arg(long, value_name = "DIR")]
    root: Option<PathBuf>,
}

/// What the new lesson is: its number and port, its exercise, its names and titles.
#[derive(Debug, Clone)]
pub struct Facts {
    pub name: String,
    pub lesson: u8,
    pub previous: u8,
    pub port: u16,
    pub exercise: usize,
    pub exercise_dir: String,
    pub checks: String,
    pub title_zh: String,
    pub title_en: String,
}

impl Facts {
    /// The lesson after the registry's last, with the name and titles given.
    pub fn next(
        name: &str,
        title_zh: Option<&str>,
        title_en: Option<&str>,
    ) -> Result<Self, String> {
        check_name(name)?;
        let title = |title: Option<&str>| -> Result<String, String> {
            let title = title.unwrap_or(MARK);
            if title.is_empty() || title.contains(['"', '\\', '\n', '[', ']']) {
                return Err(format!(
                    "标题不能为空，也不能含有 \" \\ [ ] 或换行：{title:?}\n\
                     / a title is not empty and has no \" \\ [ ] or newline: {title:?}"
                ));
            }
            Ok(title.to_owned())
        };
        let lessons = course::lessons::LESSONS;
        let previous = course::lessons::last();
        let lesson = previous
            .checked_add(1)
            .ok_or("课太多了 / too many lessons")?;
        // Each server's default port is 101 above the last one's (9090, 9191, …), so that two
        // lessons never meet on one port and the notes' 8989 stays lessons 2 and 3's.
        let port = lessons
            .iter()
            .filter_map(|lesson| lesson.port)
            .max()
            .unwrap_or(8888)
            .checked_add(101)
            .ok_or("没有空闲的默认端口 / no default port left")?;
        let exercise = course::lessons::exercises().len() + 1;
        Ok(Self {
            name: name.to_owned(),
            lesson,
            previous,
            port,
            exercise,
            exercise_dir: format!("{exercise:02}_{name}"),
            checks: name.to_uppercase(),
            title_zh: title(title_zh)?,
            title_en: title(title_en)?,
        })
    }

    /// `template` with every `@NAME@` placeholder filled in.
    pub fn fill(&self, template: &str) -> String {
        let values = [
            ("@LESSON@", self.lesson.to_string()),
            ("@PREV@", self.previous.to_string()),
            ("@PORT@", self.port.to_string()),
            ("@EXERCISE@", self.exercise.to_string()),
            ("@EXDIR@", self.exercise_dir.clone()),
            ("@NAME@", self.name.clone()),
            ("@CHECKS@", self.checks.clone()),
            ("@TITLE_ZH@", self.title_zh.clone()),
            ("@TITLE_EN@", self.title_en.clone()),
            ("@TODO@", MARK.to_owned()),
        ];
        values
            .iter()
            .fold(template.to_owned(), |text, (placeholder, value)| {
                text.replace(placeholder, value)
            })
    }
}

/// Rust's keywords, which cannot name the check's module.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "static", "struct", "super", "trait", "true", "try", "type", "typeof",
    "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

fn check_name(name: &str) -> Result<(), String> {
    let well_formed = name.len() <= 20
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && !name.ends_with('_')
        && name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
    if !well_formed {
        return Err(format!(
            "不能用这个名字 not a good name: {name:?}\n名字只用小写字母和下划线，以字母开头和结尾，最多 20 个字符\n\
             / a name is lowercase letters and `_`, starts and ends with a letter, at most 20, \
             e.g. http"
        ));
    }
    if KEYWORDS.contains(&name) {
        return Err(format!(
            "{name:?} 是 Rust 的关键字，不能做模块名 / is a Rust keyword, so it cannot name a module"
        ));
    }
    Ok(())
}

/// The scaffold, in memory: the files it creates and the new text of the files it edits.
pub struct Plan {
    pub facts: Facts,
    pub creates: Vec<(String, String)>,
    pub edits: Vec<(String, String)>,
}

macro_rules! template {
    ($file:literal) => {
        include_str!(concat!("../templates/", $file))
    };
}

impl Plan {
    /// Everything the scaffold of `facts` writes under `root`, or why it cannot: a file it
    /// would create exists, or a file it edits no longer has the line it looks for.
    pub fn make(root: &Path, facts: Facts) -> Result<Self, String> {
        let mut creates = creates(&facts);
        for (path, _) in &creates {
            if root.join(path).exists() {
                return Err(format!("{path} 已经存在 / already exists"));
            }
        }
        let name = &facts.name;
        if root
            .join(format!("crates/practice/src/checks/{name}.rs"))
            .exists()
            || read(root, "crates/practice/src/catalog.rs")?.contains(&format!("name: \"{name}\","))
        {
            return Err(format!(
                "已经有一个叫 {name:?} 的练习或检查 / an exercise or check is already named {name:?}"
            ));
        }
        let mut edits = edits(root, &facts)?;
        // The test listings, as `cargo xtask listings` would write them in the scaffolded tree:
        // the new lesson's, and any other that its pages' citations change.
        let own: Vec<String> = harness::listings::Language::ALL
            .into_iter()
            .map(|language| {
                harness::listings::listing_path(language, &format!("lesson{}", facts.lesson))
            })
            .collect();
        for listing in listings(root, &creates, &edits) {
            if own.contains(&listing.path) {
                let own = &listing.path;
                if root.join(own).exists() {
                    return Err(format!("{own} 已经存在 / already exists"));
                }
                creates.push((listing.path, listing.text));
            } else {
                edits.push((listing.path, listing.text));
            }
        }
        Ok(Self {
            facts,
            creates,
            edits,
        })
    }

    /// Writes the plan under `root`.
    pub fn write(&self, root: &Path) -> Result<(), String> {
        for (path, text) in self.creates.iter().chain(&self.edits) {
            let path = root.join(path);
            if let Some(dir) = path.parent() {
                fs::create_dir_all(dir).map_err(|error| format!("{}: {error}", dir.display()))?;
            }
            fs::write(&path, text).map_err(|error| format!("{}: {error}", path.display()))?;
        }
        Ok(())
    }
}

/// The files of the new lesson, by path from the root.
fn creates(facts: &Facts) -> Vec<(String, String)> {
    let n = facts.lesson;
    let dir = &facts.exercise_dir;
    let exercise = facts.exercise;
    let main = facts.fill(template!("lesson-main.rs.in"));
    // The template always has the region; were it lost, the page says so where it is missing.
    let excerpt = harness::excerpt::anchored_region(&main, "listen")
        .unwrap_or_else(|why| format!("// {MARK}: the excerpt of `listen` ({why})"));
    let page = |template: &str| facts.fill(template).replace("@EXCERPT@", &excerpt);
    vec![
        (
            format!("crates/lesson{n}/Cargo.toml"),
            facts.fill(template!("lesson-Cargo.toml.in")),
        ),
        (
            format!("crates/lesson{n}/rustfmt.toml"),
            template!("lesson-rustfmt.toml.in").to_owned(),
        ),
        (format!("crates/lesson{n}/src/main.rs"), main.clone()),
        (
            format!("tests/lesson{n}.rs"),
            facts.fill(template!("tests-lesson.rs.in")),
        ),
        (
            format!("lessons/zh/lesson{n}.md"),
            page(template!("page-zh.md.in")),
        ),
        (
            format!("lessons/en/lesson{n}.md"),
            page(template!("page-en.md.in")),
        ),
        (
            format!("lessons/zh/listings/lesson{n}.md"),
            facts.fill(template!("listing-lesson-zh.md.in")),
        ),
        (
            format!("lessons/en/listings/lesson{n}.md"),
            facts.fill(template!("listing-lesson-en.md.in")),
        ),
        (
            format!("lessons/zh/listings/exercise{exercise}.md"),
            facts.fill(template!("listing-exercise-zh.md.in")),
        ),
        (
            format!("lessons/en/listings/exercise{exercise}.md"),
            facts.fill(template!("listing-exercise-en.md.in")),
        ),
        (
            format!("exercises/{dir}/Cargo.toml"),
            facts.fill(template!("exercise-Cargo.toml.in")),
        ),
        (
            format!("exercises/{dir}/README.md"),
            facts.fill(template!("exercise-README.md.in")),
        ),
        (
            format!("exercises/{dir}/src/main.rs"),
            facts.fill(template!("exercise-main.rs.in")),
        ),
        (
            format!("solutions/{dir}/Cargo.toml"),
            facts.fill(template!("solution-Cargo.toml.in")),
        ),
        (
            format!("solutions/{dir}/src/main.rs"),
            facts.fill(template!("solution-main.rs.in")),
        ),
        (
            format!("crates/practice/src/checks/{}.rs", facts.name),
            facts.fill(template!("check.rs.in")),
        ),
    ]
}

/// The files that name the lessons, each with the new lesson added.
fn edits(root: &Path, facts: &Facts) -> Result<Vec<(String, String)>, String> {
    let n = facts.lesson;
    let exercise = facts.exercise;
    let (zh, en) = (&facts.title_zh, &facts.title_en);
    let name = &facts.name;
    let mut edits = Vec::new();
    let mut edit = |path: &str, change: &dyn Fn(String) -> Result<String, String>| {
        let text = read(root, path)?;
        let changed = change(text).map_err(|why| {
            format!("{path} 的样子变了，找不到插入的位置 / has changed shape: {why}")
        })?;
        edits.push((path.to_owned(), changed));
        Ok::<(), String>(())
    };
    edit("crates/course/src/lessons.rs", &|text| {
        edit::before_list_end(
            &text,
            "pub const LESSONS",
            &facts.fill(template!("registry-row.rs.in")),
        )
    })?;
    edit("crates/practice/src/catalog.rs", &|text| {
        edit::before_list_end(
            &text,
            "pub const EXERCISES",
            &facts.fill(template!("catalog-entry.rs.in")),
        )
    })?;
    edit("crates/practice/src/checks/mod.rs", &|text| {
        let text = edit::into_sorted_run(&text, "mod ", &format!("mod {name};"))?;
        let checks = &facts.checks;
        edit::into_sorted_run(
            &text,
            "pub use ",
            &format!("pub use {name}::CHECKS as {checks};"),
        )
    })?;
    edit("crates/tour/src/main.rs", &|text| {
        let last = edit::last_run_in_list(&text, "const SCENES")?.to_owned();
        let text = edit::after_function(&text, &last, &facts.fill(template!("tour-fn.rs.in")))?;
        edit::before_list_end(
            &text,
            "const SCENES",
            &facts.fill(template!("tour-scene.rs.in")),
        )
    })?;
    edit("tests/main.rs", &|text| {
        edit::into_sorted_run(&text, "mod lesson", &format!("mod lesson{n};"))
    })?;
    edit("tests/tour.rs", &|text| {
        edit::before_line(
            &text,
            "_ => &[],",
            &facts.fill(template!("tour-expected.rs.in")),
        )
    })?;
    edit("tests/exercises.rs", &|mut text| {
        text.push_str(&facts.fill(template!("exercise-tests.rs.in")));
        Ok(text)
    })?;
    for workspace in ["exercises/Cargo.toml", "solutions/Cargo.toml"] {
        edit(workspace, &|text| add_member(&text, &facts.exercise_dir))?;
    }
    for (language, lesson, program, tests, exercise_title, notes, code) in [
        (
            "zh",
            format!("第 {n} 课：{zh}"),
            "程序",
            "测试",
            format!("练习 {exercise}：{zh}"),
            "讲义之外",
            "代码",
        ),
        (
            "en",
            format!("Lesson {n}: {en}"),
            "Program",
            "Tests",
            format!("Exercise {exercise}: {en}"),
            "beyond",
            "code",
        ),
    ] {
        edit(&format!("lessons/{language}/SUMMARY.md"), &|text| {
            let text = edit::after_last_line_with(
                &text,
                "(listings/tests-lesson",
                &format!(
                    "- [{lesson}](lesson{n}.md)\n  - [{program}](listings/lesson{n}.md)\n  \
                     - [{tests}](listings/tests-lesson{n}.md)\n"
                ),
            )?;
            edit::after_last_line_with(
                &text,
                "](listings/exercise",
                &format!("- [{exercise_title}](listings/exercise{exercise}.md)\n"),
            )
        })?;
        edit(&format!("lessons/{language}/README.md"), &|text| {
            edit::after_last_line_with(
                &text,
                "(listings/lesson",
                &format!(
                    "| [{lesson}](lesson{n}.md) | {notes} | [{code}](listings/lesson{n}.md) |\n"
                ),
            )
        })?;
    }
    edit("README.md", &|text| {
        edit::after_last_line_with(
            &text,
            "](crates/lesson",
            &format!(
                "| {n} | 讲义之外 / beyond | {MARK}：这一课教什么 / what it teaches | \
                 [`lesson{n}`](crates/lesson{n}/src/main.rs) | \
                 [中文](lessons/zh/lesson{n}.md) · [English](lessons/en/lesson{n}.md) |\n"
            ),
        )
    })?;
    Ok(edits)
}

/// The test listings that differ, in the tree under `root` with `creates` and `edits` written,
/// from those on disk: what `cargo xtask listings` would then write.
fn listings(
    root: &Path,
    creates: &[(String, String)],
    edits: &[(String, String)],
) -> Vec<harness::listings::Listing> {
    let planned: BTreeMap<&str, &str> = creates
        .iter()
        .chain(edits)
        .map(|(path, text)| (path.as_str(), text.as_str()))
        .collect();
    let mut pages: BTreeMap<String, String> =
        harness::listings::citing_pages(root).into_iter().collect();
    for (path, text) in &planned {
        if pages.contains_key(*path)
            || (path.starts_with("lessons/")
                && path.ends_with(".md")
                && !harness::listings::is_listing_or_summary(path))
        {
            pages.insert((*path).to_owned(), (*text).to_owned());
        }
    }
    let pages: Vec<(String, String)> = pages.into_iter().collect();
    let read = |path: &str| {
        planned
            .get(path)
            .map(|text| (*text).to_owned())
            .or_else(|| fs::read_to_string(root.join(path)).ok())
    };
    let on_disk = harness::listings::on_disk(root);
    harness::listings::generate(&pages, &read)
        .into_iter()
        .filter(|listing| on_disk.get(&listing.path) != Some(&listing.text))
        .collect()
}

/// `manifest` with `member` added to its `[workspace] members`.
fn add_member(manifest: &str, member: &str) -> Result<String, String> {
    let mut document: DocumentMut = manifest.parse().map_err(|error| format!("{error}"))?;
    let members = document["workspace"]["members"]
        .as_array_mut()
        .ok_or("no [workspace] members = [...]")?;
    members.push(member);
    Ok(document.to_string())
}

fn read(root: &Path, path: &str) -> Result<String, String> {
    fs::read_to_string(root.join(path)).map_err(|error| {
        format!(
            "{} 读不了 / cannot be read: {error}",
            root.join(path).display()
        )
    })
}

/// The task itself: plans, writes, and says what it did and what is left to write.
pub fn run(args: &Args) -> Result<(), String> {
    let root = match &args.root {
        Some(root) => root.clone(),
        None => crate::workspace_root(),
    };
    let registry = Path::new("crates/course/src/lessons.rs");
    if !root.join(registry).is_file() {
        return Err(format!(
            "{} 不是课程的仓库 / is not the course's repository (no {})",
            root.display(),
            registry.display()
        ));
    }
    let facts = Facts::next(
        &args.name,
        args.title_zh.as_deref(),
        args.title_en.as_deref(),
    )?;
    let plan = Plan::make(&root, facts)?;
    plan.write(&root)?;
    let facts = &plan.facts;
    println!(
        "第 {} 课的架子搭好了 / lesson {} is scaffolded: lesson{}, port {}, exercise {} ({})",
        facts.lesson, facts.lesson, facts.lesson, facts.port, facts.exercise, facts.exercise_dir
    );
    println!("新建 created:");
    for (path, _) in &plan.creates {
        println!("  {path}");
    }
    println!("修改 edited:");
    for (path, _) in &plan.edits {
        println!("  {path}");
    }
    let left = harness::to_write::scan(&root);
    println!(
        "还要亲手写 left to write, {} 处 places (“{MARK}”):",
        left.len()
    );
    for place in &left {
        println!("  {}:{}", place.path, place.line);
    }
    println!("然后 then: cargo xtask check（CONTRIBUTING.md 有清单 / has the checklist）");
    Ok(())
}

#[cfg(test)]
mod tests;
