import { useState } from 'preact/hooks';
import { html } from '../html.js';
import { del, get, put } from '../api.js';
import { ErrorText } from './error.js';
import { useLoad } from './load.js';

// A preset's transform is written as the URL parameters it stands for (docs/images.md), the
// form people already know from image URLs: width=150&height=150&fit=cover&format=webp.
const toText = (transform) => new URLSearchParams(transform).toString();
const toTransform = (text) => Object.fromEntries(new URLSearchParams(text.trim().replace(/^\?/, '')));

/** A bucket's image presets, edited together and saved at once; the server checks each transform. */
export function ImagePresets({ path }) {
  const loaded = useLoad((signal) => get(path + '/image-presets', { signal }), [path]);
  if (!loaded.data) {
    return html`<section class="card"><h2>Image presets</h2><${ErrorText} error=${loaded.error} /></section>`;
  }
  const initial = loaded.data.presets.map((preset) => ({ ...preset, transform: toText(preset.transform) }));
  return html`<${Presets} path=${path} initial=${initial} />`;
}

function Presets({ path, initial }) {
  const [presets, setPresets] = useState(initial);
  const [error, setError] = useState(null);
  const [saved, setSaved] = useState(null);
  const change = (index, name, value) =>
    setPresets(presets.map((preset, at) => (at === index ? { ...preset, [name]: value } : preset)));
  const save = async (event) => {
    event.preventDefault();
    setError(null);
    setSaved(null);
    try {
      if (presets.length) {
        await put(path + '/image-presets', { presets: presets.map((preset) => ({
          name: preset.name.trim(), transform: toTransform(preset.transform), pregenerate: preset.pregenerate })) });
      } else {
        await del(path + '/image-presets');
      }
      setSaved(presets.length ? 'Presets saved.' : 'Presets removed.');
    } catch (failed) {
      setError(failed);
    }
  };
  return html`
    <form class="card form" onSubmit=${save} aria-labelledby="presets-title">
      <h2 id="presets-title">Image presets</h2>
      <p class="muted">Named renditions pages ask for with <code>?preset=name</code>. The transform is written as URL
        parameters: <code>width=150&height=150&fit=cover&format=webp</code>.</p>
      ${presets.length === 0 && html`<p class="empty">No presets. Add one to name a size and format once for every page.</p>`}
      ${presets.map((preset, index) => html`
        <fieldset class="rule">
          <legend>Preset ${index + 1}</legend>
          <div class="grid2">
            <label>Name <input name=${'presetName' + index} value=${preset.name}
              onInput=${(event) => change(index, 'name', event.target.value)} placeholder="thumb" /></label>
            <label>Transform <input name=${'presetTransform' + index} value=${preset.transform} class="mono"
              onInput=${(event) => change(index, 'transform', event.target.value)} placeholder="width=150&format=webp" /></label>
          </div>
          <label class="inline"><input type="checkbox" checked=${preset.pregenerate}
            onChange=${(event) => change(index, 'pregenerate', event.target.checked)} /> Make it for every uploaded image in advance</label>
          <button type="button" onClick=${() => setPresets(presets.filter((_, at) => at !== index))}>Remove preset ${index + 1}</button>
        </fieldset>`)}
      <${ErrorText} error=${error} />
      <p class="ok" role="status">${saved}</p>
      <div class="actions">
        <button type="button" onClick=${() => setPresets([...presets, { name: '', transform: '', pregenerate: false }])}>Add preset</button>
        <button type="submit" class="primary">Save presets</button>
      </div>
    </form>`;
}
