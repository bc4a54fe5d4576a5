//! `cargo xtask listings`: writes the test listing pages of both books,
//! `lessons/LANGUAGE/listings/tests-MODULE.md`, as `harness::listings` makes them: a section per test, with the sentences that cite it
//! (linked back to their pages) and its lines, then the rest of the file. Run it after changing
//! a test file or a sentence that cites a test; `pages::the_test_listings_are_as_cargo_xtask_\
//! listings_writes_them` fails until it has run.

/// The task itself: writes the listings that changed, removes those no page needs, and says
/// which.
pub fn run() -> Result<(), String> {
    let root = crate::workspace_root();
    let changes = harness::listings::write(&root).map_err(|error| {
        format!(
            "{} 写不了 / cannot be written: {error}",
            root.join("lessons").display()
        )
    })?;
    for path in &changes.written {
        println!("写了 wrote: {path}");
    }
    for path in &changes.removed {
        println!("删了 removed: {path}");
    }
    if changes.written.is_empty() && changes.removed.is_empty() {
        println!("测试清单已是最新 / the test listings are up to date");
    }
    Ok(())
}
