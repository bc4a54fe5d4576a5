//! Cargo manifests read and edited with `toml_edit`, never by hand: the tests copy an exercise
//! or a solution into a workspace of its own, which needs a package renamed, other members and
//! the `course` dependency at another path. An edit keeps the rest of the file as it was
//! (comments, order, layout), and the same edit gives the same bytes, so a copy that did not
//! change keeps its time stamp and cargo builds nothing.

use std::path::Path;

use toml_edit::{Array, DocumentMut, Item, value};

/// The `name` of the manifest's `[package]`; `None` for a virtual workspace or a file that is
/// not TOML, as for a file that is not a manifest.
pub fn package_name(manifest: &str) -> Option<String> {
    let document = toml_edit::Document::parse(manifest).ok()?;
    document
        .get("package")?
        .get("name")?
        .as_str()
        .map(str::to_owned)
}

/// The `members` of the manifest's `[workspace]`, in their order.
pub fn members(manifest: &str) -> Vec<String> {
    parse(manifest)["workspace"]["members"]
        .as_array()
        .expect("the workspace lists its members in an array")
        .iter()
        .map(|member| member.as_str().expect("a member is a path").to_owned())
        .collect()
}

/// `manifest` with its package named `name`: a copy built in the original's build directory
/// needs a name of its own, or its binary would stand in for the original's.
pub fn renamed(manifest: &str, name: &str) -> String {
    edited(manifest, &["package", "name"], value(name))
}

/// A workspace's `manifest` with exactly `members` as its members.
pub fn with_members(manifest: &str, members: &[&str]) -> String {
    let members: Array = members.iter().copied().collect();
    edited(manifest, &["workspace", "members"], value(members))
}

/// A workspace's `manifest` with its `course` dependency at `course` (the crate's directory):
/// a copy elsewhere in the tree cannot keep the relative `../crates/course`.
pub fn with_course_at(manifest: &str, course: &Path) -> String {
    let path = value(course.display().to_string());
    edited(
        manifest,
        &["workspace", "dependencies", "course", "path"],
        path,
    )
}

/// `manifest` with the value at `keys` replaced by `new`, keeping the spaces and comment around
/// it. The value must be there already: a manifest that changed its shape fails here, instead
/// of growing a table that no one reads.
fn edited(manifest: &str, keys: &[&str], mut new: Item) -> String {
    let mut document = parse(manifest);
    let mut item = document.as_item_mut();
    for key in keys {
        item = item
            .get_mut(key)
            .unwrap_or_else(|| panic!("the manifest has {}", keys.join(".")));
    }
    if let (Some(old), Some(new)) = (item.as_value(), new.as_value_mut()) {
        *new.decor_mut() = old.decor().clone();
    }
    *item = new;
    document.to_string()
}

/// `manifest` as a document to read or edit; the course's own manifests are always TOML.
fn parse(manifest: &str) -> DocumentMut {
    manifest.parse().expect("a Cargo manifest is TOML")
}

#[cfg(test)]
mod tests {
    use super::*;

    const WORKSPACE: &str = "# The exercises.\n[workspace]\n\
        members = [\"01_client\", \"02_server\"]\n\n[workspace.dependencies]\n\
        # Shared.\ncourse = { path = \"../crates/course\" }\n";

    /// An edit changes only its value: the comments and the layout around it stay.
    #[test]
    fn an_edit_keeps_the_rest_of_the_manifest() {
        assert_eq!(
            with_course_at(
                &with_members(WORKSPACE, &["01_client"]),
                Path::new("/r/course")
            ),
            WORKSPACE
                .replace("\"01_client\", \"02_server\"", "\"01_client\"")
                .replace("../crates/course", "/r/course")
        );
        let package = "[package]\nname = \"ex01_client\" # the binary\n\n[dependencies]\n";
        assert_eq!(
            renamed(package, "copy01"),
            package.replace("ex01_client", "copy01")
        );
        assert_eq!(package_name(package).as_deref(), Some("ex01_client"));
        // lesson-list: the two members of the made-up workspace above, not the course's.
        assert_eq!(members(WORKSPACE), ["01_client", "02_server"]);
        assert_eq!(package_name(WORKSPACE), None);
        assert_eq!(package_name("name = "), None);
    }
}
