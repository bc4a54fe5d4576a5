// A switch to the same page in the other language, in the menu bar of every lesson page
// (lessons/zh/X.md and lessons/en/X.md are the same page in two languages).
(function () {
    "use strict";
    const page = window.location.pathname.match(/\/(zh|en)\/([^/]+\.html)$/);
    const buttons = document.querySelector("#mdbook-menu-bar .right-buttons");
    if (!page || !buttons) {
        return;
    }
    const other = page[1] === "zh" ? "en" : "zh";
    const link = document.createElement("a");
    link.href = "../" + other + "/" + page[2] + window.location.hash;
    link.className = "language-switch";
    link.lang = other;
    link.hreflang = other;
    link.textContent = other === "en" ? "English" : "中文";
    link.title = other === "en" ? "This page in English" : "这一页的中文版";
    buttons.prepend(link);
})();
