import type { ActionTable } from '../action.js';

export const KEY_ACTIONS: ActionTable = {};
