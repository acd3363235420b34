import { html } from '../html.js';
import { Credentials } from '../parts/credentials.js';
import { ChooseTenant, useTenant } from '../parts/tenant.js';

const API_KEYS = {
  path: 'keys', field: 'keys', noun: 'API key', title: 'API keys', idLabel: 'Id',
  about: 'For programs calling the REST API, sent as the X-Api-Key header.',
  secrets: (answer) => [['API key', answer.secret]],
  idOf: (key) => key.id,
};

const S3_CREDENTIALS = {
  path: 's3-credentials', field: 'credentials', noun: 'S3 credential', title: 'S3 credentials',
  idLabel: 'Access key id', about: 'For S3 tools and SDKs: an access key id and a secret access key.',
  secrets: (answer) => [['Access key id', answer.accessKeyId], ['Secret access key', answer.secretAccessKey]],
  idOf: (credential) => credential.accessKeyId,
};

/** The tenant's API keys and S3 credentials. */
export function Keys() {
  const tenant = useTenant();
  return html`
    <section>
      <h1>Keys</h1>
      ${tenant ? html`<${Credentials} key=${'k' + tenant} tenant=${tenant} kind=${API_KEYS} />
                     <${Credentials} key=${'s' + tenant} tenant=${tenant} kind=${S3_CREDENTIALS} />`
        : html`<${ChooseTenant} what="its keys" />`}
    </section>`;
}
