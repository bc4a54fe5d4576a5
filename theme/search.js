// Search with Pagefind instead of mdBook's own, which cannot split Chinese into words.
// scripts/book writes Pagefind's index to pagefind/ (one per language, from <html lang>); this
// adds a search button to the menu bar that opens Pagefind's search box under it.
(function () {
    "use strict";
    const buttons = document.querySelector("#mdbook-menu-bar .left-buttons");
    if (!buttons || typeof path_to_root === "undefined") {
        return;
    }
    const root = new URL(path_to_root, window.location.href);
    const chinese = document.documentElement.lang.startsWith("zh");
    const button = document.createElement("button");
    button.id = "course-search-toggle";
    button.className = "icon-button";
    button.type = "button";
    button.textContent = chinese ? "搜索" : "Search";
    button.setAttribute("aria-expanded", "false");
    button.setAttribute("aria-controls", "course-search");
    buttons.append(button);
    const box = document.createElement("div");
    box.id = "course-search";
    box.hidden = true;
    document.querySelector("#mdbook-menu-bar").after(box);

    let loaded = null;
    function load() {
        if (loaded) {
            return loaded;
        }
        const css = document.createElement("link");
        css.rel = "stylesheet";
        css.href = new URL("pagefind/pagefind-ui.css", root).href;
        document.head.append(css);
        loaded = new Promise(function (resolve, reject) {
            const script = document.createElement("script");
            script.src = new URL("pagefind/pagefind-ui.js", root).href;
            script.onload = resolve;
            script.onerror = reject;
            document.head.append(script);
        }).then(function () {
            // Result links are made from the book's root, wherever the book is served.
            new PagefindUI({ element: "#course-search", baseUrl: root.pathname, showSubResults: true });
        });
        return loaded;
    }
    button.addEventListener("click", function () {
        box.hidden = !box.hidden;
        button.setAttribute("aria-expanded", String(!box.hidden));
        if (!box.hidden) {
            load().then(function () {
                const input = box.querySelector("input");
                if (input) {
                    input.focus();
                }
            });
        }
    });
})();
