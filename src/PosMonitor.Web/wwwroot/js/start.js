// Starts Blazor (blazor.web.js is loaded with autostart="false"); kept out of the page so the CSP
// needs no inline script. Retry quickly and for long (about an hour) before the reconnect UI falls
// back to its own loop.
Blazor.start({
    circuit: {
        reconnectionOptions: {
            maxRetries: 1200,
            retryIntervalMilliseconds: attempt => attempt < 5 ? 1000 : 3000,
        },
    },
});
