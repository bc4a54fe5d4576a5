// Diagrams and charts that a reader can read on any screen (theme/course.css draws them).
//
// 1. Mermaid draws with the page's own font. Mermaid measures each label to size its box; by
//    default it measures in one font ("trebuchet ms", which few readers have) and the page
//    draws the text in another, so labels overflowed their boxes. Here both are the body's
//    font, and Mermaid draws only once that font is loaded (this script starts it, instead of
//    mermaid-init.js, which mdbook-mermaid writes).
// 2. A diagram is never drawn smaller than its smallest text allows: at most so much smaller
//    than its own size that no text is under 12 px (`min-width`). One that is then wider than
//    the column (a sequence diagram of five lanes, on a phone) scrolls sideways in its own box,
//    and says so under it.
// 3. Each diagram and each chart (an image) opens full screen: a tap or a click on it, or its
//    button under it (Enter or Space), shows it at its own size or larger, in a view that
//    scrolls both ways; Escape, the close button or a tap on it closes the view and gives the
//    focus back. A chart drawn narrow for a phone (a <picture>) opens as its wide drawing.
//
// When all is drawn and framed, the page is marked `data-figures="ready"` (tests/browser
// waits for it).
(function () {
    "use strict";

    // The smallest text of a diagram drawn in the page, in CSS px; the browser test's limit
    // (tests/browser) is 10.
    const READABLE_PX = 12;
    // How much larger than its own size the full-screen view may draw a figure.
    const MAX_ZOOM = 2;

    const zh = (document.documentElement.lang || "").startsWith("zh");
    const words = zh
        ? {
              open: "放大",
              openLabel: "全屏查看这张图",
              close: "关闭",
              closeLabel: "关闭全屏视图",
              pans: "图比屏幕宽：左右滑动查看。",
              view: "全屏查看的图",
          }
        : {
              open: "Enlarge",
              openLabel: "Show this figure full screen",
              close: "Close",
              closeLabel: "Close the full-screen view",
              pans: "Wider than the screen: scroll sideways.",
              view: "A figure, full screen",
          };

    // The smallest text of `svg`, in the SVG's own units (CSS px at its own size): each
    // text's computed size, times its scale within the SVG.
    function smallestText(svg) {
        const outer = svg.getScreenCTM();
        const scale = outer ? Math.hypot(outer.a, outer.b) : 1;
        let smallest = Infinity;
        const walker = document.createTreeWalker(svg, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const element = node.parentElement;
            if (!node.data.trim() || !element || element.closest("style, title, desc")) {
                continue;
            }
            let graphic = element;
            while (graphic && !(graphic instanceof SVGGraphicsElement)) {
                graphic = graphic.parentElement;
            }
            const matrix = graphic && graphic.getScreenCTM();
            if (!matrix || scale === 0) {
                continue;
            }
            const size =
                (parseFloat(getComputedStyle(element).fontSize) * Math.hypot(matrix.a, matrix.b)) /
                scale;
            smallest = Math.min(smallest, size);
        }
        return smallest;
    }

    // The size a figure is drawn at on the page and in the full-screen view.
    function naturalSize(figure) {
        if (figure.svg) {
            const box = figure.svg.viewBox.baseVal;
            return { width: box.width, height: box.height };
        }
        return { width: figure.wide.naturalWidth, height: figure.wide.naturalHeight };
    }

    // The caption row under a figure: what to do with it, and its button.
    function frame(figure, element) {
        const holder = document.createElement("div");
        holder.className = "figure";
        element.replaceWith(holder);
        holder.append(element);
        const bar = document.createElement("div");
        bar.className = "figure-bar";
        const hint = document.createElement("span");
        hint.className = "figure-hint";
        hint.textContent = words.pans;
        const button = document.createElement("button");
        button.type = "button";
        button.className = "figure-open";
        button.textContent = "⤢ " + words.open;
        button.setAttribute("aria-label", words.openLabel);
        button.addEventListener("click", function () {
            open(figure);
        });
        bar.append(hint, button);
        holder.append(bar);
        figure.holder = holder;
        figure.button = button;
        figure.shown.addEventListener("click", function () {
            open(figure);
        });
        figures.push(figure);
    }

    const figures = [];

    function frameDiagram(pre) {
        const svg = pre.querySelector("svg");
        if (!svg || !svg.viewBox || !svg.viewBox.baseVal || svg.viewBox.baseVal.width === 0) {
            return;
        }
        const natural = svg.viewBox.baseVal.width;
        const smallest = smallestText(svg);
        const scale = Number.isFinite(smallest) ? Math.min(1, READABLE_PX / smallest) : 0.75;
        svg.style.minWidth = Math.ceil(natural * scale) + "px";
        frame({ svg, pre, shown: svg }, pre);
    }

    function frameImage(img) {
        // mdBook's own zoom (a checkbox and a second copy of the image, shown at the width
        // of the window) gives way to the view here.
        const label = img.closest("label.checkbox-label");
        let element = img.closest("picture") || img;
        if (label) {
            label.replaceWith(img);
            element = img;
        }
        // The view shows the drawing the <img> names, the wide one of a <picture>, loaded
        // when it is first opened.
        const wide = new Image();
        wide.alt = img.alt;
        frame({ img, wide, shown: img }, element);
    }

    // Marks the figures whose box scrolls sideways, which then say so: again whenever a box
    // changes size (a phone turned, the sidebar opened).
    function notePanning() {
        for (const figure of figures) {
            const pans = figure.pre && figure.pre.scrollWidth > figure.pre.clientWidth + 1;
            figure.holder.classList.toggle("figure-pans", Boolean(pans));
        }
    }
    const resized = window.ResizeObserver ? new ResizeObserver(notePanning) : null;

    let dialog = null;
    let view = null;
    let current = null;

    function theDialog() {
        if (dialog) {
            return dialog;
        }
        dialog = document.createElement("dialog");
        dialog.className = "figure-dialog";
        dialog.setAttribute("aria-label", words.view);
        const bar = document.createElement("div");
        bar.className = "figure-dialog-bar";
        const close = document.createElement("button");
        close.type = "button";
        close.className = "figure-close";
        close.textContent = "✕ " + words.close;
        close.setAttribute("aria-label", words.closeLabel);
        close.addEventListener("click", shut);
        bar.append(close);
        view = document.createElement("div");
        view.className = "figure-view";
        // A tap closes the view, as mdBook's zoom does; a tap on its scroll bars does not.
        view.addEventListener("click", function (event) {
            const box = view.getBoundingClientRect();
            if (
                event.clientX - box.left < view.clientWidth &&
                event.clientY - box.top < view.clientHeight
            ) {
                shut();
            }
        });
        dialog.append(bar, view);
        // The browser closes a modal dialog on Escape by itself; a key sent by a script (or
        // a browser that does not) closes it here.
        dialog.addEventListener("keydown", function (event) {
            if (event.key === "Escape") {
                event.preventDefault();
                shut();
            }
        });
        dialog.addEventListener("close", restore);
        document.body.append(dialog);
        return dialog;
    }

    // The figure's size in the view: its own, or as much larger as fits the screen, up to
    // MAX_ZOOM; never smaller, so a phone scrolls over it.
    function fit() {
        if (!current) {
            return;
        }
        const size = naturalSize(current);
        if (!(size.width > 0 && size.height > 0)) {
            return;
        }
        const style = getComputedStyle(view);
        const room = {
            width: view.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight),
            height: view.clientHeight - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom),
        };
        const zoom = Math.min(
            MAX_ZOOM,
            Math.max(1, Math.min(room.width / size.width, room.height / size.height)),
        );
        current.inView.style.width = Math.floor(size.width * zoom) + "px";
    }

    function open(figure) {
        if (current) {
            return;
        }
        theDialog();
        current = figure;
        if (figure.svg) {
            // The diagram itself moves into the view (its styles and arrowheads refer to ids
            // inside it), and its box keeps its height meanwhile.
            figure.pre.style.height = figure.pre.offsetHeight + "px";
            figure.style = figure.svg.getAttribute("style") || "";
            figure.svg.style.maxWidth = "none";
            figure.svg.style.minWidth = "0";
            figure.inView = figure.svg;
        } else {
            if (!figure.wide.getAttribute("src")) {
                figure.wide.src = figure.img.src;
            }
            figure.inView = figure.wide;
        }
        view.replaceChildren(figure.inView);
        dialog.showModal();
        view.scrollTo(0, 0);
        fit();
        if (!figure.svg && !figure.wide.complete) {
            figure.wide.addEventListener("load", fit, { once: true });
        }
    }

    // Closes the view (the browser gives the focus back to what had it), then puts the figure
    // back and focuses its button.
    function shut() {
        if (dialog.open) {
            dialog.close();
        }
        restore();
    }

    function restore() {
        const figure = current;
        if (!figure) {
            return;
        }
        current = null;
        if (figure.svg) {
            figure.svg.setAttribute("style", figure.style);
            figure.pre.append(figure.svg);
            figure.pre.style.height = "";
        } else {
            figure.wide.remove();
        }
        figure.button.focus();
    }

    function frameAll() {
        for (const pre of document.querySelectorAll("main pre.mermaid")) {
            frameDiagram(pre);
        }
        for (const img of document.querySelectorAll("main img")) {
            if (!img.closest("a, .img-wrapper")) {
                frameImage(img);
            }
        }
        // Mermaid's own error diagram, drawn outside the page's diagrams, is left alone.
        notePanning();
        for (const figure of figures) {
            if (resized && figure.pre) {
                resized.observe(figure.pre);
            }
        }
        document.documentElement.dataset.figures = "ready";
    }

    window.addEventListener("resize", function () {
        notePanning();
        fit();
    });

    const diagrams = document.querySelector("pre.mermaid") && window.mermaid;
    if (!diagrams) {
        if (document.readyState === "loading") {
            document.addEventListener("DOMContentLoaded", frameAll);
        } else {
            frameAll();
        }
        return;
    }
    // Mermaid's settings as mermaid-init.js gave them (the light or dark theme), with the
    // body's font, and not drawn on load: drawn below, once that font is in.
    const site = mermaid.mermaidAPI.getSiteConfig();
    const font = getComputedStyle(document.body).fontFamily;
    mermaid.initialize(
        Object.assign({}, site, {
            startOnLoad: false,
            fontFamily: font,
            themeVariables: Object.assign({}, site.themeVariables, { fontFamily: font }),
            sequence: Object.assign({}, site.sequence, {
                actorFontFamily: font,
                messageFontFamily: font,
                noteFontFamily: font,
            }),
        }),
    );
    window.addEventListener("load", function () {
        const fonts = document.fonts
            ? Promise.all([
                  document.fonts.load("16px " + font),
                  document.fonts.load("bold 16px " + font),
              ]).catch(function () {})
            : Promise.resolve();
        fonts
            .then(function () {
                return mermaid.run({ querySelector: "main pre.mermaid" });
            })
            .catch(function () {
                // A diagram Mermaid cannot draw shows Mermaid's error in its place.
            })
            .finally(frameAll);
    });
})();
