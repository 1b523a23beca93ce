// Reconnect UI. Besides the stock behaviour, it never waits for a click: when Blazor gives up
// (server restarted, network down for long), it keeps checking /healthz and, once the server
// answers, rejoins or reloads the page by itself. Unattended wall displays depend on this.
const reconnectModal = document.getElementById("components-reconnect-modal");
reconnectModal.addEventListener("components-reconnect-state-changed", handleReconnectStateChanged);

const retryButton = document.getElementById("components-reconnect-button");
retryButton.addEventListener("click", retry);

const resumeButton = document.getElementById("components-resume-button");
resumeButton.addEventListener("click", resume);

const autoRetryMs = 3000;
let autoRetryTimer = null;

function handleReconnectStateChanged(event) {
    if (event.detail.state === "show") {
        reconnectModal.showModal();
    } else if (event.detail.state === "hide") {
        stopAutoRetry();
        reconnectModal.close();
    } else if (event.detail.state === "failed" || event.detail.state === "resume-failed") {
        document.addEventListener("visibilitychange", retryWhenDocumentBecomesVisible);
        startAutoRetry();
    } else if (event.detail.state === "rejected") {
        reloadWhenServerAnswers();
    }
}

function startAutoRetry() {
    if (autoRetryTimer === null) autoRetryTimer = setTimeout(autoRetry, autoRetryMs);
}

function stopAutoRetry() {
    if (autoRetryTimer !== null) clearTimeout(autoRetryTimer);
    autoRetryTimer = null;
}

async function serverAnswers() {
    try {
        const response = await fetch("healthz", { cache: "no-store" });
        return response.ok;
    } catch {
        return false;
    }
}

async function autoRetry() {
    autoRetryTimer = null;
    if (await serverAnswers()) {
        await retry();
    } else {
        startAutoRetry();
    }
}

// Reloading while the server is down would leave the browser's own error page, which never retries.
async function reloadWhenServerAnswers() {
    if (await serverAnswers()) location.reload();
    else setTimeout(reloadWhenServerAnswers, autoRetryMs);
}

async function retry() {
    document.removeEventListener("visibilitychange", retryWhenDocumentBecomesVisible);
    stopAutoRetry();
    try {
        // true: rejoined; false: the server answered but no longer knows this circuit; exception: unreachable.
        const successful = await Blazor.reconnect();
        if (!successful) {
            const resumeSuccessful = await Blazor.resumeCircuit();
            if (!resumeSuccessful) {
                await reloadWhenServerAnswers();
            } else {
                reconnectModal.close();
            }
        }
    } catch (err) {
        document.addEventListener("visibilitychange", retryWhenDocumentBecomesVisible);
        startAutoRetry();
    }
}

async function resume() {
    try {
        const successful = await Blazor.resumeCircuit();
        if (!successful) {
            await reloadWhenServerAnswers();
        }
    } catch {
        reconnectModal.classList.replace("components-reconnect-paused", "components-reconnect-resume-failed");
        startAutoRetry();
    }
}

async function retryWhenDocumentBecomesVisible() {
    if (document.visibilityState === "visible") {
        await retry();
    }
}
