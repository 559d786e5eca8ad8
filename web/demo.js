// The demo page: signs in (a dev user locally; on AWS through Cognito's hosted UI with PKCE, or a
// pasted ID token where no hosted UI is configured), wires the widgets to the API and sends
// activities, so the profile, badges and boards move on screen.
import { configure, refreshAll } from "./gamify.js";
import { HostedSignIn, claimsOf, forgetToken, keepToken, storedToken } from "./demo-auth.js";

const $ = (selector) => document.querySelector(selector);
const config = await fetch("config.json", { cache: "no-store" })
  .then((r) => (r.ok ? r.json() : {}))
  .catch(() => ({}));
const apiBase = (config.apiUrl ?? "").replace(/\/+$/, "");
const hosted = config.cognito?.domain
  ? new HostedSignIn({
      domain: config.cognito.domain,
      clientId: config.cognito.clientId,
      redirectUri: config.cognito.redirectUri ?? `${location.origin}/`,
    })
  : null;

function showError(message) {
  const box = $("#sign-in-error");
  box.textContent = message;
  box.hidden = false;
}

// Back from the hosted UI (?code&state): exchange the code before anything reads the URL.
if (hosted) {
  try {
    await hosted.complete();
  } catch (error) {
    showError(error.message);
  }
}
const params = new URLSearchParams(location.search);

function signedInToken() {
  if (config.devSignIn) {
    const user = params.get("user");
    if (!user) return null;
    // Only a final ":admin" or ":user" is a role (docs/local.md): an id that ends like one
    // says ":user" so it signs in as itself.
    const role = /:(admin|user)$/.test(user) ? ":user" : "";
    return { token: `dev:${user}${role}`, who: `${user} (local dev sign-in)` };
  }
  const token = storedToken();
  if (!token) return null;
  const claims = claimsOf(token);
  return { token, who: claims.email ?? claims["cognito:username"] ?? "Cognito user" };
}

function showSignIn() {
  if (hosted) {
    $("#hosted-sign-in").hidden = false;
    $("#hosted-sign-in-button").addEventListener("click", () => {
      hosted.start().catch((error) => showError(`Sign-in could not start: ${error.message}`));
    });
    return;
  }
  const form = $("#sign-in");
  form.hidden = false;
  if (config.devSignIn) {
    $("#sign-in-help").textContent = "Local only: any user id signs you in as that user (?user=<id>).";
  } else {
    $("#sign-in-label").textContent = "Cognito ID token";
    $("#sign-in-help").textContent =
      "Paste an ID token of the stack's user pool (docs/deploy.md shows how to get one).";
  }
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const value = $("#user-field").value.trim();
    if (!value) return;
    if (config.devSignIn) {
      params.set("user", value);
      location.search = params.toString();
    } else {
      keepToken(value);
      location.reload();
    }
  });
}

function offerSignOut() {
  const button = $("#sign-out");
  button.hidden = false;
  button.addEventListener("click", () => {
    if (hosted) {
      hosted.signOut();
    } else {
      forgetToken();
      location.reload();
    }
  });
}

let sequence = 0;
function objectId(type) {
  sequence += 1;
  const noun = type === "comment_left" ? "comment" : "post";
  return `${noun}-${Date.now().toString(36)}-${sequence}`;
}

async function send(token, activity) {
  const response = await fetch(`${apiBase}/v1/activities`, {
    method: "POST",
    headers: {
      Authorization: config.devSignIn ? `Bearer ${token}` : token,
      "Content-Type": "application/json",
    },
    body: JSON.stringify(activity),
  });
  const body = await response.json().catch(() => ({}));
  $("#sent").textContent = response.ok
    ? `Queued ${activity.type} ${activity.object_id}: the widgets update in a moment.`
    : `Refused (${response.status}): ${body?.error?.message ?? "unknown error"}`;
  if (response.ok) {
    // Processing is asynchronous (queue -> consumer -> table -> board): look again a few times.
    for (const ms of [300, 1000, 2000, 4000]) setTimeout(refreshAll, ms);
  }
}

// The widgets' language: ?lang=de, or the switch in the header (they read the nearest `lang`).
const languageSelect = $("#lang-select");
function useLanguage(lang) {
  $("#widgets").lang = lang;
  languageSelect.value = lang;
}
useLanguage(["en", "de"].includes(params.get("lang")) ? params.get("lang") : "en");
languageSelect.addEventListener("change", () => {
  params.set("lang", languageSelect.value);
  history.replaceState(null, "", `?${params}`);
  useLanguage(languageSelect.value);
  refreshAll();
});

// The theme: the system's, or forced (?theme=dark): one custom property for page and widgets.
const themeSelect = $("#theme-select");
function useTheme(theme) {
  if (theme) document.documentElement.style.setProperty("--gamify-color-scheme", theme);
  else document.documentElement.style.removeProperty("--gamify-color-scheme");
  themeSelect.value = theme;
}
useTheme(["light", "dark"].includes(params.get("theme")) ? params.get("theme") : "");
themeSelect.addEventListener("change", () => {
  if (themeSelect.value) params.set("theme", themeSelect.value);
  else params.delete("theme");
  history.replaceState(null, "", `?${params}`);
  useTheme(themeSelect.value);
});

const session = signedInToken();
if (!session) {
  showSignIn();
} else {
  $("#session").textContent = `Signed in as ${session.who}`;
  if (!config.devSignIn) offerSignOut();
  const poll = params.get("poll");
  if (poll) {
    for (const widget of document.querySelectorAll("#widgets > *")) widget.setAttribute("poll-seconds", poll);
  }
  // Local dev tokens go as "Bearer dev:<user>"; a Cognito ID token goes bare, as the
  // deployment guide's curl examples send it.
  const authScheme = config.devSignIn ? "Bearer" : "";
  configure({ apiBase, token: session.token, authScheme });
  // The widgets' own lookup (one GET /v1/me for the page): a control user sees why they are empty.
  $("gamify-profile").experience().then((experience) => {
    $("#control-note").hidden = experience !== "control";
  });
  $("#panel").hidden = false;
  $("#widgets").hidden = false;
  for (const button of document.querySelectorAll("#panel button[data-type]")) {
    button.addEventListener("click", () => {
      const type = button.dataset.type;
      send(session.token, { type, object_id: objectId(type) });
    });
  }
  $("#custom").addEventListener("submit", (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    const type = String(form.get("type"));
    send(session.token, { type, object_id: String(form.get("object_id") || objectId(type)) });
  });
}
