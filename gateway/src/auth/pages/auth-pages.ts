/**
 * The login, registration and logout pages: server-rendered HTML forms that work with JavaScript off. Errors
 * show inline above the form. Every form carries the CSRF token and the page to return to (`next`).
 */
const esc = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

/** What every form page needs. `base` is where plothost is mounted ("" at the site root). */
export interface FormPageInput {
  readonly base: string;
  readonly csrf: string;
  readonly next: string;
  readonly error?: string;
  readonly username?: string;
}

function layout(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · plothost</title>
<style>
body{font-family:system-ui,sans-serif;background:#f6f7f9;color:#1f2328;margin:0}
main{max-width:22rem;margin:4rem auto;padding:2rem;background:#fff;border:1px solid #d0d7de;border-radius:8px}
h1{font-size:1.4rem;margin:0 0 1.2rem}
label{display:block;margin:.8rem 0 .3rem;font-weight:600}
input[type=text],input[type=password]{box-sizing:border-box;width:100%;padding:.5rem;border:1px solid #d0d7de;border-radius:6px;font-size:1rem}
button{margin-top:1.2rem;width:100%;padding:.6rem;border:0;border-radius:6px;background:#1f6feb;color:#fff;font-size:1rem;cursor:pointer}
.error{background:#ffebe9;border:1px solid #ff8182;border-radius:6px;padding:.6rem;margin:0 0 1rem}
.hint{color:#57606a;font-size:.9rem}
p.alt{margin-top:1.2rem;text-align:center}
</style></head>
<body><main>
${body}
</main></body></html>
`;
}

const errorBox = (error?: string) => (error ? `<p class="error" role="alert">${esc(error)}</p>` : "");
const hidden = (p: FormPageInput) =>
  `<input type="hidden" name="_csrf" value="${esc(p.csrf)}"><input type="hidden" name="next" value="${esc(p.next)}">`;
const withNext = (path: string, next: string) => (next === "/" ? path : `${path}?next=${encodeURIComponent(next)}`);

export function loginPage(p: FormPageInput & { registration: boolean }): string {
  return layout("Log in", `<h1>Log in to plothost</h1>
${errorBox(p.error)}<form method="post" action="${esc(p.base)}/login">
${hidden(p)}
<label for="username">Username</label>
<input type="text" id="username" name="username" autocomplete="username" required autofocus value="${esc(p.username ?? "")}">
<label for="password">Password</label>
<input type="password" id="password" name="password" autocomplete="current-password" required>
<button type="submit">Log in</button>
</form>
${p.registration ? `<p class="alt">No account? <a href="${esc(withNext(`${p.base}/register`, p.next))}">Register</a></p>` : ""}`);
}

export function registerPage(p: FormPageInput): string {
  return layout("Register", `<h1>Create a plothost account</h1>
${errorBox(p.error)}<form method="post" action="${esc(p.base)}/register">
${hidden(p)}
<label for="username">Username</label>
<input type="text" id="username" name="username" autocomplete="username" required autofocus maxlength="39" value="${esc(p.username ?? "")}">
<p class="hint">Letters, digits, '.', '_' or '-'.</p>
<label for="password">Password</label>
<input type="password" id="password" name="password" autocomplete="new-password" required minlength="8">
<p class="hint">At least 8 characters.</p>
<button type="submit">Register</button>
</form>
<p class="alt">Have an account? <a href="${esc(withNext(`${p.base}/login`, p.next))}">Log in</a></p>`);
}

export function logoutPage(p: { base: string; csrf: string; username: string }): string {
  return layout("Log out", `<h1>Log out</h1>
<p>You are logged in as <strong>${esc(p.username)}</strong>.</p>
<form method="post" action="${esc(p.base)}/logout">
<input type="hidden" name="_csrf" value="${esc(p.csrf)}">
<button type="submit">Log out</button>
</form>
<p class="alt"><a href="${esc(p.base)}/">Back to plothost</a></p>`);
}
