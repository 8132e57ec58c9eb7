import { createServeCommand } from '@cloudquery/plugin-sdk-javascript/plugin/serve';
import { plugin } from './plugin.js';

createServeCommand(plugin).parse();
