import { useState } from 'preact/hooks';
import { html } from '../html.js';
import { del, get, put } from '../api.js';
import { ErrorText } from './error.js';
import { useLoad } from './load.js';
import { splitList } from './text.js';

const METHODS = ['GET', 'HEAD', 'PUT', 'POST', 'DELETE', 'PATCH'];
const LIST_FIELDS = [
  ['allowedOrigins', 'Allowed origins', 'https://app.example.com, https://*.example.com'],
  ['allowedHeaders', 'Allowed request headers', 'content-type, authorization, tus-*'],
  ['exposeHeaders', 'Headers scripts may read', 'ETag, Location, Upload-Offset'],
];

/** A rule as the form holds it: lists as text. */
function toForm(rule) {
  return {
    allowedOrigins: (rule.allowedOrigins || []).join(', '),
    allowedMethods: rule.allowedMethods || ['GET', 'HEAD'],
    allowedHeaders: (rule.allowedHeaders || []).join(', '),
    exposeHeaders: (rule.exposeHeaders || []).join(', '),
    maxAgeSeconds: rule.maxAgeSeconds === null || rule.maxAgeSeconds === undefined ? '' : String(rule.maxAgeSeconds),
  };
}

function toRule(form) {
  const rule = {
    allowedOrigins: splitList(form.allowedOrigins),
    allowedMethods: form.allowedMethods,
    allowedHeaders: splitList(form.allowedHeaders),
    exposeHeaders: splitList(form.exposeHeaders),
  };
  if (form.maxAgeSeconds.trim()) rule.maxAgeSeconds = Number(form.maxAgeSeconds);
  return rule;
}

/** A bucket's CORS rules (S3's), edited together and saved at once; the server checks each. */
export function CorsRules({ path }) {
  const loaded = useLoad((signal) => get(path + '/cors', { signal }), [path]);
  if (!loaded.data) {
    return html`<section class="card"><h2>CORS</h2><${ErrorText} error=${loaded.error} /></section>`;
  }
  return html`<${Rules} path=${path} initial=${loaded.data.rules.map(toForm)} />`;
}

function Rules({ path, initial }) {
  const [rules, setRules] = useState(initial);
  const [error, setError] = useState(null);
  const [saved, setSaved] = useState(null);
  const change = (index, name, value) => setRules(rules.map((rule, at) => (at === index ? { ...rule, [name]: value } : rule)));
  const toggle = (index, method, on) => change(index, 'allowedMethods',
    METHODS.filter((each) => (each === method ? on : rules[index].allowedMethods.includes(each))));
  const save = async (event) => {
    event.preventDefault();
    setError(null);
    setSaved(null);
    try {
      if (rules.length) {
        await put(path + '/cors', { rules: rules.map(toRule) });
      } else {
        await del(path + '/cors');
      }
      setSaved(rules.length ? 'CORS rules saved.' : 'CORS rules removed: no other origin may call this bucket.');
    } catch (failed) {
      setError(failed);
    }
  };
  return html`
    <form class="card form" onSubmit=${save} aria-labelledby="cors-title">
      <h2 id="cors-title">CORS</h2>
      <p class="muted">Which web pages on other origins may call this bucket. The first rule that matches a request answers it.</p>
      ${rules.length === 0 && html`<p class="empty">No rules: only the dashboard's own origin and non-browser clients can call it. Add a rule to allow a web app.</p>`}
      ${rules.map((rule, index) => html`
        <fieldset class="rule">
          <legend>Rule ${index + 1}</legend>
          ${LIST_FIELDS.map(([name, label, placeholder]) => html`
            <label>${label} <input name=${name + index} value=${rule[name]} placeholder=${placeholder}
              onInput=${(event) => change(index, name, event.target.value)} /></label>`)}
          <fieldset class="methods"><legend>Methods</legend>
            ${METHODS.map((method) => html`
              <label class="inline"><input type="checkbox" checked=${rule.allowedMethods.includes(method)}
                onChange=${(event) => toggle(index, method, event.target.checked)} /> ${method}</label>`)}
          </fieldset>
          <label>Preflight cache (seconds, 0-86400) <input name=${'maxAgeSeconds' + index} value=${rule.maxAgeSeconds}
            inputmode="numeric" onInput=${(event) => change(index, 'maxAgeSeconds', event.target.value)} /></label>
          <button type="button" onClick=${() => setRules(rules.filter((_, at) => at !== index))}>Remove rule ${index + 1}</button>
        </fieldset>`)}
      <${ErrorText} error=${error} />
      <p class="ok" role="status">${saved}</p>
      <div class="actions">
        <button type="button" onClick=${() => setRules([...rules, toForm({})])}>Add rule</button>
        <button type="submit" class="primary">Save CORS rules</button>
      </div>
    </form>`;
}
