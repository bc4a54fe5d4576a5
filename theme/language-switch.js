// The language picker in the menu bar of every page of both books: a link to the same page in
// the other book (book/zh/X.html and book/en/X.html are the same page in two languages), at the
// section the reader is reading. Both languages give a section the same id (lessons/zh/ and
// lessons/en/ write `## 规则 9：半关闭 {#rule-9-half-close}` and `## Rule 9: half-close
// {#rule-9-half-close}`), so the section is the heading last scrolled past.
(function () {
    "use strict";
    const page = window.location.pathname.match(/\/(zh|en)\/((?:[^/]+\/)*[^/]*)$/);
    const buttons = document.querySelector("#mdbook-menu-bar .right-buttons");
    if (!page || !buttons || typeof path_to_root === "undefined") {
        return;
    }
    const other = page[1] === "zh" ? "en" : "zh";
    const twin = path_to_root + "../" + other + "/" + page[2];

    // The id of the last heading whose top is above the upper third of the window, or the
    // address's own fragment when the reader has not scrolled past any heading. At the top of
    // the page the reader is reading its beginning, though the first heading may be in the
    // upper third already: the twin opens at its top too.
    function section() {
        if (window.scrollY < 1) {
            return window.location.hash;
        }
        let found = "";
        for (const heading of document.querySelectorAll("main :is(h2, h3, h4, h5, h6)[id]")) {
            if (heading.getBoundingClientRect().top > window.innerHeight / 3) {
                break;
            }
            found = heading.id;
        }
        return found ? "#" + found : window.location.hash;
    }

    const link = document.createElement("a");
    link.className = "language-switch";
    link.lang = other;
    link.hreflang = other;
    link.textContent = other === "en" ? "English" : "中文";
    link.title = other === "en" ? "This page in English" : "这一页的中文版";
    const aim = function () {
        link.href = twin + section();
    };
    aim();
    // Aimed again whenever the reader may follow it: a click, a tap, the keyboard, a menu.
    for (const event of ["pointerdown", "focus", "contextmenu", "click"]) {
        link.addEventListener(event, aim);
    }
    buttons.prepend(link);
})();
