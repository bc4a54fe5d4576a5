//! The course's lessons, in one table: what each one is, for every program and test that needs
//! to know (the tour, the exercise runner, loadgen, the pages' test, the shared server suite).
//! A new lesson is one more row here; no other file keeps a count or a list of lessons (the
//! test `pages::no_lesson_list_outside_the_registry` looks for one).

/// A language the course is written in. Each has its own book of the pages
/// (`lessons/zh/`, `lessons/en/`) and its own charts; every line a program prints has both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Language {
    Zh,
    En,
}

impl Language {
    /// Chinese first, the course's first language.
    pub const ALL: [Language; 2] = [Language::Zh, Language::En];

    /// `zh` or `en`, as in the books' folders, `<html lang>` and the charts' file names.
    pub fn code(self) -> &'static str {
        match self {
            Language::Zh => "zh",
            Language::En => "en",
        }
    }

    /// This language's text of a pair.
    pub fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Language::Zh => zh,
            Language::En => en,
        }
    }
}

/// One lesson of the course.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lesson {
    /// Its number, from 1, as the pages and `cargo run -p lessonN` count.
    pub number: u8,
    /// Its crate (`lessonN`), which is also the name of its program.
    pub package: &'static str,
    /// Its title, Chinese and English: the lesson's one title, which its page's heading, its
    /// line in the book's summary and its row of the contents read as `第 N 课：{title_zh}`
    /// and `Lesson N: {title_en}` (`pages::the_contents_list_the_registrys_lessons`,
    /// `pages::every_lesson_page_opens_with_its_title_and_header`).
    pub title_zh: &'static str,
    pub title_en: &'static str,
    /// The earlier lessons it builds on, which the header line under its page's title names
    /// (`先修` / `Builds on`); none for the first.
    pub builds_on: &'static [u8],
    /// The section of the notes (`../shared/notes/tcp-notes.zh.md`) it follows; `None` where it
    /// goes past the notes, as this curriculum usually does next.
    pub notes_section: Option<u8>,
    /// The port its server listens on unless told otherwise; `None` for a lesson with no server
    /// of its own (lesson 1's client, lesson 5's experiments, which bind port 0).
    pub port: Option<u16>,
    /// Whether its server sets SO_REUSEADDR before `bind` (so a restart beside its own
    /// TIME_WAIT succeeds on Linux, and a busy-port error must not advise setting it).
    pub reuses_address: bool,
    /// Whether it is a server of many clients at once that answers every message with the
    /// notes' reply: the shared server suite (`tests/servers.rs`) and loadgen drive each one.
    pub serves_many: bool,
    /// Whether that server serves every client from one thread (an event loop, or tokio's
    /// runtime on one thread), as against a thread per client.
    pub one_thread: bool,
    /// Its exercises, by directory under `exercises/` (and `solutions/`).
    pub exercises: &'static [&'static str],
}

/// Every lesson, in order: `LESSONS[n - 1]` is lesson `n`.
pub const LESSONS: &[Lesson] = &[
    Lesson {
        number: 1,
        package: "lesson1",
        title_zh: "TCP 客户端",
        title_en: "a TCP client",
        builds_on: &[],
        notes_section: Some(1),
        port: None,
        reuses_address: false,
        serves_many: false,
        one_thread: false,
        exercises: &["01_client"],
    },
    Lesson {
        number: 2,
        package: "lesson2",
        title_zh: "只服务一次的 TCP 服务端",
        title_en: "a TCP server that serves once",
        builds_on: &[1],
        notes_section: Some(2),
        port: Some(8989),
        reuses_address: false,
        serves_many: false,
        one_thread: false,
        exercises: &["02_server"],
    },
    Lesson {
        number: 3,
        package: "lesson3",
        title_zh: "加上端口复用（SO_REUSEADDR）",
        title_en: "the same server with port reuse (SO_REUSEADDR)",
        builds_on: &[2],
        notes_section: Some(2),
        port: Some(8989),
        reuses_address: true,
        serves_many: false,
        one_thread: false,
        exercises: &["03_reuse"],
    },
    Lesson {
        number: 4,
        package: "lesson4",
        title_zh: "多线程服务端：一个客户端一个线程",
        title_en: "a thread per client",
        builds_on: &[3],
        notes_section: Some(3),
        port: Some(9090),
        reuses_address: true,
        serves_many: true,
        one_thread: false,
        exercises: &["04_threads", "06_split_char"],
    },
    Lesson {
        number: 5,
        package: "lesson5",
        title_zh: "关闭的语义和 TCP 程序的规则",
        title_en: "what close means, and the rules of TCP programs",
        builds_on: &[1, 2, 3],
        notes_section: Some(4),
        port: None,
        reuses_address: false,
        serves_many: false,
        one_thread: false,
        exercises: &["05_close", "07_half_close"],
    },
    Lesson {
        number: 6,
        package: "lesson6",
        title_zh: "没有消息边界：粘包、拆包与分帧",
        title_en: "no message boundaries: framing",
        builds_on: &[4, 5],
        notes_section: None,
        port: Some(9191),
        reuses_address: true,
        serves_many: false,
        one_thread: false,
        exercises: &["08_framing"],
    },
    Lesson {
        number: 7,
        package: "lesson7",
        title_zh: "一个线程服务许多客户端：事件循环",
        title_en: "one thread for many clients: an event loop",
        builds_on: &[4, 6],
        notes_section: None,
        port: Some(9292),
        reuses_address: true,
        serves_many: true,
        one_thread: true,
        exercises: &["09_event_loop"],
    },
    Lesson {
        number: 8,
        package: "lesson8",
        title_zh: "async/await：tokio，一个客户端一个任务",
        title_en: "async/await: a tokio task per client",
        builds_on: &[4, 7],
        notes_section: None,
        port: Some(9393),
        reuses_address: true,
        serves_many: true,
        one_thread: true,
        exercises: &["10_tokio"],
    },
    Lesson {
        number: 9,
        package: "lesson9",
        title_zh: "HTTP 与静态网页服务器",
        title_en: "HTTP and a static web server",
        builds_on: &[8],
        notes_section: None,
        port: Some(9494),
        reuses_address: true,
        serves_many: false,
        one_thread: false,
        exercises: &["11_http"],
    },
];

