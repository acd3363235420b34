import { useState } from 'preact/hooks';
import { html } from '../html.js';
import { patch } from '../api.js';
import { ErrorText } from './error.js';

const days = (value) => (value === null || value === undefined ? '' : String(value));

/** A rule as the form holds it: numbers as text, blank for "never". */
const toForm = (rule) => ({
  id: rule.id, prefix: rule.prefix || '',
  expireAfterDays: days(rule.expireAfterDays), abortIncompleteUploadsAfterDays: days(rule.abortIncompleteUploadsAfterDays),
});

/** Blank is "never"; anything but a whole number is the user's to fix before anything is sent. */
function toDays(text, what, id) {
  const value = text.trim();
  if (!value) return null;
  if (!/^\d+$/.test(value)) throw new Error(`Rule ${id || '(unnamed)'}: ${what} must be a whole number of days.`);
  return Number(value);
}

const toRule = (form) => ({
  id: form.id.trim(),
  prefix: form.prefix,
  expireAfterDays: toDays(form.expireAfterDays, '"Delete objects after"', form.id),
  abortIncompleteUploadsAfterDays: toDays(form.abortIncompleteUploadsAfterDays, '"Abort unfinished uploads after"', form.id),
});

/**
 * When `object` becomes old enough for the earliest of `rules` (a bucket's) that deletes objects
 * under a prefix of its key: {at: Date, rule: its id}, or null. Granary deletes it at the
 * background job's first run after that (docs/api.md, lifecycle rules).
 */
export function expiryOf(rules, object) {
  let first = null;
  for (const rule of rules || []) {
    if (rule.expireAfterDays == null || !object.key.startsWith(rule.prefix || '')) continue;
    const at = new Date(Date.parse(object.lastModified) + rule.expireAfterDays * 86400000);
    if (!first || at < first.at) first = { at, rule: rule.id };
  }
  return first;
}

/** A name no rule has yet, so adding a rule needs no typing to be valid. */
function freeId(rules) {
  let n = rules.length + 1;
  while (rules.some((rule) => rule.id === 'rule-' + n)) n += 1;
  return 'rule-' + n;
}

/**
 * A bucket's lifecycle rules (its `lifecycleRules` setting), edited together and saved with one
 * PATCH; the server checks each rule and says which field is wrong.
 */
export function LifecycleRules({ path, initial }) {
  const [rules, setRules] = useState(initial.map(toForm));
  const [error, setError] = useState(null);
  const [saved, setSaved] = useState(null);
  const change = (index, name, value) => setRules(rules.map((rule, at) => (at === index ? { ...rule, [name]: value } : rule)));
  const save = async (event) => {
    event.preventDefault();
    setError(null);
    setSaved(null);
    try {
      const changed = await patch(path, { lifecycleRules: rules.map(toRule) });
      setRules(changed.lifecycleRules.map(toForm));
      setSaved(rules.length ? 'Lifecycle rules saved.' : 'Lifecycle rules removed: nothing is deleted by age.');
    } catch (failed) {
      setError(failed);
    }
  };
  return html`
    <form class="card form lifecycle" onSubmit=${save} aria-labelledby="lifecycle-title">
      <h2 id="lifecycle-title">Lifecycle</h2>
      <p class="muted">Deletes objects whose last change is older than the days given, and aborts uploads left unfinished,
        under a key prefix (blank: the whole bucket). Granary applies the rules in the background, hourly by default;
        deleted objects cannot be restored.</p>
      ${rules.length === 0 && html`<p class="empty">No rules: objects stay until someone deletes them. Add a rule to expire
        logs, temporary files or abandoned uploads.</p>`}
      ${rules.map((rule, index) => html`
        <fieldset class="rule">
          <legend>Lifecycle rule ${index + 1}</legend>
          <div class="grid2">
            <label>Name <input name=${'lifecycleId' + index} value=${rule.id} autocomplete="off"
              onInput=${(event) => change(index, 'id', event.target.value)} placeholder="logs" /></label>
            <label>Key prefix <input name=${'lifecyclePrefix' + index} value=${rule.prefix} class="mono"
              onInput=${(event) => change(index, 'prefix', event.target.value)} placeholder="whole bucket" /></label>
            <label>Delete objects after (days) <input name=${'expireAfterDays' + index} value=${rule.expireAfterDays}
              inputmode="numeric" placeholder="never" onInput=${(event) => change(index, 'expireAfterDays', event.target.value)} /></label>
            <label>Abort unfinished uploads after (days) <input name=${'abortUploadsAfterDays' + index}
              value=${rule.abortIncompleteUploadsAfterDays} inputmode="numeric" placeholder="never"
              onInput=${(event) => change(index, 'abortIncompleteUploadsAfterDays', event.target.value)} /></label>
          </div>
          <button type="button" onClick=${() => setRules(rules.filter((_, at) => at !== index))}>Remove lifecycle rule ${index + 1}</button>
        </fieldset>`)}
      <${ErrorText} error=${error} />
      <p class="ok" role="status">${saved}</p>
      <div class="actions">
        <button type="button" onClick=${() => setRules([...rules, toForm({ id: freeId(rules), prefix: '', expireAfterDays: 30 })])}>
          Add lifecycle rule</button>
        <button type="submit" class="primary">Save lifecycle rules</button>
      </div>
    </form>`;
}
