// Every screen of the dashboard: its address pattern, its name in the navigation (if listed
// there, and for whom), and its view. One line per screen.
import { Buckets } from './buckets.js';
import { Files } from './files.js';

export const SCREENS = [
  { pattern: '/ui/buckets', title: 'Buckets', nav: 'all', view: Buckets },
  { pattern: '/ui/b/:bucket/*prefix', title: 'Files', view: Files },
];
