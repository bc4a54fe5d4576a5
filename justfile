# 课程的常用命令 / the course's everyday commands. `just` alone lists them.

# 列出所有命令 / list the recipes
default:
    @just --list

# 证明每一课仍按所教的那样工作：格式、clippy（含练习答案）、全部测试 / prove every lesson still behaves as taught: formatting, clippy (solutions too), all tests
test:
    cargo fmt --all -- --check
    cargo clippy --workspace --all-targets -- -D warnings
    @# The solutions are a Cargo workspace of their own: check them too. (The starters are
    @# checked as committed, in tests/exercises.rs, so a student's own work never fails this;
    @# clippy only on the solutions: the starters' todo!()s are the point.)
    cargo fmt --manifest-path solutions/Cargo.toml --all -- --check
    cargo clippy --manifest-path solutions/Cargo.toml --all-targets -- -D warnings
    cargo test --workspace
    @if command -v mdbook >/dev/null 2>&1 && command -v mdbook-mermaid >/dev/null 2>&1; then \
        {{just_executable()}} book; \
    else \
        echo "未安装 mdbook 或 mdbook-mermaid，没有构建课程书（just book 会先安装它们）/ mdbook or mdbook-mermaid is not installed, so the book was not built (just book installs them)"; \
    fi

# 把课程页面构建成书，放在 book/（没有 mdbook、mdbook-mermaid 时先安装）/ build the lesson pages into a book in book/ (installing mdbook and mdbook-mermaid first when absent)
book:
    @command -v mdbook >/dev/null 2>&1 || cargo install mdbook --version 0.5.4 --locked
    @command -v mdbook-mermaid >/dev/null 2>&1 || cargo install mdbook-mermaid --version 0.17.1 --locked
    @# mdBook, each page's own language, and Pagefind's search index when pagefind is installed
    @# (npm install --global pagefind). tests/browser builds the book with the same script.
    scripts/book

# 运行第 N 课，例如 `just lesson 2` 或 `just lesson 1 --port 9090` / run lesson N, e.g. `just lesson 1 --port 9090`
lesson N *ARGS:
    cargo run --quiet -p lesson{{N}} -- {{ARGS}}

# 第 4 课的压测：第 4 课与基准服务端，1 到 1000 个并发客户端，写出表格和图 / lesson 4's benchmark: lesson 4 against the baseline server, 1 to 1000 concurrent clients, table and charts
bench:
    cargo build --release -p lesson4 -p loadgen
    ./target/release/loadgen bench --charts lessons/img

# 比较几种服务端设计：第 4 课（线程）、第 7 课（mio）、第 8 课（tokio）、固定线程池，1 到 10000 个客户端 / compare the server designs: lesson 4 (threads), 7 (mio), 8 (tokio), a thread pool, 1 to 10,000 clients
bench-designs:
    cargo build --release -p lesson4 -p lesson7 -p lesson8 -p loadgen
    ./target/release/loadgen designs

# 列出练习，哪些已经完成 / list the student's exercises and which are done
exercises:
    cargo run -p practice -- list

# 检查第 N 个练习（不写 N 就是第一个没完成的），例如 `just check 1` / check exercise N (default: the first one not done)
check *N:
    @# No --quiet here (nor for exercises and watch): the first run compiles the runner, and
    @# cargo's progress shows that it does instead of a silent terminal.
    cargo run -p practice -- check {{N}}

# 第 N 个练习的提示 / hints for exercise N
hint N:
    cargo run --quiet -p practice -- hint {{N}}

# 每次保存时重新检查当前的练习；`just watch --manual` 只在按回车时检查 / re-check the current exercise on every save; `just watch --manual` on Enter only
watch *ARGS:
    cargo run -p practice -- watch {{ARGS}}
