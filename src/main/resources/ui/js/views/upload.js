import { html } from '../html.js';
import { folderPath } from '../router.js';
import { DropZone, UploadButton } from '../upload/pickers.js';

/**
 * Uploading into a bucket folder, for screens that link here (the files screen embeds the same
 * DropZone and UploadButton around its listing). The uploads go on in the panel wherever the
 * user goes next.
 */
export function Upload({ bucket, prefix }) {
  const folder = prefix && !prefix.endsWith('/') ? prefix + '/' : prefix || '';
  return html`
    <section>
      <h1>Upload to ${bucket}/${folder}</h1>
      <p><a href=${folderPath(bucket, folder)}>Back to the folder</a></p>
      <${DropZone} bucket=${bucket} prefix=${folder}>
        <div class="drop-target">
          <p>Drop files or folders here: folders keep their structure under <strong>${bucket}/${folder}</strong>.</p>
          <${UploadButton} bucket=${bucket} prefix=${folder} />
          <p class="muted">Large files resume after a lost connection, and after a reload once you select them again.
            Uploads keep going while you use the rest of the dashboard.</p>
        </div>
      <//>
    </section>`;
}
