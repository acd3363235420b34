// Every screen of the dashboard: its address pattern, its name in the navigation (if listed
// there, and for whom), and its view. One line per screen.
import { Buckets } from './buckets.js';
import { BucketSettings } from './bucket-settings.js';
import { Keys } from './keys.js';
import { Users } from './users.js';
import { Tenants } from './tenants.js';
import { Usage } from './usage.js';
import { Audit } from './audit.js';
import { Account } from './account.js';
import { Upload } from './upload.js';
import { Files } from './files.js';

export const SCREENS = [
  { pattern: '/ui/buckets', title: 'Buckets', nav: 'all', view: Buckets },
  { pattern: '/ui/b/:bucket/*prefix', title: 'Files', view: Files },
  { pattern: '/ui/buckets/new', title: 'New bucket', view: BucketSettings },
  { pattern: '/ui/buckets/:bucket/settings', title: 'Bucket settings', view: BucketSettings },
  { pattern: '/ui/usage', title: 'Usage', nav: 'all', view: Usage },
  { pattern: '/ui/keys', title: 'Keys', nav: 'admin', view: Keys },
  { pattern: '/ui/users', title: 'Users', nav: 'admin', view: Users },
  { pattern: '/ui/tenants', title: 'Tenants', nav: 'system', view: Tenants },
  { pattern: '/ui/audit', title: 'Audit', nav: 'admin', view: Audit },
  { pattern: '/ui/account', title: 'Account', nav: 'all', view: Account },
  { pattern: '/ui/upload/:bucket/*prefix', title: 'Upload', view: Upload },
];
