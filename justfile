# 课程的常用命令 / the course's everyday commands. `just` alone lists them.

# 列出所有命令 / list the recipes
default:
    @just --list

# 证明每一课照教的那样工作 / prove every lesson works as taught
test:
    @# The steps live once, in crates/xtask/src/check.rs; CI and contributors run the same list.
    cargo xtask check

# 构建中英两本书（会先装 mdbook）/ build both books (installs mdbook)
book:
    @command -v mdbook >/dev/null 2>&1 || cargo install mdbook --version 0.5.4 --locked
    @command -v mdbook-mermaid >/dev/null 2>&1 || cargo install mdbook-mermaid --version 0.17.1 --locked
    @# mdBook builds lessons/zh into book/zh and lessons/en into book/en, with Pagefind's search
    @# index in each when pagefind is installed (npm install --global pagefind). tests/browser
    @# builds the books with the same script.
    scripts/book

# 运行第 N 课（可加参数）/ run lesson N, e.g. `just lesson 1 --port 9090`
lesson N *ARGS:
    cargo run --quiet -p lesson{{N}} -- {{ARGS}}

# 第 4 课的压测，写出表和图 / lesson 4's benchmark: table and charts
bench:
    @# loadgen builds the lessons it measures itself, in its own (release) profile.
    cargo run --release -p loadgen -- bench --charts lessons/img

# 比较线程、mio、tokio 和线程池 / threads, mio, tokio and a pool compared
bench-designs *ARGS:
    cargo run --release -p loadgen -- designs {{ARGS}}

# HTTP 压测：第 9 课、python、nginx / HTTP bench: lesson 9, python, nginx
bench-http *ARGS:
    @# nginx is Debian's package (apt-get install nginx); a missing server is skipped, said so.
    cargo run --release -p loadgen -- bench-http {{ARGS}}

# 列出练习，哪些已经完成 / list the exercises and which are done
exercises:
    cargo run -p practice -- list

# 检查第 N 个练习（默认下一个）/ check exercise N (default: the next one)
check *N:
    @# No --quiet here (nor for exercises and watch): the first run compiles the runner, and
    @# cargo's progress shows that it does instead of a silent terminal.
    cargo run -p practice -- check {{N}}

# 第 N 个练习的提示 / hints for exercise N
hint N:
    cargo run --quiet -p practice -- hint {{N}}

# 保存就重新检查（--manual：按回车）/ re-check on save (--manual: Enter)
watch *ARGS:
    cargo run -p practice -- watch {{ARGS}}

# 改坏一课或 course，看测试能否发现 / mutation-test a lesson or course
mutants PACKAGE *TESTS:
    scripts/mutants {{PACKAGE}} {{TESTS}}

# 改坏练习 N 的答案，看检查能否发现 / mutation-test exercise N's checks
mutants-solution N:
    scripts/mutants solution {{N}}
