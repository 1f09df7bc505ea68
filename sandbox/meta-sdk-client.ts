// Browser code of the Meta JS SDK stand-in, kept as text and served by meta-sdk.ts. ES5-style on purpose: it
// runs unbundled in whatever page loads /meta/sdk.js.

/** /meta/sdk.js: window.FB with init(), login() (opens the sandbox Embedded Signup popup) and no-op extras. */
export function sdkScript(fallbackOrigin: string): string {
  return `/* 360dialog sandbox: stand-in for https://connect.facebook.net/en_US/sdk.js (Embedded Signup only). */
(function () {
  "use strict";
  if (window.FB && window.FB.__sandbox) return;
  var script = document.currentScript;
  var ORIGIN = script && script.src ? new URL(script.src, window.location.href).origin : ${JSON.stringify(fallbackOrigin)};
  var s = { appId: null, version: null, popup: null, callback: null, done: true, timer: null };

  function finish(response) {
    if (s.done) return;
    s.done = true;
    if (s.timer) clearInterval(s.timer);
    var cb = s.callback;
    s.callback = null;
    if (typeof cb === "function") cb(response);
  }

  // The popup (sandbox origin) posts the WA_EMBEDDED_SIGNUP session message for the page, then this
  // SDK-internal object with the login result.
  window.addEventListener("message", function (event) {
    if (event.origin !== ORIGIN || !s.popup || event.source !== s.popup) return;
    var data = event.data;
    if (!data || typeof data !== "object" || !data.__sandboxFbLogin) return;
    var code = data.__sandboxFbLogin.code;
    finish(code ? { authResponse: { code: code }, status: "connected" } : { authResponse: null, status: "unknown" });
  });

  window.FB = {
    __sandbox: true,
    init: function (opts) {
      opts = opts || {};
      s.appId = opts.appId || null;
      s.version = opts.version || null;
    },
    login: function (callback, options) {
      options = options || {};
      var extras = options.extras || {};
      finish({ authResponse: null, status: "unknown" });
      s.callback = callback;
      s.done = false;
      var params = new URLSearchParams({
        origin: window.location.origin,
        version: String(extras.sessionInfoVersion || 3),
        feature: String(extras.featureType || ""),
        config_id: String(options.config_id || ""),
        app_id: String(s.appId || "")
      });
      var popup = window.open(ORIGIN + "/meta/embedded-signup?" + params.toString(), "sandbox-embedded-signup",
        "toolbar=no, menubar=no, width=600, height=760, top=100, left=100");
      s.popup = popup;
      if (!popup) {
        console.error("[sandbox FB] the Embedded Signup popup was blocked");
        finish({ authResponse: null, status: "unknown" });
        return;
      }
      s.timer = setInterval(function () {
        if (!popup.closed) return;
        clearInterval(s.timer);
        s.timer = null;
        // Let messages posted just before closing arrive first.
        setTimeout(function () { finish({ authResponse: null, status: "unknown" }); }, 300);
      }, 250);
    },
    getLoginStatus: function (cb) {
      if (typeof cb === "function") cb({ authResponse: null, status: "unknown" });
    },
    AppEvents: { logPageView: function () {} },
    XFBML: { parse: function () {} }
  };

  if (typeof window.fbAsyncInit === "function") setTimeout(function () { window.fbAsyncInit(); }, 0);
})();
`;
}

/** Inline script of the popup page; `config` is {origin, version, feature} as JSON safe for <script>. */
export function popupScript(configJson: string): string {
  return `
(function () {
  "use strict";
  var CFG = ${configJson};
  var status = document.getElementById("es-status");
  function say(text) { status.textContent = text; }
  function session(event, data) {
    var message = JSON.stringify({ type: "WA_EMBEDDED_SIGNUP", event: event, version: CFG.version, data: data });
    window.opener.postMessage(message, CFG.origin);
  }
  function login(code) { window.opener.postMessage({ __sandboxFbLogin: { code: code || null } }, CFG.origin); }
  function close() { say("Done. This window closes now."); setTimeout(function () { window.close(); }, 100); }
  function value(id) { return document.getElementById(id).value; }
  if (!window.opener) { say("This page was opened without an opener window, so it has nobody to report to."); }

  document.getElementById("es-finish").addEventListener("click", function () {
    if (!window.opener) return;
    fetch("/meta/embedded-signup/finish", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ business_name: value("es-business"), phone_number: value("es-phone"), feature: CFG.feature })
    }).then(function (r) { return r.json(); }).then(function (res) {
      if (res.error) { say(res.error); return; }
      session(res.event, res.data);
      login(res.code);
      close();
    }, function () { say("The sandbox did not answer."); });
  });
  document.getElementById("es-cancel").addEventListener("click", function () {
    if (!window.opener) return;
    session("CANCEL", { current_step: value("es-step") });
    login(null);
    close();
  });
  document.getElementById("es-error").addEventListener("click", function () {
    if (!window.opener) return;
    session("ERROR", { error_message: value("es-error-message") });
    login(null);
    close();
  });
})();
`;
}
