// Heatmap tooltips: one floating element for every cell with data-tip (event delegation, so it
// keeps working as Blazor re-renders the grid, and costs no server round trip per hover).
(() => {
    let tip = null;

    function element() {
        if (!tip) {
            tip = document.createElement("div");
            tip.className = "hm-tooltip";
            tip.setAttribute("role", "tooltip");
            document.body.appendChild(tip);
        }
        return tip;
    }

    function place(e) {
        const t = element();
        const pad = 14;
        let x = e.clientX + pad, y = e.clientY + pad;
        const r = t.getBoundingClientRect();
        if (x + r.width > window.innerWidth - 4) x = e.clientX - r.width - pad;
        if (y + r.height > window.innerHeight - 4) y = e.clientY - r.height - pad;
        t.style.left = Math.max(4, x) + "px";
        t.style.top = Math.max(4, y) + "px";
    }

    document.addEventListener("mouseover", e => {
        const cell = e.target instanceof Element ? e.target.closest("[data-tip]") : null;
        if (!cell) {
            if (tip) tip.style.display = "none";
            return;
        }
        const t = element();
        t.textContent = cell.getAttribute("data-tip");
        t.style.display = "block";
        place(e);
    });
    document.addEventListener("mousemove", e => {
        if (tip && tip.style.display === "block") place(e);
    });
})();
