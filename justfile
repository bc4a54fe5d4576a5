# 课程的常用命令 / the course's everyday commands. `just` alone lists them.

# 列出所有命令 / list the recipes
default:
    @just --list

# 证明每一课仍按所教的那样工作：格式、clippy、全部测试 / prove every lesson still behaves as taught: formatting, clippy, all tests
test:
    cargo fmt --all -- --check
    cargo clippy --workspace --all-targets -- -D warnings
    cargo test --workspace

# 运行第 N 课，例如 `just lesson 2` 或 `just lesson 1 --port 9090` / run lesson N, e.g. `just lesson 1 --port 9090`
lesson N *ARGS:
    cargo run --quiet -p lesson{{N}} -- {{ARGS}}
