// A hanging indent for code that wraps (theme/course.css says which code wraps, and when): the
// continuation of a wrapped line starts a little right of that line's own indentation, as an
// editor's soft wrap does, not at column 0 left of the code it belongs to.
//
// One <code> holds all its lines in one box, so CSS alone cannot indent each line's wrap by
// that line's indentation. This splits the content of each block that wraps into one element
// per source line (`.code-line`, with `--indent` its count of leading spaces), after mdBook's
// book.js has highlighted it (book.toml lists this after it), re-opening highlight.js's spans
// that cross a line's end on the next line.
//
// The newlines stay as text between the line elements, which are inline-level (inline-block,
// not block): the block's text, its `innerText` (what the copy button copies) and its
// `textContent` are the same as before.
//
// A line also gets places to wrap at its punctuation (<wbr>, which adds no text): after an
// opening bracket, a comma, `::`, `=` and the like, and before a `.` (a method call, as
// rustfmt breaks a chain). A browser wraps code only at spaces, so
// `tcp_server_socket.set_reuse_address(true)?;` is one word to it, which `overflow-wrap`
// (theme/course.css) breaks anywhere when it is longer than the row: inside an identifier,
// `set_reuse_ad` / `dress`. With these places it breaks between the words instead, and
// inside one only when that one alone is longer than the row.
(function () {
    "use strict";

    // The lines of `code`, each a fragment holding copies of the elements open at its start.
    function splitLines(code) {
        const lines = [];
        let line = document.createDocumentFragment();
        // The copies, in the current line, of the elements around the current position.
        let open = [line];
        // The original elements around the current position, outermost first.
        const path = [];
        function reopen() {
            line = document.createDocumentFragment();
            open = [line];
            for (const element of path) {
                const copy = element.cloneNode(false);
                open[open.length - 1].append(copy);
                open.push(copy);
            }
        }
        function walk(node) {
            for (const child of Array.from(node.childNodes)) {
                if (child.nodeType === Node.TEXT_NODE) {
                    const parts = child.data.split("\n");
                    parts.forEach(function (part, k) {
                        if (k > 0) {
                            lines.push(line);
                            reopen();
                        }
                        if (part !== "") {
                            open[open.length - 1].append(part);
                        }
                    });
                } else if (child.nodeType === Node.ELEMENT_NODE) {
                    const copy = child.cloneNode(false);
                    open[open.length - 1].append(copy);
                    open.push(copy);
                    path.push(child);
                    walk(child);
                    path.pop();
                    open.pop();
                }
            }
        }
        walk(code);
        lines.push(line);
        return lines;
    }

    // Puts the line's leading spaces (in one text node or several, inside highlight.js's
    // spans or not) in `.code-indent` spans, which the CSS does not let wrap: a line whose
    // first word is long would otherwise wrap after its indentation, leaving a row of spaces.
    function markIndentation(line) {
        const spaces = [];
        const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const leading = node.data.match(/^ */)[0].length;
            const rest = node.data.length - leading;
            if (leading > 0) {
                if (rest > 0) {
                    node.splitText(leading);
                }
                spaces.push(node);
            }
            if (rest > 0) {
                break;
            }
        }
        for (const node of spaces) {
            const indent = document.createElement("span");
            indent.className = "code-indent";
            node.replaceWith(indent);
            indent.append(node);
        }
    }

    const IDENTIFIER = /[A-Za-z0-9_]/;
    // An opening bracket: a line may wrap after it, before anything but a space or a closer.
    const OPENING = "([{";
    // Punctuation a line may wrap after, unless the next character goes on an operator
    // (`::`, `=>`, `<=`, `//`): not the prefixes `&`, `*`, `!`, `-`, which belong to what
    // follows them.
    const AFTER = ",;:=|+/%^~<→";
    const OPERATOR = ":=|&+*/!%^~<>-";
    // What a line never wraps before: a closer, a separator, a space.
    const NEVER_BEFORE = /[\s)\]}>,;.?]/;

    // Whether a line may wrap between `before` and `after`, two characters of its text.
    function breaksBetween(before, after) {
        if (NEVER_BEFORE.test(after)) {
            return false;
        }
        if (OPENING.includes(before)) {
            return true;
        }
        if (AFTER.includes(before)) {
            return !OPERATOR.includes(after);
        }
        // Before an escape in a string (`\xc4\xe3`), after the one before it.
        return after === "\\" && IDENTIFIER.test(before);
    }

    // Whether a line may wrap before the `.` at `k`: after a word or a closing bracket, and
    // before a word (a method or a field, not `..` or `.5`).
    function breaksBeforeDot(text, k) {
        return (
            text[k] === "." &&
            /[A-Za-z0-9_)\]?>]/.test(text[k - 1] || "") &&
            /[A-Za-z_]/.test(text[k + 1] || "")
        );
    }

    // Puts a <wbr> at each place the line may wrap at its punctuation (see the top).
    function markBreaks(line) {
        const nodes = [];
        const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            if (!(node.parentElement && node.parentElement.closest(".code-indent"))) {
                nodes.push(node);
            }
        }
        const text = nodes.map((node) => node.data).join("");
        let start = 0;
        const at = [];
        for (const node of nodes) {
            const places = [];
            for (let k = Math.max(start, 1); k < start + node.data.length; k += 1) {
                if (breaksBetween(text[k - 1], text[k]) || breaksBeforeDot(text, k)) {
                    places.push(k - start);
                }
            }
            at.push([node, places]);
            start += node.data.length;
        }
        for (const [node, places] of at) {
            for (const offset of places.reverse()) {
                const rest = node.splitText(offset);
                rest.before(document.createElement("wbr"));
            }
        }
    }

    function rebuild(code) {
        const lines = splitLines(code);
        const built = document.createDocumentFragment();
        lines.forEach(function (fragment, k) {
            if (k > 0) {
                built.append("\n");
            }
            const text = fragment.textContent;
            // An empty line is only its newline, as before: it keeps a line's height. The
            // empty last "line" after a block's final newline is not a line at all.
            if (text === "") {
                return;
            }
            const element = document.createElement("span");
            element.className = "code-line";
            element.style.setProperty("--indent", String(text.match(/^ */)[0].length));
            markIndentation(fragment);
            markBreaks(fragment);
            element.append(fragment);
            built.append(element);
        });
        code.replaceChildren(built);
    }

    // Only the blocks that wrap now are split, and a block that stops wrapping (a phone
    // turned, a window widened) gets its own nodes back: code that does not wrap is then
    // exactly mdBook's, down to the pixel (split text is drawn at slightly other sub-pixel
    // positions).
    const blocks = Array.from(document.querySelectorAll("pre:not(.mermaid) > code")).filter(
        // An editor (mdBook's `editable` blocks) keeps its own DOM; and a hidden line
        // (mdBook's `.boring`, a Rust line written `# …`) hides its newline with it, which
        // would stay visible here, between the line elements.
        (code) => !code.matches(".editable") && !code.querySelector(".boring"),
    );
    // Each split block's own nodes, to put back.
    const unsplit = new Map();
    function update() {
        for (const code of blocks) {
            const wraps = getComputedStyle(code).whiteSpace !== "pre";
            if (wraps && !unsplit.has(code)) {
                unsplit.set(code, Array.from(code.childNodes));
                rebuild(code);
            } else if (!wraps && unsplit.has(code)) {
                code.replaceChildren(...unsplit.get(code));
                unsplit.delete(code);
            }
        }
    }
    update();
    let pending = false;
    window.addEventListener("resize", function () {
        if (!pending) {
            pending = true;
            requestAnimationFrame(function () {
                pending = false;
                update();
            });
        }
    });
})();
