import type { ActionTable } from '../action.js';

export const TAG_ACTIONS: ActionTable = {};
