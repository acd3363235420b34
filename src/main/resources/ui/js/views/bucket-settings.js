import { useState } from 'preact/hooks';
import { html } from '../html.js';
import { del, get, patch, post } from '../api.js';
import { navigate } from '../router.js';
import { ErrorText } from '../parts/error.js';
import { useLoad } from '../parts/load.js';
import { ChooseTenant, useTenant } from '../parts/tenant.js';
import { parseSize, sizeText, formatBytes } from '../parts/bytes.js';
import { ConfirmDialog } from '../parts/dialog.js';
import { CorsRules } from '../parts/cors-rules.js';
import { ImagePresets } from '../parts/image-presets.js';
import { LifecycleRules } from '../parts/lifecycle-rules.js';
import { splitList } from '../parts/text.js';

/** The form's text for each setting of a bucket (blank: none). */
function formValues(bucket) {
  return {
    name: bucket ? bucket.name : '',
    visibility: bucket ? bucket.visibility : 'private',
    maxObjectSize: sizeText(bucket && bucket.maxObjectSize),
    allowedContentTypes: bucket && bucket.allowedContentTypes ? bucket.allowedContentTypes.join(', ') : '',
    quotaBytes: sizeText(bucket && bucket.quotaBytes),
    quotaObjects: bucket && bucket.quotaObjects !== null ? String(bucket.quotaObjects) : '',
    cacheControl: (bucket && bucket.cacheControl) || '',
    redirectDownloads: Boolean(bucket && bucket.redirectDownloads),
  };
}

/** The settings as the API takes them: null for every blank field (no limit, any type). */
function settings(values) {
  const objects = values.quotaObjects.trim();
  if (objects && !/^\d+$/.test(objects)) throw new Error('The object quota must be a whole number.');
  const types = splitList(values.allowedContentTypes);
  return {
    visibility: values.visibility,
    maxObjectSize: parseSize(values.maxObjectSize),
    allowedContentTypes: types.length ? types : null,
    quotaBytes: parseSize(values.quotaBytes),
    quotaObjects: objects ? Number(objects) : null,
    cacheControl: values.cacheControl.trim() || null,
    redirectDownloads: values.redirectDownloads,
  };
}

const objects = (count) => `${count.toLocaleString()} object${count === 1 ? '' : 's'}`;

/** A bucket's settings, lifecycle rules, CORS rules, image presets and deletion; or, without a bucket, a new one. */
export function BucketSettings({ bucket }) {
  const tenant = useTenant();
  const loaded = useLoad(async (signal) => {
    if (!tenant || !bucket) return null;
    const [settings, usage] = await Promise.all([get('/buckets/' + encodeURIComponent(bucket), { signal }),
      get('/usage', { signal }).catch(() => ({ buckets: {} }))]);
    return { settings, usage: (usage.buckets || {})[bucket] };
  }, [tenant, bucket]);
  if (!tenant) return html`<section><h1>Bucket</h1><${ChooseTenant} what="its buckets" /></section>`;
  if (bucket && !loaded.data) {
    return html`<section><h1>${bucket}</h1><${ErrorText} error=${loaded.error} />
      ${loaded.loading && html`<p class="muted" role="status">Loading…</p>`}</section>`;
  }
  return html`<${Editor} key=${bucket || ''} bucket=${loaded.data && loaded.data.settings}
                          usage=${loaded.data && loaded.data.usage} tenant=${tenant} />`;
}