/// Lesson `number`, if there is one.
pub fn lesson(number: u8) -> Option<&'static Lesson> {
    LESSONS.iter().find(|lesson| lesson.number == number)
}

/// The number of the last lesson.
pub fn last() -> u8 {
    LESSONS.last().map_or(0, |lesson| lesson.number)
}

/// The servers of many clients (`serves_many`), by package: lessons 4, 7 and 8 today.
pub fn servers_of_many() -> impl Iterator<Item = &'static str> {
    LESSONS
        .iter()
        .filter(|lesson| lesson.serves_many)
        .map(|lesson| lesson.package)
}

/// The servers of many clients that serve them all from one thread: lessons 7 and 8 today.
pub fn one_thread_servers() -> impl Iterator<Item = &'static str> {
    LESSONS
        .iter()
        .filter(|lesson| lesson.serves_many && lesson.one_thread)
        .map(|lesson| lesson.package)
}

/// Every exercise's directory, in the order of the exercises' numbers.
pub fn exercises() -> Vec<&'static str> {
    let mut all: Vec<&str> = LESSONS
        .iter()
        .flat_map(|lesson| lesson.exercises.iter().copied())
        .collect();
    all.sort_unstable();
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lesson n is row n, its package is `lessonN`, it builds on lessons before it, and each
    /// exercise belongs to one lesson.
    /// Each language has its code, the books' folder and `<html lang>`, and picks its own text
    /// of a pair; Chinese comes first.
    #[test]
    fn each_language_names_its_book_and_picks_its_text() {
        let codes: Vec<&str> = Language::ALL
            .iter()
            .map(|language| language.code())
            .collect();
        assert_eq!(codes, ["zh", "en"]);
        assert_eq!(Language::Zh.pick("中文", "English"), "中文");
        assert_eq!(Language::En.pick("中文", "English"), "English");
    }

    #[test]
    fn the_table_is_in_order() {
        for (index, row) in LESSONS.iter().enumerate() {
            assert_eq!(usize::from(row.number), index + 1, "{row:?}");
            assert_eq!(row.package, format!("lesson{}", row.number));
            assert_eq!(lesson(row.number), Some(row));
            assert!(
                row.builds_on.is_sorted()
                    && row.builds_on.iter().all(|&n| 1 <= n && n < row.number),
                "lesson {} builds on earlier lessons, in order: {:?}",
                row.number,
                row.builds_on
            );
        }
        assert_eq!(usize::from(last()), LESSONS.len());
        let all = exercises();
        let each: usize = LESSONS.iter().map(|lesson| lesson.exercises.len()).sum();
        assert_eq!(all.len(), each, "every lesson's exercises, once");
        let mut unique = all.clone();
        unique.dedup();
        assert_eq!(all, unique, "an exercise belongs to one lesson");
        assert!(
            all.iter()
                .enumerate()
                .all(|(index, dir)| dir.starts_with(&format!("{:02}_", index + 1)))
        );
    }

    /// A server of many clients has a port of its own and sets SO_REUSEADDR, as lessons 4, 7
    /// and 8 do: it is restarted often.
    #[test]
    fn servers_of_many_are_servers() {
        for lesson in LESSONS.iter().filter(|lesson| lesson.serves_many) {
            assert!(lesson.port.is_some() && lesson.reuses_address, "{lesson:?}");
        }
        assert_eq!(
            servers_of_many().collect::<Vec<_>>(),
            ["lesson4", "lesson7", "lesson8"]
        );
        assert_eq!(
            one_thread_servers().collect::<Vec<_>>(),
            ["lesson7", "lesson8"]
        );
        assert!(
            LESSONS
                .iter()
                .all(|lesson| lesson.serves_many || !lesson.one_thread)
        );
    }
}
