// Search with Pagefind instead of mdBook's own, which cannot split Chinese into words.
// scripts/book writes Pagefind's index to pagefind/ (one per language, from <html lang>); this
// adds a search button to the menu bar (also opened by S or /), a box under it that lists the
// results, and marks the searched words on the page a result opens (`?highlight=`).
//
// Pagefind's index alone ranks Chinese badly: the browser splits the query 半关闭 into 半
// and 关闭, and 粘包 into 粘 and 包, each of which matches on its own (包 in 包括, 半 in
// 两半), and the last is matched as a prefix. So the results Pagefind finds are ranked again here
// (`courseSearch.rank`, which tests/browser calls too): pages holding the query as written
// first, a lesson with it in a heading before any other page, and, for a Chinese query, no
// page that holds only its characters apart.
(function () {
    "use strict";
    if (typeof path_to_root === "undefined") {
        return;
    }
    // The book's root as a folder: path_to_root is "" on a page at the root, "../" below it.
    const root = new URL(".", new URL(path_to_root, window.location.href));
    const chinese = document.documentElement.lang.startsWith("zh");
    const HIGHLIGHT = "highlight";
    // Pagefind finds at most this many pages to rank again; the book has about 50.
    const CONSIDERED = 40;
    const SHOWN = 10;

    let pagefind = null;
    function loadPagefind() {
        if (!pagefind) {
            const script = new URL("pagefind/pagefind.js", root).href;
            pagefind = import(script).then(async function (api) {
                // Result URLs are made from the book's root, wherever the book is served.
                await api.options({ baseUrl: root.pathname });
                return api;
            });
        }
        return pagefind;
    }

    const HAN = /\p{Script=Han}/u;

    function occurrences(text, phrase) {
        return text.toLocaleLowerCase().split(phrase).length - 1;
    }

    // A lesson page (zh/lessonN.html, en/lessonN.html), as against a listing or the contents.
    function isLesson(url) {
        return /\/(zh|en)\/[^/]+\.html/.test(url);
    }

    // The result's place in the ranking: smaller is better.
    function rankOf(found, phrase) {
        const inHeadings = found.data.sub_results.filter(function (sub) {
            return sub.title.toLocaleLowerCase().includes(phrase);
        }).length;
        const inTitle = (found.data.meta.title || "").toLocaleLowerCase().includes(phrase);
        let tier = 3;
        if (found.count === 0) {
            tier = 4;
        } else if (inHeadings > 0 && isLesson(found.data.url)) {
            tier = 1;
        } else if (inTitle) {
            tier = 2;
        }
        return [tier, -inHeadings, -found.count, found.order];
    }

    function compareRanks(a, b) {
        for (let i = 0; i < a.length; i += 1) {
            if (a[i] !== b[i]) {
                return a[i] - b[i];
            }
        }
        return 0;
    }

    function textOf(html) {
        return html.replace(/<[^>]*>/g, "").replace(/&[a-z]+;|&#\d+;/g, " ");
    }

    function escapeHtml(text) {
        return text.replace(/[&<>"]/g, function (c) {
            return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c];
        });
    }

    // The page's text around the phrase's first occurrence, the phrase marked: for the pages
    // whose sections' excerpts Pagefind centred on a character of it alone (包 of 包括).
    function excerptAround(content, phrase) {
        const at = content.toLocaleLowerCase().indexOf(phrase);
        if (at < 0) {
            return null;
        }
        const start = Math.max(0, at - 40);
        const end = Math.min(content.length, at + phrase.length + 80);
        return (
            (start > 0 ? "… " : "") +
            escapeHtml(content.slice(start, at)) +
            "<mark>" +
            escapeHtml(content.slice(at, at + phrase.length)) +
            "</mark>" +
            escapeHtml(content.slice(at + phrase.length, end)) +
            (end < content.length ? " …" : "")
        );
    }

    // Where a result links (the section whose heading, or else whose excerpt, holds the
    // phrase), and an excerpt that shows the phrase.
    function bestSection(data, phrase) {
        const holds = function (text) {
            return occurrences(text, phrase) > 0;
        };
        const titled = data.sub_results.find(function (sub) {
            return holds(sub.title);
        });
        const shown = data.sub_results.find(function (sub) {
            return holds(textOf(sub.excerpt));
        });
        const section = titled || shown || data;
        let excerpt = section.excerpt;
        if (!holds(textOf(excerpt))) {
            excerpt = shown ? shown.excerpt : excerptAround(data.content, phrase) || data.excerpt;
        }
        return { url: section.url, excerpt: excerpt };
    }

    // The results for `term`, best first: [{ url, title, excerpt }], excerpt as Pagefind's HTML.
    async function rank(term) {
        const api = await loadPagefind();
        const search = await api.search(term);
        const phrase = term.trim().toLocaleLowerCase();
        const found = await Promise.all(
            search.results.slice(0, CONSIDERED).map(async function (result, order) {
                const data = await result.data();
                return { data: data, order: order, count: occurrences(data.content, phrase) };
            })
        );
        const kept = HAN.test(phrase)
            ? found.filter(function (f) {
                  return f.count > 0;
              })
            : found;
        const ranked = kept
            .map(function (f) {
                return { found: f, rank: rankOf(f, phrase) };
            })
            .sort(function (a, b) {
                return compareRanks(a.rank, b.rank);
            });
        return ranked.map(function (r) {
            const section = bestSection(r.found.data, phrase);
            return { url: section.url, title: r.found.data.meta.title, excerpt: section.excerpt };
        });
    }

    // The result's URL with the term to mark on the page it opens, before any #fragment.
    function withHighlight(url, term) {
        const [path, fragment] = url.split("#");
        const query = HIGHLIGHT + "=" + encodeURIComponent(term.trim());
        return path + "?" + query + (fragment ? "#" + fragment : "");
    }

    function showResults(list, status, term, results) {
        list.replaceChildren();
        for (const result of results.slice(0, SHOWN)) {
            const item = document.createElement("li");
            item.className = "course-search-result";
            const link = document.createElement("a");
            link.className = "course-search-link";
            link.href = withHighlight(result.url, term);
            link.textContent = result.title;
            const excerpt = document.createElement("p");
            // Pagefind's excerpt: the page's text, escaped, with the matches in <mark>.
            excerpt.innerHTML = result.excerpt;
            item.append(link, excerpt);
            list.append(item);
        }
        if (results.length === 0) {
            status.textContent = chinese ? "没有找到。" : "Nothing found.";
        } else {
            status.textContent = chinese
                ? "找到 " + results.length + " 页。"
                : results.length + (results.length === 1 ? " page found." : " pages found.");
        }
    }

    function buildBox() {
        const box = document.createElement("div");
        box.id = "course-search";
        box.hidden = true;
        box.setAttribute("role", "search");
        const input = document.createElement("input");
        input.type = "search";
        input.id = "course-search-input";
        input.placeholder = chinese ? "搜索（S 或 /）" : "Search (S or /)";
        input.setAttribute("aria-label", chinese ? "搜索这本书" : "Search this book");
        const status = document.createElement("p");
        status.className = "course-search-status";
        status.setAttribute("aria-live", "polite");
        const list = document.createElement("ol");
        list.className = "course-search-results";
        box.append(input, status, list);
        // Answers may come back out of order: only the newest query's are shown.
        let asked = 0;
        input.addEventListener("input", function () {
            asked += 1;
            const mine = asked;
            const term = input.value;
            if (term.trim() === "") {
                list.replaceChildren();
                status.textContent = "";
                return;
            }
            rank(term).then(function (results) {
                if (mine === asked) {
                    showResults(list, status, term, results);
                }
            });
        });
        return { box: box, input: input };
    }

    function addSearchBox() {
        const buttons = document.querySelector("#mdbook-menu-bar .left-buttons");
        if (!buttons) {
            return;
        }
        const button = document.createElement("button");
        button.id = "course-search-toggle";
        button.className = "icon-button";
        button.type = "button";
        button.textContent = chinese ? "搜索" : "Search";
        button.title = chinese ? "搜索（S 或 /）" : "Search (S or /)";
        button.setAttribute("aria-expanded", "false");
        button.setAttribute("aria-controls", "course-search");
        buttons.append(button);
        const { box, input } = buildBox();
        document.querySelector("#mdbook-menu-bar").after(box);

        function open() {
            box.hidden = false;
            button.setAttribute("aria-expanded", "true");
            input.focus();
            loadPagefind();
        }
        function close() {
            box.hidden = true;
            button.setAttribute("aria-expanded", "false");
            button.focus();
        }
        button.addEventListener("click", function () {
            if (box.hidden) {
                open();
            } else {
                close();
            }
        });
        box.addEventListener("keydown", function (event) {
            if (event.key === "Escape") {
                close();
            }
        });
        // S or /, as on docs.rs and mdBook's own search, unless the reader is typing.
        document.addEventListener("keydown", function (event) {
            const typing =
                event.target instanceof Element &&
                event.target.closest("input, textarea, select, [contenteditable]");
            const plain = !event.ctrlKey && !event.metaKey && !event.altKey;
            if (plain && !typing && (event.key === "s" || event.key === "S" || event.key === "/")) {
                event.preventDefault();
                open();
            }
        });
    }

    // Text nodes of the page's prose that hold the phrase; code and diagrams are left as drawn.
    function textNodesHolding(container, phrase) {
        const walker = document.createTreeWalker(container, NodeFilter.SHOW_TEXT, {
            acceptNode: function (node) {
                if (node.parentElement.closest("pre, svg, script, style, mark")) {
                    return NodeFilter.FILTER_REJECT;
                }
                return occurrences(node.data, phrase) > 0
                    ? NodeFilter.FILTER_ACCEPT
                    : NodeFilter.FILTER_SKIP;
            },
        });
        const nodes = [];
        while (walker.nextNode()) {
            nodes.push(walker.currentNode);
        }
        return nodes;
    }

    // Wraps each occurrence of the phrase in the text node in <mark class="course-hit">.
    function markIn(node, phrase) {
        let rest = node;
        let at = rest.data.toLocaleLowerCase().indexOf(phrase);
        while (at >= 0) {
            const hit = rest.splitText(at);
            rest = hit.splitText(phrase.length);
            const mark = document.createElement("mark");
            mark.className = "course-hit";
            hit.replaceWith(mark);
            mark.append(hit);
            at = rest.data.toLocaleLowerCase().indexOf(phrase);
        }
    }

    // The page opened from a result marks what was searched for, and shows the first mark
    // unless the link named a section.
    function highlightSearchedTerm() {
        const term = new URLSearchParams(window.location.search).get(HIGHLIGHT);
        const main = document.querySelector("main");
        if (!term || !term.trim() || !main) {
            return;
        }
        const phrase = term.trim().toLocaleLowerCase();
        for (const node of textNodesHolding(main, phrase)) {
            markIn(node, phrase);
        }
        const first = main.querySelector("mark.course-hit");
        if (first && !window.location.hash) {
            first.scrollIntoView({ block: "center" });
        }
    }

    window.courseSearch = { rank: rank };
    addSearchBox();
    highlightSearchedTerm();
})();