function Editor({ bucket, usage }) {
  const creating = !bucket;
  const [values, setValues] = useState(formValues(bucket));
  const [error, setError] = useState(null);
  const [saved, setSaved] = useState(null);
  const [busy, setBusy] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const set = (name) => (event) => setValues({ ...values,
    [name]: event.target.type === 'checkbox' ? event.target.checked : event.target.value });
  const submit = async (event) => {
    event.preventDefault();
    setError(null);
    setSaved(null);
    setBusy(true);
    try {
      const body = settings(values);
      if (creating) {
        const made = await post('/buckets', { name: values.name.trim(), ...body });
        navigate('/ui/buckets/' + encodeURIComponent(made.name) + '/settings');
      } else {
        const changed = await patch('/buckets/' + encodeURIComponent(bucket.name), body);
        setValues(formValues(changed));
        setSaved('Settings saved.');
      }
    } catch (failed) {
      setError(failed);
    } finally {
      setBusy(false);
    }
  };
  const path = bucket && '/buckets/' + encodeURIComponent(bucket.name);
  return html`
    <section class="bucket-settings stack">
      <p class="crumbs"><a href="/ui/buckets">Buckets</a> /</p>
      <h1>${creating ? 'New bucket' : bucket.name}</h1>
      ${usage && html`<p class="muted">${objects(usage.objects)}, ${formatBytes(usage.bytes)}.</p>`}
      <form class="card form" onSubmit=${submit} aria-label="Bucket settings" novalidate>
        ${creating && html`
          <label>Name <input name="name" value=${values.name} onInput=${set('name')} required autofocus
            aria-describedby="name-help" autocomplete="off" />
            <small id="name-help" class="muted">3-63 lowercase letters, digits, dots and hyphens.</small></label>`}
        <label>Visibility
          <select name="visibility" value=${values.visibility} onChange=${set('visibility')} aria-describedby="visibility-help">
            <option value="private">Private: a key or a signed URL is needed</option>
            <option value="public">Public: anyone may read the objects</option>
          </select>
          <small id="visibility-help" class="muted">Public objects are served under ${'/public/<tenant>/<bucket>/<key>'}.</small>
        </label>
        <div class="grid2">
          <label>Largest object <input name="maxObjectSize" value=${values.maxObjectSize} onInput=${set('maxObjectSize')}
            placeholder="no limit" aria-describedby="size-help" /></label>
          <label>Quota: bytes <input name="quotaBytes" value=${values.quotaBytes} onInput=${set('quotaBytes')}
            placeholder="no limit" aria-describedby="size-help" /></label>
          <label>Quota: objects <input name="quotaObjects" value=${values.quotaObjects} onInput=${set('quotaObjects')}
            placeholder="no limit" inputmode="numeric" /></label>
        </div>
        <p id="size-help" class="muted small">Sizes in bytes or with a unit: 10 MB (10,000,000 bytes), 10 MiB (10,485,760 bytes), 2 GB, 1.5 GiB. Blank: no limit.</p>
        <label>Allowed content types <input name="allowedContentTypes" value=${values.allowedContentTypes}
          onInput=${set('allowedContentTypes')} placeholder="any type" aria-describedby="types-help" />
          <small id="types-help" class="muted">Media types or ranges, separated by commas: image/*, application/pdf.</small></label>
        <label>Cache-Control of its objects <input name="cacheControl" value=${values.cacheControl}
          onInput=${set('cacheControl')} placeholder="none" /></label>
        <label class="inline"><input type="checkbox" name="redirectDownloads" checked=${values.redirectDownloads}
          onChange=${set('redirectDownloads')} /> Redirect downloads to the store (S3 stores only)</label>
        <${ErrorText} error=${error} />
        <p class="ok" role="status">${saved}</p>
        <div class="actions">
          <a class="button" href="/ui/buckets">Back</a>
          <button type="submit" class="primary" disabled=${busy}>${creating ? 'Create bucket' : 'Save settings'}</button>
        </div>
      </form>
      ${!creating && html`
        <${LifecycleRules} path=${path} initial=${bucket.lifecycleRules || []} />
        <${CorsRules} path=${path} />
        <${ImagePresets} path=${path} />
        <section class="card danger-zone" aria-labelledby="delete-title">
          <h2 id="delete-title">Delete this bucket</h2>
          <p>Deleting a bucket deletes all its objects for good.</p>
          <button type="button" class="danger" onClick=${() => setDeleting(true)}>Delete bucket…</button>
        </section>`}
      ${deleting && html`
        <${ConfirmDialog} title=${'Delete bucket ' + bucket.name + '?'} typed=${bucket.name} confirmLabel="Delete bucket"
          action=${() => del(path, { query: { force: 'true' } })}
          onClose=${(done) => (done ? navigate('/ui/buckets') : setDeleting(false))}>
          <p>${'The bucket and ' + (usage ? `its ${objects(usage.objects)} (${formatBytes(usage.bytes)})` : 'all its objects')
            + ' will be deleted. This cannot be undone.'}</p>
        <//>`}
    </section>`;
}
